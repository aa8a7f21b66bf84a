"""One agent defined for several tools (harnesses) is one catalog entry.

The same name in the tool folders of one repository (``.claude/``, ``.cursor/``, ``.gemini/``,
``.github/``, ``.codex/``...) is one entry: one page showing each format's definition, one
item in the lists, counted under each of its formats; every definition keeps its download,
its findings and its ``scan --json`` record. Names that only look alike (another repository,
a folder that is no tool's, a second definition of one format) stay apart.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog.cli.main import main
from catalog.layout import RenderOptions
from catalog.model.variants import TOOL_FOLDERS, group_definitions, repository_of
from catalog.pipeline import generate_docs, scan_catalog
from catalog.render.pages import render_catalog
from catalog.types import Agent, Format
from tests.catalog_data import catalog_data
from tests.test_golden_pages import check_golden

OAK = "oaknational__oak-python-starter"
REVIEWERS = ("architecture-reviewer", "code-reviewer", "config-reviewer", "security-reviewer", "test-reviewer")
OAK_FORMATS = ["Claude Code", "Copilot agent", "Gemini CLI", "Cursor", "Codex CLI"]  # the dialect table's order


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


CLAUDE = "---\nname: {name}\ndescription: Reviews.\n---\nReview.\n"
CURSOR = "---\nname: {name}\ndescription: Reviews.\nreadonly: true\n---\nReview.\n"
CODEX = 'name = "{name}"\ndescription = "Reviews."\ndeveloper_instructions = "Review the diff."\n'


def entries(paths: list[str]) -> dict[str, list[str]]:
    """Each entry's slug -> the formats of its definitions, primary first."""
    catalog = scan_catalog(paths, jobs=1)
    return {a.slug: [a.format.value, *(f.value for f, _ in a.available_as)] for a in catalog.agents if not a.entry}


# --- which definitions are one entry -------------------------------------------------------------


def test_repository_is_the_folder_holding_the_first_tool_folder() -> None:
    assert repository_of("repo/.claude/agents/x.md") == "repo"
    assert repository_of(".cursor/agents/x.md") == ""
    assert repository_of("a/b/.codex/agents/x.toml") == "a/b"
    assert repository_of("repo/.roomodes#coach") == "repo"
    assert repository_of("repo/agents/x.md") is None
    assert repository_of("repo/plugins/p/agents/x.md") is None
    assert repository_of("repo/.claude") is None  # a file named like a tool folder is no folder
    assert {".claude", ".cursor", ".gemini", ".github", ".codex", ".opencode"} <= TOOL_FOLDERS


def test_names_that_only_look_alike_stay_apart(tmp_path: Path) -> None:
    # One repository: its .claude and .cursor reviewers are one entry.
    write(tmp_path, "one/.claude/agents/reviewer.md", CLAUDE.format(name="reviewer"))
    write(tmp_path, "one/.cursor/agents/reviewer.md", CURSOR.format(name="Reviewer"))
    # Another repository, a folder that is no tool's, a collection's plugin folder, a nested
    # repository: the same name, other agents.
    write(tmp_path, "two/.codex/agents/reviewer.toml", CODEX.format(name="reviewer"))
    write(tmp_path, "one/agents/reviewer.md", CLAUDE.format(name="reviewer"))
    write(tmp_path, "one/plugins/p/agents/reviewer.md", CURSOR.format(name="reviewer"))
    write(tmp_path, "one/sub/.gemini/agents/reviewer.md", CLAUDE.format(name="reviewer"))
    # A second definition of one format in one repository is an entry of its own.
    write(tmp_path, "one/.claude/agents/more/reviewer.md", CLAUDE.format(name="reviewer"))
    found = entries([str(tmp_path)])
    assert sorted(found.values()) == sorted(
        [
            ["claude-code", "cursor"],  # one/.claude/agents/more/reviewer.md is first in path order
            ["claude-code"],
            ["claude-code"],
            ["cursor"],  # a Cursor file by its keys, outside .cursor/
            ["gemini-cli"],
            ["codex"],
        ]
    ), found
    catalog = scan_catalog([str(tmp_path)], jobs=1)
    grouped = {a.path for a in catalog.agents if a.available_as}
    assert grouped == {"one/.claude/agents/more/reviewer.md", "one/.cursor/agents/reviewer.md"}


