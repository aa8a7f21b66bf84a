"""One agent page that MkDocs fails on costs only that page (issue 15, section 2).

A site's own hook raises on any page that holds a word, as a plugin or an extension with a bug
would, while MkDocs reads the page or while it builds it. ``agent-catalog build`` with that
mkdocs.yml: exit 1, an AC150 finding names the agent's file, a short page stands in for its
page, and every other agent's page is built. (The built-in configuration's in-memory build
runs the same code, ``catalog.mkdocs_site.build.prepare_mkdocs``.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile_fixtures import agent, write
from tests.hostile_support import run_cli, text_of

HOOKS = {
    # MkDocs reads the page (Markdown, then on_page_content), or builds it (on_page_context).
    "reading": """\
def on_page_content(html, page, config, files):
    if "EXPLODE" in html:
        raise ValueError("this page cannot be read")
    return html
""",
    "building": """\
def on_page_context(context, page, config, nav):
    if "EXPLODE" in (page.content or ""):
        raise ValueError("this page cannot be indexed")
    return context
""",
}


# The user's mkdocs.yml: without our plugin (`build` generates the pages into its docs
# folder), or with it (the plugin adds them in memory, under its ``path``).
PLUGINS = {"generated": ("plugins: [search]\n", ""), "plugin": ("plugins: [search, agent-catalog]\n", "agents/")}


@pytest.mark.parametrize("stage", sorted(HOOKS))
@pytest.mark.parametrize("pages", sorted(PLUGINS))
def test_the_page_mkdocs_fails_on_is_a_finding_and_the_rest_is_built(stage: str, pages: str, tmp_path: Path) -> None:
    plugins, prefix = PLUGINS[pages]
    catalog = tmp_path / "catalog"
    write(catalog / "good-one.md", agent("name: good-one\ndescription: Fine."))
    write(catalog / "good-two.md", agent("name: good-two\ndescription: Fine too."))
    write(catalog / "boom.md", agent("name: boom\ndescription: Explodes.", "This body says EXPLODE.\n"))
    project = tmp_path / "project"
    write(project / "hook.py", HOOKS[stage])
    write(
        project / "mkdocs.yml",
        "site_name: Hooked\nuse_directory_urls: false\ntheme:\n  name: material\n  font: false\n"
        f"hooks: [hook.py]\n{plugins}",
    )
    write(project / "docs" / "index.md", "# Home\n")
    if pages == "plugin":
        (project / "agents").symlink_to(catalog)  # the plugin's default source folder
    result = run_cli(["build", *([str(catalog)] if pages == "generated" else []), "--site-dir", "site"], project)
    output = text_of(result)
    assert result.returncode == 1, output
    assert "boom.md:1:1: AC150" in output, output
    site = project / "site" / prefix
    for slug in ("good-one", "good-two"):
        assert "Fine" in (site / "agents" / f"{slug}.html").read_text(encoding="utf-8")
    stand_in = (site / "agents" / "boom.html").read_text(encoding="utf-8")
    assert "Page not built" in stand_in and "EXPLODE" not in stand_in
    assert (site / "index.html").is_file()
