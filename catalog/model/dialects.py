"""The one place that knows how the agent dialects differ.

Everything downstream of :func:`catalog.model.agent.build_agent` sees only the common ``Agent``.
"""

from __future__ import annotations

from typing import Any

from catalog.frozen import frozen
from catalog.types import Format

# Keys collections add to every format (categories, tags, ...). They take part in lenient
# recovery: a line starting with one of them starts a new field.
_COMMON_KEYS = frozenset(
    {"name", "description", "model", "tools", "color", "category", "tags", "version", "author", "id"}
)


@frozen
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
    # Where the tool finds more of an agent's prompt beside its file, by the agent's name
    # ("{name}"): the first of them that holds any text counts; one ending in "/" is a folder
    # read whole (subfolders too), its files in the order of their names, each under a
    # "# Rules from <path>:" line, as the tool adds them. Roo Code's mode rules.
    name_rules: tuple[str, ...] = ()
    # The tool reads the files directly in its install_dir (and its agent_folder) only, not its
    # subfolders' (Gemini CLI: loadAgentsFromDirectory, not recursive; Factory: "top-level files
    # only"), and leaves out those whose name starts with ignored_prefix (Gemini CLI: "_x.md").
    install_dir_flat: bool = False
    ignored_prefix: str = ""
    # The tool's configuration files that may define agents too, in a map under ``config_key``
    # (opencode.json's "agent": {"name": {...}}), each agent's prompt inline or "{file:./path}".
    config_files: tuple[str, ...] = ()
    config_key: str = ""
    rules_ignored: tuple[str, ...] = ()  # names (or "*.ending"s) the tool leaves out of such a folder
    # The tool refuses the whole file for a field, tool or value it does not know, where the
    # others ignore it (Gemini CLI: agentLoader.ts validates frontmatter with a zod .strict() schema).
    strict_schema: bool = False
    # Its files besides the agent's are read for a setting, not shown on its page (Codex's
    # .codex/config.toml): not text agents share (``discover.shared_texts``).
    companions_shown: bool = True


def _dialect(
    fmt: Format, fields: str, install_dir: str, name_from_file: bool, suffix: str, added: str = "", **more: Any
) -> Dialect:
    """A dialect from its tool's fields and the fields its collections add (space-separated)."""
    own = frozenset(fields.split())
    return Dialect(fmt, own, own | _COMMON_KEYS | frozenset(added.split()), install_dir, name_from_file, suffix, **more)


