"""The lint rules of one agent that each tool reads its own way: names, prompts, tools, fields,
values and models, checked against the agent's dialect (``catalog.model.dialects``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from catalog.lint.registry import Hit, LintSettings, _line, _rule, _start
from catalog.lint.values import bad_values
from catalog.model.dialect import Dialect
from catalog.model.dialects import DIALECTS
from catalog.types import Agent

_KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Fields agent-catalog itself reads, in every format (the README says so): not unknown.
CATALOG_FIELDS = frozenset({"category", "tags"})


@_rule(
    "AC201",
    "missing-name",
    "error",
    "No 'name': Claude Code ignores the file as documentation.",
    "Claude Code, Gemini CLI, Codex CLI, Qwen Code and Factory take an agent's identity from its 'name' field, "
    "Roo Code a mode's from its 'slug'. Copilot, Cursor and Kiro use the file name, opencode its path below its "
    "agents folder when there is no 'name', so the rule does not apply to them.",
)
def missing_name(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    dialect = DIALECTS[agent.format]
    key = dialect.name_keys[0]
    unread = dialect.syntax != "markdown" and not agent.key_lines  # AC108 says why
    if dialect.name_required and key not in agent.key_lines and not unread:
        refusal = refused_by(dialect) if dialect.syntax == "roomodes" else f"{agent.format.value} ignores this file"
        yield _start(agent), 1, f"no {key!r} field: {refusal}"


def refused_by(dialect: Dialect) -> str:
    """What the tool does with a file it refuses: Roo Code and Kilo Code check every mode of a
    file against one schema (customModesSettingsSchema), and a file one mode fails loads none."""
    if dialect.syntax == "roomodes":
        return f"{dialect.label} loads none of this file's modes"
    return f"{dialect.label} refuses this file"


@_rule(
    "AC203",
    "name-syntax",
    "error",
    "A ':' in the name or a leading '-'.",
    "Claude Code refuses such names: ':' separates plugin and agent names, a leading '-' reads as an option. "
    "Copilot names are display titles and are not checked.",
)
def name_syntax(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    if _name_problem(agent) == "AC203":
        yield _line(agent, "name"), 1, f"name {agent.name!r} contains ':' or starts with '-'"


@_rule(
    "AC204",
    "name-not-kebab-case",
    "warning",
    "The name is not lowercase letters, digits and hyphens.",
    "Claude Code and Gemini CLI expect names like 'code-reviewer'; others may not be invocable by name.",
)
def name_not_kebab(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    if _name_problem(agent) == "AC204":
        yield _line(agent, "name"), 1, f"name {agent.name!r} is not lowercase letters, digits and hyphens"


@_rule(
    "AC205",
    "name-rejected",
    "error",
    "A name the tool refuses: Roo Code slugs are letters, digits and '-'; Factory names lowercase, digits, '-', '_'.",
    "Roo Code does not load a mode whose slug has other characters; Factory refuses such a droid; Gemini CLI "
    "refuses a name other than lowercase letters, digits, '-' and '_'; Qwen Code one other than 2 to 50 letters, "
    "digits, '-' and '_' (neither first nor last), or one it reserves (self, system, user, model, tool, config, "
    "default).",
)
def name_rejected(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    dialect = DIALECTS[agent.format]
    key = dialect.name_keys[0]
    if _name_problem(agent) == "AC205":
        yield (
            _line(agent, key),
            1,
            f"{key} {agent.name!r} is refused by {dialect.label}: it allows {dialect.name_rule or dialect.name_pattern}"
            + (f"; {refused_by(dialect)}" if dialect.syntax == "roomodes" else ""),
        )


def _name_problem(agent: Agent) -> str | None:
    """The one name rule an agent's written name breaks, the worst first: a ':' or a leading '-'
    (AC203), a name its tool refuses (AC205), one that is not kebab-case (AC204)."""
    dialect = DIALECTS[agent.format]
    if dialect.name_keys[0] not in agent.key_lines:
        return None
    if dialect.kebab_names and (":" in agent.name or agent.name.startswith("-")):
        return "AC203"
    if dialect.name_pattern is not None and not re.fullmatch(dialect.name_pattern, agent.name):
        return "AC205"
    if dialect.kebab_names and not _KEBAB.fullmatch(agent.name):
        return "AC204"
    return None


@_rule(
    "AC206",
    "missing-prompt",
    "error",
    "No system prompt where the tool requires one: Codex 'developer_instructions', Roo Code 'roleDefinition', "
    "a Factory droid's or a Qwen Code subagent's body.",
    "Codex CLI refuses a custom agent without developer_instructions, or with blank ones, Roo Code a mode without "
    "roleDefinition, Factory a droid whose body is empty, Qwen Code a subagent whose body is under 10 characters.",
)
def missing_prompt(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    dialect = DIALECTS[agent.format]
    if dialect.prompt_required and not dialect.prompt_keys:  # the body is the prompt
        if agent.key_lines and len(agent.body.strip()) < dialect.prompt_min_chars:
            short = f"under {dialect.prompt_min_chars} characters" if agent.body.strip() else "empty"
            yield _start(agent), 1, f"the system prompt (the body) is {short}: {dialect.label} refuses this file"
        return
    required = dialect.prompt_keys[0] if dialect.prompt_required else None
    if required and agent.key_lines and (required not in agent.key_lines or not agent.body.strip()):
        refusal = refused_by(dialect) if dialect.syntax == "roomodes" else f"{dialect.label} refuses this agent"
        # Written but blank is no prompt either (Codex: "developer_instructions cannot be blank").
        what = f"{required!r} is blank" if required in agent.key_lines else f"no {required!r}"
        yield _line(agent, required), 1, f"{what}: {refusal}"


@_rule(
    "AC207",
    "not-loaded",
    "warning",
    "The file is where its tool does not read agents: Gemini CLI, Factory and VS Code read the files directly in "
    "their agents folder only.",
    "Gemini CLI loads the .md files directly in .gemini/agents/ (not those of its subfolders, nor a file whose "
    "name starts with '_'), Factory those directly in .factory/droids/ or a plugin's droids/ (\"top-level files "
    'only"), opencode those directly in .opencode/mode/ (agents/ it reads whole), Qwen Code those directly in '
    ".qwen/agents/, VS Code those directly in .github/agents/: an agent in a subfolder is documented here but "
    "never loaded. Move it up to use it.",
)
def not_loaded(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    dialect = DIALECTS[agent.format]
    if not (dialect.install_dir_flat or dialect.ignored_prefix or dialect.flat_folders):
        return
    parts = agent.path.split("#", 1)[0].split("/")
    # Its install folder, or a folder of the name only it gives its agents (a plugin's droids/),
    # or another agents folder it reads flat (opencode's mode/).
    folders = [f.strip("/").split("/") for f in dialect.flat_folders]
    if dialect.install_dir_flat or dialect.ignored_prefix:
        folders += [[p.lower() for p in dialect.install_dir.strip("/").split("/")], [dialect.agent_folder]]
    ends = [
        i + len(f)
        for f in folders
        if f[-1]
        for i in range(len(parts))
        if [p.lower() for p in parts[i : i + len(f)]] == f
    ]
    if not ends:
        return
    below = parts[max(ends) :]
    if (dialect.install_dir_flat or dialect.flat_folders) and len(below) > 1:
        where = "/".join(parts[: max(ends)])
        yield (
            1,
            1,
            f"{dialect.label} reads the files directly in {where}/ only, not its subfolders: it never loads this agent",
        )
    elif dialect.ignored_prefix and below and below[-1].startswith(dialect.ignored_prefix):
        yield (
            1,
            1,
            f"{dialect.label} leaves out files whose name starts with {dialect.ignored_prefix!r}: "
            "it never loads this agent",
        )


@_rule(
    "AC208",
    "refused",
    "error",
    "A field, tool or value a tool with a strict schema refuses: it then loads none of the file.",
    "Gemini CLI checks an agent's frontmatter against a strict schema: a field it does not know (agent-catalog's "
    "own category and tags too), a tool name it does not know or a value outside a field's choices makes it refuse "
    "the whole file, where the other tools ignore them (AC401, AC403, AC404); so does Codex CLI, for a key that is "
    "neither an agent's nor config.toml's or a value outside a key's choices. opencode and Kilo Code keep fields "
    "they do not know but refuse an agent whose mode, color, temperature, top_p, steps, hidden, disable or "
    "permission is not of the kind their schema takes, Qwen Code one whose approvalMode is not plan, default, "
    "auto-edit or yolo. Roo Code and Kilo Code modes refuse a file of modes with a "
    "group they do not know: none of its modes load; Factory a droid with a tool it does not know.",
)
def refused(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    dialect = DIALECTS[agent.format]
    problems: tuple[Hit, ...] = ()
    if dialect.strict_schema or dialect.strict_tools:
        problems = (*_unknown_tools(agent),)
    if dialect.strict_schema:
        problems = (*_unknown_fields(agent, dialect.fields), *problems, *_kind_mix(agent))
    if dialect.strict_schema or dialect.strict_values:
        problems = (*problems, *bad_values(agent))
    problems = (*problems, *_wrong_types(agent))
    if dialect.syntax == "roomodes":
        problems = (*problems, *_mode_schema(agent))
    for line, col, problem in sorted(problems):
        yield line, col, f"{problem}: {refused_by(dialect)}"


def _kind_mix(agent: Agent) -> Iterator[Hit]:
    """The keys of another kind of agent than the file's (Gemini CLI: a local agent's tools beside a
    remote one's agent_card_url), and the one key of a set its kind needs, missing or doubled."""
    kinds = {kind: (keys, one_of) for kind, keys, one_of in DIALECTS[agent.format].kinds}
    present = [key for key in agent.key_lines if any(key in keys for keys, _ in kinds.values())]
    if not kinds or not present:
        return
    declared = agent.extra.get("kind")
    kind = declared if isinstance(declared, str) and declared in kinds else None
    kind = kind or max(kinds, key=lambda k: sum(key in kinds[k][0] for key in present))  # the first on a tie
    keys, one_of = kinds[kind]
    for key in present:
        if key not in keys:
            yield agent.key_lines[key], 1, f"field {key!r} is not one of a {kind} agent's"
    if one_of and sum(key in agent.key_lines for key in one_of) != 1:
        yield _start(agent), 1, f"a {kind} agent needs exactly one of {' and '.join(one_of)}"


