"""`agent-catalog lint`: every rule fails a bad file and passes a good one; switches, formats, exits.

Each case writes a small project to ``tmp_path`` in the layout its format needs and runs the
real command there (``--format json``), so discovery, parsing, rules and switches all take part.
A rule without a case fails ``test_every_rule_has_a_case``.
"""

from __future__ import annotations

import fnmatch
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.cli.main import main
from catalog.lint.rules import RULES


@dataclass(frozen=True)
class Fifo:
    """A named pipe where an agent file would be."""


@dataclass(frozen=True)
class Link:
    """A symlink to ``target`` (relative to the link's folder)."""

    target: str


@dataclass(frozen=True)
class DeepFolders:
    """Folders nested so deep that their path is longer than the OS allows (PATH_MAX, 4096):
    even root cannot list them, where a chmod 000 folder would not stop root."""

    levels: int = 20


FileContent = str | bytes | Fifo | Link | DeepFolders
Files = Mapping[str, FileContent]


def md(*frontmatter: str, body: str = "Body.\n") -> str:
    """An agent file: the frontmatter lines between '---' lines, then the body."""
    return "---\n" + "".join(line + "\n" for line in frontmatter) + "---\n" + body


def ok(name: str = "helper", *more: str) -> str:
    return md(f"name: {name}", "description: Helps with things.", *more)


@dataclass(frozen=True)
class Case:
    code: str
    bad: Files
    good: Files
    at: tuple[str, ...]  # "path:line:col" of every finding of `code` in the bad project (fnmatch pattern)
    severity: str | None = None  # default: the rule's
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.code}-{self.label}" if self.label else self.code


A = ".claude/agents"
# Two agents that claim the same requests (AC303), and one that does not.
RIVAL_A = md("name: pg", "description: Tunes slow PostgreSQL queries, reads EXPLAIN plans and adds indexes.")
RIVAL_B = md("name: sql", "description: Speeds up slow PostgreSQL queries with indexes and EXPLAIN plans.")
STRANGER = md("name: docs", "description: Writes release notes and changelogs for each version.")
CODEX_OK = 'name = "x"\ndescription = "Helps."\ndeveloper_instructions = """\nYou help.\n"""\n'
ROO_OK = (
    "customModes:\n  - slug: helper\n    name: Helper\n    roleDefinition: You help.\n"
    "    description: Helps.\n    groups: [read]\n"
)
KIRO_FILE = '{"name": "x", "description": "Helps.", "prompt": "file://./p.md"}'
TWO_MIB = 2 * 1024 * 1024

