"""Which dialect a file is written in: by its path (a tool's folder, a suffix), else by the keys
of its frontmatter only one tool reads, else by its tools' names. The default is Claude Code's
(``DEFAULT_FORMAT``). The dialects themselves are in ``catalog.model.dialects``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from pathlib import PurePosixPath

from catalog.model.dialects import DIALECTS, MODES_FILES
from catalog.model.vocabulary import CLAUDE_TOOLS, STALE_TOOLS, words
from catalog.types import Format

# What a file is when neither its path, its keys nor its tools say: Claude Code's, whose files
# most collections hold and whose frontmatter the others' grew from.
DEFAULT_FORMAT = Format.CLAUDE_CODE

# Where the path alone says the format: (folder, subfolder) pairs anywhere in the path.
LAYOUTS: tuple[tuple[str, tuple[str, ...], Format], ...] = (
    (".opencode", ("agent", "agents"), Format.OPENCODE),
    (".opencode", ("mode", "modes"), Format.OPENCODE),  # ConfigAgent.loadMode: agents too
    # Kilo Code, opencode's fork, the same in its own folders (ConfigPaths.directories).
    *(
        (folder, children, Format.KILO_CODE)
        for folder in (".kilo", ".kilocode")
        for children in (("agent", "agents"), ("mode", "modes"))
    ),
    (".gemini", ("agents",), Format.GEMINI_CLI),
    (".github", ("agents",), Format.COPILOT_AGENT),
    (".github", ("chatmodes",), Format.COPILOT_CHATMODE),
    (".cursor", ("agents",), Format.CURSOR),
    (".codex", ("agents",), Format.CODEX),
    (".kiro", ("agents",), Format.KIRO),
    (".qwen", ("agents",), Format.QWEN_CODE),
    (".factory", ("droids",), Format.FACTORY),
    (".claude", ("agents",), Format.CLAUDE_CODE),
)


# Keys that make frontmatter a tool's other Markdown, not an agent's, wherever the file is: Kiro
# steering (inclusion, fileMatchPattern), Cursor rules (alwaysApply, globs), Copilot and VS Code
# instructions (applyTo), GitHub agentic workflows (gh aw: their trigger, ``on``, is required;
# awesome-copilot keeps them in workflows/, with a name and a description).
DOCUMENT_KEYS = words("inclusion fileMatchPattern alwaysApply globs applyTo on")

# The keys that make frontmatter an agent's in any Markdown dialect: its name or its description.
# Every tool needs one of them; a slide deck's frontmatter (title, author, theme) has neither.
NAME_KEYS = frozenset(key for d in DIALECTS.values() if d.syntax == "markdown" for key in d.name_keys)
DESCRIPTION_KEYS = frozenset(key for d in DIALECTS.values() if d.syntax == "markdown" for key in d.description_keys)
IDENTITY_KEYS = NAME_KEYS | DESCRIPTION_KEYS

# The keys of an agent's frontmatter besides its name and title, in any Markdown dialect: with a
# name alone (a novel's character sheet, a team page's ``name`` and ``role``) no tool delegates
# to the file, and outside agent folders it is a document's; so with a description alone (a
# MkDocs, Hugo or blog page's ``title`` and ``description``, ``hide`` or ``date``).
AGENT_KEYS = frozenset(
    key
    for d in DIALECTS.values()
    if d.syntax == "markdown"
    for key in d.fields | set(d.description_keys)
    if key not in (*d.name_keys, *d.title_keys)
)

# Folder names only one tool gives its agents (``Dialect.agent_folder``).
AGENT_FOLDERS = {d.agent_folder: d.format for d in DIALECTS.values() if d.agent_folder}

# The one table of tool folders the walk and the collections read, from the layouts above:
# the tools' own folders (.claude, .gemini, ...), and the names of folders that hold agents at
# a collection's top: a tool's agents folder (but opencode's "agent", a word too common for
# that) or one only one tool names, and the collections' own layouts (subagents/, categories/).
TOOL_FOLDERS = frozenset(folder for folder, _, _ in LAYOUTS)
_COMMON_WORDS = words("mode modes")  # names only inside a tool's folder: a docs site's modes/ holds none
TOOL_AGENT_FOLDERS = frozenset({*(child for _, children, _ in LAYOUTS for child in children), *AGENT_FOLDERS})
TOOL_AGENT_FOLDERS -= _COMMON_WORDS
COLLECTION_AGENT_FOLDERS = (TOOL_AGENT_FOLDERS - {"agent"}) | {"subagents", "categories"}
# The agents folders a tool reads flat (``Dialect.install_dir_flat``), by (its tool folder,
# their name), or (None, a name only that tool gives them) -> the tool's label.
FLAT_FOLDERS: dict[tuple[str | None, str], str] = {
    **{
        (tool, child): DIALECTS[f].label
        for tool, kids, f in LAYOUTS
        for child in kids
        if DIALECTS[f].install_dir_flat or f"{tool}/{child}/" in DIALECTS[f].flat_folders
    },
    **{(None, folder): DIALECTS[f].label for folder, f in AGENT_FOLDERS.items() if DIALECTS[f].install_dir_flat},
}


def format_for_path(path: PurePosixPath | str) -> Format:
    """Which dialect a file is written in, from its name and the folders above it (a POSIX
    path, or a string of one: discovery asks for every file, and Path objects cost)."""
    return format_and_certainty(path)[0]


def format_and_certainty(path: PurePosixPath | str, rel: str | None = None) -> tuple[Format, bool]:
    """The dialect a path says, and whether it says it (False: Claude Code by default).

    ``rel``: the file's path in the scanned folder, when ``path`` is its real path. A tool's
    own folder (``.gemini/agents``) counts wherever it is, but a folder name without a dot
    (``gemini/agents``, ``droids``) only in the scanned folder (its own name included): the
    folders above it (a checkout named ``kilo`` or ``codex``, a home folder ``droids``) say
    nothing of the agents in it."""
    parts = [p.lower() for p in str(path).split("/") if p]
    name = parts[-1] if parts else ""
    if name.endswith(".agent.md"):
        return Format.COPILOT_AGENT, True
    if name.endswith(".chatmode.md"):
        return Format.COPILOT_CHATMODE, True
    if name in MODES_FILES:
        return MODES_FILES[name], True
    if name.endswith(".toml"):
        return Format.CODEX, True  # discovery takes a .toml only in .codex/ or with developer_instructions
    parts = parts[:-1]
    # The first of ``parts`` in the scanned folder: the folders of ``rel`` and the scanned one.
    shown = len(parts) - (rel.split("#", 1)[0].count("/") + 1 if rel is not None else len(parts))
    found: Format | None = None
    for index, (parent, child) in enumerate(itertools.pairwise(parts)):
        for folder, children, fmt in LAYOUTS:
            # A tool folder without its dot (cursor/agents/) is one a collection ships to be copied.
            if (parent == folder or (parent == folder[1:] and index >= shown)) and child in children:
                found = fmt  # the innermost layout wins
    if found is not None:
        return found, True
    # A folder name only one tool gives its agents, the innermost (below it too: a file there
    # is that tool's, one it may not load, which AC207 says).
    named = next((AGENT_FOLDERS[part] for part in reversed(parts[max(shown, 0) :]) if part in AGENT_FOLDERS), None)
    return (named, True) if named is not None else (DEFAULT_FORMAT, False)


def name_below_agents_folder(path: str, fmt: Format) -> str | None:
    """An agent's path below the first agents folder of its tool (``LAYOUTS``) in ``path``,
    without ``.md``: opencode's name for it (``.opencode/agent/team/x.md`` is ``team/x``)."""
    parts = path.split("#", 1)[0].split("/")
    for index, (parent, child) in enumerate(itertools.pairwise(part.lower() for part in parts[:-1])):
        if any(fmt is f and parent == folder and child in children for folder, children, f in LAYOUTS):
            below = "/".join(parts[index + 2 :])
            return below[:-3] if below.lower().endswith(".md") else below
    return None


