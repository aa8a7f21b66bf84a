"""Real builds: the CLI generates the pages, MkDocs + Material builds them, and we read the HTML.

Also the promises of ``generate``: byte-identical reruns that rewrite nothing, a user's pages
left alone, generated pages of removed agents cleaned up (unless edited), dangerous docs
folders refused, and no dependence on SOURCE_DATE_EPOCH.
"""

from __future__ import annotations

import datetime
import os
import posixpath
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner, Result

from catalog.cli.main import main
from catalog.model.sections import prompt_parts
from catalog.output.docs_folder import MANIFEST
from catalog.pipeline import scan_catalog
from catalog.render import textsafe
from catalog.types import Catalog

REPO = Path(__file__).resolve().parents[1]
AGENTS = REPO / "agents"

# --- a small DOM over html.parser --------------------------------------------------------------

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass(eq=False)
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        return [n for n in self.iter() if (tag is None or n.tag == tag) and (cls is None or cls in n.classes)]

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join(" ".join(parts).split())


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}, self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(path: Path) -> Node:
    builder = _TreeBuilder()
    builder.feed(path.read_text(encoding="utf-8"))
    builder.close()
    return builder.root


# --- fixtures ----------------------------------------------------------------------------------


def invoke(args: list[str], env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    return result


@dataclass(frozen=True)
class BuiltSite:
    root: Path  # the tmp folder the build ran in
    site: Path
    catalog: Catalog
    with_seed: bool


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The example agents (plus the seed when ../shared exists) built with the default config."""
    root = tmp_path_factory.mktemp("build")
    shutil.copytree(AGENTS, root / "agents")
    seed = REPO.parent / "shared" / "seed" / "backend-specialist.md"
    paths = ["agents"]
    if seed.is_file():
        (root / "seed").mkdir()
        shutil.copy(seed, root / "seed")
        paths.append("seed")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        assert not Path("mkdocs.yml").exists()
        result = invoke(["build", *paths])
        catalog = scan_catalog(paths)
    assert result.exit_code == 0, result.output
    assert "Built " in result.stderr and "0 MkDocs warnings" in result.stderr, result.stderr
    return BuiltSite(root, root / "site", catalog, seed.is_file())


def page_of(built: BuiltSite, slug: str) -> Node:
    return parse_html(built.site / "agents" / f"{slug}.html")


# --- the agent pages ---------------------------------------------------------------------------


def test_every_agent_has_a_page(built: BuiltSite) -> None:
    pages = {p.stem for p in (built.site / "agents").glob("*.html")}
    assert pages == {a.slug for a in built.catalog.agents}
    assert len(pages) >= 13


def test_agent_pages_show_their_dialogues(built: BuiltSite) -> None:
    for agent in built.catalog.agents:
        dialogues = page_of(built, agent.slug).find_all("figure", "ac-dialogue")
        assert len(dialogues) == len(agent.examples), agent.slug
        for example, dialogue in zip(agent.examples, dialogues, strict=True):
            roles = [t.role for t in example.turns]
            users = dialogue.find_all(cls="ac-msg--user")
            assistants = dialogue.find_all(cls="ac-msg--assistant")
            assert (len(users), len(assistants)) == (roles.count("user"), roles.count("assistant")), agent.slug
            assert users and assistants, f"{agent.slug}: an example without both sides of the dialogue"
            for message in users + assistants:
                assert message.find_all(cls="ac-msg__bubble")[0].text(), f"{agent.slug}: an empty message"


def test_agent_pages_show_their_expertise(built: BuiltSite) -> None:
    """Each title of the outline's two levels is a heading of the prompt, rendered once,
    listed in the table of contents and linked from the outline to its anchor."""
    for agent in built.catalog.agents:
        page = page_of(built, agent.slug)
        headings = [h.text().rstrip("¶ ") for h in page.find_all("h3") + page.find_all("h4")]
        links = {
            a.attrs["href"]: a.text()
            for a in page.find_all("a")
            if {"ac-outline__link", "ac-outline__sublink"} & a.classes
        }
        toc = [a.text() for nav in page.find_all("nav", "md-nav--secondary") for a in nav.find_all("a")]
        anchors = [d.attrs.get("id") for d in page.find_all("div", "ac-anchor")]
        titled = prompt_parts(agent.body, agent.body_line, agent.sections)[1:]
        assert len(headings) == len(titled) == len(anchors) >= len(page.find_all("div", "ac-section")), agent.slug
        for number, part in enumerate(titled, 1):
            title = " ".join(part.title.split())
            assert title in headings, f"{agent.slug}: no section heading {title!r}"
            assert links[f"#ac-section-{number}"] == textsafe.excerpt(title, 60), f"{agent.slug}: {title!r}"
            assert title in toc, f"{agent.slug}: {title!r} missing from the table of contents"
            assert anchors.count(f"ac-section-{number}") == 1, agent.slug


def test_seed_page(built: BuiltSite) -> None:
    if not built.with_seed:
        pytest.skip("../shared/seed/backend-specialist.md is absent (the shared data sits beside the repo in CI)")
    page = page_of(built, "backend-specialist")
    dialogues = page.find_all("figure", "ac-dialogue")
    assert len(dialogues) == 3
    for dialogue in dialogues:
        assert dialogue.find_all(cls="ac-msg--user") and dialogue.find_all(cls="ac-msg--assistant")
        assert dialogue.find_all(cls="ac-commentary")
    headings = [h.text() for h in page.find_all("h3")]
    assert {"Core Expertise", "Operational Principles"} <= set(headings)


def test_tags_in_agent_text_are_shown_as_text(built: BuiltSite) -> None:
    page = page_of(built, "security-auditor")
    assert not page.find_all("report") and not page.find_all("finding")
    prompt = " ".join(div.text() for div in page.find_all("div") if {"ac-prompt", "ac-section"} & set(div.classes))
    assert "<report>" in prompt and "</report>" in prompt
    assert not page.find_all("details", "ac-prompt")  # rendered once, not folded away a second time


# --- links and resources -----------------------------------------------------------------------


def test_search_index_holds_what_finds_an_agent_and_no_boilerplate(built: BuiltSite) -> None:
    """Name, summary, header and dialogue turns are indexed; the sections that hold only
    buttons, commands and paths, the dialogue labels and the commentary are not (each index
    entry is downloaded by every reader), though those sections stay in the page's contents."""
    import json

    docs = json.loads((built.site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    locations = {doc["location"] for doc in docs}
    checked_commentary = 0
    for agent in built.catalog.agents:
        page = f"agents/{agent.slug}.html"
        assert {page, f"{page}#when-to-use"} <= locations
        assert not {f"{page}#{section}" for section in ("expertise", "system-prompt", "install", "source")} & locations
        entries = {doc["location"]: doc for doc in docs if doc["location"].startswith(page)}
        assert entries[page]["title"] == agent.title
        assert not {"Expertise", "System prompt", "Install", "Source"} & {d["title"] for d in entries.values()}
        toc = (built.site / page).read_text(encoding="utf-8")
        assert 'href="#install"' in toc and 'href="#source"' in toc
        summary = re.findall(r"[A-Za-z]{5,}", agent.summary or agent.description)
        assert all(word in entries[f"{page}#when-to-use"]["text"] for word in summary[:5])
        if agent.examples:
            text = entries[f"{page}#example-dialogues"]["text"]
            example = agent.examples[0]
            turn = [
                word
                for word in re.findall(r"[A-Za-z]{6,}", example.turns[0].text)
                if word not in (example.context or "")
            ]
            assert turn and all(word in text for word in turn), turn
            assert "Commentary" not in text and not text.startswith("Example 1")
            said = " ".join(ex.context or "" for ex in agent.examples)
            said += " " + " ".join(t.text for ex in agent.examples for t in ex.turns)
            own = [
                w for ex in agent.examples for w in re.findall(r"[A-Za-z]{7,}", ex.commentary or "") if w not in said
            ]
            assert not [w for w in own if w in text], own
            checked_commentary += bool(own)
    assert checked_commentary, "no commentary word to check"


def _resolve(site: Path, page: Path, href: str) -> Path:
    path = unquote(urlsplit(href).path)
    target = posixpath.normpath(posixpath.join(page.parent.relative_to(site).as_posix(), path))
    resolved = site / target
    return resolved / "index.html" if href.endswith("/") or resolved.is_dir() else resolved


def test_links_between_catalog_pages_resolve(built: BuiltSite) -> None:
    site = built.site
    pages = [site / "index.html", *sorted((site / "categories").glob("*.html")), *sorted(site.glob("agents/*.html"))]
    linked_agents: set[str] = set()
    checked = 0
    for page in pages:
        for anchor in parse_html(page).find_all("a"):
            href = anchor.attrs.get("href", "")
            parts = urlsplit(href)
            if not href or parts.scheme or href.startswith(("#", "//")):
                continue
            target = _resolve(site, page, href)
            assert target.is_file(), f"{page.relative_to(site)}: link {href!r} leads nowhere"
            checked += 1
            if page.name == "index.html" and target.parent.name == "agents":
                linked_agents.add(target.stem)
    assert checked > 100
    assert linked_agents == {a.slug for a in built.catalog.agents}, "the overview does not link every agent"
    index = site / "categories" / "index.html"  # the page that lists the categories
    listed = {_resolve(site, index, a.attrs["href"]) for a in parse_html(index).find_all("a", "ac-card")}
    assert listed == {page for page in (site / "categories").glob("*.html") if page != index}
    for category in listed:
        links = {
            _resolve(site, category, a.attrs["href"]) for a in parse_html(category).find_all("a", "ac-agent__link")
        }
        assert links and all(link.parent.name == "agents" for link in links)


def _outside(url: str, *, root_absolute_ok: bool = False) -> bool:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme:
        return parts.scheme != "data"
    if url.startswith(("//", "\\")):
        return True
    return url.startswith("/") and not root_absolute_ok


def test_no_resource_comes_from_outside_the_site(built: BuiltSite) -> None:
    problems = []
    html_files = sorted(built.site.rglob("*.html"))
    assert len(html_files) > 20
    for page in html_files:
        for node in parse_html(page).iter():
            urls = []
            if node.tag in {"script", "img", "iframe", "audio", "video", "source", "embed", "track", "input"}:
                urls.append(node.attrs.get("src", ""))
            if node.tag == "link":
                urls.append(node.attrs.get("href", ""))
            if node.tag in {"img", "source"}:
                urls += [c.split()[0] for c in node.attrs.get("srcset", "").split(",") if c.strip()]
            if node.tag == "object":
                urls.append(node.attrs.get("data", ""))
            # MkDocs gives its error page root-absolute URLs on purpose (mkdocs/mkdocs#77): a web
            # server serves it at any depth. Nothing else may use them, and nothing a scheme or //.
            error_page = page == built.site / "404.html"
            problems += [
                f"{page.relative_to(built.site)}: <{node.tag}> {url}"
                for url in urls
                if url and _outside(url, root_absolute_ok=error_page)
            ]
    assert not problems, "\n".join(problems[:20])


def test_stylesheets_load_no_fonts_or_images_from_outside(built: BuiltSite) -> None:
    for css in built.site.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        for needle in ("url(http", 'url("http', "url('http", "url(//", "@import"):
            assert needle not in text, f"{css.relative_to(built.site)} has {needle}"
    assert "fonts.googleapis" not in (built.site / "index.html").read_text(encoding="utf-8")


# --- this repository's own mkdocs.yml ----------------------------------------------------------


def test_build_with_the_repository_mkdocs_yml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(REPO / "mkdocs.yml", tmp_path)
    shutil.copytree(AGENTS, tmp_path / "agents")
    monkeypatch.chdir(tmp_path)
    result = invoke(["build", "agents"])
    assert result.exit_code == 0, result.output
    assert "0 MkDocs warnings" in result.stderr
    assert (tmp_path / "docs" / "index.md").is_file(), "pages go to the docs_dir of mkdocs.yml"
    pages = {p.stem for p in (tmp_path / "site" / "agents").glob("*.html")}
    assert {"postgres-tuner", "security-auditor", "log-analyst", "dependency-auditor"} <= pages
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Agent catalog example" in index


def test_build_refuses_a_site_folder_inside_the_docs_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """MkDocs refuses it too; before the refusal, the docs folder's lock waited for the site's."""
    import subprocess
    import sys

    (tmp_path / "mkdocs.yml").write_text("site_name: x\ndocs_dir: docs\n", encoding="utf-8")
    shutil.copytree(AGENTS, tmp_path / "agents")
    command = [sys.executable, "-m", "catalog", "build", "agents", "--site-dir", "docs/site"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "inside the docs folder" in result.stderr
    assert not (tmp_path / "docs" / "site").exists()


# --- generate ----------------------------------------------------------------------------------


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(AGENTS, tmp_path / "agents")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def generate(*args: str, env: dict[str, str] | None = None) -> Result:
    return invoke(["generate", "agents", "--docs-dir", "docs", *args], env=env)


def test_generate_twice_is_byte_identical_and_writes_nothing(workdir: Path) -> None:
    first = generate()
    assert first.exit_code == 0, first.output
    docs = workdir / "docs"
    # Back-date every file so that a rewrite shows even on a coarse-grained file system clock.
    for path in docs.rglob("*"):
        os.utime(path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = snapshot(docs)
    assert {"index.md", "catalog.json", MANIFEST, "agents/postgres-tuner.md", "categories/backend.md"} <= set(before)
    second = generate()
    assert second.exit_code == 0, second.output
    assert f"13 agents: 0 files written, {len(before) - 1} unchanged, 0 removed in docs" in second.stderr
    assert snapshot(docs) == before


def test_generate_leaves_a_users_pages_alone(workdir: Path) -> None:
    docs = workdir / "docs"
    docs.mkdir()
    (docs / "my-notes.md").write_text("# My notes\n", encoding="utf-8")
    (docs / "index.md").write_text("# Our agents\n\nWritten by hand.\n", encoding="utf-8")
    for _ in range(2):
        result = generate()
        assert result.exit_code == 0, result.output
        assert "docs/index.md: left alone: exists and was not written by agent-catalog" in result.stderr
    assert (docs / "my-notes.md").read_text(encoding="utf-8") == "# My notes\n"
    assert (docs / "index.md").read_text(encoding="utf-8") == "# Our agents\n\nWritten by hand.\n"
    assert (docs / "agents" / "postgres-tuner.md").is_file()


def test_generate_removes_pages_of_removed_agents_unless_edited(workdir: Path) -> None:
    docs = workdir / "docs"
    assert generate().exit_code == 0
    edited = docs / "agents" / "release-manager.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA note of ours.\n", encoding="utf-8")
    (workdir / "agents" / "writing" / "docs-writer.md").unlink()
    (workdir / "agents" / "devops" / "release-manager.md").unlink()
    result = generate()
    assert result.exit_code == 0, result.output
    assert not (docs / "agents" / "docs-writer.md").exists()
    assert not (docs / "downloads" / "docs-writer.md.txt").exists()
    assert not (docs / "categories" / "writing.md").exists(), "the category lost its only agent"
    assert edited.read_text(encoding="utf-8").endswith("A note of ours.\n")
    assert "release-manager.md: left alone: generated for an agent that is gone, but edited since" in result.stderr
    assert not (docs / "downloads" / "release-manager.md.txt").exists(), "unedited: removed"
    # docs-writer's page, download and record, its category's page; release-manager's download and record
    assert re.search(r"11 agents: \d+ files written, \d+ unchanged, 6 removed in docs", result.stderr)


# A folder inside the agents folder is fine (`generate` with the default PATH "." writes docs/).
# "/" is refused too: tests/test_hostile_output.py tries it as nobody, never as this user.
@pytest.mark.parametrize("docs_dir", ["agents", "."])
def test_generate_refuses_dangerous_docs_folders(workdir: Path, docs_dir: str) -> None:
    before = snapshot(workdir)
    result = invoke(["generate", "agents", "--docs-dir", docs_dir])
    assert result.exit_code == 2, result.output
    assert "refusing" in result.stderr or "holds the agents" in result.stderr
    assert snapshot(workdir) == before


def test_generate_ignores_source_date_epoch(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    outputs = []
    for epoch in ("0", "1700000000", None):
        folder = f"docs-{epoch}"
        env = {"SOURCE_DATE_EPOCH": epoch} if epoch else None
        assert invoke(["generate", "agents", "--docs-dir", folder], env=env).exit_code == 0
        outputs.append({k: v[0] for k, v in snapshot(workdir / folder).items()})
    assert outputs[0] == outputs[1] == outputs[2]
    today = datetime.date.today().isoformat()
    assert not any(today.encode() in data for data in outputs[2].values()), "a wall-clock date in the pages"


def test_site_build_is_reproducible(workdir: Path) -> None:
    trees = []
    for name in ("site-a", "site-b"):
        result = invoke(["build", "agents", "--site-dir", name], env={"SOURCE_DATE_EPOCH": "1700000000"})
        assert result.exit_code == 0, result.output
        trees.append({k: v[0] for k, v in snapshot(workdir / name).items()})
    assert trees[0] == trees[1]