CASES = [
    # Scan findings (AC1xx): the file cannot be read, decoded or split.
    Case(
        "AC100",
        {"pyproject.toml": '[tool.agent-catalog]\nsources = ["missing"]\n'},
        {"pyproject.toml": '[tool.agent-catalog]\nsources = ["agents"]\n', "agents/helper.md": ok()},
        ("missing:1:1",),
    ),
    Case("AC101", {f"{A}/pipe.md": Fifo()}, {f"{A}/pipe.md": ok()}, (f"{A}/pipe.md:1:1",)),
    Case(
        "AC102",
        {f"{A}/big.md": ok() + "x" * TWO_MIB},
        {f"{A}/big.md": ok() + "x" * 1000},
        (f"{A}/big.md:1:1",),
    ),
    Case(
        "AC103",
        {f"{A}/x.md": ok().encode() + b"caf\xe9\n"},
        {f"{A}/x.md": ok() + "café\n"},
        (f"{A}/x.md:6:1",),
        label="latin1",
    ),
    Case(
        "AC103",
        {f"{A}/x.md": ok().encode("utf-16")},
        {f"{A}/x.md": ok()},
        (f"{A}/x.md:1:1",),
        severity="warning",
        label="utf16",
    ),
    Case("AC104", {f"{A}/x.md": b"\xef\xbb\xbf" + ok().encode()}, {f"{A}/x.md": ok()}, (f"{A}/x.md:1:1",)),
    Case("AC105", {f"{A}/x.md": ok() + "a\x00b\n"}, {f"{A}/x.md": ok() + "ab\n"}, (f"{A}/x.md:6:1",)),
    Case("AC106", {f"{A}/x.md": ok().replace("\n", "\r\n")}, {f"{A}/x.md": ok()}, (f"{A}/x.md:1:1",)),
    Case("AC110", {f"{A}/x.md": "Just a prompt.\n"}, {f"{A}/x.md": ok()}, (f"{A}/x.md:1:1",)),
    Case("AC110", {f"{A}/x.md": ""}, {f"{A}/x.md": ok()}, (f"{A}/x.md:1:1",), label="empty"),
    Case("AC111", {f"{A}/x.md": "\n\n" + ok()}, {f"{A}/x.md": ok()}, (f"{A}/x.md:3:1",)),
    Case(
        "AC112",
        {f"{A}/x.md": "".join("  " + line + "\n" for line in ok().splitlines())},
        {f"{A}/x.md": ok()},
        (f"{A}/x.md:1:1",),
    ),
    Case(
        "AC113",
        {f"{A}/x.md": "---\nname: helper\ndescription: Helps.\n\nBody.\n"},
        {f"{A}/x.md": ok()},
        (f"{A}/x.md:1:1",),
    ),
    Case(
        "AC114",
        {f"{A}/x.md": md("name: helper", "description: Helps.", "tools: !!python/object:os.system ls")},
        {f"{A}/x.md": md("name: helper", "description: Helps.", "tools: Read")},
        (f"{A}/x.md:4:8",),
    ),
    Case(
        "AC114",
        {f"{A}/x.md": md("name: helper", "description: &a [*a]")},
        {f"{A}/x.md": ok()},
        (f"{A}/x.md:3:*",),
        label="recursive-alias",
    ),
    Case(
        "AC115",
        {f"{A}/x.md": md("name: helper", "description: Use it when: the build breaks")},
        {f"{A}/x.md": md("name: helper", 'description: "Use it when: the build breaks"')},
        (f"{A}/x.md:3:25",),  # the second ": ",
        severity="info",  # Claude Code, the file's tool, reads it: a note for other tools
    ),
    Case(
        "AC115",
        {".github/agents/x.agent.md": md("name: helper", "description: Use it when: the build breaks")},
        {".github/agents/x.agent.md": md("name: helper", 'description: "Use it when: the build breaks"')},
        (".github/agents/x.agent.md:3:25",),
        label="its-own-tool",  # Copilot loads YAML strictly: a warning
    ),
    Case("AC116", {f"{A}/x.md": md("- name", "- description")}, {f"{A}/x.md": ok()}, (f"{A}/x.md:2:1",)),
    Case(
        "AC117",
        {f"{A}/x.md": md("name: helper", "description: One.", "description: Two.")},
        {f"{A}/x.md": ok()},
        (f"{A}/x.md:4:1",),
    ),
    Case(
        "AC118",
        {f"{A}/x.md": md("name: helper", "description: Helps.", "created: 2024-02-30")},
        {f"{A}/x.md": md("name: helper", "description: Helps.", "created: 2024-02-28")},
        (f"{A}/x.md:4:10",),
    ),
    Case(
        "AC120",
        {f"{A}/x.md": ok() + "<example>\nuser: hi\n"},
        {f"{A}/x.md": ok() + "<example>\nuser: hi\n</example>\n"},
        (f"{A}/x.md:6:1",),
    ),
    Case(
        "AC121",
        {f"{A}/x.md": ok() + "text\n</example>\n"},
        {f"{A}/x.md": ok() + "text\n"},
        (f"{A}/x.md:7:1",),
    ),
    Case(
        "AC130",
        {".claude-plugin/marketplace.json": '{"name": "tools",\n', f"{A}/x.md": ok()},
        {".claude-plugin/marketplace.json": '{"name": "tools"}\n', f"{A}/x.md": ok()},
        (".claude-plugin/marketplace.json:2:1",),
    ),
    Case(
        "AC131",
        {f"{A}/x.md": ok(), f"{A}/deep": DeepFolders()},
        {f"{A}/x.md": ok(), f"{A}/deep": DeepFolders(levels=2)},
        (f"{A}/deep/d*/:1:1",),  # a folder, shown with its slash,
    ),
    Case(
        "AC132",
        {f"{A}/x.md": ok(), f"{A}/out.md": Link("../../../outside.md")},
        {f"{A}/x.md": ok(), f"{A}/out.md": Link("x.md")},
        (f"{A}/out.md:1:1",),
    ),
    Case(
        "AC132",
        {".claude-plugin/marketplace.json": Link("../../outside.md"), f"{A}/x.md": ok()},
        {".claude-plugin/marketplace.json": '{"name": "tools"}\n', f"{A}/x.md": ok()},
        (".claude-plugin/marketplace.json:1:1",),
        label="manifest",
    ),
    Case(
        "AC133",
        {f"{A}/caf\udce9.md": ok()},  # the Latin-1 byte 0xe9, as Python names a byte that is not UTF-8
        {f"{A}/cafe.md": ok()},
        (f"{A}/caf\\xe9.md:1:1",),
    ),
    Case(
        "AC140",
        {f"{A}/a.md": ok("code-reviewer"), f"{A}/b.md": ok("code-reviewer-", "# agent-catalog: disable=AC204")},
        {f"{A}/a.md": ok("code-reviewer"), f"{A}/b.md": ok("code-tester")},
        (f"{A}/b.md:2:1",),
    ),
    # Will it load?
    Case(
        "AC108",
        {".codex/agents/x.toml": 'name = "x\n', ".roomodes": "customModes:\n  - slug: [x\n"},
        {".codex/agents/x.toml": CODEX_OK, ".roomodes": ROO_OK},
        (".codex/agents/x.toml:1:1", ".roomodes:*:1"),
    ),
    Case(
        "AC108",
        {".kiro/agents/x.json": '{"name": "x",\n "description": }'},
        {".kiro/agents/x.json": '{"name": "x", "description": "Helps.", "prompt": "You help."}'},
        (".kiro/agents/x.json:2:1",),
        label="kiro",
    ),
    Case(
        "AC119",
        {".kiro/agents/x.json": KIRO_FILE.replace("./p.md", "../../../outside/p.md")},
        {".kiro/agents/x.json": KIRO_FILE, ".kiro/agents/p.md": "You help."},
        (".kiro/agents/x.json:1:1",),
    ),
    Case("AC201", {f"{A}/x.md": md("description: Helps.")}, {f"{A}/x.md": ok()}, (f"{A}/x.md:1:1",)),
    Case(
        "AC201",
        {".gemini/agents/x.md": md("description: Helps.")},
        {".gemini/agents/x.md": ok()},
        (".gemini/agents/x.md:1:1",),
        label="gemini",
    ),
    Case(
        "AC201",
        # Copilot and opencode take the name from the file: no name field is fine there.
        {"x.agent.md": md("description: Helps."), ".opencode/agent/y.md": ok(), f"{A}/z.md": md("description: H.")},
        {"x.agent.md": md("description: Helps."), ".opencode/agent/y.md": md("description: Helps.")},
        (f"{A}/z.md:1:1",),
        label="copilot-opencode",
    ),
    Case(
        "AC201",
        {
            ".codex/agents/x.toml": 'description = "Helps."\ndeveloper_instructions = "You help."\n',
            ".factory/droids/d.md": md("description: Helps."),
        },
        {".codex/agents/x.toml": CODEX_OK, ".factory/droids/d.md": ok()},
        (".codex/agents/x.toml:1:1", ".factory/droids/d.md:1:1"),
        label="codex-factory",
    ),
    Case(
        "AC205",
        {".roomodes": ROO_OK.replace("slug: helper", "slug: my helper"), ".factory/droids/d.md": ok("My Droid")},
        {".roomodes": ROO_OK, ".factory/droids/d.md": ok("my-droid")},
        (".factory/droids/d.md:2:1", ".roomodes#mode-1:2:1"),
    ),
    Case(
        "AC207",
        {".gemini/agents/team/x.md": md("name: x", "description: Helps."), ".gemini/agents/_y.md": ok("y")},
        {".gemini/agents/x.md": ok("x"), ".gemini/agents/y.md": ok("y")},
        (".gemini/agents/_y.md:1:1", ".gemini/agents/team/x.md:1:1"),
    ),
    Case(
        "AC205",
        # Gemini CLI's nameSchema is /^[a-z0-9-_]+$/: it refuses the file, where Claude Code only warns (AC204).
        {".gemini/agents/x.md": md("name: Code Reviewer", "description: Helps."), f"{A}/y.md": ok("Code_Reviewer")},
        {".gemini/agents/x.md": ok("code_reviewer"), f"{A}/y.md": ok("code-reviewer")},
        (".gemini/agents/x.md:2:1",),
        label="gemini",
    ),
    Case(
        "AC208",
        # Gemini CLI's agent schema is strict (zod .strict()): another field, a tool or kind it does not know
        # makes it refuse the whole file, agent-catalog's own category and tags too.
        {
            ".gemini/agents/x.md": ok(
                "x", "author: me", "category: ops", "tools: [read_file, Read]", "kind: nearby", "max_turns: 3"
            )
        },
        {
            ".gemini/agents/x.md": ok(
                "x", "tools: [read_file, run_shell_command, mcp_github_list_issues]", "kind: local"
            ),
            f"{A}/y.md": ok("y", "author: me", "category: ops", "tools: [Read, read_file]"),
        },
        (".gemini/agents/x.md:4:1", ".gemini/agents/x.md:5:1", ".gemini/agents/x.md:6:1", ".gemini/agents/x.md:7:1"),
    ),
    Case(
        "AC208",
        # agentLoader.ts's localAgentSchema has neither mcpServers nor policy; isValidToolName takes
        # mcp_<server>_<tool> only (not Claude Code's mcp__server__tool, nor a pattern's argument), and
        # save_memory is no tool of Gemini CLI's since 2026-05.
        {
            ".gemini/agents/x.md": ok("x", "mcpServers: {}", "policy: {}"),
            ".gemini/agents/y.md": ok("y", "tools: [mcp__github__list_issues]"),
            ".gemini/agents/z.md": ok("z", "tools: ['run_shell_command(git)', save_memory, mcp__x]"),
        },
        {
            ".gemini/agents/x.md": ok("x", "mcp_servers: {}"),
            ".gemini/agents/y.md": ok("y", "tools: [mcp_github_list_issues, mcp_github_*, '*']"),
            ".gemini/agents/z.md": ok("z", "tools: [run_shell_command, complete_task, invoke_agent]"),
        },
        (
            ".gemini/agents/x.md:4:1",
            ".gemini/agents/x.md:5:1",
            ".gemini/agents/y.md:4:1",
            *[".gemini/agents/z.md:4:1"] * 3,
        ),
        label="gemini-keys-and-tools",
    ),
    Case(
        "AC208",
        # The schema checks types too: tools is a list (a comma-separated string, as Claude Code takes, is
        # refused), max_turns and timeout_mins whole numbers above 0, temperature a number, model text.
        {
            ".gemini/agents/x.md": ok("x", "tools: read_file, glob"),
            ".gemini/agents/y.md": ok("y", "max_turns: 0", "timeout_mins: 2.5", "temperature: high", "model: [a]"),
        },
        {
            ".gemini/agents/x.md": ok("x", "tools: [read_file, glob]"),
            ".gemini/agents/y.md": ok("y", "max_turns: 3", "timeout_mins: 2", "temperature: 1", "model: gemini-x"),
        },
        (
            ".gemini/agents/x.md:4:1",
            ".gemini/agents/y.md:4:1",
            ".gemini/agents/y.md:5:1",
            ".gemini/agents/y.md:6:1",
            ".gemini/agents/y.md:7:1",
        ),
        label="gemini-types",
    ),
    Case(
        "AC208",
        # A local agent's keys and a remote one's are two strict schemas: a file of both fits neither, and a
        # remote agent needs exactly one of agent_card_url and agent_card_json (remoteAgentUrlSchema, ...Json).
        {
            ".gemini/agents/x.md": ok("x", "kind: remote", "tools: [glob]", "agent_card_url: https://a.example/c"),
            ".gemini/agents/y.md": ok("y", "model: gemini-x", "auth: {type: apiKey, key: k}"),
            ".gemini/agents/z.md": ok("z", "kind: remote"),
        },
        {
            ".gemini/agents/x.md": ok("x", "kind: remote", "agent_card_url: https://a.example/c"),
            ".gemini/agents/y.md": ok("y", "model: gemini-x", "tools: [glob]"),
            ".gemini/agents/z.md": ok("z", "auth: {type: apiKey, key: k}", "agent_card_json: '{}'"),
        },
        (".gemini/agents/x.md:5:1", ".gemini/agents/y.md:5:1", ".gemini/agents/z.md:1:1"),
        label="gemini-kinds",
    ),
    Case(
        "AC206",
        # Factory's DroidValidator: a droid needs a non-empty body (its prompt), where Claude Code takes none.
        {
            ".factory/droids/d.md": md("name: d", "description: Helps.", body="\n  \n"),
            f"{A}/c.md": md("name: c", "description: Helps.", body=""),
        },
        {".factory/droids/d.md": ok("d"), f"{A}/c.md": md("name: c", "description: Helps.", body="")},
        (".factory/droids/d.md:1:1",),
        label="factory-body",
    ),
    Case(
        "AC208",
        # Factory fails a droid with a tool it does not know (Claude Code's Write); a category, its tools,
        # Task and TodoWrite and an MCP tool it knows, and mcpServers is one of its keys.
        {".factory/droids/d.md": ok("d", 'tools: ["Read", "Write"]')},
        {
            ".factory/droids/d.md": ok("d", 'tools: ["Read", "Task", "TodoWrite", "mcp__linear__x"]', "mcpServers: []"),
            ".factory/droids/e.md": ok("e", "tools: read-only"),
        },
        (".factory/droids/d.md:4:1",),
        label="factory-tools",
    ),
    Case(
        "AC208",
        # opencode keeps a field it does not know (AgentSchema is a StructWithRest: the rest goes to
        # options) but refuses an agent whose known field has a value of another kind or choice.
        {
            ".opencode/agent/x.md": md(
                "description: Helps.",
                "mode: helper",
                "color: blue",
                "temperature: warm",
                "steps: 0",
                "hidden: sometimes",
                "permission: {edit: true}",
                "author: me",
            )
        },
        {
            ".opencode/agent/x.md": md(
                "description: Helps.",
                "mode: subagent",
                "color: '#FF5733'",
                "temperature: 0.2",
                "steps: 5",
                "hidden: true",
                "permission: {edit: deny, bash: {'git *': allow, '*': ask}}",
                "author: me",
            ),
            ".opencode/agent/y.md": md("description: Helps.", "color: accent", "top_p: 1", "permission: ask"),
        },
        tuple(f".opencode/agent/x.md:{line}:1" for line in range(3, 9)),
        label="opencode",
    ),
    Case(
        "AC206",
        {
            ".codex/agents/x.toml": 'name = "x"\ndescription = "Helps."\n',
            ".roomodes": ROO_OK.replace("    roleDefinition: You help.\n", ""),
        },
        {".codex/agents/x.toml": CODEX_OK, ".roomodes": ROO_OK},
        (".codex/agents/x.toml:1:1", ".roomodes#helper:2:1"),
    ),
    Case("AC202", {f"{A}/x.md": md("name: helper")}, {f"{A}/x.md": ok()}, (f"{A}/x.md:1:1",)),
    Case(
        "AC202",
        {".opencode/agent/x.md": md("mode: subagent")},
        {".opencode/agent/x.md": md("mode: subagent", "description: Helps.")},
        (".opencode/agent/x.md:1:1",),
        label="opencode",
    ),
    Case(
        "AC202",
        {f"{A}/x.md": md("name: helper", 'description: ""')},
        {f"{A}/x.md": ok()},
        (f"{A}/x.md:3:1",),
        label="empty",
    ),
    Case(
        "AC203",
        {f"{A}/x.md": md('name: "team:helper"', "description: Helps.")},
        {f"{A}/x.md": md("name: team-helper", "description: Helps.")},
        (f"{A}/x.md:2:1",),
    ),
    Case(
        "AC203",
        {f"{A}/x.md": md("description: Helps.", "name: -helper")},
        {f"{A}/x.md": md("description: Helps.", "name: helper-")},
        (f"{A}/x.md:3:1",),
        label="leading-dash",
    ),
    Case(
        "AC204",
        {f"{A}/x.md": md("name: Code_Reviewer", "description: Helps.")},
        {f"{A}/x.md": md("name: code-reviewer2", "description: Helps.")},
        (f"{A}/x.md:2:1",),
    ),
    # Duplicates.
    Case(
        "AC301",
        {f"{A}/a.md": ok("helper"), f"{A}/b.md": ok("Helper")},
        {f"{A}/a.md": ok("helper"), f"{A}/b.md": ok("helper-two")},
        (f"{A}/a.md:2:1", f"{A}/b.md:2:1"),
    ),
    Case(
        "AC301",
        # Different formats load from different places: the same name is no duplicate.
        {f"{A}/a.md": ok("helper"), "helper.agent.md": ok("helper"), f"{A}/sub/b.md": ok("helper")},
        {f"{A}/a.md": ok("helper"), "helper.agent.md": ok("helper")},
        (f"{A}/a.md:2:1", f"{A}/sub/b.md:2:1"),
        label="scope",
    ),
    Case(
        "AC302",
        {"team-a/agents/x.md": ok("helper"), "team-b/agents/x.md": ok("helper")},
        {"team-a/agents/x.md": ok("helper"), "team-b/agents/x.md": ok("other")},
        ("team-a/agents/x.md:2:1", "team-b/agents/x.md:2:1"),
    ),
    Case(
        "AC303",
        {f"{A}/pg.md": RIVAL_A, f"{A}/sql.md": RIVAL_B, f"{A}/docs.md": STRANGER},
        # The same two for two tools (Claude Code, Copilot) of one repository: no tool loads both.
        {f"{A}/pg.md": RIVAL_A, f"{A}/docs.md": STRANGER, ".github/agents/sql.agent.md": RIVAL_B},
        (f"{A}/pg.md:3:1", f"{A}/sql.md:3:1"),
    ),
    Case(
        "AC303",
        {f"{A}/pg.md": RIVAL_A, f"{A}/sql.md": RIVAL_B},
        # The same two in two collections: not loaded together, so not reported.
        {"team-a/agents/pg.md": RIVAL_A, "team-b/agents/sql.md": RIVAL_B},
        (f"{A}/pg.md:3:1", f"{A}/sql.md:3:1"),
        label="scope",
    ),
    Case(
        "AC303",
        # Copilot's agents and chat modes are one tool's.
        {".github/agents/pg.agent.md": RIVAL_A, ".github/chatmodes/sql.chatmode.md": RIVAL_B},
        {".github/agents/pg.agent.md": RIVAL_A, ".github/chatmodes/docs.chatmode.md": STRANGER},
        (".github/agents/pg.agent.md:3:1", ".github/chatmodes/sql.chatmode.md:3:1"),
        label="copilot",
    ),
    # Tools and fields.
    Case(
        "AC401",
        {f"{A}/x.md": ok("helper", "tools: Read, Frobnicate")},
        {f"{A}/x.md": ok("helper", "tools: Read, Bash(git diff:*), mcp__github__create_issue")},
        (f"{A}/x.md:4:1",),
    ),
    Case(
        "AC402",
        {f"{A}/x.md": ok("helper", "tools: [Read, MultiEdit]")},
        {f"{A}/x.md": ok("helper", "tools: [Read, Edit]")},
        (f"{A}/x.md:4:1",),
    ),
    Case(
        "AC402",
        {f"{A}/x.md": ok("helper", "disallowedTools: Task")},
        {f"{A}/x.md": ok("helper", "disallowedTools: Agent")},
        (f"{A}/x.md:4:1",),  # the line of disallowedTools
        label="disallowed",
    ),
    Case(
        "AC403",
        {f"{A}/x.md": ok("helper", "version: 2")},
        {f"{A}/x.md": ok("helper", "maxTurns: 2")},
        (f"{A}/x.md:4:1",),
    ),
    Case(
        "AC403",
        {".opencode/agent/x.md": md("description: Helps.", "category: ops", "tags: [a]", "author: me")},
        # agent-catalog reads category and tags in every format: the README tells people to set them.
        {
            ".opencode/agent/x.md": md("description: Helps.", "category: ops", "tags: [a]"),
            f"{A}/y.md": ok("y", "category: ops", "tags: [a]"),
            "y.agent.md": md("description: Helps.", "category: ops"),
        },
        (".opencode/agent/x.md:5:1",),
        label="catalog-fields",
    ),
    Case(
        "AC403",
        {"x.agent.md": md("description: Helps.", "permissionMode: plan")},
        {"x.agent.md": md("description: Helps.", "target: vscode")},
        ("x.agent.md:3:1",),
        label="copilot",
    ),
    Case(
        "AC404",
        {f"{A}/x.md": ok("helper", "color: mauve", "effort: huge")},
        {f"{A}/x.md": ok("helper", "color: cyan", "effort: high")},
        (f"{A}/x.md:4:1", f"{A}/x.md:5:1"),
    ),
    Case(
        "AC404",
        {f"{A}/x.md": ok("helper", "permissionMode: yolo", "memory: forever", "isolation: docker")},
        {f"{A}/x.md": ok("helper", "permissionMode: auto", "memory: project", "isolation: worktree")},
        (f"{A}/x.md:4:1", f"{A}/x.md:5:1", f"{A}/x.md:6:1"),
        label="enums",
    ),
    Case(
        "AC404",
        # VS Code's customAgentAttributes: target is vscode or github-copilot (chat modes are agents too).
        {".github/agents/x.agent.md": md("description: Helps.", "target: github"), "y.chatmode.md": md("target: ide")},
        {
            ".github/agents/x.agent.md": md("description: Helps.", "target: vscode"),
            "y.chatmode.md": md("target: vscode"),
        },
        (".github/agents/x.agent.md:3:1", "y.chatmode.md:2:1"),
        label="copilot-target",
    ),
    Case(
        "AC405",
        {f"{A}/x.md": ok("helper", "model: gpt-4o")},
        {f"{A}/x.md": ok("helper", "model: claude-sonnet-4-5")},
        (f"{A}/x.md:4:1",),
    ),
    Case(
        "AC405",
        {".opencode/agent/x.md": md("description: Helps.", "model: gpt-4o")},
        {".opencode/agent/x.md": md("description: Helps.", "model: openai/gpt-4o")},
        (".opencode/agent/x.md:3:1",),
        label="opencode",
    ),
    Case(
        "AC406",
        {f"{A}/x.md": ok("helper", "tools: []")},
        {f"{A}/x.md": ok("helper", "tools: Read")},
        (f"{A}/x.md:4:1",),
    ),
    # Examples and structure.
    Case(
        "AC501",
        {f"{A}/x.md": ok() + "\n<example>\nassistant: I will review it.\n</example>\n"},
        {f"{A}/x.md": ok() + "\n<example>\nuser: Review this.\nassistant: I will review it.\n</example>\n"},
        (f"{A}/x.md:7:1",),
    ),
    Case(
        "AC501",
        {
            f"{A}/x.md": md(
                "name: helper",
                'description: "Helps. <example>Context: a diff is open.</example>"',
                body="Body.\n\n<example>\nAssistant: I will review it.\n</example>\n",
            )
        },
        # In the system prompt: a sample of output is no dialogue, **User**/**Agent** lines are
        # turns, and a tag in Markdown code is text.
        {
            f"{A}/x.md": ok()
            + "\n<example>\n```yaml\nreview: done\n```\n</example>\n"
            + "\n<example>\n**User**: Review this.\n\n**Agent**:\n1. Read the diff.\n</example>\n"
            + "\nWrap samples in `<example>` tags.\n"
        },
        (f"{A}/x.md:3:1", f"{A}/x.md:7:1"),
        label="description-and-prompt",
    ),
    Case(
        "AC502",
        {f"{A}/x.md": ok() + "\n## Focus\n\n## Style\nShort.\n"},
        {f"{A}/x.md": ok() + "\n## Focus\nDiffs.\n\n## Style\nShort.\n"},
        (f"{A}/x.md:7:1",),
    ),
    # Text that would render out of proportion: short rows filled in, a definition copied.
    Case(
        "AC503",
        {f"{A}/x.md": ok() + "\n## Table\n\n|" + "a|" * 60 + "\n|" + "-|" * 60 + "\n" + "|\n" * 1000},
        {f"{A}/x.md": ok() + "\n## Table\n\n|" + "a|" * 60 + "\n|" + "-|" * 60 + "\n" + ("|" + "b|" * 60 + "\n") * 20},
        (f"{A}/x.md:7:1",),
    ),
    Case(
        "AC503",
        {f"{A}/x.md": ok() + "\n[r]: https://example.org/" + "x" * 2000 + "\n\n" + "[r] " * 2000 + "\n"},
        {f"{A}/x.md": ok() + "\n[r]: https://example.org/" + "x" * 20 + "\n\n" + "[r] " * 2000 + "\n"},
        (f"{A}/x.md:5:1",),  # where the part of the prompt holding it starts
        label="references",
    ),
    # Context cost: default thresholds, and a configured one.
    Case(
        "AC601",
        {f"{A}/x.md": md("name: helper", "description: " + "x" * 4001)},
        {f"{A}/x.md": md("name: helper", "description: " + "x" * 4000)},
        (f"{A}/x.md:3:1",),
    ),
    Case(
        "AC601",
        {"pyproject.toml": "[tool.agent-catalog]\nmax-description-tokens = 4\n", f"{A}/x.md": ok()},
        {"pyproject.toml": "[tool.agent-catalog]\nmax-description-tokens = 5\n", f"{A}/x.md": ok()},
        (f"{A}/x.md:3:1",),
        label="setting",
    ),
    Case(
        "AC602",
        {
            "pyproject.toml": "[tool.agent-catalog]\nmax-total-description-tokens = 10\n",
            f"{A}/a.md": md("name: a", "description: " + "x" * 20),
            f"{A}/b.md": md("name: b", "description: " + "x" * 24),
        },
        {
            "pyproject.toml": "[tool.agent-catalog]\nmax-total-description-tokens = 11\n",
            f"{A}/a.md": md("name: a", "description: " + "x" * 20),
            f"{A}/b.md": md("name: b", "description: " + "x" * 24),
        },
        (f"{A}/b.md:3:1",),  # once, at the longest description
    ),
]