def test_two_roots_are_two_repositories(tmp_path: Path) -> None:
    write(tmp_path, "one/.claude/agents/reviewer.md", CLAUDE.format(name="reviewer"))
    write(tmp_path, "two/.cursor/agents/reviewer.md", CURSOR.format(name="reviewer"))
    assert sorted(entries([str(tmp_path / "one"), str(tmp_path / "two")]).values()) == [["claude-code"], ["cursor"]]
    # The tool folders of one repository given as two roots: one repository.
    write(tmp_path, "one/.cursor/agents/reviewer.md", CURSOR.format(name="reviewer"))
    roots = [str(tmp_path / "one/.claude/agents"), str(tmp_path / "one/.cursor/agents")]
    assert list(entries(roots).values()) == [["claude-code", "cursor"]]


def test_the_primary_definition_is_the_first_in_the_dialect_table(tmp_path: Path) -> None:
    write(tmp_path, "r/.codex/agents/reviewer.toml", CODEX.format(name="reviewer"))
    write(tmp_path, "r/.cursor/agents/reviewer.md", CURSOR.format(name="reviewer"))
    assert entries([str(tmp_path)]) == {"reviewer": ["cursor", "codex"]}
    write(tmp_path, "r/.claude/agents/reviewer.md", CLAUDE.format(name="reviewer"))
    assert entries([str(tmp_path)]) == {"reviewer": ["claude-code", "cursor", "codex"]}


def _agent(name: str, fmt: Format, display_path: str) -> Agent:
    return Agent(
        name, name, name, fmt, display_path, None, None, None, (), "d", "d", (), None, (), None, None, {}, "b", 1, (),
        display_path=display_path,
    )  # fmt: skip


def test_ten_thousand_files_of_one_name_make_small_entries() -> None:
    """A hostile catalog: one name in many tool folders of many repositories. Each entry has at
    most one definition per format, so no page grows with the number of same-named files."""
    tools = [
        (".claude/agents", Format.CLAUDE_CODE),
        (".cursor/agents", Format.CURSOR),
        (".gemini/agents", Format.GEMINI_CLI),
        (".github/agents", Format.COPILOT_AGENT),
        (".codex/agents", Format.CODEX),
    ]

    def hostile(count: int) -> list[Agent]:
        return [
            _agent("reviewer", fmt, f"r{i % 49}/{folder}/d{i}/reviewer.md")
            for i in range(count)
            for folder, fmt in [tools[i % len(tools)]]
        ]

    agents = hostile(10_000)
    groups = group_definitions(agents)
    assert sorted(i for group in groups for i in group) == list(range(10_000))
    assert all(len({agents[i].format for i in group}) == len(group) for group in groups)
    assert Counter(len(group) for group in groups) == {5: 49, 1: 10_000 - 245}


def test_a_hostile_catalog_scans_to_entries_of_at_most_one_definition_per_format(tmp_path: Path) -> None:
    """1,000 files of one name in five tool folders of one repository (subfolders of each)."""
    for i in range(200):
        write(tmp_path, f"r/.claude/agents/d{i}/x.md", CLAUDE.format(name="x"))
        write(tmp_path, f"r/.cursor/agents/d{i}/x.md", CURSOR.format(name="x"))
        write(tmp_path, f"r/.codex/agents/d{i}/x.toml", CODEX.format(name="x"))
        write(tmp_path, f"r/.gemini/agents/d{i}/x.md", CLAUDE.format(name="x"))
        write(tmp_path, f"r/.github/agents/d{i}/x.agent.md", "---\ndescription: X.\n---\nX.\n")
    catalog = scan_catalog([str(tmp_path)])
    assert len(catalog.agents) == 1_000
    slugs = [a.slug for a in catalog.agents]
    assert len(set(slugs)) == len(slugs)
    grouped = [a for a in catalog.agents if a.available_as]
    assert len(grouped) == 5 and {a.path.split("/")[3] for a in grouped} == {"d0"}
    pages = render_catalog(catalog)
    assert sum(1 for rel in pages if rel.startswith("agents/") and rel.endswith(".md")) == 996
    assert sum(1 for rel in pages if rel.startswith("agents/") and rel.endswith(".json")) == 1_000  # records
    assert sum(1 for rel in pages if rel.startswith("downloads/")) == 1_000