# How pages say a type of ``Dialect.value_types``.
_TYPE_WORDS = {"text": "text", "list": "a list of names", "number": "a number", "count": "a whole number above 0"}


def _wrong_types(agent: Agent) -> Iterator[Hit]:
    for key, kind in agent.mistyped:
        yield _line(agent, key), 1, f"{key!r} is not {_TYPE_WORDS[kind]}"


def _mode_schema(agent: Agent) -> Iterator[Hit]:
    """What else Roo Code's modeConfigSchema refuses in a mode (its slug and roleDefinition
    are AC201, AC205 and AC206's): no name or groups, a group listed twice, a source other
    than global or project (a text that is not text is the dialect's value_types')."""
    if not agent.key_lines:
        return  # the file did not load: AC108
    for key in ("name", "groups"):
        if key not in agent.key_lines:
            yield _start(agent), 1, f"no {key!r} field"
    groups = [tool.split("(", 1)[0] for tool in agent.tools or ()]
    for group in sorted({group for group in groups if groups.count(group) > 1}):
        yield _line(agent, "groups"), 1, f"group {group!r} is listed twice"
    source = agent.extra.get("source")
    if "source" in agent.extra and source not in ("global", "project"):
        yield _line(agent, "source"), 1, f"source {source!r} is not global or project"


