"""Our pages' theme template rendered ahead in forked workers (``catalog.mkdocs_site.ahead``): the
site is byte for byte the one MkDocs' own page loop makes, whatever the other plugins do in
``on_page_context`` and ``on_post_page`` and wherever the plugin is listed; a page whose
rendering warns is rendered (and warns) once, in MkDocs' loop.

Each build runs in a subprocess (workers are forked only by a process with one thread, which
a pytest-xdist worker is not), once as it is and once with the rendering ahead switched off.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.mkdocs_site.ahead import AT_LEAST, without_search_attributes
from tests.scale_fixtures import write_categories
from tests.test_markdown_matrix import RECOMMENDED

REPO = Path(__file__).resolve().parents[1]

# Runs MkDocs' or our CLI with rendering ahead on or off, and says how many pages the
# workers' output was used for.
DRIVER = """
import sys
import catalog.mkdocs_site.ahead as ahead

switch, program, *args = sys.argv[1:]
if switch == "off":
    ahead.AT_LEAST = 10**9
used = [0]
real_stop = ahead.RenderAhead.stop

def stop(self):
    used[0] = max(used[0], self.rendered)
    real_stop(self)

ahead.RenderAhead.stop = stop
sys.argv = [program, *args]
try:
    if program == "mkdocs":
        from mkdocs.__main__ import cli
        cli()
    else:
        from catalog.cli.main import main
        main()
finally:
    print(f"rendered ahead: {used[0]}", file=sys.stderr)
"""

# Another plugin (MkDocs hooks): a context variable the theme prints, a warning for one page,
# a mark after the template, and a record of the pages it saw, in order (a side effect: it is
# the process that writes the site that must see them). What it adds to a page's context
# depends on the page, not on how many pages came before it in MkDocs' loop (the workers do
# not see that loop: see catalog.mkdocs_site.ahead).
HOOKS = """
import logging
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.witness")
seen = []

def on_page_context(context, page, config, nav):
    seen.append(page.file.src_uri)
    context["witness_note"] = f"noted for {page.file.src_uri} by {config.site_name}"
    if page.file.src_uri.endswith("agents/agent-00007.md"):
        log.warning("witness: a warning for %s", page.file.src_uri)
    return context

def on_post_page(output, page, config):
    return output.replace("</body>", f"<!-- after the template: {page.file.src_uri} --></body>")

def on_post_build(config):
    Path(config.site_dir, "seen.txt").write_text("\\n".join(seen), encoding="utf-8")
