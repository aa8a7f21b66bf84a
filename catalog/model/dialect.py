"""What a dialect is: how one tool writes, finds and checks its agents, as fields the rest of
the pipeline reads. The dialects themselves are the table of ``catalog.model.dialects``."""

from __future__ import annotations

from catalog.frozen import frozen
from catalog.types import Format


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
    name_rule: str = ""  # that, in words, where the pattern does not read well
    enums: tuple[tuple[str, frozenset[str]], ...] = ()  # fields with a fixed set of values
    install: str = ""  # how to install a downloaded file, one sentence
    download_suffix: str = ".md"  # the downloaded file's ending
    # It reads frontmatter that is not valid YAML line by line, as our lenient recovery does (AC115).
    lenient_yaml: bool = False
    yaml_fallback: str = ""  # or a fallback of its own ("quote-colon-values": opencode's, parse/lenient.py)
    # Where the tool also reads agents for every project on a machine, when pages say so.
    user_install_dir: str = ""
    # The rules a tool applies to names: it ignores an agent without its name key (AC201); its
    # names are kebab-case, never with ':' nor a leading '-' (AC203, AC204; else name_pattern, AC205).
    name_required: bool = False
    kebab_names: bool = False
    prompt_required: bool = False  # it refuses an agent without its first prompt key (AC206)
    prompt_min_chars: int = 1  # or, where the body is the prompt, one shorter than this (Qwen Code: 10)
    tools_key: str = "tools"  # the key that grants tools, where findings about them point
    renamed_tools: tuple[tuple[str, str], ...] = ()  # (old name, new name) of tools it renamed
    colors: frozenset[str] = frozenset()  # the colors it accepts, where it checks them
    # The frontmatter file of an extension that makes an agents/ folder beside it this format's.
    extension_manifest: str = ""
    # A folder name only this tool gives its agents: anywhere in a path it says the format and
    # holds agents (Factory's plugins keep their droids in droids/, as projects in .factory/droids/).
    agent_folder: str = ""
    # Where the tool finds more of an agent's prompt beside its file, by the agent's name ("{name}"):
    # the first of them that holds any text counts; one ending in "/" is a folder read whole (subfolders
    # too), its files in name order, each under a "# Rules from <path>:" line as the tool adds. Roo Code's.
    name_rules: tuple[str, ...] = ()
    # An agent without a name key is named by its path below the agents folder, its subfolders
    # joined by "/" and without ".md" (opencode: configEntryNameFromPath, .opencode/agent/team/x.md
    # is team/x); one with a name key by that name ({name: fromPath, ...frontmatter} in
    # ConfigAgent.load of packages/opencode/src/config/agent.ts).
    nested_names: bool = False
    # The tool reads the files directly in its install_dir (and its agent_folder) only, not its
    # subfolders' (Gemini CLI: loadAgentsFromDirectory, not recursive; Factory: "top-level files
    # only"), and leaves out those whose name starts with ignored_prefix (Gemini CLI: "_x.md").
    install_dir_flat: bool = False
    # Its other agents folders (in LAYOUTS) it reads flat, though it reads install_dir's
    # subfolders: opencode's mode/ and modes/ ({mode,modes}/*.md in ConfigAgent.loadMode).
    flat_folders: tuple[str, ...] = ()
    ignored_prefix: str = ""
    # The tool's configuration files that may define agents too, in a map under ``config_key``
    # (opencode.json's "agent": {"name": {...}}), each agent's prompt inline or "{file:./path}".
    config_files: tuple[str, ...] = ()
    config_key: str = ""
    # A map of those files whose entries are agents too, primary ones (opencode's old "mode").
    config_modes_key: str = ""
    rules_ignored: tuple[str, ...] = ()  # names (or "*.ending"s) the tool leaves out of such a folder
    # The tool refuses the whole file for a field, tool or value it does not know, where the
    # others ignore it (Gemini CLI: agentLoader.ts validates frontmatter with a zod .strict() schema).
    strict_schema: bool = False
    # Only its tool names are checked so (Roo Code, Kilo Code: customModesSettingsSchema; Factory).
    strict_tools: bool = False
    # A regular expression of other tool names it takes, written whole. None: any MCP-looking name.
    tool_pattern: str | None = None
    # The type its schema requires of a field ("text", "list", "number", "count": a whole number above 0).
    value_types: tuple[tuple[str, str], ...] = ()
    # Its kinds of agent ("kind" says which, else its keys): (kind, its keys, keys it needs one of).
    kinds: tuple[tuple[str, frozenset[str], tuple[str, ...]], ...] = ()
    # It loads a Markdown agent without frontmatter, its whole text the prompt (VS Code's Copilot agents).
    frontmatter_required: bool = True
    # It refuses frontmatter not at the first byte or not YAML (Gemini CLI: FRONTMATTER_REGEX, js-yaml).
    frontmatter_strict: bool = False
    # Its files besides the agent's are read for a setting, not shown on its page (Codex's config.toml).
    # Only its values are: a field it knows with a value of another kind, or outside its choices
    # (enums, colors), and it refuses the file, though it keeps fields it does not know (opencode:
    # AgentSchema, a StructWithRest, in packages/opencode/src/config/agent.ts).
    strict_values: bool = False
    color_pattern: str | None = None  # the colors it accepts besides ``colors`` (opencode: #RRGGBB)
    # Fields whose value must be of one kind: "number", "count" (a whole number above 0),
    # "boolean", or "permission" (opencode's: allow / ask / deny, or a map of them).
    value_kinds: tuple[tuple[str, str], ...] = ()
    # Its files besides the agent's are read for a setting, not shown on its page (Codex's
    # .codex/config.toml): not text agents share (``discover.shared_texts``).
    companions_shown: bool = True
