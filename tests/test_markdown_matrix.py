"""Generated pages are inert under any Markdown configuration (issue 15, section 2).

The hostile fixtures, agents whose text is Markdown-extension syntax, and this repository's
example agents, built under MkDocs' defaults, Material's recommended extension set, and that
set plus mkdocs-macros; each through ``agent-catalog build`` with the user's mkdocs.yml, and
through plain ``mkdocs build`` with the plugin (and, for the recommended set, plain ``mkdocs
build`` of pages ``generate`` wrote, without the plugin: the pages' one-line HTML blocks alone).

Each build: no traceback, every agent a page; each page's "Copy file" text is the file, byte
for byte; each page's sections are where the template put them, none swallowed by a code
block an agent's fence opened. A canary page of the site's own shows the extensions are on.
"""

from __future__ import annotations

import functools
import html
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.hostile_fixtures import (
    Fixture,
    agent,
    write,
    write_content_catalog,
    write_encoding_catalog,
    yaml_string,
)
from tests.hostile_support import run_cli, text_of

ROOT = Path(__file__).resolve().parent.parent

# Material's recommended set (squidfunk.github.io/mkdocs-material/setup/extensions/#recommended-configuration).
RECOMMENDED = """\
markdown_extensions:
  - abbr
  - admonition
  - attr_list
  - def_list
  - footnotes
  - md_in_html
  - tables
  - toc:
      permalink: true
  - pymdownx.arithmatex:
      generic: true
  - pymdownx.betterem
  - pymdownx.caret
  - pymdownx.critic
  - pymdownx.details
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
      emoji_generator: !!python/name:material.extensions.emoji.to_svg
  - pymdownx.highlight
  - pymdownx.inlinehilite
  - pymdownx.keys
  - pymdownx.magiclink
  - pymdownx.mark
  - pymdownx.smartsymbols
  - pymdownx.snippets:
      check_paths: true
  - pymdownx.superfences
  - pymdownx.tabbed:
      alternate_style: true
  - pymdownx.tasklist:
      custom_checkbox: true
  - pymdownx.tilde
"""
CONFIGS = {"defaults": "", "recommended": RECOMMENDED, "macros": RECOMMENDED}
PLUGINS = {"defaults": ["search"], "recommended": ["search"], "macros": ["search", "macros"]}
# A page of the site's own: the extensions really are on (a fence, an admonition, a snippet).
CANARY = """\
# Canary

```python
canary_fence = 1
```

!!! note
    Admonition canary

--8<-- "canary.txt"
"""
CANARY_TEXT = "SNIPPET-CANARY-TEXT"

# Agent text made of the syntax of every extension above, in every field a page shows.
SYNTAX = [
    "```\nfenced code\n```",
    "~~~python\ntilde fence\n~~~",
    "````\n```\nnested fence\n```\n````",
    '```{.python title="attrs"}\nattr fence\n```',
    "- item\n\n    ```\n    indented fence in a list\n    ```",
    "\tA line indented with a tab\n\tand another",
    '!!! warning "Admonition"\n    inside it',
    '??? note "Details"\n    inside it',
    '=== "Tab one"\n    first\n\n=== "Tab two"\n    second',
    "Term\n:   Definition",
    "Footnote[^1].\n\n[^1]: the note",
    "*[HTML]: Hyper Text Markup Language\n\nHTML abbreviation",
    "{++added++} {--deleted--} {~~old~>new~~} {==marked==} {>>comment<<}",
    "$$\nx^2\n$$ and \\(y\\)",
    ":smile: ++ctrl+alt+del++ ^^up^^ ==mark== ~~del~~ H~2~O (c) --> 1/2",
    "- [ ] task\n- [x] done",
    "https://example.org/magic www.example.org @someone",
    '--8<-- "canary.txt"',
    "Paragraph\n{: #an-id .a-class }",
    '<div markdown="1">*md in html*</div>',
    "Literal entities in the file: &lt;b&gt; &#123;&#123; x &#125;&#125; &amp;",
    "Control characters: \x02STX\x03 form\x0cfeed line\u2028separator",
    "{{ 'macro' ~ 'ran' }} {% if true %}if{% endif %}",
]