def words(text: str) -> frozenset[str]:
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
# Claude Code's model aliases (code.claude.com/docs/en/model-config; fable, Claude Fable's, as
# Claude Code resolves it to the latest Fable); opencode and Gemini CLI agents are checked against
# them too.
MODEL_ALIASES = words("sonnet opus haiku best fable inherit opusplan default sonnet[1m] opus[1m]")


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
    # opencode.ai/docs/agents: agents in the "agent" map of opencode.json (JSON with comments).
    config_files=("opencode.json", "opencode.jsonc"),
    config_key="agent",
    prompt_keys=("prompt",),
    enums=(("mode", words("primary subagent all")),),
    model_pattern=r"[a-z0-9-]+/[\w.:@-]+",
    model_aliases=MODEL_ALIASES,
)
# Gemini CLI's tool names (packages/core/src/tools/tool-names.ts), search_file_content its old grep.
GEMINI_TOOLS = words(
    "glob grep_search search_file_content list_directory read_file read_many_files run_shell_command write_file "
    "replace google_web_search web_fetch save_memory write_todos get_internal_docs activate_skill ask_user "
    "enter_plan_mode exit_plan_mode update_topic tracker_create_task tracker_update_task tracker_get_task "
    "tracker_list_tasks tracker_add_dependency tracker_visualize"
)
# Its keys: the strict schema of packages/core/src/agents/agentLoader.ts (local and remote agents).
GEMINI_CLI = _dialect(
    Format.GEMINI_CLI,
    "name description kind tools model temperature max_turns timeout_mins mcpServers display_name mcp_servers policy "
    "agent_card_url auth",
    ".gemini/agents/",
    False,
    ".md",
    label="Gemini CLI",
    name_pattern=r"[a-z0-9_-]+",
    enums=(("kind", words("local remote")),),
    name_required=True,
    kebab_names=True,
    model_pattern=r"gemini-[a-z0-9.-]+",
    model_aliases=MODEL_ALIASES,
    extension_manifest="gemini-extension.json",
    tool_names=GEMINI_TOOLS,
    install_dir_flat=True,
    ignored_prefix="_",
    strict_schema=True,
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
    model_aliases=words("inherit fast auto"),
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
        ("sandbox_mode", words("read-only workspace-write danger-full-access")),
        ("model_reasoning_effort", words("none minimal low medium high xhigh")),
        ("approval_policy", words("untrusted on-failure on-request never")),
    ),
    install="Put it in .codex/agents/ of your repository (or ~/.codex/agents/); Codex finds it by its name.",
    download_suffix=".toml",
    name_required=True,
    prompt_required=True,
    companions_shown=False,
)
ROO_GROUPS = words("read edit browser command mcp")
# The files Roo Code reads its modes from (lowercase): a project's .roomodes, and the global
# custom_modes.yaml of its settings (GlobalFileNames.customModes), cline_custom_modes.json before
# it, which collections ship to be copied there.
ROO_MODE_FILES = frozenset({".roomodes", "custom_modes.yaml", "cline_custom_modes.json"})
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
    # docs.roocode.com/features/custom-instructions and addCustomInstructions in Roo Code's
    # src/core/prompts/sections/custom-instructions.ts: .roo/rules-<slug>/, else the legacy files.
    name_rules=(".roo/rules-{name}/", ".roorules-{name}", ".clinerules-{name}"),
    rules_ignored=tuple(
        "*.DS_Store *.bak *.cache *.crdownload *.db *.dmp *.dump *.eslintcache *.lock *.log *.old *.part "
        "*.partial *.pyc *.pyo *.stackdump *.swo *.swp *.temp *.tmp Thumbs.db".split()
    ),
)
# Kiro CLI agents (kiro.dev/docs/cli/custom-agents/configuration-reference): one JSON file each;
# Kiro CLI 3 also reads Markdown agents, with a permissions list (kiro.dev/docs/cli/v3/agent-config).
KIRO = _dialect(
    Format.KIRO,
    "name description prompt mcpServers tools toolAliases allowedTools toolsSettings resources hooks "
    "includeMcpJson useLegacyMcpJson model keyboardShortcut welcomeMessage $schema permissions",
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
# Qwen Code subagents (qwenlm.github.io/qwen-code-docs, Subagents): Markdown + frontmatter. Its
# loader (subagent-manager.ts, parseSubagentContent) reads Claude Code's keys too, and its own
# approvalMode and executor; a model is any configured one, "authType:" before it or not (modelId.ts).
QWEN_CODE = _dialect(
    Format.QWEN_CODE,
    "name description tools disallowedTools model modelConfig runConfig color approvalMode background "
    "permissionMode maxTurns mcpServers hooks executor",
    ".qwen/agents/",
    False,
    ".md",
    label="Qwen Code",
    tool_names=words(
        "read_file read_many_files write_file edit replace run_shell_command grep_search search_file_content "
        "glob list_directory web_fetch web_search todo_write save_memory task exit_plan_mode skill lsp "
        "ask_user_question agent task_create task_get task_list task_update task_stop task_output"
    ),
    model_pattern=r"[\w./@+-]+(?::[\w./:@+-]+)?",
    model_aliases=words("inherit fast"),
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
    tool_names=words(
        "Read LS Grep Glob Create Edit MultiEdit ApplyPatch Execute WebSearch FetchUrl TodoWrite Task "
        "read-only edit execute web mcp"
    ),
    name_pattern=r"[a-z0-9_-]+",
    enums=(("reasoningEffort", words("off none low medium high")),),
    name_required=True,
    agent_folder="droids",
    install_dir_flat=True,
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


def config_dialect(file_name: str) -> Dialect | None:
    """The dialect whose configuration file this is (opencode.json), if any."""
    lowered = file_name.lower()
    return next((d for d in DIALECTS.values() if lowered in d.config_files), None)


def name_from_file_name(file_name: str, dialect: Dialect) -> str:
    if file_name.lower().endswith(dialect.suffix):
        return file_name[: -len(dialect.suffix)]
    return file_name[:-3] if file_name.lower().endswith(".md") else file_name