def write_project(root: Path, files: Files) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Fifo):
            os.mkfifo(path)
        elif isinstance(content, Link):
            path.symlink_to(content.target)
        elif isinstance(content, DeepFolders):
            make_deep_folders(path, content.levels)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def make_deep_folders(top: Path, levels: int) -> None:
    # Created relative to an open folder: a path this long cannot be named in one call.
    top.mkdir()
    fd = os.open(top, os.O_RDONLY)
    try:
        for _ in range(levels):
            os.mkdir("d" * 250, dir_fd=fd)
            inner = os.open("d" * 250, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
    finally:
        os.close(fd)


def lint(*args: str) -> Result:
    return CliRunner().invoke(main, ["lint", *args])


def lint_json(project: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> list[dict[str, Any]]:
    monkeypatch.chdir(project)
    result = lint("--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    findings: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    return findings


def where(finding: Mapping[str, Any]) -> str:
    return f"{finding['path']}:{finding['line']}:{finding['col']}"


CHECKED = {code for code, rule in RULES.items() if rule.check_agent or rule.check_catalog}


# Findings no file can be written to trigger in a scan: AC150 only a site build gives (MkDocs
# failed on a page: tests/test_page_not_built.py); AC109 is a bug of ours meeting a file
# (test_hostile_guard.py makes one happen).
BUILD_ONLY = {"AC150"}
FOR_BUGS = {"AC109"}


def test_every_rule_has_a_case() -> None:
    covered = {case.code for case in CASES} | BUILD_ONLY | FOR_BUGS
    assert covered >= CHECKED, f"rules without a case: {sorted(CHECKED - covered)}"
    assert covered == set(RULES), f"without a case: {sorted(set(RULES) - covered)}; unknown: {covered - set(RULES)}"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_bad_file_gives_the_finding(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "outside.md").write_text(ok("outside"), encoding="utf-8")  # the target of Link cases
    findings = lint_json(write_project(tmp_path / "project", case.bad), monkeypatch)
    hits = [f for f in findings if f["code"] == case.code]
    assert len(hits) == len(case.at), findings
    for hit, pattern in zip(hits, case.at, strict=True):
        assert fnmatch.fnmatchcase(where(hit), pattern), (where(hit), pattern)
        assert hit["severity"] == (case.severity or RULES[case.code].severity)
        assert hit["message"] and "\n" not in hit["message"]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_good_file_gives_no_finding(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "outside.md").write_text(ok("outside"), encoding="utf-8")
    findings = lint_json(write_project(tmp_path / "project", case.good), monkeypatch)
    assert [where(f) for f in findings if f["code"] == case.code] == []


# Clean files of every format: no finding at all, not even a note.
CLEAN: dict[str, str] = {
    f"{A}/reviewer.md": md(
        "name: code-reviewer",
        "description: Reviews diffs before they are merged.",
        "tools: Read, Grep, Bash(git diff:*)",
        "model: sonnet",
        "color: blue",
        body="## Focus\nCorrectness first.\n",
    ),
    ".github/agents/planner.agent.md": md("description: Plans work.", "tools: ['codebase', 'search']"),
    ".github/chatmodes/ask.chatmode.md": md("description: Answers questions.", "model: GPT-4.1"),
    # The keys VS Code reads of a custom agent (promptFileAttributes.ts), a chat mode's too: it is one.
    ".github/agents/hooked.agent.md": md(
        "name: Hooked",
        "description: Runs with hooks.",
        "target: github-copilot",
        "hooks: {}",
        "github: {permissions: {}}",
        "advancedOptions: {}",
        "user-invokable: false",
        "agents: ['*']",
    ),
    ".github/chatmodes/named.chatmode.md": md("name: Named", "description: A mode with a name.", "handoffs: []"),
    ".opencode/agent/builder.md": md("description: Builds things.", "mode: subagent", "model: anthropic/claude-x"),
    ".gemini/agents/researcher.md": md("name: researcher", "description: Finds sources.", "kind: local"),
    # Kiro CLI 3's Markdown agents grant with a permissions list (kiro.dev/docs/cli/v3/agent-config).
    ".kiro/agents/guard.md": md(
        "description: Guards.", "tools: [read, shell]", "permissions:", "  - capability: shell", "    effect: allow"
    ),
    # The keys of Gemini CLI's agentLoader.ts schema (strict: it refuses a file with others).
    ".gemini/agents/remote.md": md(
        "name: remote", "description: Asks a remote agent.", "kind: remote", "agent_card_url: https://a.example/card"
    ),
    ".gemini/agents/guarded.md": md(
        "name: guarded",
        "description: Runs a while.",
        "display_name: Guarded",
        "mcp_servers: {}",
        "timeout_mins: 5",
        "max_turns: 10",
        "temperature: 0.2",
        "model: gemini-2.5-pro",
        "tools: ['*', mcp_github_list_issues, mcp_jira_*, discovered_tool_lint, complete_task, list_mcp_resources]",
    ),
    ".gemini/agents/inline.md": md(
        "name: inline", "description: A remote agent inline.", "kind: remote", "agent_card_json: '{}'"
    ),
}


def test_clean_files_of_every_format_give_no_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert lint_json(write_project(tmp_path, CLEAN), monkeypatch) == []
    assert lint().exit_code == 0


# Switching rules off.

KEBAB = md("name: Code_Reviewer", "description: Reviews.")  # AC204 at 2:1
KEBAB_DISABLED = md("name: Code_Reviewer", "# agent-catalog: disable=AC204", "description: Reviews.")


def codes(findings: list[dict[str, Any]]) -> list[str]:
    return [f"{where(f)} {f['code']}" for f in findings]


def test_disable_in_pyproject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path, {f"{A}/x.md": KEBAB + "\n## Empty\n", "pyproject.toml": ""})
    assert codes(lint_json(tmp_path, monkeypatch)) == [f"{A}/x.md:2:1 AC204", f"{A}/x.md:7:1 AC502"]
    (tmp_path / "pyproject.toml").write_text('[tool.agent-catalog]\ndisable = ["ac204"]\n', encoding="utf-8")
    assert codes(lint_json(tmp_path, monkeypatch)) == [f"{A}/x.md:7:1 AC502"]


def test_disable_a_scan_finding_in_pyproject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path, {f"{A}/x.md": ok().replace("\n", "\r\n")})
    assert codes(lint_json(tmp_path, monkeypatch)) == [f"{A}/x.md:1:1 AC106"]
    (tmp_path / "pyproject.toml").write_text('[tool.agent-catalog]\ndisable = ["AC106"]\n', encoding="utf-8")
    assert codes(lint_json(tmp_path, monkeypatch)) == []


def test_per_file_disable_with_a_glob(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(
        tmp_path,
        {
            "pyproject.toml": '[tool.agent-catalog]\nper-file-disable = { "legacy/*.md" = ["AC204"] }\n',
            "agents/legacy/old.md": KEBAB,
            "agents/new.md": KEBAB.replace("Code_Reviewer", "New_Reviewer"),
        },
    )
    # The glob matches the path from the project folder and the path inside the scanned folder.
    assert codes(lint_json(tmp_path, monkeypatch)) == ["agents/new.md:2:1 AC204"]
    monkeypatch.chdir(tmp_path)
    assert json.loads(lint("--format", "json", "agents").stdout)["counts"] == {"AC204": 1}


def test_disable_comment_in_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path, {f"{A}/on.md": KEBAB, f"{A}/off.md": KEBAB_DISABLED.replace("Code_", "Other_")})
    assert codes(lint_json(tmp_path, monkeypatch)) == [f"{A}/on.md:2:1 AC204"]


def test_disable_comment_in_the_body(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = "<!-- agent-catalog: disable=AC502, AC204 -->\n## Empty\n"
    write_project(tmp_path, {f"{A}/x.md": md("name: Code_Reviewer", "description: Reviews.", body=body)})
    assert codes(lint_json(tmp_path, monkeypatch)) == []


def test_disable_comment_only_switches_off_its_own_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Both files share a duplicate name (AC301); one of them switches the rule off for itself.
    write_project(tmp_path, {f"{A}/a.md": ok("helper", "# agent-catalog: disable=AC301"), f"{A}/b.md": ok()})
    assert codes(lint_json(tmp_path, monkeypatch)) == [f"{A}/b.md:2:1 AC301"]


# Exit codes.


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_exit_0_when_clean(project: Path) -> None:
    write_project(project, {f"{A}/x.md": ok()})
    result = lint()
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "1 agent checked: 0 errors, 0 warnings, 0 notes\n"


def test_warnings_pass_unless_strict(project: Path) -> None:
    write_project(project, {f"{A}/x.md": KEBAB, f"{A}/y.md": ok("y", "version: 1")})
    result = lint()
    assert result.exit_code == 0
    assert result.stdout == (
        f"{A}/x.md:2:1: AC204 name 'Code_Reviewer' is not lowercase letters, digits and hyphens\n"
        f"{A}/y.md:4:1: AC403 field 'version' is not a claude-code field\n"
    )
    assert result.stderr == "2 agents checked: 0 errors, 1 warning, 1 note\n"
    assert lint("--strict").exit_code == 1


def test_notes_pass_even_when_strict(project: Path) -> None:
    write_project(project, {f"{A}/y.md": ok("y", "version: 1")})
    assert lint("--strict").exit_code == 0


def test_exit_1_on_an_error(project: Path) -> None:
    write_project(project, {f"{A}/x.md": md("description: Helps."), f"{A}/y.md": ok()})
    result = lint()
    assert result.exit_code == 1
    assert result.stdout == f"{A}/x.md:1:1: AC201 no 'name' field: claude-code ignores this file\n"


@pytest.mark.parametrize(
    "args",
    [["--format", "xml"], ["--no-such-option"], ["--explain", "AC999"], ["missing-folder"]],
    ids=["bad-format", "unknown-option", "unknown-rule", "missing-path"],
)
def test_exit_2_for_usage_errors(project: Path, args: list[str]) -> None:
    write_project(project, {f"{A}/x.md": ok()})
    result = lint(*args)
    assert result.exit_code == 2, result.output
    assert "Error:" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("max-description-tokens = 'lots'", "bad [tool.agent-catalog] setting"),
        ('disable = "AC204"', "disable must be a list"),
        ('per-file-disable = { "a/*.md" = "AC204" }', "must be a list"),
        ('sources = "agents"', "sources must be a list"),
        ("disabled = ['AC204']", "unknown setting(s) in [tool.agent-catalog]: disabled"),
        ("sources = [", "pyproject.toml"),
    ],
    ids=["not-a-number", "disable-string", "per-file-string", "sources-string", "unknown-key", "bad-toml"],
)
def test_exit_2_for_a_bad_setting(project: Path, setting: str, message: str) -> None:
    write_project(project, {f"{A}/x.md": ok(), "pyproject.toml": f"[tool.agent-catalog]\n{setting}\n"})
    result = lint()
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stdout == ""


