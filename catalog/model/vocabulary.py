"""The vocabularies of the tools agent-catalog reads: their tool names, colors, fixed values,
model aliases and configuration keys, each from the tool's source or documentation. The dialect
table (``catalog.model.dialects``) says which tool uses which."""

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


# Gemini CLI's tool names (packages/core/src/tools/tool-names.ts), search_file_content its old grep.
GEMINI_TOOLS = words(
    "glob grep_search search_file_content list_directory read_file read_many_files run_shell_command write_file "
    "replace google_web_search web_fetch save_memory write_todos get_internal_docs activate_skill ask_user "
    "enter_plan_mode exit_plan_mode update_topic tracker_create_task tracker_update_task tracker_get_task "
    "tracker_list_tasks tracker_add_dependency tracker_visualize"
)
# toolGroups in packages/types/src/tool.ts of Roo Code (and of Kilo Code); "modes" (switch_mode,
# new_task) is always available (TOOL_GROUPS' alwaysAvailable), listed or not.
ROO_GROUPS = words("read edit browser command mcp modes")
ROO_ALWAYS = words("modes")
