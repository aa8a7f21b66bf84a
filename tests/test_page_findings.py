"""An agent page's findings are the findings `agent-catalog lint` reports for its file.

One source of truth (``catalog.lint.check.file_findings``): the same codes, lines, columns,
severities and messages as ``lint --format json`` under the default settings, for files whose
findings come from reading them, from the rules on one agent and from the rules comparing
agents; after incremental runs too (one that reassembles the catalog, one that reads one edit).
A finding that matters only to other tools than the file's own (``catalog.model.tool_scope``) is a
quiet note, said so.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog.cli.main import main
from catalog.lint.check import NOT_ON_PAGES
from catalog.pipeline import scan_catalog
from catalog.render.pages import render_catalog
from catalog.types import Catalog

Row = tuple[int, int, str, str, str]  # line, col, code, severity, message

_FINDING = re.compile(
    r'<li class="ac-finding ac-finding--(?P<severity>\w+)(?P<extra>[^"]*)"><span class="ac-finding__where"'
    r' title="[^"]*">(?P<line>\d+):(?P<col>\d+)</span> <code class="ac-finding__code">(?P<code>[^<]*)</code>'
    r' <span class="ac-finding__severity">(?P<shown>[^<]*)</span> <span class="ac-finding__message">(?P<message>.*?)'
    r"</span></li>"
)


def page_findings(page: str) -> list[Row]:
    """The findings an agent page shows for its file (its Source section: the other formats'
    files have theirs), read back from its Markdown."""
    rows = []
    source = page[page.index("\n## Source\n") + 1 :]
    end = source.find("\n## ")
    source = source if end < 0 else source[:end]
    for match in _FINDING.finditer(source):
        assert match["severity"] == match["shown"]
        rows.append(
            (int(match["line"]), int(match["col"]), match["code"], match["severity"], html.unescape(match["message"]))
        )
    if not rows:
        assert '<p class="ac-clean">No findings: this file loads cleanly.</p>' in source
    return rows


def lint_findings(paths: list[str], cwd: Path) -> dict[str, list[Row]]:
    """What `agent-catalog lint --format json` reports, by file, run in ``cwd`` (no settings)."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, ["lint", "--format", "json", *paths])
    finally:
        os.chdir(old)
    assert result.exit_code in (0, 1), result.output
    found: dict[str, list[Row]] = {}
    for f in json.loads(result.stdout)["findings"]:
        if f["code"] not in NOT_ON_PAGES:  # shown as the page's Similar agents instead
            found.setdefault(f["path"], []).append((f["line"], f["col"], f["code"], f["severity"], f["message"]))
    return found


def check_pages(catalog: Catalog, lint: dict[str, list[Row]]) -> dict[str, list[Row]]:
    pages = render_catalog(catalog)
    shown = {}
    for agent in catalog.agents:
        if f"agents/{agent.slug}.md" not in pages:
            continue  # a definition its entry's page shows, under Other formats (catalog.model.variants)
        page = pages[f"agents/{agent.slug}.md"]
        assert isinstance(page, str)
        shown[agent.display_path] = page_findings(page)
        assert shown[agent.display_path] == lint.get(agent.display_path, []), agent.display_path
    return shown


def md(*lines: str, body: str = "You help.") -> str:
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body + "\n"


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


FILES = {
    # AC401 (a rule on one agent) and AC115 (reading it; a note: Claude Code loads it)
    "a/.claude/agents/reviewer.md": md(
        "name: reviewer", "description: Use it when: reviewing", "tools: Read, Frobnicate"
    ),
    # AC301, twice (a rule comparing agents)
    "a/.claude/agents/helper.md": md("name: helper", "description: Helps."),
    "a/.claude/agents/sub/helper.md": md("name: helper", "description: Helps too."),
    # AC403 on a Copilot agent, and AC115 that trips Copilot itself: a warning
    "a/.github/agents/tidy.agent.md": md("description: Tidies when: asked", "colour: red"),
    # AC502 (an empty heading), AC401 switched off in the file
    "a/.claude/agents/quiet.md": md(
        "name: quiet",
        "description: Quiet.",
        "tools: Frobnicate",
        body="<!-- agent-catalog: disable=AC401 -->\n# Empty\n",
    ),
    "a/.claude/agents/clean.md": md("name: clean", "description: Clean."),
}


