"""Issue 5: agent names are not paths. Whatever the name (``../../etc/passwd``, ``/abs/path``,
backslashes, NUL, escape, bidi and zero-width characters, 500 characters, CON, names that only
differ in case or Unicode normalization, YAML booleans, numbers, dates and nulls, duplicates),
each agent gets a safe, unique page inside the output folder, the same one on every build;
collisions are reported naming the other files, and the terminal never gets a raw control,
bidi or zero-width character.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.catalog_data import catalog_data
from tests.hostile_fixtures import HOSTILE_NAMES, RESERVED, Fixture, write_name_catalog
from tests.hostile_support import (
    catalog_slugs,
    read_tree,
    run_cli,
    snapshot,
    terminal_unsafe,
    text_of,
)

SAFE_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_SLUG = 80 + len("-claude-code") + len("-99")  # names.MAX_SLUG, then a format or a number


@dataclass(frozen=True)
class Built:
    root: Path
    fixture: Fixture
    before: dict[str, tuple[int, int, int]]  # the tree outside the output folders, before the builds
    outputs: dict[str, bytes]  # command -> its stdout and stderr, as bytes

    @property
    def site(self) -> Path:
        return self.root / "site"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("names")
    fixture = write_name_catalog(root / "catalog")
    outputs = ["site", "site-again", "docs", "docs-again"]
    before = snapshot(root, [root / name for name in outputs])
    passwd_before = os.stat("/etc/passwd").st_mtime_ns
    results = {
        "build": run_cli(["build", "catalog", "--site-dir", "site"], root),
        "build again": run_cli(["build", "catalog", "--site-dir", "site-again"], root),
        "generate": run_cli(["generate", "catalog", "--docs-dir", "docs", "--no-cache"], root),
        "generate again": run_cli(["generate", "catalog", "--docs-dir", "docs-again", "--no-cache"], root),
        "scan": run_cli(["scan", "catalog"], root),
        "scan -v": run_cli(["scan", "-v", "catalog"], root),
        "lint": run_cli(["lint", "catalog"], root),
        "lint github": run_cli(["lint", "--format", "github", "catalog"], root),
    }
    for command, result in results.items():
        assert result.returncode in (0, 1), f"{command}:\n{text_of(result)}"
    assert os.stat("/etc/passwd").st_mtime_ns == passwd_before
    return Built(root, fixture, before, {c: r.stdout + r.stderr for c, r in results.items()})


def test_every_agent_gets_a_safe_unique_page(built: Built) -> None:
    slugs = catalog_slugs(built.site)
    assert sorted(slugs) == sorted(built.fixture.good), "an agent file got no page, or a page has no file"
    assert len(set(slugs.values())) == len(slugs), "two agents share a page"
    assert len({s.casefold() for s in slugs.values()}) == len(slugs)
    for path, slug in slugs.items():
        assert SAFE_SLUG.fullmatch(slug), f"{path}: page name {slug!r} is not [a-z0-9-]"
        assert len(slug) <= MAX_SLUG, f"{path}: page name {slug!r} is too long"
        assert slug.split(".")[0] not in RESERVED, f"{path}: page name {slug!r} is reserved on Windows"
        page = built.site / "agents" / f"{slug}.html"
        assert page.is_file(), f"{path}: {page} is missing"
        assert page.resolve().parent == (built.site / "agents").resolve()
        assert (built.root / "docs" / "downloads" / f"{slug}.md.txt").is_file()


def test_pages_stay_inside_the_output_folders(built: Built) -> None:
    after = snapshot(built.root, [built.root / name for name in ("site", "site-again", "docs", "docs-again")])
    assert after == built.before, f"written outside the output folders: {sorted(set(after) ^ set(built.before))}"
    assert not Path("/abs").exists()
    for folder in ("site", "docs"):
        for path in (built.root / folder).rglob("*"):
            assert path.resolve().is_relative_to((built.root / folder).resolve()), path
            assert not path.is_symlink(), path
            if path.parent.name == "agents":
                assert SAFE_SLUG.fullmatch(path.name.split(".")[0]), path


def test_two_builds_are_identical(built: Built) -> None:
    docs, docs_again = read_tree(built.root / "docs"), read_tree(built.root / "docs-again")
    assert docs.keys() == docs_again.keys()
    assert [name for name in docs if docs[name] != docs_again[name]] == []
    site, site_again = read_tree(built.site), read_tree(built.root / "site-again")
    assert site.keys() == site_again.keys()
    # sitemap.xml.gz holds its own time of writing; every other byte must be the same
    assert [name for name in site if site[name] != site_again[name] and not name.endswith(".gz")] == []


def test_names_yaml_would_type_are_kept_as_written(built: Built) -> None:
    data = json.loads((built.site / "catalog.json").read_text(encoding="utf-8"))
    names = {a["path"]: a["name"] for a in data["agents"]}
    for key in ("yes", "no", "on", "true", "exp", "octal", "inf", "date", "datetime"):
        assert names[f"agents/{key}.md"] == HOSTILE_NAMES[key], key
    # null, ~ and "" are no name at all: the file name is used
    assert names["agents/null.md"] == "null"
    assert names["agents/tilde.md"] == "tilde"
    assert names["agents/empty.md"] == "empty"


def _finding_lines(output: bytes, code: str) -> list[str]:
    return [line for line in output.decode("utf-8").splitlines() if f" {code} " in line]


def test_collisions_are_reported_naming_the_other_files(built: Built) -> None:
    found = _finding_lines(built.outputs["build"], "AC140")
    groups = [
        ["catalog/agents/resume-accent.md", "catalog/agents/resume.md", "catalog/agents/resume-upper.md"],
        ["catalog/agents/cafe-nfc.md", "catalog/agents/cafe-nfd.md"],
        [
            "catalog/.opencode/agent/" + unicodedata.normalize("NFC", "Résumé.md"),
            "catalog/.opencode/agent/" + unicodedata.normalize("NFD", "Résumé.md"),
            "catalog/.opencode/agent/résumé.md",
        ],
    ]
    # Two long names cut to one slug, in two formats: the format tells their pages apart.
    long_pair = ["catalog/agents/long.md", "catalog/.opencode/agent/" + "x" * 240 + ".md"]
    assert not [line for line in found if any(line.startswith(path + ":") for path in long_pair)]
    for group in groups:
        lines = [line for line in found if any(line.startswith(path + ":") for path in group)]
        assert len(lines) == len(group) - 1, f"AC140 for {group}: {lines}"
        for line in lines:
            here = line.split(":", 1)[0]
            for other in group:
                if other != here:
                    assert other in line, f"{line!r} does not name {other}"
    duplicates = _finding_lines(built.outputs["lint"], "AC301")
    for path, other in [
        ("catalog/agents/duplicate-1.md", "catalog/agents/duplicate-2.md"),
        ("catalog/agents/duplicate-2.md", "catalog/agents/duplicate-1.md"),
        ("catalog/agents/resume.md", "catalog/agents/resume-upper.md"),
    ]:
        assert any(line.startswith(path + ":") and other in line for line in duplicates), (path, duplicates)


@pytest.mark.parametrize("command", ["build", "generate", "scan", "scan -v", "lint", "lint github"])
def test_terminal_output_has_no_control_bidi_or_zero_width_characters(built: Built, command: str) -> None:
    output = built.outputs[command]
    assert output.strip()
    assert terminal_unsafe(output) == [], f"{command} printed raw {terminal_unsafe(output)}"
    assert b"\r" not in output


# --- names across tool formats: one catalog entry per agent, a file per definition ------------

# Tool folders of one repository, each a format whose tool reads the name from the frontmatter.
TOOL_FILES = (".claude/agents/{}.md", ".github/agents/{}.agent.md", ".cursor/agents/{}.md", ".gemini/agents/{}.md")
# Names that collide in case, Unicode folding or slug, carry paths, controls, bidi and markup.
NAME_PARTS = st.sampled_from(
    ["Reviewer", "reviewer", "REVIEWER", "ß", "SS", "ss", "../", "/", "\\", ".", "..", "\x1b[31m", "\u202e",
     "\u200b", "<script>alert(1)</script>", '"', "'", "Ｒｅｖｉｅｗｅｒ", "con", "reviewer-claude-code",
     "reviewer-copilot-agent", "-2", "x" * 90, "#", "{{ 7*7 }}"]
)  # fmt: skip
NAMES = st.lists(NAME_PARTS, min_size=1, max_size=3).map("".join)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(NAMES, st.sampled_from(range(len(TOOL_FILES))), st.sampled_from("ab")), min_size=1, max_size=10)
)
def test_hostile_names_across_formats_give_safe_distinct_files_and_whole_entries(
    template_bytecode: Path, files: list[tuple[str, int, str]]
) -> None:
    """The class: agents defined for several tools (catalog.model.variants), whatever their names.
    Every definition gets its own download and record, every entry its page, under safe
    distinct names (no file written over another's); an entry's definitions are one per
    format, of one repository and one name whatever the case; the records say so."""
    import tempfile

    from catalog.model.variants import repository_of
    from catalog.pipeline import scan_catalog
    from catalog.render.pages import agent_outputs, render_catalog

    with tempfile.TemporaryDirectory(prefix="names-formats-") as scratch:
        root = Path(scratch)
        for number, (name, tool, repo) in enumerate(files):
            path = root / repo / TOOL_FILES[tool].format(f"f{number}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"---\nname: {json.dumps(name)}\ndescription: {json.dumps(name)} agent.\n---\nBody.\n")
        catalog = scan_catalog([str(root / "a"), str(root / "b")])
        pages = render_catalog(catalog, bytecode_dir=template_bytecode)
    assert len(catalog.agents) == len(files)
    outputs = [rel for agent in catalog.agents for rel in agent_outputs(agent)]
    assert len(outputs) == len(set(outputs)), "two definitions share a file"
    assert all(rel in pages for rel in outputs)
    assert len({rel.casefold() for rel in pages}) == len(pages), "files that differ only in case"
    by_slug = {agent.slug: agent for agent in catalog.agents}
    for agent in catalog.agents:
        assert SAFE_SLUG.fullmatch(agent.slug) and len(agent.slug) <= MAX_SLUG, agent.slug
        record = json.loads(pages[f"agents/{agent.slug}.json"])
        assert (record["slug"], record["name"]) == (agent.slug, agent.name)
        entry = by_slug[agent.entry or agent.slug]
        assert record["entry"] == entry.slug and not entry.entry
        group = [entry, *(by_slug[slug] for _, slug in entry.available_as)]
        assert agent in group
        assert len({member.format for member in group}) == len(group), "two definitions of one format"
        assert len({member.name.casefold() for member in group}) == 1
        assert len({repository_of(member.display_path) for member in group}) == 1
        for fmt, slug in agent.available_as:
            assert by_slug[slug].format == fmt and fmt != agent.format
    scripts = [str(text) for rel, text in pages.items() if rel.startswith("assets/catalog-data")]
    assert all("<" not in data and "\u2028" not in data for data in scripts)
    assert [row[0] for row in catalog_data(lambda rel: str(pages[rel]))["agents"]] == [
        a.slug for a in catalog.agents if not a.entry
    ]


@pytest.mark.parametrize("slug", ["../x", "..", "a/b", "a\\b", "", "A", "x.json", "-x", "x-", "a--b", "x\n", "/abs"])
def test_a_slug_that_is_not_a_page_name_never_becomes_a_path(slug: str) -> None:
    """Whatever made it (a bug, a tampered cache), every writer names an agent's files through
    render.agent_page_paths, which refuses it: nothing is written under such a name."""
    from catalog.render.pages import agent_page_paths

    with pytest.raises(ValueError, match="not a page name"):
        agent_page_paths(slug)


@pytest.mark.parametrize("slug", ["../x", "..", "a/b", "a\\b", "", "A", "x.json", "-x", "x-", "a--b", "x\n", "/abs"])
def test_the_files_of_thousands_of_agents_refuse_a_slug_that_is_not_a_page_name(slug: str) -> None:
    """``agents_files``, which names the files a run keeps (thousands at once, not one call of
    ``agent_page_paths`` each), refuses the same slugs, wherever one stands among good ones."""
    from catalog.render.pages import agents_files

    with pytest.raises(ValueError, match="not a page name"):
        agents_files(["good", slug, "also-good"], frozenset())


@given(
    st.lists(st.from_regex(r"[a-z0-9]{1,4}(-[a-z0-9]{1,3}){0,2}", fullmatch=True), max_size=12, unique=True),
    st.data(),
)
def test_the_files_of_thousands_of_agents_are_each_ones_files(slugs: list[str], data: st.DataObject) -> None:
    """``agents_files`` names what ``agent_page_paths`` names for each slug, the page left out
    for a definition another's page shows."""
    from catalog.render.pages import agent_page_paths, agents_files

    definitions = frozenset(data.draw(st.lists(st.sampled_from(slugs), unique=True)) if slugs else [])
    expected = set()
    for slug in slugs:
        page, download, record = agent_page_paths(slug)
        expected |= {download, record} if slug in definitions else {page, download, record}
    assert agents_files(slugs, definitions) == expected
