"""The lint rules of one agent that each tool reads its own way: names, prompts, tools, fields,
values and models, checked against the agent's dialect (``catalog.model.dialects``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from catalog.lint.registry import Hit, LintSettings, _line, _rule, _start
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
    "Roo Code a mode's from its 'slug'. Copilot, opencode, Cursor and Kiro use the file name, so the rule does not "
    "apply to them.",
)
def missing_name(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    key = DIALECTS[agent.format].name_keys[0]
    unread = DIALECTS[agent.format].syntax != "markdown" and not agent.key_lines  # AC108 says why
    if DIALECTS[agent.format].name_required and key not in agent.key_lines and not unread:
        yield (
            _start(agent),
            1,
            f"no {key!r} field: {agent.format.value} ignores this {'mode' if key == 'slug' else 'file'}",
        )


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
    "refuses a name other than lowercase letters, digits, '-' and '_'.",
)
def name_rejected(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    dialect = DIALECTS[agent.format]
    key = dialect.name_keys[0]
    if _name_problem(agent) == "AC205":
        yield (
            _line(agent, key),
            1,
            f"{key} {agent.name!r} is refused by {dialect.label}: it allows {dialect.name_pattern}",
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
    "No system prompt where the tool requires one: Codex 'developer_instructions', Roo Code 'roleDefinition'.",
    "Codex CLI refuses a custom agent without developer_instructions, Roo Code a mode without roleDefinition.",
)
def missing_prompt(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    dialect = DIALECTS[agent.format]
    required = dialect.prompt_keys[0] if dialect.prompt_required else None
    if required and required not in agent.key_lines and agent.key_lines:
        yield _start(agent), 1, f"no {required!r}: {dialect.label} refuses this agent"


@_rule(
    "AC207",
    "not-loaded",
    "warning",
    "The file is where its tool does not read agents: Gemini CLI and Factory read the files directly in their "
    "agents folder only.",
    "Gemini CLI loads the .md files directly in .gemini/agents/ (not those of its subfolders, nor a file whose "
    "name starts with '_'), Factory those directly in .factory/droids/ or a plugin's droids/ (\"top-level files "
    'only"): an agent in a subfolder is documented here but never loaded. Move it up to use it.',
)
def not_loaded(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    dialect = DIALECTS[agent.format]
    if not (dialect.install_dir_flat or dialect.ignored_prefix):
        return
    parts = agent.path.split("#", 1)[0].split("/")
    # Its install folder, or a folder of the name only it gives its agents (a plugin's droids/).
    folders = [[p.lower() for p in dialect.install_dir.strip("/").split("/")], [dialect.agent_folder]]
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
    if dialect.install_dir_flat and len(below) > 1:
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
    "A field, tool or value a tool with a strict schema refuses: Gemini CLI then loads none of the file.",
    "Gemini CLI checks an agent's frontmatter against a strict schema: a field it does not know (agent-catalog's "
    "own category and tags too), a tool name it does not know or a value outside a field's choices makes it refuse "
    "the whole file, where the other tools ignore them (AC401, AC403, AC404).",
)
def refused(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    dialect = DIALECTS[agent.format]
    if dialect.strict_schema:
        problems = (*_unknown_fields(agent, dialect.fields), *_unknown_tools(agent), *_bad_values(agent))
        for line, col, problem in problems:
            yield line, col, f"{problem}: {dialect.label} refuses this file"


@_rule(
    "AC401",
    "unknown-tool",
    "warning",
    "A tool name its tool does not know, and ignores (Claude Code, Qwen Code, Factory, Roo Code groups).",
    "Unknown tools are ignored, so the agent silently lacks a tool it was meant to have. MCP tools "
    "(mcp__server__tool) and patterns like Bash(git diff:*) are checked by their tool name. Gemini CLI refuses "
    "the whole file instead: AC208.",
)
def unknown_tool(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    if not DIALECTS[agent.format].strict_schema:
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
        base = tool.split("(", 1)[0].strip()
        if base not in dialect.tool_names and not base.startswith(("mcp_", "mcp:", "@")) and "__" not in base:
            yield _line(agent, key), 1, f"unknown tool {tool!r}: not a {dialect.label} tool"


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
    "Gemini CLI refuses the whole file instead, catalog fields too: AC208.",
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
    "A bad value for a field with fixed values (Claude Code color, permissionMode, ...; Codex sandbox_mode, ...).",
    " ".join((f"{d.label} colors: {', '.join(sorted(d.colors))}. " if d.colors else f"{d.label}: ")
             + "; ".join(f"{k}: {', '.join(sorted(v))}" for k, v in d.enums) + "."
             for d in DIALECTS.values() if d.enums or d.colors),
)  # fmt: skip
def bad_value(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    if not DIALECTS[agent.format].strict_schema:
        yield from _bad_values(agent)


def _bad_values(agent: Agent) -> Iterator[Hit]:
    dialect = DIALECTS[agent.format]
    if dialect.colors and agent.color is not None and agent.color not in dialect.colors:
        yield _line(agent, "color"), 1, f"color {agent.color!r} is not one of {', '.join(sorted(dialect.colors))}"
    for key, allowed in dialect.enums:
        if key in agent.extra and str(agent.extra[key]) not in allowed:
            yield _line(agent, key), 1, f"{key} {agent.extra[key]!r} is not one of {', '.join(sorted(allowed))}"


@_rule(
    "AC405",
    "bad-model",
    "warning",
    "A model that is neither a known alias nor a model id.",
    "Claude Code: sonnet, opus, haiku, fable, best, inherit or a claude-... id; opencode: provider/model; "
    "Gemini CLI: gemini-...; Codex CLI: gpt-..., o3, codex-...; Qwen Code: inherit, fast or any model id, "
    "'authType:' before it or not (it serves any provider's). Copilot, Cursor, Kiro "
    "and Factory models are not checked.",
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