# Output formats.


@pytest.fixture
def mixed(project: Path) -> Path:
    """One error, one warning and one note, with a ',' and a ':' in a message."""
    write_project(
        project,
        {
            f"{A}/bad.md": md("description: Helps."),
            f"{A}/warn.md": md('name: "a:b"', "description: Helps.", "tools: Read, LS"),
        },
    )
    return project


def test_format_json(mixed: Path) -> None:
    result = lint("--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) == {"findings", "counts", "description_tokens"}
    assert data["findings"][0] == {
        "path": f"{A}/bad.md",
        "line": 1,
        "col": 1,
        "code": "AC201",
        "severity": "error",
        "message": "no 'name' field: claude-code ignores this file",
    }
    assert data["counts"] == {"AC201": 1, "AC203": 1, "AC402": 1}
    assert set(data["description_tokens"]) == {"total", "median", "max"}
    assert result.stderr == ""


def test_format_github(mixed: Path) -> None:
    result = lint("--format", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"::error file={A}/bad.md,line=1,col=1,title=AC201::no 'name' field: claude-code ignores this file",
        f"::error file={A}/warn.md,line=2,col=1,title=AC203::name 'a:b' contains ':' or starts with '-'",
        f"::warning file={A}/warn.md,line=4,col=1,title=AC402::tool 'LS' is stale: use 'Glob'",
    ]


def test_format_github_escapes_properties_and_notes(project: Path) -> None:
    write_project(project, {"odd,dir/agents/x.md": ok("x", "version: 1")})
    assert lint("--format", "github").stdout == (
        "::notice file=odd%2Cdir/agents/x.md,line=4,col=1,title=AC403::field 'version' is not a claude-code field\n"
    )


def test_format_sarif(mixed: Path) -> None:
    result = lint("--format", "sarif")
    assert result.exit_code == 1
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0"
    assert "sarif" in sarif["$schema"]
    (run,) = sarif["runs"]
    assert run["tool"]["driver"]["name"] == "agent-catalog"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["AC201", "AC203", "AC402"]
    assert [(r["ruleId"], r["level"]) for r in run["results"]] == [
        ("AC201", "error"),
        ("AC203", "error"),
        ("AC402", "warning"),
    ]
    location = run["results"][1]["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": f"{A}/warn.md"}, "region": {"startLine": 2, "startColumn": 1}}