"""

MAIN_HTML = """{% extends "base.html" %}
{% block content %}{{ super() }}<p class="witness">{{ witness_note }}</p>{% endblock %}
"""

AGENTS = AT_LEAST + 6


def _catalog(root: Path) -> Path:
    agents = root / "agents"
    write_categories(agents / "many", AGENTS, 4)
    shutil.copytree(REPO / "agents", agents / "real")  # pages with every part of the template
    return agents


def _project(root: Path, order: str, hooks: bool) -> Path:
    project = root / f"project-{order}-{hooks}"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "index.md").write_text("# Handbook\n\nWritten by hand.\n", encoding="utf-8")
    ours = "agent-catalog: {sources: [../agents], path: catalog/}"
    plugins = {
        "last": ["search", ours],
        "first": [ours, "search", "offline"],
        "middle": ["search", "macros", ours, "offline"],
    }[order]
    extra = RECOMMENDED if order == "middle" else ""  # the Markdown extensions most sites use
    if hooks:
        (project / "hooks.py").write_text(HOOKS, encoding="utf-8")
        (project / "overrides").mkdir()
        (project / "overrides" / "main.html").write_text(MAIN_HTML, encoding="utf-8")
        extra += "hooks: [hooks.py]\n"
    (project / "mkdocs.yml").write_text(
        "site_name: Handbook\n"
        f"use_directory_urls: {'true' if order == 'first' else 'false'}\n"
        "theme:\n  name: material\n  font: false\n"
        + ("  custom_dir: overrides\n" if hooks else "")
        + "plugins:\n"
        + "".join(f"  - {p}\n" for p in plugins)
        + extra,
        encoding="utf-8",
    )
    return project


def _build(command: list[str], cwd: Path, switch: str) -> tuple[int, str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    result = subprocess.run(
        [sys.executable, "-c", DRIVER, switch, *command], cwd=cwd, capture_output=True, text=True, env=env, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback (most recent call last)" not in result.stderr, result.stderr[-3000:]
    ahead = [line for line in result.stderr.splitlines() if line.startswith("rendered ahead: ")]
    return int(ahead[-1].split(": ")[1]), result.stderr


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.mark.slow
@pytest.mark.parametrize(("order", "hooks"), [("last", True), ("first", False), ("middle", True)])
def test_a_site_built_with_pages_rendered_ahead_is_the_same(tmp_path: Path, order: str, hooks: bool) -> None:
    _catalog(tmp_path)
    project = _project(tmp_path, order, hooks)
    sites = {}
    for switch in ("off", "on"):
        site = tmp_path / f"site-{switch}"
        rendered, log = _build(["mkdocs", "build", "--site-dir", str(site)], project, switch)
        ours = [p for p in site.glob("catalog/**/*.html")]
        warned = 1 if hooks else 0
        # Every generated page but the one whose rendering warns; none when switched off.
        assert rendered == (len(ours) - warned if switch == "on" else 0), log[-2000:]
        assert log.count("witness: a warning for") == warned, log[-3000:]
        sites[switch] = _files(site)
    assert sites["on"].keys() == sites["off"].keys()
    differ = [name for name in sites["on"] if sites["on"][name] != sites["off"][name]]
    assert differ == []
    if hooks:  # what the other plugin did is there: its context variable, its mark, its record
        page = sites["on"]["catalog/agents/agent-00001.html"].decode("utf-8")
        assert (
            '<p class="witness">noted for catalog/agents/agent-00001.md' in page
            and "<!-- after the template: catalog/agents/agent-00001.md -->" in page
        )
        assert sites["on"]["seen.txt"].decode("utf-8").count("catalog/agents/agent-000") == AGENTS


@pytest.mark.slow
def test_agent_catalog_build_with_pages_rendered_ahead_is_the_same(tmp_path: Path) -> None:
    agents = _catalog(tmp_path)
    sites = {}
    for switch in ("off", "on"):
        site = tmp_path / f"site-{switch}"
        rendered, log = _build(["agent-catalog", "build", str(agents), "--site-dir", str(site)], tmp_path, switch)
        assert rendered == (len([*site.glob("**/*.html")]) - 1 if switch == "on" else 0), log[-2000:]  # not 404.html
        sites[switch] = _files(site)
    assert sites["on"].keys() == sites["off"].keys()
    assert [name for name in sites["on"] if sites["on"][name] != sites["off"][name]] == []


_PIECES = [
    "data-search-",
    "exclude",
    "x",
    "_1",
    "=",
    '"',
    '="on"',
    " ",
    "\t",
    "\n",
    "\u00a0",
    "\u2003",
    "é",
    "<p",
    ">",
    "-",
]


@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_search_attributes_go_as_materials_search_takes_them_out(pieces: list[str]) -> None:
    """``without_search_attributes`` (run where the search plugin's expression would have
    been): the same text as that expression makes, whatever the text."""
    text = "".join(pieces)
    assert without_search_attributes(text) == re.sub(r"\s?data-search-\w+=\"[^\"]+\"", "", text)


TWO_BUILDS = """
import sys
from catalog.cli.main import main

for source, site in zip(sys.argv[1::2], sys.argv[2::2]):
    try:
        main(["build", source, "--site-dir", site])
    except SystemExit as end:
        assert end.code == 0, end.code
"""


@pytest.mark.slow
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="pages are rendered ahead only with two cores or more")
def test_a_build_after_one_rendered_ahead_in_the_same_process_is_the_build_alone(tmp_path: Path) -> None:
    """One process, two builds (a test session, a script, a serve that rebuilds): nothing of a
    build whose pages were rendered ahead reaches the next (its shared pages came out empty)."""
    large = _catalog(tmp_path / "large")
    small = tmp_path / "small"
    shutil.copytree(REPO / "agents", small)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}

    def run(*pairs: Path) -> None:
        result = subprocess.run(
            [sys.executable, "-c", TWO_BUILDS, *map(str, pairs)], cwd=tmp_path, capture_output=True, text=True, env=env
        )
        assert result.returncode == 0, result.stderr[-3000:]

    run(large, tmp_path / "site-large", small, tmp_path / "site-after")
    run(small, tmp_path / "site-alone")
    assert len([*(tmp_path / "site-large").glob("**/*.html")]) > AT_LEAST
    after, alone = _files(tmp_path / "site-after"), _files(tmp_path / "site-alone")
    assert after.keys() == alone.keys()
    assert [name for name in alone if after[name] != alone[name]] == []
