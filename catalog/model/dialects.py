"""The one place that knows how the agent dialects differ.

Everything downstream of :func:`catalog.model.agent.build_agent` sees only the common ``Agent``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

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
    label: str = ""  # how pages and facets name the format
    # How a file is written: "markdown" (frontmatter + prompt), "toml", "json", "roomodes".
    syntax: str = "markdown"
    # The agent's identity, its display title, its description and its system prompt: the
    # first key present wins (a Markdown body is the prompt when no key is given).
    name_keys: tuple[str, ...] = ("name", "id")
    title_keys: tuple[str, ...] = ("title",)
    description_keys: tuple[str, ...] = ("description",)
    prompt_keys: tuple[str, ...] = ()
    # A prompt key whose first sentence (up to its first '.') the tool shows as the description
    # when no description key is written: Roo Code's roleDefinition (its modes section).
    description_from: str = ""
    # How tools are granted: "tools" (a list, opencode also a {tool: bool} map), "opencode"
    # (``permission:`` allow / ask / deny, over ``tools``), "roo-groups", "kiro" (``tools`` and
    # ``allowedTools``), "readonly" (Cursor), "sandbox" (Codex ``sandbox_mode``).
    permission_model: str = "tools"
    tool_names: frozenset[str] | None = None  # the tool's own tool names, when it checks them
    model_pattern: str | None = None  # what a model id looks like (aliases aside)
    model_aliases: frozenset[str] = frozenset()
    name_pattern: str | None = None  # what the tool accepts as a name, where it refuses others
    enums: tuple[tuple[str, frozenset[str]], ...] = ()  # fields with a fixed set of values
    install: str = ""  # how to install a downloaded file, one sentence
    download_suffix: str = ".md"  # the downloaded file's ending
    # The tool reads frontmatter that is not valid YAML line by line, as agent-catalog's
    # lenient recovery does (AC115 then matters only to the tools that do not).
    lenient_yaml: bool = False
    # Where the tool also reads agents for every project on a machine, when pages say so.
    user_install_dir: str = ""
    # The rules a tool applies to names: it ignores an agent without its name key (AC201); its
    # names are kebab-case, never with ':' nor a leading '-' (AC203, AC204; else name_pattern, AC205).
    name_required: bool = False
    kebab_names: bool = False
    prompt_required: bool = False  # it refuses an agent without its first prompt key (AC206)
    tools_key: str = "tools"  # the key that grants tools, where findings about them point
    renamed_tools: tuple[tuple[str, str], ...] = ()  # (old name, new name) of tools it renamed
    colors: frozenset[str] = frozenset()  # the colors it accepts, where it checks them
    # The frontmatter file of an extension that makes an agents/ folder beside it this format's.
    extension_manifest: str = ""
    # A folder name only this tool gives its agents: anywhere in a path it says the format and
    # holds agents (Factory's plugins keep their droids in droids/, as projects in .factory/droids/).
    agent_folder: str = ""
    # The tool reads the files of its agent folder only, not its subfolders' (Factory: "top-level
    # files only").
    top_level_only: bool = False


def _dialect(
    fmt: Format, fields: str, install_dir: str, name_from_file: bool, suffix: str, added: str = "", **more: Any
) -> Dialect:
    """A dialect from its tool's fields and the fields its collections add (space-separated)."""
    own = frozenset(fields.split())
    return Dialect(fmt, own, own | _COMMON_KEYS | frozenset(added.split()), install_dir, name_from_file, suffix, **more)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