def test_formats_on_a_clean_catalog(project: Path) -> None:
    write_project(project, {f"{A}/x.md": ok()})
    assert lint("--format", "github").stdout == ""
    assert json.loads(lint("--format", "json").stdout)["findings"] == []
    assert json.loads(lint("--format", "sarif").stdout)["runs"][0]["results"] == []


# Named files, as pre-commit passes them.


@pytest.fixture
def duplicates(project: Path) -> Path:
    write_project(
        project,
        {
            "pyproject.toml": '[tool.agent-catalog]\nsources = ["agents"]\n',
            "agents/a.md": ok("helper"),
            "agents/b.md": ok("helper"),
            "agents/c.md": ok("Other_Name"),
            "README.md": "# My agents\n\nNo frontmatter here.\n",
        },
    )
    return project


def test_named_file_still_sees_the_other_file(duplicates: Path) -> None:
    result = lint("agents/a.md")
    assert result.exit_code == 1
    assert result.stdout == "agents/a.md:2:1: AC301 name 'helper' is also used by agents/b.md\n"


def test_named_files_in_batches_each_report_only_their_own(duplicates: Path) -> None:
    assert lint("agents/b.md").stdout == "agents/b.md:2:1: AC301 name 'helper' is also used by agents/a.md\n"
    result = lint("agents/c.md")
    assert result.exit_code == 0  # a warning
    assert result.stdout == "agents/c.md:2:1: AC204 name 'Other_Name' is not lowercase letters, digits and hyphens\n"