def write_syntax_catalog(root: Path) -> Fixture:
    """Agents whose every field is Markdown-extension syntax, code fences most of all."""
    fixture = Fixture()
    text = "\n\n".join(SYNTAX)
    example = (
        "<example>\nContext: a fence\n```\ncontext fence\n```\n"
        'user: "```\\nuser fence\\n```"\nassistant: "~~~\\nassistant fence\\n~~~"\n'
        "<commentary>\n```\ncommentary fence\n```\n</commentary>\n</example>"
    )
    sections = "".join(f"## Section {i}\n\n{s}\n\n" for i, s in enumerate(SYNTAX))
    write(
        root / "syntax" / "fences.md",
        agent(
            f"name: fences\ndescription: {yaml_string('Use for fences. ' + example)}\ncategory: syntax",
            f"\n\n{text}\n\n{sections}Unclosed fence:\n\n```\nnever closed\n",
        ),
    )
    write(
        root / "syntax" / "tabs-and-blank-ends.md",
        "---\nname: tabs\ndescription: 'Tabs\tand trailing spaces'   \n---\n\n\tcode\t\n\n   \n",
    )
    fixture.good += ["syntax/fences.md", "syntax/tabs-and-blank-ends.md"]
    return fixture


@dataclass(frozen=True)
class Catalog:
    root: Path
    fixture: Fixture


@pytest.fixture(scope="session")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    root = tmp_path_factory.mktemp("matrix-catalog")
    fixture = Fixture()
    fixture.merge(write_content_catalog(root))
    fixture.merge(write_encoding_catalog(root))
    fixture.merge(write_syntax_catalog(root))
    shutil.copytree(ROOT / "agents", root / "examples")
    fixture.good += [f"examples/{p.relative_to(ROOT / 'agents')}" for p in (ROOT / "agents").rglob("*.md")]
    return Catalog(root, fixture)


@dataclass(frozen=True)
class Built:
    config: str
    runner: str
    site: Path
    catalog: Catalog
    returncode: int
    output: str
    prefix: str  # where the catalog's pages are in the site


# (configuration, how it is built): "cli" is `agent-catalog build` with the user's mkdocs.yml,
# "plugin" plain `mkdocs build` with the plugin, "generated" `generate` then plain `mkdocs build`.
BUILDS = [(c, r) for c in CONFIGS for r in ("cli", "plugin")] + [("recommended", "generated")]


def _mkdocs_yml(config: str, runner: str, catalog: Path) -> str:
    plugins = list(PLUGINS[config])
    if runner == "plugin":
        plugins.append(f"agent-catalog: {{sources: [{json.dumps(str(catalog))}], path: catalog/}}")
    lines = "".join(f"  - {p}\n" for p in plugins)
    return (
        "site_name: Matrix\nuse_directory_urls: false\n"
        f"theme:\n  name: material\n  font: false\nplugins:\n{lines}{CONFIGS[config]}"
    )


# One xdist group per build: its tests share the built site, the builds run side by side.
@pytest.fixture(
    scope="module",
    params=[
        pytest.param(b, id=f"{b[0]}-{b[1]}", marks=pytest.mark.xdist_group(f"matrix-{b[0]}-{b[1]}")) for b in BUILDS
    ],
)
def built(request: pytest.FixtureRequest, catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> Built:
    config, runner = request.param
    project = tmp_path_factory.mktemp(f"{config}-{runner}")
    write(project / "mkdocs.yml", _mkdocs_yml(config, runner, catalog.root))
    write(project / "docs" / "canary.md", CANARY)
    write(project / "canary.txt", CANARY_TEXT + "\n")
    if runner == "cli":
        result = run_cli(["build", str(catalog.root), "--site-dir", "site"], project, timeout=300)
        return Built(config, runner, project / "site", catalog, result.returncode, text_of(result), "")
    if runner == "generated":
        result = run_cli(["generate", str(catalog.root), "--docs-dir", "docs"], project, timeout=300)
        assert result.returncode in (0, 1), text_of(result)
    mkdocs = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", "site"],
        cwd=project,
        capture_output=True,
        timeout=300,
        check=False,
    )
    output = (mkdocs.stdout + mkdocs.stderr).decode("utf-8", "replace")
    assert "Traceback (most recent call last)" not in output, output
    return Built(
        config, runner, project / "site", catalog, mkdocs.returncode, output, "catalog/" * (runner == "plugin")
    )


def _agents(built: Built) -> list[dict[str, object]]:
    data = json.loads((built.site / built.prefix / "catalog.json").read_text(encoding="utf-8"))
    agents: list[dict[str, object]] = data["agents"]
    return agents