CLAUDE_TOOLS = frozenset(
    "Agent AskUserQuestion Bash BashOutput Edit EnterPlanMode ExitPlanMode Glob Grep KillShell LSP "
    "ListMcpResourcesTool NotebookEdit Read ReadMcpResourceTool SendMessage Skill SlashCommand TaskCreate "
    "TaskGet TaskList TaskOutput TaskStop TaskUpdate TeamCreate TeamDelete TodoWrite ToolSearch WebFetch "
    "WebSearch Write".split()
)
STALE_TOOLS = {"LS": "Glob", "MultiEdit": "Edit", "NotebookRead": "Read", "Task": "Agent"}
CLAUDE_COLORS = frozenset("red blue green yellow purple orange pink cyan magenta white".split())
ENUMS = {
    "permissionMode": frozenset({"default", "acceptEdits", "dontAsk", "bypassPermissions", "plan"}),
    "effort": frozenset({"low", "medium", "high", "max"}),
    "memory": frozenset({"user", "project", "local"}),
    "isolation": frozenset({"worktree"}),
}
# Claude Code's model aliases; opencode and Gemini CLI agents are checked against them too.
MODEL_ALIASES = frozenset({"sonnet", "opus", "haiku", "inherit", "opusplan", "default", "sonnet[1m]", "opus[1m]"})


