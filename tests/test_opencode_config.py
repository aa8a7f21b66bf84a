"""opencode agents defined in opencode.json's "agent" map (opencode.ai/docs/agents), not only in
.opencode/agent/*.md: rwn34/rwn-multi-cli-skills defines its opencode agent there, with its
prompt in "{file:./.opencode/contract.md}", and it had no page."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from catalog.layout import RenderOptions
from catalog.pipeline import generate_docs
from catalog.types import Format
from tests.test_formats import one, scan, write

CONFIG = """{
  // opencode reads JSON with comments and trailing commas
  "$schema": "https://opencode.ai/config.json",
  "model": "anthropic/claude-sonnet-4-5",
  "agent": {
    "build": {"model": "anthropic/claude-opus-4-1"},
    "reviewer": {
      "description": "Reviews code for bugs.",
      "mode": "subagent",
      "model": "anthropic/claude-sonnet-4-5",
      "prompt": "{file:./prompts/reviewer.txt}",
      "permission": {"edit": "deny", "bash": "ask"},
    },
    "docs": {
      "description": "Writes docs.", /* inline prompt */
      "prompt": "You write documentation.",
      "tools": {"write": true, "bash": false},
    },
  },
}
"""


@pytest.mark.parametrize("file_name", ["opencode.json", "opencode.jsonc"])
def test_agents_of_opencode_json_are_agents(tmp_path: Path, file_name: str) -> None:
    write(tmp_path, file_name, CONFIG)
    write(tmp_path, "prompts/reviewer.txt", "You review code.\n")
    catalog = scan(tmp_path)
    # "build" only tunes opencode's own agent: no page of its own.
    assert sorted((a.name, a.path, a.format) for a in catalog.agents) == [
        ("docs", f"{file_name}#docs", Format.OPENCODE),
        ("reviewer", f"{file_name}#reviewer", Format.OPENCODE),
    ]
    reviewer, docs = one(catalog, "reviewer"), one(catalog, "docs")
    assert (reviewer.description, reviewer.body, reviewer.model) == (
        "Reviews code for bugs.",
        "You review code.",
        "anthropic/claude-sonnet-4-5",
    )
    assert "edit" in reviewer.disallowed_tools
    assert (docs.body, docs.description) == ("You write documentation.", "Writes docs.")
    assert "bash" in docs.disallowed_tools
    assert reviewer.key_lines["description"] == 7 and docs.body_line == 14  # the line of its key
    assert catalog.findings == ()


@pytest.mark.parametrize("prompt", ["{file:../secret.txt}", "{file:/etc/hostname}", "{file:~/secret.txt}"])
def test_a_prompt_file_outside_the_scanned_folder_is_never_read(tmp_path: Path, prompt: str) -> None:
    write(tmp_path, "secret.txt", "TOP SECRET")
    root = tmp_path / "repo"
    write(root, "opencode.json", json.dumps({"agent": {"a": {"description": "A.", "prompt": prompt}}}))
    catalog = scan(root)
    [agent] = catalog.agents
    assert "SECRET" not in agent.body and agent.body == ""
    assert [f.code for f in catalog.findings] == ["AC119"]


@pytest.mark.parametrize(
    "text",
    [
        "{",
        "[1, 2]",
        '{"agent": []}',
        '{"agent": {"a": "not a map", "b": {"description": 5}}}',
        '{"agent": {"../x": {"description": "Path."}, "a b": {"description": "Space."}}}',
        '{"agent": ' + "[" * 5000 + "]" * 5000 + "}",
        '{"agent": {"a": {"description": "A.", "prompt": {"file": "x"}}}}',
        '"\\ud800"',
    ],
)
def test_a_hostile_opencode_json_gives_no_traceback_and_no_false_agent(tmp_path: Path, text: str) -> None:
    write(tmp_path, "opencode.json", text)
    write(tmp_path, ".opencode/agent/ok.md", "---\ndescription: Fine.\n---\nYou are fine.\n")
    catalog = scan(tmp_path)
    assert "ok" in [a.name for a in catalog.agents]
    assert not [f for f in catalog.findings if f.code == "AC109"]
    assert all(a.name in ("ok", "a") for a in catalog.agents)


def test_editing_the_prompt_file_writes_what_a_fresh_run_writes(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root, "opencode.json", CONFIG)
    prompt = write(root, "prompts/reviewer.txt", "You review code.\n")
    docs, fresh = tmp_path / "docs", tmp_path / "fresh"
    generate_docs([str(root)], docs, RenderOptions())
    prompt.write_text("You review code, twice.\n", encoding="utf-8")
    os.utime(prompt, (os.stat(prompt).st_atime, os.stat(prompt).st_mtime + 5))
    generate_docs([str(root)], docs, RenderOptions())
    generate_docs([str(root)], fresh, RenderOptions(), cache=False)
    assert "twice" in (docs / "agents/reviewer.md").read_text(encoding="utf-8")
    for page in ("agents/reviewer.md", "agents/docs.md", "catalog.json"):
        assert (docs / page).read_text(encoding="utf-8") == (fresh / page).read_text(encoding="utf-8")


def _roomodes(*slugs: str) -> tuple[str, str]:
    modes = "".join(f"  - slug: {s}\n    name: {s}\n    roleDefinition: Do {s}.\n" for s in slugs)
    return ".roomodes", "customModes:\n" + modes


def _opencode(*names: str) -> tuple[str, str]:
    return "opencode.json", json.dumps(
        {"agent": {n: {"description": f"Does {n}.", "prompt": f"Do {n}."} for n in names}}
    )


@pytest.mark.parametrize("kind", [_roomodes, _opencode])
@pytest.mark.parametrize(
    ("before", "after"),
    [(("a", "b"), ("a", "c")), (("a", "b"), ("a", "b", "c")), (("a", "b"), ("a",)), (("a",), ("b", "a"))],
)
def test_agents_added_renamed_or_removed_in_a_file_of_several_write_what_a_fresh_run_writes(
    tmp_path: Path, kind: object, before: tuple[str, ...], after: tuple[str, ...]
) -> None:
    # Renaming a mode of .roomodes left the old mode's page and gave the new one none: the
    # quick update took the changed file for the same agents.
    root = tmp_path / "repo"
    name, text = kind(*before)  # type: ignore[operator]
    path = write(root, name, text)
    docs, fresh = tmp_path / "docs", tmp_path / "fresh"
    generate_docs([str(root)], docs, RenderOptions())
    path.write_text(kind(*after)[1], encoding="utf-8")  # type: ignore[operator]
    os.utime(path, (os.stat(path).st_atime, os.stat(path).st_mtime + 5))
    generate_docs([str(root)], docs, RenderOptions())
    generate_docs([str(root)], fresh, RenderOptions(), cache=False)
    assert sorted(p.name for p in (docs / "agents").iterdir()) == sorted(p.name for p in (fresh / "agents").iterdir())
    assert (docs / "catalog.json").read_text(encoding="utf-8") == (fresh / "catalog.json").read_text(encoding="utf-8")


def test_the_deprecated_mode_map_of_opencode_json_defines_primary_agents(tmp_path: Path) -> None:
    """Config.load migrates opencode.json's "mode" map into "agent": mergeDeep(agent, {[name]:
    {...mode, mode: "primary"}}). A mode is an agent, primary, its settings over an agent's."""
    write(
        tmp_path,
        "opencode.json",
        json.dumps(
            {
                "mode": {
                    "review": {"description": "Reviews.", "prompt": "You review.", "temperature": 0.1},
                    "docs": {"model": "anthropic/claude-x"},
                    "build": {"model": "anthropic/claude-y"},
                },
                "agent": {
                    "docs": {"description": "Writes docs.", "prompt": "You write.", "mode": "subagent"},
                    "helper": {"description": "Helps.", "prompt": "You help."},
                },
            },
            indent=2,
        ),
    )
    catalog = scan(tmp_path)
    found = {a.name: (a.extra.get("mode"), a.model, a.key_lines["description"]) for a in catalog.agents}
    assert found == {
        "review": ("primary", None, 3),  # the line of its key, as for the agents of "agent"
        "docs": ("primary", "anthropic/claude-x", 8),
        "helper": (None, None, 21),
    }
    assert catalog.findings == ()
