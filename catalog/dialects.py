"""The one place that knows how the agent dialects differ.

Everything downstream of :func:`catalog.model.build_agent` sees only the common ``Agent``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import PurePosixPath

from catalog.types import Format

# Keys collections add to every format (categories, tags, ...). They take part in lenient
# recovery: a line starting with one of them starts a new field.
_COMMON_KEYS = frozenset(
    {"name", "description", "model", "tools", "color", "category", "tags", "version", "author", "id"}
)


@dataclass(frozen=True, slots=True)
class Dialect:
    format: Format
    known_keys: frozenset[str]
    install_dir: str  # where the tool reads agent files, relative to a repository
    name_from_file: bool  # the file name, not frontmatter, is the agent's identity
    suffix: str  # what is stripped from the file name to get a name


CLAUDE_CODE = Dialect(
    Format.CLAUDE_CODE,
    _COMMON_KEYS
    | {
        "disallowedTools",
        "permissionMode",
        "skills",
        "hooks",
        "memory",
        "effort",
        "isolation",
        "mcpServers",
        "maxTurns",
        "background",
        "initialPrompt",
    },
    ".claude/agents/",
    False,
    ".md",
)
_COPILOT_KEYS = _COMMON_KEYS | {
    "target",
    "handoffs",
    "argument-hint",
    "mcp-servers",
    "infer",
    "user-invocable",
    "disable-model-invocation",
    "agents",
    "mode",
    "hidden",
    "title",
    "metadata",
}
COPILOT_AGENT = Dialect(Format.COPILOT_AGENT, _COPILOT_KEYS, ".github/agents/", False, ".agent.md")
COPILOT_CHATMODE = Dialect(Format.COPILOT_CHATMODE, _COPILOT_KEYS, ".github/chatmodes/", True, ".chatmode.md")
OPENCODE = Dialect(
    Format.OPENCODE,
    _COMMON_KEYS
    | {
        "mode",
        "temperature",
        "top_p",
        "permission",
        "permissions",
        "prompt",
        "disable",
        "steps",
        "maxSteps",
        "hidden",
        "type",
        "dependencies",
    },
    ".opencode/agent/",
    True,
    ".md",
)
GEMINI_CLI = Dialect(
    Format.GEMINI_CLI,
    _COMMON_KEYS | {"kind", "temperature", "max_turns", "timeout_mins", "mcpServers", "display_name"},
    ".gemini/agents/",
    False,
    ".md",
)

DIALECTS = {d.format: d for d in (CLAUDE_CODE, COPILOT_AGENT, COPILOT_CHATMODE, OPENCODE, GEMINI_CLI)}


def format_for_path(path: PurePosixPath | str) -> Format:
    """Which dialect a file is written in, from its name and the folders above it (a POSIX
    path, or a string of one: discovery asks for every file, and Path objects cost)."""
    parts = [p.lower() for p in str(path).split("/") if p]
    name = parts[-1] if parts else ""
    if name.endswith(".agent.md"):
        return Format.COPILOT_AGENT
    if name.endswith(".chatmode.md"):
        return Format.COPILOT_CHATMODE
    parts = parts[:-1]
    for parent, child in itertools.pairwise(parts):
        if parent == ".opencode" and child in ("agent", "agents"):
            return Format.OPENCODE
        if parent == ".gemini" and child == "agents":
            return Format.GEMINI_CLI
    return Format.CLAUDE_CODE


def name_from_file_name(file_name: str, dialect: Dialect) -> str:
    if file_name.lower().endswith(dialect.suffix):
        return file_name[: -len(dialect.suffix)]
    return file_name[:-3] if file_name.lower().endswith(".md") else file_name
