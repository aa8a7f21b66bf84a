"""Agent text never renders out of proportion to its size (AC503).

A link reference definition is copied into every link that uses it, and a table row short of
cells is filled with empty ones: a 1.9 MB agent file of one long definition and its uses made
``generate`` run out of memory (killed, no agent got a page), and 14 KB of table were 40 MB of
page. Text that could is rendered without tables and reference links, and lint says so; the
class is checked by a property over texts made of tables, definitions and their uses.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.lint.check import lint_catalog
from catalog.model.growth import PER_CHARACTER, SLACK, out_of_proportion
from catalog.pipeline import scan_catalog
from catalog.render import textsafe
from catalog.render.pages import render_catalog
from catalog.types import Catalog
from tests.hostile_fixtures import MARKDOWN_BOMBS, agent, write, write_markdown_bombs
from tests.hostile_support import catalog_slugs, measure

# What rendered agent text may be at most: what the estimate allows, plus what Markdown itself
# adds (a link's rel attribute, a line feed's character reference, a cell's alignment).
MAX_PER_CHARACTER = 2 * PER_CHARACTER
MAX_SLACK = 2 * SLACK


def bounded(text: str) -> bool:
    return len(textsafe.markdown_to_html(text)) <= MAX_PER_CHARACTER * len(text) + MAX_SLACK


@pytest.mark.parametrize("name", sorted(MARKDOWN_BOMBS))
def test_a_markdown_bomb_renders_in_proportion_and_soon(name: str) -> None:
    text = MARKDOWN_BOMBS[name]
    assert out_of_proportion(text)
    start = time.perf_counter()
    html = textsafe.markdown_to_html(text)
    assert time.perf_counter() - start < 20
    assert len(html) <= MAX_PER_CHARACTER * len(text) + MAX_SLACK
    assert "x" * 1000 in html or "|" in html, "the text is still shown"


_URL = st.integers(1, 3000).map(lambda n: "http://example.invalid/" + "u" * n)
_LABEL = st.sampled_from(["r", "R", "a b", "A  B", "q"])
_PREFIX = st.sampled_from(["", "> ", "- ", "  ", "1. ", "> > "])


@st.composite
def _fragment(draw: st.DrawFn) -> str:
    prefix = draw(_PREFIX)
    kind = draw(st.sampled_from(["definition", "uses", "table", "rows", "text", "blank"]))
    if kind == "definition":
        label, url = draw(_LABEL), draw(_URL)
        split = draw(st.sampled_from([" ", "\n" + prefix, " <", "\n" + prefix + "<"]))
        end = ">" if "<" in split else ""
        title = draw(st.sampled_from(["", ' "t"', " 'a\nb'", " (" + "t" * 500 + ")"]))
        return f"{prefix}[{label}]:{split}{url}{end}{title}\n"
    if kind == "uses":
        use = draw(st.sampled_from(["[a][{}]", "[{}]", "[{}][]", "![i][{}]"])).format(draw(_LABEL))
        return prefix + use * draw(st.integers(1, 3000)) + "\n"
    if kind == "table":
        columns = draw(st.integers(1, 400))
        delimiter = draw(st.sampled_from(["-|", ":-|", "-:|", ":-:|", " --- |"]))
        return f"{prefix}|{'a|' * columns}\n{prefix}|{delimiter * columns}\n"
    if kind == "rows":
        return (prefix + draw(st.sampled_from(["|x", "|", "x", "|x|y|"])) + "\n") * draw(st.integers(1, 400))
    if kind == "text":
        return prefix + draw(st.sampled_from(["text", "*a* `b` <c>", "---", "|", "]:"])) + "\n"
    return "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(_fragment(), min_size=1, max_size=12).map("".join))
def test_whatever_tables_and_references_a_text_holds_it_renders_in_proportion(text: str) -> None:
    assert bounded(text), out_of_proportion(text)


def test_real_agent_text_is_never_out_of_proportion(corpus_catalog: Catalog) -> None:
    """No false alarm on the corpus (its most: twice its size, of 48 allowed)."""
    found = [f for f in lint_catalog(corpus_catalog) if f.code == "AC503"]
    assert found == []


def test_lint_reports_the_text_at_its_line(tmp_path: Path) -> None:
    body = "Intro.\n\n## Links\n\n" + MARKDOWN_BOMBS["reference-links.md"] + "\n"
    write(tmp_path / "agents" / "bomb.md", agent("name: bomb\ndescription: A bomb.", body))
    run = measure(["lint", "agents"], tmp_path)
    assert run.code == 0, run.output
    assert "agents/bomb.md:7:1: AC503 Markdown out of proportion (links that copy" in run.output, run.output


def test_a_catalog_of_markdown_bombs_builds_small_and_every_agent_has_its_page(tmp_path: Path) -> None:
    fixture = write_markdown_bombs(tmp_path / "catalog")
    write(tmp_path / "catalog" / "agents" / "fine.md", agent("name: fine\ndescription: A fine agent."))
    source_bytes = sum(p.stat().st_size for p in (tmp_path / "catalog").rglob("*.md"))
    run = measure(["generate", "catalog", "--docs-dir", "docs"], tmp_path, timeout=120)
    assert run.code == 0, run.output
    assert run.peak_mb < 300, run
    lint = measure(["lint", "catalog"], tmp_path, timeout=120)
    reported = {line.split(":")[0] for line in lint.output.splitlines() if " AC503 " in line}
    assert reported == {f"catalog/{path}" for path in fixture.good}, lint.output
    slugs = catalog_slugs(tmp_path / "docs")
    for path in [*fixture.good, "agents/fine.md"]:
        assert (tmp_path / "docs" / "agents" / f"{slugs[path]}.md").is_file(), path
    written = sum(p.stat().st_size for p in (tmp_path / "docs").rglob("*") if p.is_file())
    assert written < 16 * source_bytes, (written, source_bytes)


# --- the class across fields: what one file's input may cost the output --------------------------
#
# Every place an agent's data lands (its page, record and download, the overview, the group
# pages, the filter's data, catalog.json), driven by a file made of one construct repeated:
# the output may grow by at most GROWTH bytes per byte the input grows.

GROWTH = 16


def rendered_bytes(root: Path) -> int:
    """Bytes of every file ``generate`` would write for the agents under ``root``."""
    pages = render_catalog(scan_catalog([str(root)], jobs=1))
    return sum(len(str(text).encode()) for text in pages.values())


def input_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def one_claude_agent(frontmatter: str) -> dict[str, str]:
    return {".claude/agents/a.md": f"---\nname: a\ndescription: Helps.\n{frontmatter}---\n\nYou help.\n"}


# One file each, ``n`` of a construct; each is written with n and 4n.
INFLATING: dict[str, Callable[[int], dict[str, str]]] = {
    "many short tools": lambda n: one_claude_agent("tools: " + ", ".join(f"t{i}" for i in range(n)) + "\n"),
    "many tags": lambda n: one_claude_agent("tags: [" + ", ".join(f"g{i}" for i in range(n)) + "]\n"),
    "many unknown keys": lambda n: one_claude_agent("".join(f"k{i}: 1\n" for i in range(n))),
    "a long color": lambda n: one_claude_agent(f"color: {'r' * n}\n"),
    # The overview listed every model in a table, a row of 100 bytes each (h-growth: 23 times).
    "many models": lambda n: one_claude_agent("model: [" + ", ".join(f"m{i}" for i in range(n)) + "]\n"),
    "alias of a long value, many times": lambda n: one_claude_agent(
        f"x: &v {'y' * n}\n" + "".join(f"k{i}: *v\n" for i in range(n // 10))
    ),
    "alias of a long tool, many times": lambda n: one_claude_agent(
        f"tools: [&v {'y' * n}, " + ", ".join("*v" for _ in range(n // 10)) + "]\n"
    ),
    "alias of a list of long values": lambda n: one_claude_agent(
        f"x: &v [{'y' * n}, {'z' * n}]\ntags: [" + ", ".join("*v" for _ in range(n // 20)) + "]\n"
    ),
    "one-character examples": lambda n: {
        ".claude/agents/a.md": "---\nname: a\ndescription: d\n---\n" + "<example>x</example>\n" * n
    },
    "many headings": lambda n: {
        ".claude/agents/a.md": "---\nname: a\ndescription: d\n---\n" + "".join(f"# h{i}\n" for i in range(n))
    },
    "many permission rules": lambda n: {
        ".opencode/agent/a.md": "---\ndescription: d\npermission:\n  bash:\n"
        + "".join(f'    "c{i}": ask\n' for i in range(n))
        + "---\nYou help.\n"
    },
    "roo modes aliasing a long prompt": lambda n: {
        ".roomodes": f"customModes:\n- slug: a\n  name: a\n  roleDefinition: &v {'y' * n}\n  groups: []\n"
        + "".join(f"- slug: m{i}\n  name: m\n  roleDefinition: *v\n" for i in range(n // 100))
    },
}


@pytest.mark.parametrize("construct", sorted(INFLATING))
def test_one_file_grows_the_output_in_proportion(tmp_path: Path, construct: str) -> None:
    measured = []
    for n in (500, 2000):
        root = tmp_path / str(n)
        for rel, text in INFLATING[construct](n).items():
            write(root / rel, text)
        measured.append((input_bytes(root), rendered_bytes(root)))
    (small_in, small_out), (big_in, big_out) = measured
    assert big_out - small_out <= GROWTH * (big_in - small_in), measured


def opencode_json(agents: int) -> str:
    return json.dumps({"agent": {f"a{i}": {"description": "d", "prompt": "x"} for i in range(agents)}})


def test_agents_of_one_file_cost_the_output_in_proportion_to_their_number(tmp_path: Path) -> None:
    """4,000 agents of one opencode.json downloaded the whole file each: 730 MB of downloads
    from 180 KB. Each agent's download is now the file with that agent alone."""
    sizes = []
    for agents in (100, 400):
        root = tmp_path / str(agents)
        write(root / "opencode.json", opencode_json(agents))
        pages = render_catalog(scan_catalog([str(root)], jobs=1))
        downloads = {rel: str(text) for rel, text in pages.items() if rel.startswith("downloads/")}
        assert len(downloads) == agents
        assert json.loads(downloads["downloads/a7.md.txt"]) == {"agent": {"a7": {"description": "d", "prompt": "x"}}}
        sizes.append(sum(len(str(text).encode()) for text in pages.values()))
    assert sizes[1] < 4.5 * sizes[0], sizes


