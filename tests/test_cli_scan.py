"""`agent-catalog scan`: the table, the JSON, findings on stderr, and the exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from catalog.cli.main import main

# The wizard's one-line description: literal \n pairs and an unquoted ': ' (column 60).
REVIEWER = (
    "---\nname: code-reviewer\n"
    'description: Reviews diffs. Examples:\\n\\n<example>\\nContext: A PR is open.\\nuser: "review it"\\n'
    'assistant: "ok"\\n</example>\n'
    'model: sonnet\ntools: Read, Grep, Bash(git diff:*)\ncolor: "#ff0000"\n---\n## Focus\n- diffs\n'
)
PLANNER = "---\nname: planner\ndescription: Plans work.\ntools: []\nmodel: [opus, sonnet]\nversion: 2\n---\nPlan.\n"

AGENT_KEYS = {
    "name",
    "title",
    "slug",
    "format",
    "path",
    "collection",
    "marketplace",
    "plugin",
    "category",
    "tags",
    "description",
    "summary",
    "examples",
    "tools",
    "disallowed_tools",
    "permissions",
    "available_as",
    "entry",
    "model",
    "color",
    "extra",
    "body",
    "body_line",
    "sections",
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with two good agents, as the current directory."""
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents/code-reviewer.md").write_text(REVIEWER, encoding="utf-8")
    (tmp_path / "agents/planner.md").write_text(PLANNER, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def scan(*args: str) -> Result:
    return CliRunner().invoke(main, ["scan", *args])


def test_table(repo: Path) -> None:
    result = scan()
    assert result.exit_code == 0
    assert result.stdout == (
        "NAME           FORMAT       COLLECTION/CATEGORY  MODEL         TOOLS                     EX  FINDINGS\n"
        "code-reviewer  claude-code                       sonnet        Read, Grep, Bash(git di…  1   1\n"
        "planner        claude-code                       opus, sonnet  none                      0   0\n"
        "\n"
        "2 agents, 0 errors, 0 warnings\n"
    )
    # A note: Claude Code, the file's tool, reads it (catalog.model.tool_scope).
    assert result.stderr == (
        "agents/code-reviewer.md:3:60: AC115 frontmatter is not valid YAML (mapping values are not allowed in"
        " this context): Claude Code, this file's tool, reads it as meant, tools that load YAML strictly do not;"
        " read as raw text: description\n"
    )


def test_json(repo: Path) -> None:
    result = scan("--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) == {"version", "agents", "findings"}
    assert [a["name"] for a in data["agents"]] == ["code-reviewer", "planner"]
    reviewer, planner = data["agents"]
    # description_raw only where the file writes the description otherwise (its \n pairs).
    assert (set(reviewer), set(planner)) == (AGENT_KEYS | {"description_raw"}, AGENT_KEYS)
    assert reviewer["description_raw"].startswith("Reviews diffs. Examples:\\n\\n<example>\\nContext:")
    assert reviewer["path"] == "agents/code-reviewer.md"
    assert reviewer["format"] == "claude-code"
    assert reviewer["tools"] == ["Read", "Grep", "Bash(git diff:*)"]
    assert reviewer["color"] == "#ff0000"
    assert reviewer["summary"] == "Reviews diffs."
    assert reviewer["examples"] == [
        {
            "context": "A PR is open.",
            "turns": [{"role": "user", "text": "review it"}, {"role": "assistant", "text": "ok"}],
            "commentary": None,
            "line": 3,
        }
    ]
    assert reviewer["sections"] == [
        {"title": "Focus", "level": 2, "line": 8, "text": "", "items": ["diffs"], "children": []}
    ]
    assert reviewer["body_line"] == 8
    assert (planner["tools"], planner["model"], planner["extra"]) == ([], ["opus", "sonnet"], {"version": 2})
    assert data["findings"] == [
        {
            "path": "agents/code-reviewer.md",
            "line": 3,
            "col": 60,
            "code": "AC115",
            "severity": "info",
            "message": "frontmatter is not valid YAML (mapping values are not allowed in this context):"
            " Claude Code, this file's tool, reads it as meant, tools that load YAML strictly do not;"
            " read as raw text: description",
        }
    ]
    # Findings go to stderr in both modes, so stdout stays pure JSON.
    assert result.stderr.startswith("agents/code-reviewer.md:3:60: AC115 ")


def test_paths_are_relative_to_the_scanned_root(repo: Path, tmp_path: Path) -> None:
    result = scan("--json", str(tmp_path / "agents"))
    data = json.loads(result.stdout)
    assert [a["path"] for a in data["agents"]] == ["code-reviewer.md", "planner.md"]
    assert str(tmp_path) not in json.dumps(data["agents"])
    # Findings name the file as the user can open it.
    assert data["findings"][0]["path"] == f"{tmp_path}/agents/code-reviewer.md"


def test_error_finding_exits_1(repo: Path) -> None:
    (repo / "agents/broken.md").write_text("You help, but have no frontmatter.\n", encoding="utf-8")
    result = scan()
    assert result.exit_code == 1
    message = "AC110 no frontmatter: its tool ignores this file (an agent file starts with a '---' line)"
    assert f"agents/broken.md:1:1: {message}\n" in result.stderr
    assert "2 agents, 1 error, 0 warnings" in result.stdout
    assert scan("--json").exit_code == 1


def test_warnings_alone_exit_0(repo: Path) -> None:
    assert scan().exit_code == 0


def test_missing_path_is_a_usage_error(repo: Path) -> None:
    result = scan("no-such-folder")
    assert result.exit_code == 2
    assert "Path 'no-such-folder' does not exist" in result.stderr
    assert result.stdout == ""


def test_unknown_option_is_a_usage_error(repo: Path) -> None:
    assert scan("--no-such-option").exit_code == 2


def test_verbose_says_what_was_skipped(repo: Path) -> None:
    (repo / "README.md").write_text("# Agents\n", encoding="utf-8")
    (repo / "docs").mkdir()
    result = scan("-v")
    assert result.exit_code == 0
    assert "skipped README.md: README.md is documentation, not an agent\n" in result.stderr
    assert "skipped docs/: a docs folder holds no agents\n" in result.stderr
    assert "skipped" not in scan().stderr


def test_terminal_escapes_in_agent_text_are_neutralized(repo: Path) -> None:
    (repo / "agents/evil.md").write_text("---\nname: evil\x1b[2Jname\ndescription: x\n---\n", encoding="utf-8")
    result = scan()
    assert "\x1b" not in result.stdout
    assert "evil\\u001b[2Jname" in result.stdout


def test_python_dash_m_catalog() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "catalog", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: agent-catalog [OPTIONS] COMMAND [ARGS]...")
    assert "scan" in result.stdout


def test_the_console_script_exits_with_main_s_code_and_all_its_output(repo: Path) -> None:
    """``catalog.cli.main.run`` ends the process without the interpreter's teardown: the exit
    code and every byte written must still come out, through a pipe too."""
    for index in range(300):
        (repo / "agents" / f"a{index}.md").write_text(f"---\nname: a{index}\ndescription: D {index}.\n---\n", "utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "catalog", *args]
        return subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=60, check=False)

    clean = run("scan", "--json", "agents")
    assert clean.returncode == 0, clean.stderr
    assert len(json.loads(clean.stdout)["agents"]) == 300 + 2  # the fixture's two and these
    (repo / "agents" / "broken.md").write_text("no frontmatter\n", encoding="utf-8")
    failing = run("scan", "agents")
    assert failing.returncode == 1
    assert "AC110" in failing.stderr
    assert failing.stdout.endswith("\n302 agents, 1 error, 0 warnings\n")  # the fixture's AC115 is a note
    assert run("scan", "no-such-folder").returncode == 2


def test_under_a_tracer_the_console_script_exits_as_python_does() -> None:
    """Coverage registers its atexit handler before ``run`` does: with a tracer attached, the
    exit is Python's own, so that handler still runs (without one, it would be skipped)."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('saved', flush=True))\n"
        "{trace}"
        "sys.argv = ['agent-catalog', '--version']\n"
        "from catalog.cli.main import run\n"
        "run()\n"
    )

    def out(trace: str) -> str:
        command = [sys.executable, "-c", code.format(trace=trace)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert out("sys.settrace(lambda *args: None)\n") == "agent-catalog, version 0.1.0\nsaved\n"
    assert out("") == "agent-catalog, version 0.1.0\n"


def test_the_console_script_flushes_what_is_still_buffered() -> None:
    """Click flushes each echo; ``run`` must flush the rest before its ``os._exit`` (here a
    line of stderr without its newline, which stays in stderr's line buffer)."""
    code = "import sys\nprint('half a line', end='', file=sys.stderr)\nsys.argv = ['agent-catalog', '--version']\n"
    code += "from catalog.cli.main import run\nrun()\n"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    command = [sys.executable, "-c", code]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False, env=env)
    assert (result.returncode, result.stderr) == (0, "half a line")


SEVERAL_TOOLS = {  # one agent for two tools, and one for one: three definitions, two agents
    ".claude/agents/reviewer.md": "---\nname: reviewer\ndescription: Reviews code.\n---\nReview.\n",
    ".cursor/agents/reviewer.md": "---\nname: reviewer\ndescription: Reviews code.\n---\nReview.\n",
    ".claude/agents/solo.md": "---\nname: solo\ndescription: Works alone.\n---\nAlone.\n",
}


@pytest.mark.parametrize(
    ("files", "counted"),
    [
        (SEVERAL_TOOLS, "3 definitions of 2 agents"),
        ({k: SEVERAL_TOOLS[k] for k in list(SEVERAL_TOOLS)[::2]}, "2 agents"),
    ],
)
@pytest.mark.parametrize(
    ("command", "summary"),
    [
        (["scan", "repo"], "\n{} , 0 errors, 0 warnings\n"),
        (["lint", "repo"], "{} checked: 0 errors, 0 warnings, 0 notes\n"),
        (["generate", "repo", "--docs-dir", "docs", "--no-cache"], "{}: "),
        (["generate", "repo", "--docs-dir", "docs"], "{}: "),
        (["build", "repo", "--site-dir", "site"], "Built {} into "),
    ],
)
def test_the_summary_counts_definitions_and_agents_where_they_differ(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str],
    counted: str,
    command: list[str],
    summary: str,
) -> None:
    for rel, text in files.items():
        (tmp_path / "repo" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "repo" / rel).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AGENT_CATALOG_CACHE_DIR", str(tmp_path / "cache"))
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 0, result.output
    assert summary.format(counted).replace(" ,", ",") in result.output, result.output


@pytest.mark.parametrize(
    ("files", "counted"),
    [
        (SEVERAL_TOOLS, "3 definitions of 2 agents"),
        ({k: SEVERAL_TOOLS[k] for k in list(SEVERAL_TOOLS)[::2]}, "2 agents"),
    ],
)
def test_a_cached_generate_counts_definitions_and_agents_as_a_full_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str], counted: str
) -> None:
    """Runs that have no catalog at hand (nothing changed; one agent edited in place) count
    the entries from the cache's figures, as the first run counts them from the catalog."""
    for rel, text in files.items():
        (tmp_path / "repo" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "repo" / rel).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AGENT_CATALOG_CACHE_DIR", str(tmp_path / "cache"))
    command = ["generate", "repo", "--docs-dir", "docs"]
    summaries = []
    for edit in (False, False, True):
        if edit:
            solo = tmp_path / "repo/.claude/agents/solo.md"
            solo.write_text(solo.read_text(encoding="utf-8").replace("Alone.", "Alone, still."), encoding="utf-8")
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 0, result.output
        summaries.append(result.output.splitlines()[-1])
    assert "nothing changed since the last run" in summaries[1]
    assert "1 file written" in summaries[2] or "files written" in summaries[2]
    assert [summary.partition(":")[0] for summary in summaries] == [counted] * 3, summaries