CLAUDE_CODE = _dialect(
    Format.CLAUDE_CODE,
    "name description tools disallowedTools model permissionMode color skills hooks memory effort isolation "
    "mcpServers maxTurns background initialPrompt",
    ".claude/agents/",
    False,
    ".md",
    label="Claude Code",
    lenient_yaml=True,
    user_install_dir="~/.claude/agents/",
    name_required=True,
    kebab_names=True,
    tool_names=CLAUDE_TOOLS,
    renamed_tools=tuple(STALE_TOOLS.items()),
    colors=CLAUDE_COLORS,
    enums=tuple(ENUMS.items()),
    model_pattern=r"claude-[a-z0-9.-]+(?:@[0-9]+)?|(?:us\.|eu\.)?anthropic\.claude-[\w.:-]+",
    model_aliases=MODEL_ALIASES,
)
_COPILOT_AGENT_FIELDS = (
    "name description tools model target handoffs argument-hint mcp-servers infer user-invocable "
    "disable-model-invocation agents metadata"
)
# Chat modes turned into custom agents keep their keys: both formats recover with both sets.
COPILOT_AGENT = _dialect(
    Format.COPILOT_AGENT,
    _COPILOT_AGENT_FIELDS,
    ".github/agents/",
    False,
    ".agent.md",
    "mode hidden title",
    label="Copilot agent",
    download_suffix=".agent.md",
)
COPILOT_CHATMODE = _dialect(
    Format.COPILOT_CHATMODE,
    "description tools model title",
    ".github/chatmodes/",
    True,
    ".chatmode.md",
    _COPILOT_AGENT_FIELDS + " mode hidden",
    label="Copilot chat mode",
    download_suffix=".chatmode.md",
)
OPENCODE = _dialect(
    Format.OPENCODE,
    "description mode model temperature top_p tools permission prompt disable color steps maxSteps hidden name",
    ".opencode/agent/",
    True,
    ".md",
    "permissions type dependencies",
    label="opencode",
    permission_model="opencode",
    enums=(("mode", _words("primary subagent all")),),
    model_pattern=r"[a-z0-9-]+/[\w.:@-]+",
    model_aliases=MODEL_ALIASES,
)
# Gemini CLI's tool names (packages/core/src/tools/tool-names.ts), search_file_content its old grep.
GEMINI_TOOLS = _words(
    "glob grep_search search_file_content list_directory read_file read_many_files run_shell_command write_file "
    "replace google_web_search web_fetch save_memory write_todos get_internal_docs activate_skill ask_user "
    "enter_plan_mode exit_plan_mode update_topic tracker_create_task tracker_update_task tracker_get_task "
    "tracker_list_tasks tracker_add_dependency tracker_visualize"
)
GEMINI_CLI = _dialect(
    Format.GEMINI_CLI,
    "name description kind tools model temperature max_turns timeout_mins mcpServers display_name",
    ".gemini/agents/",
    False,
    ".md",
    label="Gemini CLI",
    name_pattern=r"[a-z0-9_-]+",
    enums=(("kind", _words("local remote")),),
    name_required=True,
    kebab_names=True,
    model_pattern=r"gemini-[a-z0-9.-]+",
    model_aliases=MODEL_ALIASES,
    extension_manifest="gemini-extension.json",
    tool_names=GEMINI_TOOLS,
)
# Cursor reads name, description, model, readonly and is_background (cursor.com/docs/agent/subagents).
CURSOR = _dialect(
    Format.CURSOR,
    "name description model readonly is_background",
    ".cursor/agents/",
    False,
    ".md",
    label="Cursor",
    permission_model="readonly",
    model_aliases=_words("inherit fast auto"),
)
# Codex CLI custom agents (developers.openai.com/codex/subagents): one TOML file each.
CODEX = _dialect(
    Format.CODEX,
    "name description developer_instructions nickname_candidates model model_reasoning_effort sandbox_mode "
    "approval_policy web_search mcp_servers skills model_provider model_verbosity tools",
    ".codex/agents/",
    False,
    ".toml",
    label="Codex CLI",
    syntax="toml",
    prompt_keys=("developer_instructions",),
    permission_model="sandbox",
    model_pattern=r"(?:gpt|o\d|codex)[\w.:-]*",
    enums=(
        ("sandbox_mode", _words("read-only workspace-write danger-full-access")),
        ("model_reasoning_effort", _words("none minimal low medium high xhigh")),
        ("approval_policy", _words("untrusted on-failure on-request never")),
    ),
    install="Put it in .codex/agents/ of your repository (or ~/.codex/agents/); Codex finds it by its name.",
    download_suffix=".toml",
    name_required=True,
    prompt_required=True,
)
ROO_GROUPS = _words("read edit browser command mcp")
# Roo Code custom modes (docs.roocode.com/features/custom-modes): a customModes list in .roomodes.
ROO_CODE = _dialect(
    Format.ROO_CODE,
    "slug name roleDefinition whenToUse description customInstructions groups source",
    ".roomodes",
    False,
    ".roomodes",
    label="Roo Code",
    syntax="roomodes",
    name_keys=("slug",),
    title_keys=("name",),
    description_keys=("description", "whenToUse"),
    prompt_keys=("roleDefinition", "customInstructions"),
    description_from="roleDefinition",
    permission_model="roo-groups",
    tool_names=ROO_GROUPS,
    name_pattern=r"[a-zA-Z0-9-]+",
    install="Add this mode to the customModes list of .roomodes at the root of your repository.",
    download_suffix=".roomodes",
    name_required=True,
    prompt_required=True,
    tools_key="groups",
)
# Kiro CLI agents (kiro.dev/docs/cli/custom-agents/configuration-reference): one JSON file each.
KIRO = _dialect(
    Format.KIRO,
    "name description prompt mcpServers tools toolAliases allowedTools toolsSettings resources hooks "
    "includeMcpJson useLegacyMcpJson model keyboardShortcut welcomeMessage $schema",
    ".kiro/agents/",
    False,
    ".json",
    label="Kiro",
    syntax="json",
    prompt_keys=("prompt",),
    permission_model="kiro",
    install="Put it in .kiro/agents/ of your repository (or ~/.kiro/agents/), with the prompt file it names.",
    download_suffix=".json",
)
# Qwen Code subagents (qwenlm.github.io/qwen-code-docs, Subagents): Markdown + frontmatter.
QWEN_CODE = _dialect(
    Format.QWEN_CODE,
    "name description tools model modelConfig runConfig color",
    ".qwen/agents/",
    False,
    ".md",
    label="Qwen Code",
    tool_names=_words(
        "read_file read_many_files write_file edit replace run_shell_command grep_search search_file_content "
        "glob list_directory web_fetch web_search todo_write save_memory task exit_plan_mode skill lsp "
        "ask_user_question agent task_create task_get task_list task_update task_stop task_output"
    ),
    model_pattern=r"qwen[\w.:-]*",
    name_required=True,
)
# Factory custom droids (docs.factory.ai/cli/configuration/custom-droids): Markdown + frontmatter.
FACTORY = _dialect(
    Format.FACTORY,
    "name description model reasoningEffort tools",
    ".factory/droids/",
    False,
    ".md",
    label="Factory droid",
    tool_names=_words(
        "Read LS Grep Glob Create Edit MultiEdit ApplyPatch Execute WebSearch FetchUrl TodoWrite Task "
        "read-only edit execute web mcp"
    ),
    name_pattern=r"[a-z0-9_-]+",
    enums=(("reasoningEffort", _words("off none low medium high")),),
    name_required=True,
    agent_folder="droids",
    top_level_only=True,
)