def test_an_alias_repeating_long_values_is_refused_at_its_line(tmp_path: Path) -> None:
    aliases = "name: a\ndescription: d\nx: &v " + "y" * 5000 + "\nk: [" + "*v, " * 10 + "]"
    write(tmp_path / "agents" / "a.md", agent(aliases))
    run = measure(["scan", "agents"], tmp_path)
    assert "agents/a.md:2:1: AC114 frontmatter's aliases repeat its values to 55,0" in run.output, run.output


def grouped_catalog(field: str, size: int) -> dict[str, str]:
    """Forty agents that a manifest puts in one group, whose name (``field``) is ``size`` long."""
    long = "N" * size
    files = {f"plugins/p/agents/a{i}.md": f"---\nname: a{i}\ndescription: d\n---\nYou help.\n" for i in range(40)}
    plugin: dict[str, str] = {"name": long if field == "plugin.json name" else "p"}
    entry = {"name": long if field == "plugin entry name" else "p", "source": "./plugins/p"}
    if field == "plugin entry category":
        entry["category"] = long
    marketplace = {"name": long if field == "marketplace name" else "m", "plugins": [entry]}
    files[".claude-plugin/marketplace.json"] = json.dumps(marketplace)
    files["plugins/p/.claude-plugin/plugin.json"] = json.dumps(plugin)
    if field == "opencode category JSON":
        files = {f".opencode/agent/g/a{i}.md": "---\ndescription: d\n---\nYou help.\n" for i in range(40)}
        files[".opencode/agent/g/category.json"] = json.dumps({"name": long})
    if field == "collection.yml id":
        files = {f"agents/a{i}.agent.md": "---\ndescription: d\n---\nYou help.\n" for i in range(40)}
        items = "".join(f"  - path: agents/a{i}.agent.md\n" for i in range(40))
        files["collections/c.collection.yml"] = f"id: {long}\nitems:\n{items}"
        files[".github/plugin/marketplace.json"] = json.dumps({"name": "m", "plugins": []})
    return files