# --- the five-formats repository of the corpus ---------------------------------------------------


@pytest.fixture(scope="module")
def oak_site(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("oak")
    shutil.copytree(corpus_dir / OAK, root / "oak")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        result = CliRunner().invoke(main, ["build", "oak"], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    assert "0 MkDocs warnings" in result.stderr, result.stderr
    return root / "site"


def _overview_items(site: Path) -> dict[str, list[str]]:
    """The overview's items: the slug of each, with its format badges."""
    html = (site / "index.html").read_text(encoding="utf-8")
    items = re.findall(r'<li class="ac-agent" data-agent="([^"]+)">(.*?)</li>', html, re.S)
    return {slug: re.findall(r'ac-badge--format">([^<]+)<', item) for slug, item in items}


def test_each_reviewer_is_listed_once_with_its_five_formats(oak_site: Path) -> None:
    items = _overview_items(oak_site)
    assert items == {reviewer: OAK_FORMATS for reviewer in REVIEWERS}
    html = (oak_site / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<b>5</b>&nbsp;agents", html), "the overview counts entries"
    # The format table counts each entry under each of its formats; the filter's data agree.
    for label in OAK_FORMATS:
        assert re.search(rf"<td>{re.escape(label)}</td><td>5</td>", html), label
    rows = catalog_data(lambda rel: (oak_site / rel).read_text(encoding="utf-8"))["agents"]
    assert sorted(row[0] for row in rows) == list(REVIEWERS)
    assert all(row[2]["format"] == ["claude-code", "copilot-agent", "gemini-cli", "cursor", "codex"] for row in rows)
    assert sorted(p.stem for p in (oak_site / "agents").glob("*.html")) == list(REVIEWERS)


def test_every_definition_has_its_download_on_its_entrys_page(oak_site: Path) -> None:
    records = json.loads((oak_site / "catalog.json").read_text(encoding="utf-8"))["agents"]
    assert len(records) == 25  # one object per file
    for record in records:
        download = oak_site / "downloads" / f"{record['slug']}.md.txt"
        assert download.is_file(), record["path"]
        page = (oak_site / "agents" / f"{record['entry']}.html").read_text(encoding="utf-8")
        name = record["path"].rsplit("/", 1)[1]
        link = f'href="../downloads/{record["slug"]}.md.txt" download="{name}"'
        assert link in page, (record["path"], link)
        assert f"<code>{record['path']}</code>" in page
    for reviewer in REVIEWERS:
        page = (oak_site / "agents" / f"{reviewer}.html").read_text(encoding="utf-8")
        assert sorted(re.findall(r'id="ac-format-([a-z-]+)"', page)) == [
            "codex",
            "copilot-agent",
            "cursor",
            "gemini-cli",
        ]


def test_scan_json_keeps_one_record_per_file(corpus_dir: Path) -> None:
    result = CliRunner().invoke(main, ["scan", "--json", str(corpus_dir / OAK)], catch_exceptions=False)
    records = json.loads(result.stdout)["agents"]
    assert len(records) == 25
    assert Counter(r["entry"] for r in records) == {reviewer: 5 for reviewer in REVIEWERS}
    assert all(len(r["available_as"]) == 4 for r in records)


def test_findings_stay_with_each_file(tmp_path: Path) -> None:
    write(tmp_path, "repo/.claude/agents/reviewer.md", CLAUDE.format(name="reviewer"))
    write(tmp_path, "repo/.claude/agents/writer.md", CLAUDE.format(name="writer"))
    write(tmp_path, "repo/.cursor/agents/reviewer.md", "---\nname: reviewer\ndescription: R: S: T.\n---\nR.\n")
    write(tmp_path, "repo/.cursor/agents/writer.md", "---\nname: writer\ndescription: W.\ncolour: red\n---\nW.\n")
    catalog = scan_catalog([str(tmp_path / "repo")], jobs=1)
    assert len([a for a in catalog.agents if a.available_as]) == 4
    [read] = catalog.findings
    assert read.path.endswith("repo/.cursor/agents/reviewer.md") and (read.line, read.col) == (3, 15)
    page = str(render_catalog(catalog)["agents/reviewer.md"])
    cursor = page[page.index('id="ac-format-cursor"') :]
    assert f'<code class="ac-finding__code">{read.code}</code>' in cursor and ">3:15</span>" in cursor
    # Lint names each file, at its own line.
    result = CliRunner().invoke(main, ["lint", str(tmp_path / "repo")], catch_exceptions=False)
    assert f"{tmp_path}/repo/.cursor/agents/writer.md:4:1: AC403" in result.stdout, result.stdout


def test_golden_page_of_an_entry_with_five_formats(request: pytest.FixtureRequest, corpus_dir: Path) -> None:
    catalog = scan_catalog([str(corpus_dir / OAK)], jobs=1)
    pages = render_catalog(catalog)
    check_golden(request, "oak-code-reviewer", str(pages["agents/code-reviewer.md"]))


# --- the incremental run: adding, editing, removing one definition of an entry ------------------


def test_the_cached_run_follows_a_definition_added_edited_and_removed(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(repo, ".claude/agents/reviewer.md", CLAUDE.format(name="reviewer"))
    write(repo, ".claude/agents/writer.md", CLAUDE.format(name="writer"))
    docs = tmp_path / "docs"

    def same_as_fresh(step: str) -> None:
        generate_docs([str(repo)], docs, RenderOptions())
        fresh = tmp_path / f"fresh-{step}"
        generate_docs([str(repo)], fresh, RenderOptions(), cache=False)
        ours = {p.relative_to(docs): p.read_bytes() for p in docs.rglob("*") if p.is_file()}
        theirs = {p.relative_to(fresh): p.read_bytes() for p in fresh.rglob("*") if p.is_file()}
        assert sorted(ours) == sorted(theirs), step
        assert [rel for rel in ours if ours[rel] != theirs[rel]] == [], step

    same_as_fresh("start")
    write(repo, ".cursor/agents/reviewer.md", CURSOR.format(name="reviewer"))
    same_as_fresh("added")
    assert "ac-format-cursor" in (docs / "agents/reviewer.md").read_text(encoding="utf-8")
    write(repo, ".cursor/agents/reviewer.md", CURSOR.format(name="reviewer").replace("Review.", "Review twice."))
    same_as_fresh("variant edited")
    assert "Review twice." in (docs / "agents/reviewer.md").read_text(encoding="utf-8")
    write(repo, ".claude/agents/reviewer.md", CLAUDE.format(name="reviewer").replace("Reviews.", "Reviews it all."))
    same_as_fresh("primary edited")
    write(repo, ".claude/agents/writer.md", CLAUDE.format(name="writer").replace("Write", "Draft"))
    same_as_fresh("another agent edited")
    # A full run that leaves the entry's page as it was (a new agent), then an edit of one
    # definition: its entry is rendered whole, though the last run only had light copies of it.
    write(repo, ".claude/agents/third.md", CLAUDE.format(name="third"))
    same_as_fresh("an agent added")
    write(repo, ".cursor/agents/reviewer.md", CURSOR.format(name="reviewer").replace("Review.", "Review thrice."))
    same_as_fresh("variant edited after a run that kept its page")
    assert "Review thrice." in (docs / "agents/reviewer.md").read_text(encoding="utf-8")
    (repo / ".cursor/agents/reviewer.md").unlink()
    same_as_fresh("removed")
    assert not (docs / "downloads/reviewer-cursor.md.txt").exists()
