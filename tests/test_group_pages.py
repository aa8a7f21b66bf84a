"""Category and collection pages: the built site's navigation lists the pages the catalog has,
for every way agents fall into collections (issue 17: the navigation and the pages were
derived twice, and with one named collection plus agents in none they disagreed)."""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog.cli.main import main

pytestmark = pytest.mark.slow  # builds sites with MkDocs

AGENT = "---\nname: {name}\ndescription: The {name} agent.\n---\nYou help.\n"

# Folder layouts of a scanned folder: a top folder with an agents/ folder is a collection.
LAYOUTS = {
    "one-collection-and-none": ["team-a/agents/alpha.md", "gamma.md"],
    "one-collection-only": ["team-a/agents/alpha.md"],
    "two-collections": ["team-a/agents/alpha.md", "team-b/agents/beta.md"],
    "two-collections-and-none": ["team-a/agents/alpha.md", "team-b/agents/beta.md", "gamma.md"],
    "no-collection": ["gamma.md", "delta.md"],
}


class _NavLinks(HTMLParser):
    """The pages the sidebar (Material's ``md-nav`` links) leads to."""

    def __init__(self) -> None:
        super().__init__()
        self.links: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        href = values.get("href") or ""
        if tag == "a" and "md-nav__link" in (values.get("class") or "").split() and not href.startswith("#"):
            self.links.add(href.split("#", 1)[0])


def nav_links(site: Path, page: str) -> set[str]:
    """The sidebar's links of ``page``, as paths in the site."""
    parser = _NavLinks()
    parser.feed((site / page).read_text(encoding="utf-8"))
    return {posixpath.normpath(posixpath.join(posixpath.dirname(page), link)) for link in parser.links}


def build(root: Path, files: list[str], monkeypatch: pytest.MonkeyPatch) -> Path:
    for rel in files:
        path = root / "catalog" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(AGENT.format(name=path.stem), encoding="utf-8")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["build", "catalog"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root / "site"


def build_with_the_plugin(root: Path, files: list[str], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user's MkDocs site with the plugin and no ``nav``: MkDocs makes the sidebar."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    for rel in files:
        path = root / "catalog" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(AGENT.format(name=path.stem), encoding="utf-8")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    config = "site_name: Site\ntheme:\n  name: material\n  font: false\nplugins:\n  - agent-catalog:\n"
    (root / "mkdocs.yml").write_text(config + "      sources: [catalog]\n      path: agents/\n", encoding="utf-8")
    monkeypatch.chdir(root)
    mkdocs_build(load_config(str(root / "mkdocs.yml")))
    return root / "site" / "agents"


def group_pages(site: Path, folder: str) -> set[str]:
    return {p.name for p in (site / folder).glob("*.html") if p.name != "index.html"}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_the_navigation_lists_the_group_pages_the_site_has(
    layout: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = build(tmp_path, LAYOUTS[layout], monkeypatch)
    links = nav_links(site, "index.html")
    for folder in ("collections", "categories"):
        pages = group_pages(site, folder)
        listed = f"{folder}/index.html" in links
        assert listed == bool(pages), f"{folder} pages {sorted(pages)}, the navigation lists them: {listed}"
        if pages:
            index = (site / folder / "index.html").read_text(encoding="utf-8")
            assert all(f'href="{page}"' in index for page in pages), f"{folder}/index.html misses some of {pages}"


def test_one_named_collection_beside_agents_in_none_gets_its_page_and_a_way_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reported case: team-a's page is rendered and linked from agent pages, so the
    sidebar must lead to the list of collections too."""
    site = build(tmp_path, LAYOUTS["one-collection-and-none"], monkeypatch)
    assert group_pages(site, "collections") == {"team-a.html"}
    assert "collections/index.html" in nav_links(site, "index.html")
    assert "collections/index.html" in nav_links(site, "agents/gamma.html")


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_the_plugins_sidebar_lists_the_group_pages_the_site_has(
    layout: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = build_with_the_plugin(tmp_path, LAYOUTS[layout], monkeypatch)
    links = nav_links(tmp_path / "site", "agents/index.html")
    for folder in ("collections", "categories"):
        pages = group_pages(catalog, folder)
        listed = f"agents/{folder}/index.html" in links
        assert listed == bool(pages), f"{folder} pages {sorted(pages)}, the sidebar lists them: {listed}"