def test_the_build_succeeds_and_every_agent_has_a_page(built: Built) -> None:
    # Bad files are findings: `agent-catalog build` exits 1 for them, MkDocs warns.
    assert built.returncode == (1 if built.runner == "cli" else 0), built.output
    paths = {str(a["path"]) for a in _agents(built)}
    missing = [p for p in built.catalog.fixture.good if not any(q.endswith(p) for q in paths)]
    assert not missing, missing
    for entry in _agents(built):
        assert (built.site / built.prefix / "agents" / f"{entry['slug']}.html").is_file(), entry["path"]


def test_the_site_really_enables_the_extensions(built: Built) -> None:
    canary = (built.site / "canary.html").read_text(encoding="utf-8")
    if built.config == "defaults":
        assert "canary_fence" in canary and CANARY_TEXT not in canary
    else:
        assert 'class="highlight"' in canary and 'class="admonition note"' in canary and CANARY_TEXT in canary


class _Page(HTMLParser):
    """An agent page's article: its top-level elements in order, and the raw file's text."""

    VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.depth = -1  # inside the article: 0 for its children
        self.top: list[str] = []  # "h2#id", "div.ac-prose", ...
        self.raw: list[str] | None = None
        self._raw_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self.depth < 0:
            if tag == "article" and "md-content__inner" in (attributes.get("class") or ""):
                self.depth = 0
            return
        if self.depth == 0:
            name = attributes.get("id") if tag in ("h1", "h2", "h3") else (attributes.get("class") or "").split(" ")[0]
            self.top.append(f"{tag}:{name}")
        if tag == "pre" and attributes.get("id") == "ac-raw-text":
            self.raw, self._raw_depth = [], self.depth
        if tag not in self.VOID:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth < 0 or tag in self.VOID:
            return
        self.depth -= 1
        if tag == "pre" and self.raw is not None and self.depth == self._raw_depth:
            self._raw_depth = -1
        if self.depth < 0:
            self.depth = -2  # after the article

    def handle_data(self, data: str) -> None:
        if self.raw is not None and self._raw_depth >= 0:
            self.raw.append(data)

    # As a browser reads them: Python's html.unescape drops &#2; (a control character), a
    # browser's textContent has it. We write only decimal references and named ones.
    def handle_charref(self, name: str) -> None:
        self.handle_data(chr(int(name[1:], 16) if name[:1] in "xX" else int(name)))

    def handle_entityref(self, name: str) -> None:
        self.handle_data(html.unescape(f"&{name};"))


def _read(page: Path) -> _Page:
    parser = _Page()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return parser


def test_copy_file_copies_the_file_byte_for_byte(built: Built) -> None:
    data = json.loads((built.site / built.prefix / "catalog.json").read_text(encoding="utf-8"))
    # A file too large, not UTF-8 or with NUL bytes is not published as it is (AC102-AC106).
    altered = {f["path"] for f in data["findings"] if f["code"] in ("AC102", "AC103", "AC104", "AC105", "AC106")}
    for entry in _agents(built):
        html_page = built.site / built.prefix / "agents" / f"{entry['slug']}.html"
        page = _read(html_page)
        if page.raw is None:  # a page past its budget with the copy (render.PAGE_BUDGET): no Copy button
            assert 'data-ac-copy="ac-raw-text"' not in html_page.read_text(encoding="utf-8"), entry["path"]
            continue
        # What a browser's textContent gives: HTML drops a line break right after <pre>.
        raw = "".join(page.raw).removeprefix("\n")
        download = (built.site / built.prefix / "downloads" / f"{entry['slug']}.md.txt").read_bytes()
        assert raw.encode("utf-8") == download, entry["path"]
        source = built.catalog.root / str(entry["path"])
        if source.is_file() and not any(a == entry["path"] or a.endswith(f"/{entry['path']}") for a in altered):
            assert download == source.read_bytes(), entry["path"]


# Where the template puts each block: the h2 it follows (None: before the first).
_SECTION_OF = {
    "div:ac-header": None,
    "div:ac-prose": "when-to-use",
    "figure:ac-dialogue": "example-dialogues",
    "nav:ac-outline": "expertise",
    "div:ac-similar": "similar-agents",
    "div:ac-prompt-actions": "install",
    "div:ac-install": "install",
    "div:ac-source": "source",
    "div:ac-prompt": "system-prompt",  # the text before the first section
    "div:ac-anchor": "system-prompt",  # where the outline links to, before each section title
    "h3:": "system-prompt",  # a section title (its id is the toc extension's)
    "h4:": "system-prompt",  # the title of a section in one
    "div:ac-section": "system-prompt",
    "div:ac-raw": "system-prompt",
}
# What Material puts in an article besides the page.
_THEME = ("a:md-content__button", "a:md-source-file")


