"""Generated pages handed to MkDocs as finished HTML (catalog.mkdocs_site.html, issue 18).

The HTML ``finish`` makes of a generated page is what Python-Markdown with MkDocs' toc makes
of the same Markdown (the docs folder ``generate`` writes, built by a plain ``mkdocs build``),
its table of contents is the toc's, and Material's search makes the same entries of the part
``finish`` hands it as of the whole page. Over every page of several catalogs, hostile ones
included, and over random agent names and descriptions.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.layout import is_agent_page, quiet_sections
from catalog.mkdocs_site.html import Headings, finish, headings_of, search_sections
from catalog.pipeline import scan_catalog
from catalog.render.pages import render_catalog
from tests.conftest import FIXTURES, SHARED
from tests.hostile_fixtures import write_clean_catalog, write_content_catalog

REPO = Path(__file__).resolve().parents[1]
EXTENSIONS = ["toc", "tables", "admonition"]  # the built-in configuration's


def _body(page: str) -> str:
    """A generated page without its front matter, as MkDocs hands it to plugins."""
    return page.split("\n---\n", 1)[1] if page.startswith("---\n") else page


def _squeeze(text: str) -> str:
    return re.sub(r">\s+<", "><", " ".join(text.split()))


def _by_markdown(body: str, configs: dict[str, object] | None = None) -> tuple[str, list[object]]:
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=configs or {})
    return md.convert(body), md.toc_tokens  # type: ignore[attr-defined]


def _entries(html: str, toc: list[object]) -> list[dict[str, object]]:
    """Material's search entries for a page of this content."""
    from material.plugins.search.plugin import Parser, SearchIndex
    from mkdocs.structure.toc import get_toc

    class Page:
        def __init__(self) -> None:
            self.meta: dict[str, object] = {"title": "T"}
            self.title = "T"

    index = SearchIndex()
    parser = Parser()
    parser.feed(html)
    parser.close()
    for section in parser.data:
        if not section.is_excluded():
            index.create_entry_for_section(section, get_toc(toc), "page.html", Page())
    return index.entries


def _assert_same(rel: str, page: str, headings: Headings, configs: dict[str, object] | None = None) -> None:
    body = _body(page)
    finished = finish(body, headings, is_agent_page(rel))
    assert finished is not None, f"{rel}: a generated page was not finished"
    html, toc = _by_markdown(body, configs)
    if is_agent_page(rel):
        html = quiet_sections(html)
    assert _squeeze(finished.html) == _squeeze(html), rel
    assert list(finished.toc) == toc, rel
    assert _entries(finished.search, list(finished.toc)) == _entries(finished.html, list(finished.toc)), rel
    assert search_sections(finished.search) == _material_sections(finished.search), rel


def _material_sections(part: str) -> tuple[object, ...]:
    """What Material's own parser (html.parser's tokenizer) makes of ``part``."""
    from material.plugins.search.plugin import Parser

    parser = Parser()
    parser.feed(part)
    parser.close()
    return tuple((tuple(s.title), tuple(s.text), s.id) for s in parser.data if not s.is_excluded())


# Pieces of HTML of our pages' kind (tags in either case, quoted and bare attributes,
# self-closing and void tags, references with and without their semicolon) and of every other
# kind html.parser reads (unquoted attributes, raw-text elements, comments, stray "<").
_OURS = st.sampled_from(
    [
        "<p>", "</p>", "<P>", "</P>", "<h1 id=\"t\">", "</h1>", "<h2 id=\"a&amp;b\">", "</h2>", "<h3>", "</h3>",
        '<a class="headerlink" href="#a">', "</a>", "<span data-search-exclude>", "<span>", "</span>",
        '<div class="x" data-search-exclude="">', "<div>", "</div>", "<pre>", "</pre>", "<code>", "</code>",
        "<ul>", "<li>", "</li>", "</ul>", "<br>", "<br />", '<img src="a" alt="b"/>', "<code/>", '<p class="c" />',
        "<SPAN Class=\"X\">",
        "</SPAN>", '<div title="1 > 0">', '<td class="linenodiv">', "</td>", '<script src="s.js"></script>',
        "<object>", "</object>", "&amp;", "&", "&#10;", "&lt", "&#x1F600;", "&notin;", " ", "\n", "\t", "text", "Ünï",
        # what exercises the rest of Parser's handlers: kept tags, headings with and without
        # their id (excluded, empty, repeated attributes, nested in other elements), a tag
        # named as Parser names its first section's, line numbers, space in and out of <pre>
        "<ol>", "</ol>", "<sub>", "</sub>", "<sup>", "</sup>", "<hx>", "</hx>", '<h2 id="b" data-search-exclude>',
        '<h4 id="">', "<h1>", "</h4>", "</h6>", '<h6 id="c">', '<div class="linenodiv">', '<p id="x" id="y">',
        '<a class="x" class="headerlink">', "<h2 id>", '<h3 id="z" class="linenodiv">', "</br>", "<hr>", "\n\n", "  ",
    ]
)  # fmt: skip
_OTHERS = st.sampled_from(
    ["<div title='q'>", "<div title=bare>", '<div a="1"b="2">', "<script>", "</script>", "<style>p<i></style>",
     "<!-- c -->", "<!doctype html>", "<?pi?>", "<", "< p>", "</ p>", "</div >"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_OURS, max_size=40))