DIALECTS = {
    d.format: d
    for d in (
        CLAUDE_CODE,
        COPILOT_AGENT,
        COPILOT_CHATMODE,
        OPENCODE,
        GEMINI_CLI,
        CURSOR,
        CODEX,
        ROO_CODE,
        KIRO,
        QWEN_CODE,
        FACTORY,
    )
}

# Where the path alone says the format: (folder, subfolder) pairs anywhere in the path.
_LAYOUTS: tuple[tuple[str, tuple[str, ...], Format], ...] = (
    (".opencode", ("agent", "agents"), Format.OPENCODE),
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
# instructions (applyTo).
DOCUMENT_KEYS = _words("inclusion fileMatchPattern alwaysApply globs applyTo")

# The keys that make frontmatter an agent's in any Markdown dialect: its name or its description.
# Every tool needs one of them; a slide deck's or a blog post's frontmatter (title, author,
# theme) has neither.
IDENTITY_KEYS = frozenset(
    key for d in DIALECTS.values() if d.syntax == "markdown" for key in (*d.name_keys, *d.description_keys)
)

# Folder names only one tool gives its agents (``Dialect.agent_folder``).
AGENT_FOLDERS = {d.agent_folder: d.format for d in DIALECTS.values() if d.agent_folder}


def format_for_path(path: PurePosixPath | str) -> Format:
    """Which dialect a file is written in, from its name and the folders above it (a POSIX
    path, or a string of one: discovery asks for every file, and Path objects cost)."""
    return format_and_certainty(path)[0]


def format_and_certainty(path: PurePosixPath | str) -> tuple[Format, bool]:
    """The dialect a path says, and whether it says it (False: Claude Code by default)."""
    parts = [p.lower() for p in str(path).split("/") if p]
    name = parts[-1] if parts else ""
    if name.endswith(".agent.md"):
        return Format.COPILOT_AGENT, True
    if name.endswith(".chatmode.md"):
        return Format.COPILOT_CHATMODE, True
    if name == ".roomodes":
        return Format.ROO_CODE, True
    if name.endswith(".toml"):
        return Format.CODEX, True  # discovery takes a .toml only in .codex/ or with developer_instructions
    parts = parts[:-1]
    found: Format | None = None
    for index, (parent, child) in enumerate(itertools.pairwise(parts)):
        for folder, children, fmt in _LAYOUTS:
            # A tool folder without its dot (cursor/agents/) is one a collection ships to be copied.
            if parent in (folder, folder[1:]) and child in children:
                if DIALECTS[fmt].top_level_only and index + 2 != len(parts):
                    continue  # below the folder the tool reads
                found = fmt  # the innermost layout wins
    if found is not None:
        return found, True
    if parts and parts[-1] in AGENT_FOLDERS:  # the tool reads that folder's files, not those below
        return AGENT_FOLDERS[parts[-1]], True
    return Format.CLAUDE_CODE, False


# Frontmatter keys only one tool reads: where the path does not say, they do.
_TELLING_KEYS: tuple[tuple[Format, frozenset[str]], ...] = (
    (Format.CLAUDE_CODE, _words("disallowedTools permissionMode maxTurns initialPrompt isolation effort")),
    (
        Format.COPILOT_AGENT,
        _words("handoffs target argument-hint mcp-servers infer user-invocable disable-model-invocation"),
    ),
    (Format.OPENCODE, _words("mode permission temperature top_p steps maxSteps disable tools{}")),
    (Format.GEMINI_CLI, _words("kind max_turns timeout_mins display_name")),
    (Format.CURSOR, _words("readonly is_background")),
    (Format.QWEN_CODE, _words("modelConfig runConfig")),
    (Format.FACTORY, _words("reasoningEffort")),
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


def name_from_file_name(file_name: str, dialect: Dialect) -> str:
    if file_name.lower().endswith(dialect.suffix):
        return file_name[: -len(dialect.suffix)]
    return file_name[:-3] if file_name.lower().endswith(".md") else file_name