@_rule(
    "AC401",
    "unknown-tool",
    "warning",
    "A tool name its tool does not know, and ignores (Claude Code, Qwen Code).",
    "Unknown tools are ignored, so the agent silently lacks a tool it was meant to have. MCP tools "
    "(mcp__server__tool) and patterns like Bash(git diff:*) are checked by their tool name. Gemini CLI, Roo Code, "
    "Kilo Code and Factory refuse the whole file instead: AC208.",
)
def unknown_tool(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    if not (DIALECTS[agent.format].strict_schema or DIALECTS[agent.format].strict_tools):
        yield from _unknown_tools(agent)


def _unknown_tools(agent: Agent) -> Iterator[Hit]:
    dialect = DIALECTS[agent.format]
    # A tool that has renamed tools (Claude Code) is checked on its denied tools too, and AC402
    # names the renamed ones; the others on the tools they grant.
    renamed = dict(dialect.renamed_tools)
    for tool, base, line in _claude_tools(agent):
        if base not in (dialect.tool_names or ()) and base not in renamed and not base.startswith("mcp__"):
            yield line, 1, f"unknown tool {tool!r}"
    if dialect.tool_names is None or dialect.renamed_tools:
        return
    key = dialect.tools_key
    for tool in agent.tools or ():
        if not _known_tool(tool, dialect):
            what = "group" if key == "groups" else "tool"
            yield _line(agent, key), 1, f"unknown {what} {tool!r}: not a {dialect.label} {what}"


def _known_tool(tool: str, dialect: Dialect) -> bool:
    """Whether a tool takes a tool name: one of its own (a pattern's tool name, where it has no
    tool_pattern), one its tool_pattern matches, else any MCP-looking name (mcp_, mcp:, @, __)."""
    if dialect.tool_pattern is not None:
        return tool in (dialect.tool_names or ()) or re.fullmatch(dialect.tool_pattern, tool) is not None
    base = tool.split("(", 1)[0].strip()
    return base in (dialect.tool_names or ()) or base.startswith(("mcp_", "mcp:", "@")) or "__" in base


@_rule(
    "AC402",
    "stale-tool",
    "warning",
    "A tool name Claude Code has renamed or removed.",
    "LS, MultiEdit and NotebookRead are gone (use Glob, Edit and Read); Task is now Agent.",
)
def stale_tool(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    renamed = dict(DIALECTS[agent.format].renamed_tools)
    for _tool, base, line in _claude_tools(agent):
        if base in renamed:
            yield line, 1, f"tool {base!r} is stale: use {renamed[base]!r}"


def _claude_tools(agent: Agent) -> Iterator[tuple[str, str, int]]:
    """The tools of an agent whose tool renames tools (Claude Code), allowed and denied: (as
    written, tool name without pattern, line of its key)."""
    if not DIALECTS[agent.format].renamed_tools:
        return
    denied = "disallowedTools" if "disallowedTools" in agent.key_lines else "tools"
    listed = [(tool, "tools") for tool in agent.tools or ()] + [(tool, denied) for tool in agent.disallowed_tools]
    for tool, key in listed:
        yield tool, tool.split("(", 1)[0].strip(), _line(agent, key)


@_rule(
    "AC403",
    "unknown-field",
    "info",
    "A frontmatter field the format does not know.",
    "The tool ignores it. 'category' and 'tags' are read by agent-catalog, so they are not reported. "
    "Collections often add their own (version, author); switch the rule off for those in [tool.agent-catalog]. "
    "Gemini CLI and Codex CLI refuse the whole file instead, catalog fields too: AC208.",
)
def unknown_field(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    if not DIALECTS[agent.format].strict_schema:
        yield from _unknown_fields(agent, DIALECTS[agent.format].fields | CATALOG_FIELDS)


def _unknown_fields(agent: Agent, known: frozenset[str]) -> Iterator[Hit]:
    for key in agent.key_lines:
        if key not in known:
            yield agent.key_lines[key], 1, f"field {key!r} is not a {agent.format.value} field"


@_rule(
    "AC404",
    "bad-value",
    "warning",
    "A bad value for a field with fixed values (Claude Code color, permissionMode, ...), which the tool ignores.",
    " ".join((f"{d.label} colors: {', '.join(sorted(d.colors))}. " if d.colors else f"{d.label}: ")
             + "; ".join(f"{k}: {', '.join(sorted(v))}" for k, v in d.enums) + "."
             for d in DIALECTS.values() if d.enums or d.colors),
)  # fmt: skip
def bad_value(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    if not (DIALECTS[agent.format].strict_schema or DIALECTS[agent.format].strict_values):
        yield from bad_values(agent)


@_rule(
    "AC405",
    "bad-model",
    "warning",
    "A model that is neither a known alias nor a model id.",
    "Claude Code: sonnet, opus, haiku, fable, best, inherit or a claude-... id; opencode: provider/model; "
    "Gemini CLI: gemini-...; Codex CLI: gpt-..., o3, codex-... . Copilot, Cursor, Kiro, Qwen Code (any model id, "
    "parseSubagentModelSelection) and Factory models are not checked.",
)
def bad_model(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    dialect = DIALECTS[agent.format]
    pattern = re.compile(dialect.model_pattern) if dialect.model_pattern else None
    if pattern is None or agent.model is None:
        return
    aliases = dialect.model_aliases | {"inherit"}
    for model in agent.model if isinstance(agent.model, tuple) else (agent.model,):
        if model not in aliases and not pattern.fullmatch(model):
            yield _line(agent, "model"), 1, f"model {model!r} is neither a known alias nor a model id"