def test_pages_show_what_lint_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, FILES)
    monkeypatch.chdir(tmp_path)
    shown = check_pages(scan_catalog(["a"]), lint_findings(["a"], tmp_path))
    codes = {path.removeprefix("a/"): [row[2] for row in rows] for path, rows in shown.items()}
    assert codes == {
        ".claude/agents/reviewer.md": ["AC115", "AC401"],
        ".claude/agents/helper.md": ["AC301"],
        ".claude/agents/sub/helper.md": ["AC301"],
        ".github/agents/tidy.agent.md": ["AC115", "AC403"],
        ".claude/agents/quiet.md": ["AC502"],
        ".claude/agents/clean.md": [],
    }


def test_a_finding_for_other_tools_is_a_quiet_note(tmp_path: Path) -> None:
    write(tmp_path, FILES)
    pages = render_catalog(scan_catalog([str(tmp_path / "a")]))
    reviewer, tidy = pages["agents/reviewer.md"], pages["agents/tidy.md"]
    assert isinstance(reviewer, str) and isinstance(tidy, str)
    [note] = [m for m in _FINDING.finditer(reviewer) if m["code"] == "AC115"]
    assert (note["severity"], note["extra"].split()) == ("info", ["ac-finding--other-tools"])
    assert "Claude Code, this file&#x27;s tool, reads it" in note["message"]
    [own] = [m for m in _FINDING.finditer(tidy) if m["code"] == "AC115"]  # Copilot loads YAML strictly
    assert (own["severity"], own["extra"]) == ("warning", "")
    assert "this file&#x27;s tool" not in own["message"]


def test_pages_of_an_incremental_run_show_what_lint_reports(tmp_path: Path) -> None:
    """A file that gives another file a finding (a second 'helper') renders that file's page
    again; an edit read alone keeps the findings of the rules comparing agents."""
    write(tmp_path, {k: v for k, v in FILES.items() if "sub/" not in k})
    docs = tmp_path / "docs"

    def generate() -> str:
        result = CliRunner().invoke(main, ["generate", "-v", str(tmp_path / "a"), "--docs-dir", str(docs)])
        assert result.exit_code in (0, 1), result.output
        return result.output

    generate()
    assert page_findings((docs / "agents" / "helper.md").read_text(encoding="utf-8")) == []
    write(tmp_path, {k: v for k, v in FILES.items() if "sub/" in k})
    generate()
    helper = page_findings((docs / "agents" / "helper.md").read_text(encoding="utf-8"))
    assert [row[2] for row in helper] == ["AC301"]
    # An edit of the body only: the incremental run reads and renders that page alone, AC301 stays.
    write(tmp_path, {"a/.claude/agents/helper.md": md("name: helper", "description: Helps.", body="You help more.")})
    assert "incremental: 1 agent file read, 1 agent page rendered" in generate()
    assert "You help more." in (docs / "agents" / "helper.md").read_text(encoding="utf-8")
    assert [row[2] for row in page_findings((docs / "agents" / "helper.md").read_text(encoding="utf-8"))] == ["AC301"]


@pytest.fixture(scope="module")
def corpus_lint(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Row]]:
    return lint_findings([str(corpus_dir)], tmp_path_factory.mktemp("cwd"))


@pytest.fixture(scope="module")
def corpus_shown(corpus_catalog: Catalog, corpus_lint: dict[str, list[Row]]) -> dict[str, list[Row]]:
    return check_pages(corpus_catalog, corpus_lint)


def test_corpus_pages_show_what_lint_reports(corpus_shown: dict[str, list[Row]]) -> None:
    """Every corpus page; among them files whose findings come from reading them, from a rule
    on one agent and from a rule comparing agents."""
    codes = {row[2] for rows in corpus_shown.values() for row in rows}
    assert {"AC115", "AC401", "AC403", "AC301", "AC302"} <= codes


@pytest.mark.parametrize("code", ["AC115", "AC401", "AC301"])
def test_three_corpus_files_with_findings(
    corpus_lint: dict[str, list[Row]], corpus_shown: dict[str, list[Row]], code: str
) -> None:
    path = min(p for p, rows in corpus_lint.items() if any(row[2] == code for row in rows) and p in corpus_shown)
    assert corpus_shown[path] == corpus_lint[path] != []