def test_a_named_file_that_is_not_an_agent_is_ignored(duplicates: Path) -> None:
    result = lint("README.md")
    assert (result.exit_code, result.stdout) == (0, "")
    verbose = lint("-v", "README.md")
    assert "not an agent in the catalog, not checked" in verbose.stderr
    assert "README.md" in verbose.stderr
    mixed = lint("README.md", "./agents/a.md")
    assert (mixed.exit_code, mixed.stdout) == (1, "agents/a.md:2:1: AC301 name 'helper' is also used by agents/b.md\n")


def test_named_files_without_configured_sources_use_the_current_folder(project: Path) -> None:
    write_project(project, {f"{A}/a.md": ok("helper"), "other/agents/b.md": ok("helper")})
    result = lint("other/agents/b.md")
    # Different collections ("other" and none): the duplicate is information, not an error.
    assert result.exit_code == 0
    assert result.stdout == "other/agents/b.md:2:1: AC302 name 'helper' also exists in another\n"


# --explain


def test_explain_prints_the_rule(project: Path) -> None:
    result = lint("--explain", "AC115")
    assert result.exit_code == 0
    rule = RULES["AC115"]
    assert result.stdout == f"AC115 lenient-yaml (warning)\n\n{rule.summary}\n\n{rule.explanation}\n"


