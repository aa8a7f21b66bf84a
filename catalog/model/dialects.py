"""The one place that knows how the agent dialects differ.

Everything downstream of :func:`catalog.model.agent.build_agent` sees only the common ``Agent``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from catalog.model import vocabulary as vocab
from catalog.model.dialect import Dialect
from catalog.model.vocabulary import words
from catalog.types import Format

# Keys collections add to every format (categories, tags, ...). They take part in lenient
# recovery: a line starting with one of them starts a new field.
_COMMON_KEYS = frozenset(
    {"name", "description", "model", "tools", "color", "category", "tags", "version", "author", "id"}
)


def _dialect(
    fmt: Format, fields: str, install_dir: str, name_from_file: bool, suffix: str, added: str = "", **more: Any
) -> Dialect:
    """A dialect from its tool's fields and the fields its collections add (space-separated)."""
    own = frozenset(fields.split())
    return Dialect(fmt, own, own | _COMMON_KEYS | frozenset(added.split()), install_dir, name_from_file, suffix, **more)


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
    tool_names=vocab.CLAUDE_TOOLS,
    renamed_tools=tuple(vocab.STALE_TOOLS.items()),
    colors=vocab.CLAUDE_COLORS,
    enums=tuple(vocab.ENUMS.items()),
    model_pattern=r"claude-[a-z0-9.-]+(?:@[0-9]+)?|(?:us\.|eu\.)?anthropic\.claude-[\w.:-]+",
    model_aliases=vocab.MODEL_ALIASES,
)
# Copilot agents as VS Code reads them (microsoft/vscode src/vs/workbench/contrib/chat/common/
# promptSyntax/: promptFileAttributes.ts customAgentAttributes and GitHub's mcp-servers, github;
# user-invokable, the old spelling): another key is a warning in the editor, the agent loads.
_COPILOT_AGENT_FIELDS = (
    "name description tools model target handoffs argument-hint mcp-servers infer user-invocable "
    "disable-model-invocation agents metadata advancedOptions github hooks user-invokable"
)
# getPromptFileType (promptFileLocations.ts) makes a .chatmode.md an agent as a .agent.md, name
# key first; PromptFilesLocator.resolveFilesAtLocation reads .github/agents/ flat.
COPILOT_AGENT = _dialect(
    Format.COPILOT_AGENT,
    _COPILOT_AGENT_FIELDS,
    ".github/agents/",
    False,
    ".agent.md",
    "mode hidden title",
    label="Copilot agent",
    download_suffix=".agent.md",
    enums=(("target", words("vscode github-copilot")),),
    install_dir_flat=True,
    frontmatter_required=False,
)
COPILOT_CHATMODE = replace(
    COPILOT_AGENT,
    format=Format.COPILOT_CHATMODE,
    fields=COPILOT_AGENT.fields | words("title"),
    install_dir=".github/chatmodes/",
    suffix=".chatmode.md",
    label="Copilot chat mode",
    download_suffix=".chatmode.md",
)
OPENCODE = _dialect(
    Format.OPENCODE,
    "description mode model temperature top_p tools permission prompt disable color steps maxSteps hidden name",
    ".opencode/agent/",
    False,
    ".md",
    "permissions type dependencies",
    label="opencode",
    name_keys=("name",),
    nested_names=True,
    flat_folders=(".opencode/mode/", ".opencode/modes/"),
    yaml_fallback="quote-colon-values",
    permission_model="opencode",
    # opencode.ai/docs/agents: agents in the "agent" map of opencode.json (JSON with comments).
    config_files=("opencode.json", "opencode.jsonc"),
    config_key="agent",
    config_modes_key="mode",
    prompt_keys=("prompt",),
    enums=(("mode", words("primary subagent all")),),
    model_pattern=r"[a-z0-9-]+/[\w.:@-]+",
    model_aliases=vocab.MODEL_ALIASES,
    strict_values=True,
    colors=vocab.OPENCODE_COLORS,
    color_pattern=r"#[0-9a-fA-F]{6}",
    value_kinds=tuple(vocab.OPENCODE_KINDS.items()),
)
# Kilo Code (its CLI, and the extension built on it), a fork of opencode: the same agents in
# {agent,agents}/**/*.md of .kilo/ or .kilocode/ (ConfigPaths.directories, ConfigAgent.load in
# Kilo-Org/kilocode's packages/opencode/src/config), and in the "agent" map of kilo.json(c).
KILO_CODE = replace(
    OPENCODE,
    format=Format.KILO_CODE,
    fields=OPENCODE.fields | words("variant displayName source requirements"),
    known_keys=OPENCODE.known_keys | words("variant displayName source requirements"),
    install_dir=".kilo/agents/",
    user_install_dir="~/.config/kilo/agents/",
    label="Kilo Code",
    flat_folders=tuple(f"{folder}/{mode}/" for folder in (".kilo", ".kilocode") for mode in ("mode", "modes")),
    config_files=("kilo.json", "kilo.jsonc"),
)
# Its keys and types: the strict schemas of packages/core/src/agents/agentLoader.ts (vocab.GEMINI_KINDS).
GEMINI_CLI = _dialect(
    Format.GEMINI_CLI,
    " ".join(sorted(set().union(*(keys for _, keys, _ in vocab.GEMINI_KINDS)))),
    ".gemini/agents/",
    False,
    ".md",
    label="Gemini CLI",
    name_pattern=r"[a-z0-9_-]+",
    enums=(("kind", words("local remote")),),
    name_required=True,
    kebab_names=True,
    model_pattern=r"gemini-[a-z0-9.-]+",
    model_aliases=vocab.MODEL_ALIASES,
    extension_manifest="gemini-extension.json",
    tool_names=vocab.GEMINI_TOOLS,
    # isValidToolName (tools/tool-names.ts, allowWildcards): '*', discovered_tool_..., mcp_<server>_<tool or *>.
    tool_pattern=r"\*|discovered_tool_(?s:.*)|mcp_\*|mcp_[a-zA-Z0-9.:-]+_(?:\*|(?!_*$)[a-zA-Z0-9_.:-]+)",
    value_types=(
        ("name", "text"),
        ("description", "text"),
        ("display_name", "text"),
        ("tools", "list"),
        ("model", "text"),
        ("temperature", "number"),
        ("max_turns", "count"),
        ("timeout_mins", "count"),
    ),
    kinds=vocab.GEMINI_KINDS,
    frontmatter_strict=True,
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
# Codex CLI custom agents (developers.openai.com/codex/subagents): one TOML file each, in
# .codex/agents/ and its subfolders (collect_agent_role_files_recursive in agent_roles.rs).
CODEX = _dialect(
    Format.CODEX,
    " ".join(vocab.CODEX_KEYS),
    ".codex/agents/",
    False,
    ".toml",
    label="Codex CLI",
    syntax="toml",
    prompt_keys=("developer_instructions",),
    permission_model="sandbox",
    model_pattern=r"(?:gpt|o\d|codex)[\w.:-]*",
    enums=tuple(vocab.CODEX_ENUMS.items()),
    value_kinds=tuple(vocab.CODEX_KINDS.items()),
    strict_schema=True,
    install="Put it in .codex/agents/ of your repository (or ~/.codex/agents/); Codex finds it by its name.",
    download_suffix=".toml",
    name_required=True,
    prompt_required=True,
    companions_shown=False,
)
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
    tool_names=vocab.ROO_GROUPS,
    name_pattern=r"[a-zA-Z0-9-]+",
    install="Add this mode to the customModes list of .roomodes at the root of your repository.",
    download_suffix=".roomodes",
    name_required=True,
    prompt_required=True,
    tools_key="groups",
    strict_tools=True,
    # modeConfigSchema's texts (z.string()); its slug and groups are checked on their own.
    value_types=tuple(
        (key, "text") for key in ("name", "roleDefinition", "whenToUse", "description", "customInstructions")
    ),
    # docs.roocode.com/features/custom-instructions and addCustomInstructions in Roo Code's
    # src/core/prompts/sections/custom-instructions.ts: .roo/rules-<slug>/, else the legacy files.
    name_rules=(".roo/rules-{name}/", ".roorules-{name}", ".clinerules-{name}"),
    rules_ignored=vocab.ROO_RULES_IGNORED,
)
# Kilo Code's legacy extension, a fork of Roo Code (kilo.ai/docs/customize/custom-modes): the same
# modes in .kilocodemodes (CustomModesManager's ROOMODES_FILENAME), its mode rules in
# .kilocode/rules-<slug>/, then Roo Code's folder, then .kilocoderules-<slug> (addCustomInstructions
# in src/core/prompts/sections/custom-instructions.ts).
KILO_CODE_MODE = replace(
    ROO_CODE,
    format=Format.KILO_CODE_MODE,
    install_dir=".kilocodemodes",
    suffix=".kilocodemodes",
    label="Kilo Code mode",
    install="Add this mode to the customModes list of .kilocodemodes at the root of your repository.",
    download_suffix=".kilocodemodes",
    name_rules=(".kilocode/rules-{name}/", ".roo/rules-{name}/", ".kilocoderules-{name}"),
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
# Qwen Code subagents (qwenlm.github.io/qwen-code-docs, Subagents): Markdown + frontmatter, the
# files directly in .qwen/agents/ (listSubagentsAtLevel: fs.readdir), each checked by
# parseSubagentContent and SubagentValidator (packages/core/src/subagents/): a file that fails is
# skipped. Any model id goes (parseSubagentModelSelection), so models are not checked.
QWEN_CODE = _dialect(
    Format.QWEN_CODE,
    "name description tools disallowedTools model modelConfig runConfig color approvalMode background "
    "permissionMode maxTurns mcpServers hooks executor",
    ".qwen/agents/",
    False,
    ".md",
    label="Qwen Code",
    tool_names=vocab.QWEN_TOOLS,
    name_required=True,
    name_pattern=vocab.QWEN_NAME,
    name_rule="2 to 50 letters, digits, '-' and '_', not first nor last a '-' or '_', and not self, system, "
    "user, model, tool, config or default",
    prompt_required=True,
    prompt_min_chars=10,
    enums=(("approvalMode", vocab.QWEN_APPROVAL_MODES),),
    strict_values=True,
    install_dir_flat=True,
    user_install_dir="~/.qwen/agents/",
)
# Factory custom droids (docs.factory.ai/cli/configuration/custom-droids): its DroidValidator fails
# a droid with an unknown tool or an empty body.
FACTORY = _dialect(
    Format.FACTORY,
    "name description model reasoningEffort tools mcpServers",
    ".factory/droids/",
    False,
    ".md",
    label="Factory droid",
    tool_names=vocab.FACTORY_TOOLS,
    name_pattern=r"[a-z0-9_-]+",
    enums=(("reasoningEffort", words("off none low medium high")),),
    name_required=True,
    prompt_required=True,
    strict_tools=True,
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
        KILO_CODE_MODE,
        KILO_CODE,
        KIRO,
        QWEN_CODE,
        FACTORY,
    )
}


# The files of a tool's modes (.roomodes): one agent each mode, by file name.
# Roo Code's global custom_modes.yaml too (GlobalFileNames.customModes; cline_custom_modes.json
# before it), which collections ship to be copied there.
MODES_FILES = {d.install_dir: d.format for d in DIALECTS.values() if d.syntax == "roomodes"} | dict.fromkeys(
    ("custom_modes.yaml", "cline_custom_modes.json"), Format.ROO_CODE
)


def config_dialect(file_name: str) -> Dialect | None:
    """The dialect whose configuration file this is (opencode.json), if any."""
    lowered = file_name.lower()
    return next((d for d in DIALECTS.values() if lowered in d.config_files), None)


def name_from_file_name(file_name: str, dialect: Dialect) -> str:
    if file_name.lower().endswith(dialect.suffix):
        return file_name[: -len(dialect.suffix)]
    return file_name[:-3] if file_name.lower().endswith(".md") else file_name
