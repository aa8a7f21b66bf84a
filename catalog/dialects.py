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
    fields: frozenset[str]  # the frontmatter fields the tool itself reads
    # What starts a new field in lenient recovery: the tool's fields, the common keys, and
    # those collections of this format add.
    known_keys: frozenset[str]
    install_dir: str  # where the tool reads agent files, relative to a repository
    name_from_file: bool  # the file name, not frontmatter, is the agent's identity
    suffix: str  # what is stripped from the file name to get a name


def _dialect(fmt: Format, fields: str, install_dir: str, name_from_file: bool, suffix: str, added: str = "") -> Dialect:
    """A dialect from its tool's fields and the fields its collections add (space-separated)."""
    own = frozenset(fields.split())
    return Dialect(fmt, own, own | _COMMON_KEYS | frozenset(added.split()), install_dir, name_from_file, suffix)


CLAUDE_CODE = _dialect(
    Format.CLAUDE_CODE,
    "name description tools disallowedTools model permissionMode color skills hooks memory effort isolation "
    "mcpServers maxTurns background initialPrompt",
    ".claude/agents/",
    False,
    ".md",
)
_COPILOT_AGENT_FIELDS = (
    "name description tools model target handoffs argument-hint mcp-servers infer user-invocable "
    "disable-model-invocation agents metadata"
)
# Chat modes turned into custom agents keep their keys: both formats recover with both sets.
COPILOT_AGENT = _dialect(
    Format.COPILOT_AGENT, _COPILOT_AGENT_FIELDS, ".github/agents/", False, ".agent.md", "mode hidden title"
)
COPILOT_CHATMODE = _dialect(
    Format.COPILOT_CHATMODE,
    "description tools model title",
    ".github/chatmodes/",
    True,
    ".chatmode.md",
    _COPILOT_AGENT_FIELDS + " mode hidden",
)
OPENCODE = _dialect(
    Format.OPENCODE,
    "description mode model temperature top_p tools permission prompt disable color steps maxSteps hidden name",
    ".opencode/agent/",
    True,
    ".md",
    "permissions type dependencies",
)
GEMINI_CLI = _dialect(
    Format.GEMINI_CLI,
    "name description kind tools model temperature max_turns timeout_mins mcpServers display_name",
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