@pytest.mark.parametrize("code", sorted(RULES))
def test_explain_knows_every_rule(code: str) -> None:
    result = lint("--explain", code.lower())
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{code} {RULES[code].name} ({RULES[code].severity})\n")


def test_rules_are_documented() -> None:
    for code, rule in RULES.items():
        assert rule.code == code
        assert rule.severity in ("error", "warning", "info")
        assert rule.name and rule.name == rule.name.lower() and " " not in rule.name
        assert rule.summary.endswith((".", ")")) and rule.explanation, code
    assert len({rule.name for rule in RULES.values()}) == len(RULES)


def test_explain_of_an_unknown_code_lists_the_known_ones() -> None:
    result = lint("--explain", "AC999")
    assert result.exit_code == 2
    assert "no rule 'AC999'; the known codes:" in result.stderr
    for code, rule in RULES.items():
        assert f"  {code}  {rule.name} ({rule.severity})" in result.stderr


# Files that give one finding for each item of a list: an unknown tool (AC401, a rule), a value
# YAML cannot build (AC118, reading the file), a key written twice (AC117, reading the file).
PER_ITEM = {
    "AC401": lambda n: "tools: " + ", ".join(f"Tool{i}" for i in range(n)) + "\n",
    "AC118": lambda n: "".join(f"k{i}: 2024-02-30\n" for i in range(n)),
    "AC117": lambda n: "k: 1\n" * (n + 1),
}


