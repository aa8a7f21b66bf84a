"""The tools' own vocabularies: tool names, colors, fixed values and model aliases, as each
tool's source or documentation gives them. ``catalog.model.dialects`` puts them in its table."""

from __future__ import annotations


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
# permissionMode's modes (code.claude.com/docs/en/sub-agents, since v2.1.9x with auto mode).
ENUMS = {
    "permissionMode": frozenset({"default", "acceptEdits", "auto", "dontAsk", "bypassPermissions", "plan"}),
    "effort": frozenset({"low", "medium", "high", "max"}),
    "memory": frozenset({"user", "project", "local"}),
    "isolation": frozenset({"worktree"}),
}
# Claude Code's model aliases (code.claude.com/docs/en/model-config; fable, Claude Fable's, as
# Claude Code resolves it to the latest Fable); opencode and Gemini CLI agents are checked against
# them too.
MODEL_ALIASES = words("sonnet opus haiku best fable inherit opusplan default sonnet[1m] opus[1m]")


# Gemini CLI's tool names: ALL_BUILTIN_TOOL_NAMES and TOOL_LEGACY_ALIASES (search_file_content,
# its old grep) of packages/core/src/tools/tool-names.ts; save_memory left it in 2026-05 (#26941).
GEMINI_TOOLS = words(
    "glob grep_search search_file_content list_directory read_file read_many_files run_shell_command write_file "
    "replace google_web_search web_fetch write_todos get_internal_docs activate_skill ask_user "
    "enter_plan_mode exit_plan_mode update_topic complete_task invoke_agent read_mcp_resource list_mcp_resources "
    "tracker_create_task tracker_update_task tracker_get_task tracker_list_tasks tracker_add_dependency "
    "tracker_visualize"
)
# toolGroups in packages/types/src/tool.ts of Roo Code (and of Kilo Code); "modes" (switch_mode,
# new_task) is always available (TOOL_GROUPS' alwaysAvailable), listed or not.
ROO_GROUPS = words("read edit browser command mcp modes")
ROO_ALWAYS = words("modes")
# The files Roo Code leaves out of a mode's rules folder (custom-instructions.ts).
ROO_RULES_IGNORED = tuple(
    "*.DS_Store *.bak *.cache *.crdownload *.db *.dmp *.dump *.eslintcache *.lock *.log *.old *.part "
    "*.partial *.pyc *.pyo *.stackdump *.swo *.swp *.temp *.tmp Thumbs.db".split()
)
# Qwen Code's tool names (qwenlm.github.io/qwen-code-docs, Subagents).
QWEN_TOOLS = words(
    "read_file read_many_files write_file edit replace run_shell_command grep_search search_file_content "
    "glob list_directory web_fetch web_search todo_write save_memory task exit_plan_mode skill lsp "
    "ask_user_question agent task_create task_get task_list task_update task_stop task_output"
)
# Factory's tool names and tool categories (docs.factory.ai/cli/configuration/custom-droids).
FACTORY_TOOLS = words(
    "Read LS Grep Glob Create Edit MultiEdit ApplyPatch Execute WebSearch FetchUrl TodoWrite Task "
    "read-only edit execute web mcp"
)
# Gemini CLI's kinds of agent, each a strict schema of agentLoader.ts (localAgentSchema; the remote
# ones, remoteAgentUrlSchema and remoteAgentJsonSchema, need exactly one of agent_card_url and
# agent_card_json): (kind, its keys, the keys of which it needs exactly one).
_GEMINI_COMMON = "kind name description display_name "
GEMINI_KINDS: tuple[tuple[str, frozenset[str], tuple[str, ...]], ...] = (
    ("local", words(_GEMINI_COMMON + "tools mcp_servers model temperature max_turns timeout_mins"), ()),
    ("remote", words(_GEMINI_COMMON + "auth agent_card_url agent_card_json"), ("agent_card_url", "agent_card_json")),
)