def test_search_sections_are_what_materials_parser_makes(pieces: list[str]) -> None:
    part = "".join(pieces)
    assert _outcome(search_sections, part) == _outcome(_material_sections, part)


def _outcome(sections: Callable[[str], object], part: str) -> object:
    """What ``sections`` makes of ``part``, or the error it raises: Material's parser fails on
    some badly nested tags ('<code>' is not in list), and the fast path must fail the same."""
    try:
        return sections(part)
    except Exception as error:
        return (type(error), str(error))


def test_badly_nested_tags_fail_as_in_materials_parser() -> None:
    part = "<span data-search-exclude><code><span data-search-exclude></SPAN></code>"
    assert (
        _outcome(search_sections, part) == _outcome(_material_sections, part) == (ValueError, "'<code>' is not in list")
    )


@settings(max_examples=100, deadline=None)
@given(st.lists(_OURS, max_size=20), st.lists(_OTHERS, min_size=1, max_size=3), st.lists(_OURS, max_size=20))
def test_html_not_of_our_kind_gets_materials_sections_too(before: list[str], odd: list[str], after: list[str]) -> None:
    part = "".join(before + odd + after)
    assert _outcome(search_sections, part) == _outcome(_material_sections, part)


def _catalogs(root: Path) -> list[Path]:
    write_content_catalog(root / "content")
    write_clean_catalog(root / "clean")
    folders = [root / "content", root / "clean", REPO / "agents", FIXTURES / "formats"]
    corpus = SHARED / "corpus" / "github__awesome-copilot"
    return [*folders, *([corpus] if corpus.is_dir() else [])]


DEFAULT = headings_of(EXTENSIONS, {})


def test_every_generated_page_is_finished_as_markdown_would(tmp_path: Path, template_bytecode: Path) -> None:
    assert DEFAULT is not None
    for folder in _catalogs(tmp_path):
        pages = render_catalog(scan_catalog([str(folder)]), bytecode_dir=template_bytecode)
        checked = 0
        for rel, page in pages.items():
            if rel.endswith(".md") and isinstance(page, str):
                _assert_same(rel, page, DEFAULT)
                checked += 1
        assert checked > 3, folder


def test_permalinks_and_a_separator_as_the_toc_makes_them(tmp_path: Path) -> None:
    configs: dict[str, object] = {"toc": {"permalink": True, "separator": "_", "permalink_title": "Link"}}
    headings = headings_of(EXTENSIONS, configs)
    assert headings is not None
    pages = render_catalog(scan_catalog([str(REPO / "agents")]))
    for rel, page in pages.items():
        if rel.endswith(".md") and isinstance(page, str):
            _assert_same(rel, page, headings, configs)


def test_toc_settings_not_reproduced_leave_the_page_to_markdown() -> None:
    assert headings_of(["toc"], {"toc": {"anchorlink": True}}) is None
    assert headings_of(["toc"], {"toc": {"toc_depth": "2-3"}}) is None
    assert headings_of(["tables"], {}) is None
    assert DEFAULT is not None
    # Markdown that is not of the generated kind: a user's template writing a paragraph.
    assert finish("# Title\n\nSome **bold** text.\n", DEFAULT) is None
    assert finish("# Title\n\n<span>inline</span>\n", DEFAULT) is None
    assert finish("## A *heading*\n", DEFAULT) is None


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=60)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_TEXT, description=_TEXT, example=_TEXT)
def test_any_agent_text_is_finished_as_markdown_would(
    tmp_path_factory: pytest.TempPathFactory, template_bytecode: Path, name: str, description: str, example: str
) -> None:
    import json

    folder = tmp_path_factory.mktemp("agents")
    text = (
        f"---\nname: {json.dumps(name)}\ndescription: {json.dumps(description + ' <example>user: ' + example)}"
        f"\ncategory: {json.dumps(name[:10])}\n---\n\n# {example}\n\nYou are {name}.\n"
    )
    (folder / "agent.md").write_text(text, encoding="utf-8")
    assert DEFAULT is not None
    for rel, page in render_catalog(scan_catalog([str(folder)]), bytecode_dir=template_bytecode).items():
        if rel.endswith(".md") and isinstance(page, str):
            _assert_same(rel, page, DEFAULT)