@pytest.mark.parametrize("code", sorted(PER_ITEM))
def test_a_finding_per_item_is_at_most_a_hundred_and_a_count_however_long_the_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    """The class: a file can make a rule or the reader find something in each item of a list
    (100,000 unknown tools in a 300 KB file were 100,000 lines of lint output). Each code gives
    a file its first FINDINGS_PER_CODE findings and one more counting the rest, as severe as
    the worst of them; the exit code is what it was."""
    from catalog.types import FINDINGS_PER_CODE

    monkeypatch.chdir(tmp_path)
    printed = {}
    for count in (FINDINGS_PER_CODE + 50, 10 * FINDINGS_PER_CODE):
        folder = tmp_path / str(count) / ".claude" / "agents"
        folder.mkdir(parents=True)
        text = f"---\nname: many\ndescription: Has many.\n{PER_ITEM[code](count)}---\n\nYou help.\n"
        (folder / "many.md").write_text(text, encoding="utf-8")
        result = lint(str(tmp_path / str(count)))
        assert result.exit_code == 0, result.output  # warnings, as each of them is
        lines = [line for line in result.stdout.splitlines() if f" {code} " in line]
        assert len(lines) == FINDINGS_PER_CODE + 1, len(lines)
        counted = f"{code} and {count - FINDINGS_PER_CODE:,} more {code} findings in this file from here on"
        assert sum(counted in line for line in lines) == 1
        printed[count] = len(result.stdout)
    assert abs(printed[10 * FINDINGS_PER_CODE] - printed[FINDINGS_PER_CODE + 50]) < 1_000


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["AC401", "AC118", "AC501"]), st.sampled_from(["error", "warning", "info"])),
        max_size=40,
    ),
    st.integers(1, 5),
)
def test_at_most_per_code_keeps_the_first_of_each_code_and_counts_the_rest(
    found: list[tuple[str, str]], limit: int
) -> None:
    from catalog.types import Finding, at_most_per_code

    findings = [Finding("a.md", line, 1, code, severity, f"m{line}") for line, (code, severity) in enumerate(found, 1)]  # type: ignore[arg-type]
    kept = at_most_per_code(reversed(findings), limit)
    assert kept == sorted(kept, key=Finding.sort_key)
    for code in {c for c, _ in found}:
        mine = [f for f in findings if f.code == code]
        out = [f for f in kept if f.code == code]
        assert out[:limit] == mine[:limit]  # the first by position, whatever the order given
        if len(mine) > limit:
            [counted] = out[limit:]
            assert counted.message.startswith(f"and {len(mine) - limit:,} more {code} findings")
            assert (counted.line, counted.severity) == (
                mine[limit].line,
                min((f.severity for f in mine[limit:]), key=("error", "warning", "info").index),
            )
        else:
            assert out == mine


def test_a_file_its_tool_refuses_is_one_error_not_also_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where a tool refuses the whole file (Gemini CLI's strict schema), the field, tool or value that
    makes it refuse is an error (AC208) and the notes that say "the tool ignores it" (AC401, AC403,
    AC404) are not given as well; other tools' files keep those notes."""
    refused = ok("x", "author: me", "tools: [Read]", "kind: nearby")
    project = write_project(
        tmp_path, {".gemini/agents/x.md": refused, f"{A}/y.md": ok("y", "author: me", "tools: [Frob]")}
    )
    found = codes(lint_json(project, monkeypatch))
    assert found == [
        ".claude/agents/y.md:4:1 AC403",
        ".claude/agents/y.md:5:1 AC401",
        ".gemini/agents/x.md:4:1 AC208",
        ".gemini/agents/x.md:5:1 AC208",
        ".gemini/agents/x.md:6:1 AC208",
    ], found
    assert lint().exit_code == 1


# Claude Code's model aliases (code.claude.com/docs/en/model-config: best, sonnet, opus, haiku,
# the [1m] variants, opusplan; fable, Claude Fable's, which wshobson/agents gives two agents),
# and a model id of each family: none is a bad model (AC405).
CLAUDE_MODELS = [
    "sonnet",
    "opus",
    "haiku",
    "best",
    "fable",
    "opusplan",
    "inherit",
    "default",
    "sonnet[1m]",
    "opus[1m]",
    "claude-fable-5-1",
    "claude-opus-4-8",
]


@pytest.mark.parametrize("model", CLAUDE_MODELS)
def test_claude_code_model_aliases_are_no_bad_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model: str
) -> None:
    project = write_project(tmp_path, {f"{A}/x.md": ok("helper", f"model: '{model}'")})
    assert [f["code"] for f in lint_json(project, monkeypatch)] == []


def _gemini_is_valid_tool_name(name: str) -> bool:
    """isValidToolName(name, {allowWildcards: true}) of Gemini CLI's packages/core/src/tools/tool-names.ts,
    as written there (parseMcpToolName of mcp-tool.ts splits at the first '_' after the prefix)."""
    import re

    from catalog.model.vocabulary import GEMINI_TOOLS

    if name in GEMINI_TOOLS or name.startswith("discovered_tool_") or name == "*":
        return True
    if not name.startswith("mcp_"):
        return False
    if name == "mcp_*":
        return True
    if name.startswith("mcp__"):
        return False
    parts = re.fullmatch(r"([^_]+)_(.+)", name[4:])
    if parts is None:
        return False
    server, tool = parts.groups()
    slug = re.compile(r"[a-zA-Z0-9_.:-]+")  # /^[a-z0-9_.:-]+$/i, ASCII as JavaScript's is without 'u'
    if not slug.fullmatch(server):
        return False
    if tool == "*":
        return True
    return not re.fullmatch(r"_*", tool) and slug.fullmatch(tool) is not None


@settings(max_examples=600, deadline=None)
@given(
    st.builds(
        lambda head, tail: head + tail,
        st.sampled_from(["", "mcp_", "mcp__", "mcp_github_", "discovered_tool_", "read_file", "*", "Read"]),
        st.text(alphabet="ab_Z.:-*( )\nſ", max_size=8),
    )
)
def test_gemini_tool_names_are_what_its_is_valid_tool_name_takes(name: str) -> None:
    """The class of AC208's tool names for Gemini CLI: exactly the names Gemini CLI's own check takes."""
    from catalog.lint.rules_format import _known_tool
    from catalog.model.dialects import GEMINI_CLI

    assert _known_tool(name, GEMINI_CLI) == _gemini_is_valid_tool_name(name), name


# What makes Gemini CLI refuse a file before its schema: FRONTMATTER_REGEX (/^---\r?\n/, skills/skillLoader.ts)
# on the text as read, and js-yaml's load (agents/agentLoader.ts). Claude Code keeps them warnings.
BEFORE_THE_SCHEMA = {
    "AC104": "\ufeff" + ok("x"),
    "AC111": "\n" + ok("x"),
    "AC112": "".join("  " + line + "\n" for line in ok("x").splitlines()),
    "AC115": md("name: x", "description: Triggers on: a, b"),
}


@pytest.mark.parametrize("code", sorted(BEFORE_THE_SCHEMA))
def test_what_gemini_cli_refuses_before_its_schema_is_an_error_saying_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    text = BEFORE_THE_SCHEMA[code]
    project = write_project(tmp_path, {".gemini/agents/x.md": text, f"{A}/x.md": text})
    found = {f["path"].split("/")[0]: f for f in lint_json(project, monkeypatch) if f["code"] == code}
    gemini, claude = found[".gemini"], found[".claude"]
    assert gemini["severity"] == "error" and "Gemini CLI refuses this file" in gemini["message"], gemini
    # Claude Code loads such a file: a warning, and a note where it reads the YAML as meant.
    assert claude["severity"] == ("info" if code == "AC115" else "warning"), claude
    assert "refuses" not in claude["message"], claude