GROUP_FIELDS = [
    "marketplace name",
    "plugin entry name",
    "plugin entry category",
    "plugin.json name",
    "opencode category JSON",
    "collection.yml id",
]


@pytest.mark.parametrize("field", GROUP_FIELDS)
def test_a_long_group_name_is_not_copied_into_each_agent_of_the_group(tmp_path: Path, field: str) -> None:
    """A 200 KB marketplace name given to 1,000 agents made 600 MB of docs (and 1.6 GB of
    memory): each agent's page and record held it. Names a manifest gives a group are cut."""
    measured = []
    for size in (1_000, 4_000):
        root = tmp_path / str(size)
        for rel, text in grouped_catalog(field, size).items():
            write(root / rel, text)
        catalog = scan_catalog([str(root)], jobs=1)
        assert len(catalog.agents) == 40
        cut = [f for f in catalog.findings if f.code == "AC130" and f"a name of {size:,} characters" in f.message]
        assert cut, catalog.findings
        measured.append((input_bytes(root), sum(len(str(t).encode()) for t in render_catalog(catalog).values())))
    (small_in, small_out), (big_in, big_out) = measured
    assert big_out - small_out <= GROWTH * (big_in - small_in), measured


@pytest.mark.parametrize("name", sorted(MARKDOWN_BOMBS))
def test_the_sections_parser_reads_a_bomb_in_proportion(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sections are read with pulldown-cmark (pyromark), which fills short table rows in
    as the renderers do: with pyromark 0.9, the floor, 14 KB of rows were 480 MB of events and
    took the run out of its memory. Text out of proportion is read without tables."""
    import pyromark

    from catalog.model.sections import split_sections

    real, counted = pyromark.events_with_range, [0]

    def counting(text: str, options: object = None) -> Iterator[object]:
        for event in real(text, options=options):
            counted[0] += 1
            yield event

    monkeypatch.setattr(pyromark, "events_with_range", counting)
    text = MARKDOWN_BOMBS[name] + "\n"
    split_sections(text)
    assert counted[0] <= 4 * len(text), counted
