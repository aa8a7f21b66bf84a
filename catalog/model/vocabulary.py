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
# opencode's agent fields with a value of one kind, and its colors: a theme color or #RRGGBB
# (AgentSchema in packages/opencode/src/config/agent.ts; ConfigPermission.Info for permission).
OPENCODE_KINDS = {
    "temperature": "number",
    "top_p": "number",
    "steps": "count",
    "maxSteps": "count",
    "hidden": "boolean",
    "disable": "boolean",
    "permission": "permission",
}
OPENCODE_COLORS = words("primary secondary accent success warning error info")
# toolGroups in packages/types/src/tool.ts of Roo Code (and of Kilo Code); "modes" (switch_mode,
# new_task) is always available (TOOL_GROUPS' alwaysAvailable), listed or not.
ROO_GROUPS = words("read edit browser command mcp modes")
ROO_ALWAYS = words("modes")
# The files Roo Code leaves out of a mode's rules folder (custom-instructions.ts).
ROO_RULES_IGNORED = tuple(
    "*.DS_Store *.bak *.cache *.crdownload *.db *.dmp *.dump *.eslintcache *.lock *.log *.old *.part "
    "*.partial *.pyc *.pyo *.stackdump *.swo *.swp *.temp *.tmp Thumbs.db".split()
)
# What a Codex CLI agent file may hold: name, description and nickname_candidates, and any key
# of config.toml (RawAgentRoleFileToml in codex-rs/core/src/config/agent_roles.rs: serde
# deny_unknown_fields, ConfigToml flattened in; ConfigToml in codex-rs/config/src/config_toml.rs).
# Another key, or a value outside a key's choices, and Codex ignores the file ("Ignoring
# malformed agent role definition: ... unknown field").
CODEX_KEYS = words(
    "name description nickname_candidates model review_model model_provider model_context_window "
    "model_auto_compact_token_limit model_auto_compact_token_limit_scope approval_policy approvals_reviewer "
    "auto_review shell_environment_policy allow_login_shell sandbox_mode sandbox_workspace_write "
    "default_permissions permissions notify instructions developer_instructions include_permissions_instructions "
    "include_apps_instructions include_collaboration_mode_instructions include_environment_context "
    "model_instructions_file compact_prompt forced_chatgpt_workspace_id forced_login_method "
    "cli_auth_credentials_store mcp_servers mcp_oauth_credentials_store mcp_oauth_callback_port "
    "mcp_oauth_callback_url model_providers project_doc_max_bytes project_doc_fallback_filenames "
    "tool_output_token_limit background_terminal_max_timeout js_repl_node_path js_repl_node_module_dirs profile "
    "profiles history sqlite_home sqlite log_dir debug file_opener tui hide_agent_reasoning "
    "show_raw_agent_reasoning model_reasoning_effort plan_mode_reasoning_effort model_reasoning_summary "
    "model_verbosity model_supports_reasoning_summaries model_catalog_json personality service_tier "
    "chatgpt_base_url apps_mcp_product_sku openai_base_url audio experimental_realtime_ws_base_url "
    "experimental_realtime_ws_model realtime experimental_realtime_ws_backend_prompt "
    "experimental_realtime_ws_startup_context experimental_realtime_start_instructions "
    "experimental_thread_config_endpoint experimental_thread_store_endpoint experimental_thread_store projects "
    "web_search tools tool_suggest agents memories skills hooks plugins marketplaces features "
    "suppress_unstable_features_warning ghost_snapshot project_root_markers check_for_update_on_startup "
    "disable_paste_burst analytics feedback apps desktop otel windows notice experimental_compact_prompt_file "
    "experimental_use_unified_exec_tool oss_provider"
)
CODEX_KINDS = {"nickname_candidates": "nicknames"}
# The choices of its keys with fixed values (codex-rs/protocol/src/config_types.rs, openai_models.rs,
# protocol.rs: serde's kebab-case or lowercase names).
CODEX_REASONING = words("none minimal low medium high xhigh")
CODEX_ENUMS = {
    "sandbox_mode": words("read-only workspace-write danger-full-access"),
    "model_reasoning_effort": CODEX_REASONING,
    "plan_mode_reasoning_effort": CODEX_REASONING,
    "model_reasoning_summary": words("auto concise detailed none"),
    "model_verbosity": words("low medium high"),
    "web_search": words("disabled cached live"),
    "personality": words("none friendly pragmatic"),
    "approval_policy": words("untrusted on-failure on-request never"),
}
# Qwen Code's tool names, their display names and their old names, all of which a subagent's
# tools may give (ToolNames, ToolDisplayNames and their migrations in
# packages/core/src/tools/tool-names.ts; transformToToolNames in subagent-manager.ts).
QWEN_TOOLS = words(
    "read_file read_many_files write_file edit replace run_shell_command grep_search search_file_content "
    "glob list_directory web_fetch web_search todo_write save_memory task exit_plan_mode skill lsp "
    "ask_user_question agent task_create task_get task_list task_update task_stop task_output bash sh "
    "Edit WriteFile ReadFile Grep Glob Shell TodoWrite SaveMemory Task Skill ExitPlanMode WebFetch WebSearch "
    "ListFiles Lsp SearchFiles FindFiles ReadFolder"
)
# What a Qwen Code subagent's name may be (SubagentValidator.validateName in
# packages/core/src/subagents/validation.ts): 2 to 50 letters, digits, '-' and '_', neither
# first nor last a '-' or '_', and none of its reserved names.
QWEN_NAME = r"(?!(?i:self|system|user|model|tool|config|default)$)[^\W_][\w-]{0,48}[^\W_]"
QWEN_APPROVAL_MODES = words("plan default auto-edit yolo")  # ApprovalMode in packages/core/src/config/config.ts
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
