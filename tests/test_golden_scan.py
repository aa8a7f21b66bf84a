"""Golden files: whole `scan --json` agent records, one per format and the seed.

Review changes as diffs; `pytest --update-goldens` rewrites tests/golden/scan/ from the current output.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from catalog.cli.main import main
from catalog.render.jsonout import catalog_to_dict, dumps
from catalog.types import Catalog
from tests.conftest import FIXTURES, SHARED, Golden

# One real record of each format in the corpus, chosen for what they exercise.
CORPUS_RECORDS = {
    # plugin + marketplace + marketplace category, comma-string tools
    "claude-code": "wshobson__agents/plugins/operating-kit/agents/prod-logs-health-check.md",
    # display-title name, YAML-list tools with a `server/*` entry, an extra mapping key
    "copilot-agent": "github__awesome-copilot/agents/scientific-paper-research.agent.md",
    # no `name` at all: the file name is the name
    "copilot-chatmode": "github__awesome-copilot/chatmodes/planner.chatmode.md",
    # `id` + display `name`, {tool: bool} map, category from frontmatter over 0-category.json
    "opencode": "darrenhinde__OpenAgentsControl/.opencode/agent/subagents/core/documentation.md",
    # `permission:` allow / deny per tool and no `tools:`: the denied tools are not allowed
    "opencode-permission": "uplift-labs__opencode-agents-and-skills/.opencode/agents/code-quality-reviewer.md",
    # TOML with no description: it is in .codex/config.toml; sandbox_mode read-only
    "codex": "oaknational__oak-python-starter/.codex/agents/code-reviewer.toml",
    # one mode of seven in .roomodes: whenToUse as the description, groups with a fileRegex
    "roo-code": "AIGeekSquad__AIContext/.roomodes#deep-research",
    # JSON whose prompt is file://./prompts/code-reviewer.md; allowedTools names an MCP server
    "kiro": "kyleseaman__kiro-code-reviews/.kiro/agents/code-reviewer.json",
    # readonly: true, and a `tools` key Cursor does not read
    "cursor": "oaknational__oak-python-starter/.cursor/agents/code-reviewer.md",
    # Qwen Code tool ids, qwen-plus
    "qwen-code": "choms0521__oh-qwen-code/.qwen/agents/executor.md",
    # a name that differs from the file name, Factory tool names in a flow list
    "factory": "jmagly__ai-writing-guide/.factory/droids/project-manager.md",
}


def scan_json(cwd: Path, target: str) -> dict[str, Any]:
    """Run `agent-catalog scan TARGET --json` from ``cwd``, as a user would."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, ["scan", target, "--json"])
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def assert_no_absolute_paths(record: dict[str, Any]) -> None:
    text = json.dumps(record, ensure_ascii=False)
    assert not os.path.isabs(record["path"])
    assert ".." not in Path(record["path"]).parts
    for folder in (SHARED, FIXTURES, Path(__file__).resolve().parents[1]):
        assert str(folder) not in text


def record_at(data: dict[str, Any], path: str) -> dict[str, Any]:
    records: list[dict[str, Any]] = [a for a in data["agents"] if a["path"] == path]
    assert len(records) == 1, path
    return records[0]


@pytest.fixture(scope="module")
def corpus_json(corpus_catalog: Catalog) -> dict[str, Any]:
    # The session's corpus scan through the serializer `scan --json` prints (catalog.render.jsonout):
    # a second scan of 957 files through the CLI would only repeat test_corpus.
    data: dict[str, Any] = json.loads(dumps(catalog_to_dict(corpus_catalog)))
    return data


@pytest.mark.corpus
def test_seed_record(seed_file: Path, golden: Golden) -> None:
    data = scan_json(seed_file.parent.parent, seed_file.parent.name)
    [record] = data["agents"]
    assert_no_absolute_paths(record)
    assert record["path"] == "backend-specialist.md"
    assert [f["path"] for f in data["findings"]] == ["seed/backend-specialist.md"]
    golden.check("scan/seed.json", record)


@pytest.mark.corpus
@pytest.mark.parametrize("fmt", sorted(CORPUS_RECORDS))
def test_corpus_record_of_each_format(corpus_json: dict[str, Any], golden: Golden, fmt: str) -> None:
    record = record_at(corpus_json, CORPUS_RECORDS[fmt])
    assert record["format"] == fmt.removesuffix("-permission")
    assert_no_absolute_paths(record)
    golden.check(f"scan/{fmt}.json", record)


def test_gemini_cli_record(golden: Golden) -> None:
    data = scan_json(FIXTURES, "gemini")
    [record] = data["agents"]
    assert record["format"] == "gemini-cli"
    assert record["path"] == ".gemini/agents/codebase-investigator.md"
    assert data["findings"] == []
    assert_no_absolute_paths(record)
    golden.check("scan/gemini-cli.json", record)


@pytest.mark.corpus
def test_written_line_breaks_record(corpus_json: dict[str, Any], golden: Golden) -> None:
    """davila7's double-quoted "...\\\\n<example>\\\\n..." description: shown with line breaks,
    its examples in turns, and the text as written in description_raw."""
    path = "davila7__claude-code-templates/cli-tool/components/agents/security/ad-security-reviewer.md"
    record = record_at(corpus_json, path)
    assert "\\n" in record["description_raw"] and "\\n" not in record["description"]
    assert_no_absolute_paths(record)
    golden.check("scan/claude-code-written-line-breaks.json", record)