def test_an_edit_that_tips_the_descriptions_total_shows_ac602_on_another_page(tmp_path: Path) -> None:
    """AC602 (the descriptions' total) is reported at the longest description: an edit of a
    short one that tips the total over the limit changes another agent's page, in an
    incremental run as in a fresh one; and the edit back takes it off again."""
    words = lambda chars: ("word " * (chars // 5)).strip()  # noqa: E731  # about chars/4 tokens
    files = {f"a/.claude/agents/agent-{i}.md": md(f"name: agent-{i}", f"description: {words(3300)}") for i in range(59)}
    files["a/.claude/agents/longest.md"] = md("name: longest", f"description: {words(3600)}")
    files["a/.claude/agents/grow.md"] = md("name: grow", "description: Short.")
    write(tmp_path, files)

    def codes(docs: Path, *more: str) -> list[str]:
        args = ["generate", "-v", str(tmp_path / "a"), "--docs-dir", str(docs), *more]
        result = CliRunner().invoke(main, args)
        assert result.exit_code in (0, 1), result.output
        return [row[2] for row in page_findings((docs / "agents" / "longest.md").read_text(encoding="utf-8"))]

    assert "AC602" not in codes(tmp_path / "docs")
    write(tmp_path, {"a/.claude/agents/grow.md": md("name: grow", f"description: {words(3000)}")})
    assert "AC602" in codes(tmp_path / "docs") == codes(tmp_path / "fresh", "--no-cache")
    # It moves to the edited agent's page when that one becomes the longest.
    write(tmp_path, {"a/.claude/agents/grow.md": md("name: grow", f"description: {words(3900)}")})
    assert "AC602" not in codes(tmp_path / "docs")
    grow = page_findings((tmp_path / "docs" / "agents" / "grow.md").read_text(encoding="utf-8"))
    assert "AC602" in [row[2] for row in grow]
    write(tmp_path, {"a/.claude/agents/grow.md": md("name: grow", "description: Short.")})
    assert "AC602" not in codes(tmp_path / "docs")


# AC115's cases: frontmatter strict YAML refuses, and frontmatter it loads with lines of example
# dialogue as keys. What the message says strict tools do must be what yaml.safe_load does.
AC115_CASES = {
    "not YAML": ("name: x", "description: Use it when: reviewing"),
    "dialogue keys": ("name: x", "description: Use it. Example", "user: review this", "assistant: on it"),
}
AC115_FILES = {  # a tool that reads leniently, one that loads YAML strictly, one with a fallback of its own
    "claude-code": ".claude/agents/x.md",
    "copilot-agent": ".github/agents/x.agent.md",
    "opencode": ".opencode/agent/x.md",
}


@pytest.mark.parametrize("case", sorted(AC115_CASES))
@pytest.mark.parametrize("fmt", sorted(AC115_FILES))
def test_ac115_says_what_strict_tools_and_the_files_own_tool_do_in_each_case(
    tmp_path: Path, case: str, fmt: str
) -> None:
    import yaml

    from catalog.model.dialects import DIALECTS
    from catalog.types import Format

    lines = AC115_CASES[case]
    write(tmp_path, {AC115_FILES[fmt]: md(*lines)})
    [found] = [f for f in scan_catalog([str(tmp_path)]).findings if f.code == "AC115"]
    dialect = DIALECTS[Format(fmt)]
    try:
        strictly = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError:
        strictly = None
    if strictly is None:  # strict tools refuse the file
        assert found.message.startswith("frontmatter is not valid YAML (")
        assert "end the field" not in found.message
    else:  # strict tools load it, the description cut short at the dialogue, which is keys
        assert {"user", "assistant"} <= set(strictly) and strictly["description"] == "Use it. Example"
        assert found.message.startswith("example dialogue lines are keys to strict YAML (user, assistant)")
        assert "which end the field before them for tools that load YAML strictly" in found.message
        assert "strictly do not" not in found.message  # they do load it
    # The file's own tool reads it as meant: Claude Code reads every line leniently; opencode's
    # fallbackSanitization quotes "Use it when: reviewing" (not the dialogue case: that loads).
    if dialect.lenient_yaml or (dialect.yaml_fallback and case == "not YAML"):
        assert found.severity == "info"
        assert f"{dialect.label}, this file's tool, reads " in found.message
        assert "as meant" in found.message and "read leniently" not in found.message
    else:
        assert found.severity == "warning"
        assert "this file's tool" not in found.message
        assert found.message.endswith("read leniently as Claude Code does") or "; read as raw text: " in found.message
