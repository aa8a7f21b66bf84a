"""Everything a theme prints is escaped (issue 15, section 3).

Themes print what a plugin hands MkDocs (``page.edit_url``, titles, meta) into HTML without
escaping it. A catalog of agents whose file names and names are markup, built with the plugin
in Material (edit and view actions on) and in the ``mkdocs`` theme, with edit links: no
element or attribute of the payload appears in any page, and the edit links point at the
files, percent-encoded.
"""

from __future__ import annotations

import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.hostile_fixtures import agent, write, yaml_string

PAYLOAD = '"><img src=x onerror=alert(1)>'
FILES = {
    f"{PAYLOAD}.md": agent("description: The file name is markup."),
    f"named {PAYLOAD}.md": agent(f"name: {yaml_string(PAYLOAD)}\ndescription: {yaml_string(PAYLOAD)}"),
    f"titled '{PAYLOAD}'.md": agent(f"name: titled\ntitle: {yaml_string(PAYLOAD)}\ndescription: Title."),
}
THEMES = {
    "material": "theme:\n  name: material\n  font: false\n  features: [content.action.edit, content.action.view]\n",
    "mkdocs": "theme:\n  name: mkdocs\n",
}
REPO = "https://github.com/example/catalog"


class _Injected(HTMLParser):
    """Elements and attributes that only the payload would make."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on") or (tag == "img" and value == "x"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if tag == "a" and name == "href" and value:
                self.hrefs.append(value)


@pytest.fixture(scope="module", params=sorted(THEMES))
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp(request.param)
    for name, text in FILES.items():
        write(project / "agents" / name, text)
    write(project / "docs" / "index.md", "# Home\n")
    write(
        project / "mkdocs.yml",
        f"site_name: Themes\nrepo_url: {REPO}\nedit_uri: edit/main/docs/\nuse_directory_urls: false\n"
        f"{THEMES[request.param]}plugins:\n  - search\n"
        "  - agent-catalog:\n      sources: [agents]\n      path: catalog/\n",
    )
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build"], cwd=project, capture_output=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    return project / "site"


def test_no_page_holds_the_payload_as_markup(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(list((site / "catalog" / "agents").glob("*.html"))) == len(FILES)
    for page in pages:
        parser = _Injected()
        parser.feed(page.read_text(encoding="utf-8"))
        assert not parser.found, (page, parser.found)


def test_edit_links_point_at_the_files_percent_encoded(site: Path) -> None:
    links: set[str] = set()
    for page in (site / "catalog" / "agents").glob("*.html"):
        parser = _Injected()
        parser.feed(page.read_text(encoding="utf-8"))
        links |= {h for h in parser.hrefs if h.startswith(f"{REPO}/edit/main/agents/")}
    assert {unquote(h.removeprefix(f"{REPO}/edit/main/")) for h in links} == {f"agents/{n}" for n in FILES}
    assert not any(c in h for h in links for c in "\"'<> "), links