def _main_content(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    start = text.index('<article class="md-content__inner md-typeset">')
    # The plugin marks an agent page's boilerplate headings for the search to skip (an
    # attribute that changes nothing on screen); a Markdown heading cannot carry it.
    return _squeeze(text[start : text.index("</article>", start)].replace(" data-search-exclude", ""))


@pytest.mark.slow
def test_a_plain_mkdocs_build_of_the_docs_folder_looks_the_same(tmp_path: Path) -> None:
    """`generate`'s docs folder built by MkDocs without the plugin, and `build` (the plugin,
    finished HTML): the same main content on every page; the search index of the plain
    build has every entry of ours, and the boilerplate sections' besides."""
    import json

    from catalog.mkdocs_site.build import default_config

    agents = REPO / "agents"
    cli = [sys.executable, "-m", "catalog"]
    subprocess.run([*cli, "build", str(agents), "--site-dir", str(tmp_path / "built")], check=True, cwd=tmp_path)
    subprocess.run([*cli, "generate", str(agents), "--docs-dir", str(tmp_path / "docs")], check=True, cwd=tmp_path)
    catalog = scan_catalog([str(agents)])
    categories = sorted({a.category or "" for a in catalog.agents} - {""})
    config = tmp_path / "mkdocs.yml"
    config.write_text(default_config(tmp_path / "docs", "Agent catalog", categories, []), encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(tmp_path / "plain")],
        check=True,
        cwd=tmp_path,
    )
    built, plain = tmp_path / "built", tmp_path / "plain"
    pages = sorted(p.relative_to(plain) for p in plain.rglob("*.html") if p.parent.name != "search")
    assert any(p.parts[0] == "agents" for p in pages)
    for rel in pages:
        if rel.name == "404.html":
            continue
        assert _main_content(built / rel) == _main_content(plain / rel), rel
    index = "search/search_index.json"
    ours = json.loads((built / index).read_text())["docs"]
    theirs = json.loads((plain / index).read_text())["docs"]
    assert ours and all(entry in theirs for entry in ours)
    assert {e["location"].split("#")[0] for e in ours} == {e["location"].split("#")[0] for e in theirs}
    shutil.rmtree(tmp_path / "docs")


@pytest.mark.slow
def test_a_site_whose_toc_is_not_reproduced_still_gets_every_page(tmp_path: Path) -> None:
    """A toc setting ``finish`` does not reproduce (anchorlink): the pages go through the
    site's Markdown, their HTML blocks set aside, and come out whole."""
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (project / "agents").symlink_to(REPO / "agents")
    (project / "mkdocs.yml").write_text(
        "site_name: Anchors\nuse_directory_urls: false\ntheme:\n  name: material\n  font: false\n"
        "markdown_extensions:\n  - toc:\n      anchorlink: true\n"
        "plugins: [search, agent-catalog]\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "catalog", "build", "--site-dir", "site"], cwd=project, capture_output=True, text=True
    )
    assert result.returncode in (0, 1), result.stderr
    assert "MkDocs warning:" not in result.stderr, result.stderr
    page = (project / "site" / "agents" / "agents" / "api-designer.html").read_text(encoding="utf-8")
    assert '<a class="toclink" href="#when-to-use">When to use</a>' in page
    assert 'class="ac-prose"' in page and 'class="ac-header' in page


# A hook that edits the Markdown of the generated pages before the plugin reads it (priority
# above the plugin's 100): one heading renamed, the rest as it was.
EDITING_HOOK = """
from mkdocs.plugins import event_priority

@event_priority(200)
def on_page_markdown(markdown, page, config, files):
    return markdown.replace("\\n## When to use\\n", "\\n## When to call it\\n", 1)
"""


@pytest.mark.slow
@pytest.mark.parametrize("edit", [False, True])
def test_a_page_whose_markdown_a_plugin_changed_is_finished_from_the_change(tmp_path: Path, edit: bool) -> None:
    """The agent pages are finished as they are rendered (``Prepared``); a plugin that changes a
    page's Markdown before ours reads it gets its change on the page, in its table of contents
    and search entries (the page finished again from what MkDocs hands the plugin), not the
    page as it was rendered. Without the hook, the pages are the ones rendered."""
    import json

    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (project / "agents").symlink_to(REPO / "agents")
    (project / "hooks.py").write_text(EDITING_HOOK, encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        "site_name: Edited\nuse_directory_urls: false\ntheme:\n  name: material\n  font: false\n"
        "markdown_extensions: [toc, tables, admonition]\n"
        f"plugins: [search, agent-catalog]\n{'hooks: [hooks.py]' if edit else ''}\n",
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "--site-dir", "site"]
    result = subprocess.run(command, cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    page = (project / "site" / "agents" / "agents" / "api-designer.html").read_text(encoding="utf-8")
    entries = json.loads((project / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    locations = {entry["location"] for entry in entries}
    heading, anchor = ("When to call it", "when-to-call-it") if edit else ("When to use", "when-to-use")
    assert f'<h2 id="{anchor}">{heading}</h2>' in page
    assert f'<a href="#{anchor}" class="md-nav__link">' in page  # the table of contents
    assert f"agents/agents/api-designer.html#{anchor}" in locations  # the search entries
    stale = "when-to-use" if edit else "when-to-call-it"
    assert f'id="{stale}"' not in page and f"agents/agents/api-designer.html#{stale}" not in locations