# Frontmatter keys only one tool reads: where the path does not say, they do.
_TELLING_KEYS: tuple[tuple[Format, frozenset[str]], ...] = (
    (Format.CLAUDE_CODE, words("disallowedTools permissionMode maxTurns initialPrompt isolation effort")),
    (
        Format.COPILOT_AGENT,
        words("handoffs target argument-hint mcp-servers infer user-invocable disable-model-invocation"),
    ),
    (Format.OPENCODE, words("mode permission temperature top_p steps maxSteps disable tools{}")),
    (Format.GEMINI_CLI, words("kind max_turns timeout_mins display_name")),
    (Format.CURSOR, words("readonly is_background")),
    (Format.QWEN_CODE, words("modelConfig runConfig approvalMode executor")),
    (Format.FACTORY, words("reasoningEffort")),
)


def format_from_keys(keys: Iterable[str], tools: Iterable[str] = ()) -> tuple[Format, str] | None:
    """The dialect whose own keys a file uses, with why; None when no key tells (or two
    tools' keys do). When no key tells, its ``tools`` may (``format_from_tools``)."""
    present = set(keys)
    telling = [(fmt, sorted(own & present)) for fmt, own in _TELLING_KEYS if own & present]
    if not telling:
        return format_from_tools(tools)
    if len(telling) != 1 or telling[0][0] is Format.CLAUDE_CODE:
        return None
    fmt, used = telling[0]
    shown = ", ".join("a tools map of true / false" if key == "tools{}" else key for key in used)
    return fmt, f"read as {DIALECTS[fmt].label}: its frontmatter has {shown}, keys only {DIALECTS[fmt].label} reads"


def format_from_tools(tools: Iterable[str]) -> tuple[Format, str] | None:
    """The dialect whose tool names most of a file's tools are, more of them than Claude
    Code's: the one that knows the most, the first of the table on a tie (Gemini CLI before
    Qwen Code, which kept its names), with why. MCP tools (``mcp_...``, ``@server``) and
    patterns' arguments say nothing."""
    named = sorted({t.split("(", 1)[0].strip() for t in tools} - {""})
    named = [t for t in named if not t.startswith(("mcp_", "mcp:", "@"))]
    claude = sum(t in CLAUDE_TOOLS or t in STALE_TOOLS for t in named)
    known, best = 0, None
    for dialect in DIALECTS.values():
        if dialect.syntax == "markdown" and dialect.format is not Format.CLAUDE_CODE and dialect.tool_names:
            count = sum(t in dialect.tool_names for t in named)
            if count > known:
                known, best = count, dialect
    # Most of them (a collection may misspell one: grep for grep_search), and more than Claude Code's.
    if best is None or known * 2 <= len(named) or known <= claude:
        return None
    theirs = [t for t in named if t in (best.tool_names or ())]
    shown = ", ".join(theirs[:3]) + (", ..." if len(theirs) > 3 else "")
    return best.format, f"read as {best.label}: its tools ({shown}) are {best.label} tools"