def _record(built: Built, entry: dict[str, object]) -> dict[str, object]:
    """An agent's whole record (catalog.json holds its index entry only)."""
    record: dict[str, object] = json.loads((built.site / built.prefix / str(entry["record"])).read_text("utf-8"))
    return record


def test_every_section_is_where_the_template_put_it(built: Built) -> None:
    for entry in map(functools.partial(_record, built), _agents(built)):
        page = _read(built.site / built.prefix / "agents" / f"{entry['slug']}.html")
        top = [t for t in page.top if not t.startswith(_THEME)]
        assert top[0].startswith("h1:"), (entry["path"], top)
        heading = None
        seen: list[str] = []
        for element in top[1:]:
            if element.startswith("h2:"):
                heading = element.removeprefix("h2:")
                seen.append(heading)
                continue
            key = element[:3] if element.startswith(("h3:", "h4:")) else element
            assert key in _SECTION_OF, (entry["path"], element, top)
            assert _SECTION_OF[key] == heading, (entry["path"], element, heading)
        expected = [
            "when-to-use",
            "example-dialogues",
            "expertise",
            "similar-agents",
            "install",
            "source",
            "system-prompt",
        ]
        expected = [h for h in expected if h != "example-dialogues" or entry["examples"]]
        titled = top.count("div:ac-anchor")  # the sections but lead-ins: each has a title
        expected = [h for h in expected if h != "expertise" or titled]
        assert seen == expected, (entry["path"], top)
        assert top.count("figure:ac-dialogue") == len(entry["examples"]), entry["path"]  # type: ignore[arg-type]
        # The prompt rendered once: each title once, after its anchor, no second rendering.
        assert sum(t.startswith(("h3:", "h4:")) for t in top) == titled >= top.count("div:ac-section"), entry["path"]
        assert "details:ac-prompt" not in top, entry["path"]


def test_the_whole_hostile_set_under_the_recommended_extensions_and_macros(tmp_path: Path) -> None:
    """Every hostile fixture in one catalog, one build with the richest configuration: exit 1,
    every bad file named path:line, every survivor built, each with its raw file intact."""
    import os
    import uuid

    from tests.hostile_fixtures import write_all

    marker = Path("/tmp") / f"agent-catalog-pwned-{uuid.uuid4().hex}"
    fixture = write_all(
        tmp_path / "catalog", tmp_path / "outside", marker, devices=os.geteuid() == 0, unreadable=os.geteuid() != 0
    )
    fixture.merge(write_syntax_catalog(tmp_path / "catalog"))
    write(tmp_path / "mkdocs.yml", _mkdocs_yml("macros", "cli", tmp_path / "catalog"))
    write(tmp_path / "docs" / "canary.md", CANARY)
    write(tmp_path / "canary.txt", CANARY_TEXT + "\n")
    try:
        result = run_cli(["build", "catalog", "--site-dir", "site"], tmp_path, timeout=300)
    finally:
        for folder, dirs, _ in os.walk(tmp_path / "catalog"):
            for name in dirs:  # chmod 000 folders back, so that pytest can remove them
                if not os.path.islink(os.path.join(folder, name)):
                    os.chmod(os.path.join(folder, name), 0o755)
    output = text_of(result)
    assert result.returncode == 1, output
    lines = output.splitlines()
    # Which finding each gets is tests/test_hostile_all.py's to check; here, that it is named.
    unnamed = [
        path
        for path in fixture.bad
        if not any(re.match(rf"catalog/{re.escape(path)}:\d+:\d+: AC\d+ ", ln) for ln in lines)
    ]
    assert not unnamed, output
    built = Built("macros", "cli", tmp_path / "site", Catalog(tmp_path / "catalog", fixture), 1, output, "")
    test_the_build_succeeds_and_every_agent_has_a_page(built)
    test_copy_file_copies_the_file_byte_for_byte(built)
    test_every_section_is_where_the_template_put_it(built)
    assert not marker.exists(), "a !!python tag ran"
