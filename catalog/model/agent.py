"""Stage 3: map a raw document of any dialect onto the one ``Agent`` model."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any, overload

from catalog.frozen import frozen
from catalog.model.dialect import Dialect
from catalog.model.dialect_of import name_below_agents_folder
from catalog.model.dialects import DIALECTS, name_from_file_name
from catalog.model.examples import extract_examples, summarize
from catalog.model.names import slugify, titleize
from catalog.model.origins import all_placed
from catalog.model.sections import split_sections
from catalog.model.vocabulary import ROO_ALWAYS, ROO_GROUPS
from catalog.types import Agent, AgentSource, Finding, RawDocument

# Frontmatter keys the model takes apart; every other key lands in ``extra`` as written.
_MODELED = frozenset({"name", "description", "tools", "disallowedTools", "model", "color", "category", "tags", "title"})


def build_agent(source: AgentSource, raw: RawDocument, *, sections: bool = True) -> tuple[Agent, list[Finding]]:
    """One agent from one parsed file, and what was wrong with its examples.

    ``sections=False`` leaves the expertise sections out (``with_sections`` adds them): they
    are most of the cost of reading a file, and a build needs them only to render the page.
    """
    dialect = DIALECTS[source.format]
    meta = raw.metadata
    text_of = _text_reader(meta, raw.scalar_source)
    file_name = name_from_file_name(PurePosixPath(source.rel_path).name, dialect)
    if dialect.nested_names:  # its path in the scanned folder, else (a scan started below it) its real path
        below = name_below_agents_folder(source.rel_path, source.format)
        below = below or name_below_agents_folder(source.path.as_posix(), source.format)
        file_name = below or file_name
    keyed = dialect.name_from_file or (dialect.nested_names and source.entry is not None)
    if source.entry is not None and keyed:
        file_name = source.entry  # one agent of a file of several (opencode.json): its key names it

    declared = _first(text_of, dialect.name_keys)
    if source.entry is not None and not declared:
        declared = source.entry  # a Roo mode without a slug: its place in the file
    name = file_name if keyed or not declared else declared
    title = _shown(_first(text_of, dialect.title_keys) or (declared if keyed and declared else None) or titleize(name))
    description_key = next((k for k in dialect.description_keys if text_of(k)), dialect.description_keys[0])
    written = text_of(description_key) or ""
    description = with_line_breaks(written)

    findings: list[Finding] = []
    description_line = raw.key_lines.get(description_key, 1)
    from_description, found = extract_examples(description, description_line, source.display_path, count_lines=False)
    findings += found
    from_body, found = extract_examples(raw.body, raw.body_line, source.display_path, markdown=True)
    findings += all_placed(found, raw.origins)  # lines of the prompt, wherever its text is

    extra = {
        key: value
        for key, value in meta.items()
        if key not in _MODELED and key != description_key and key not in dialect.name_keys[:1] + dialect.title_keys[:1]
    }
    access = tool_access(dialect, meta)
    agent = Agent(
        name=name,
        title=title,
        slug=slugify(name),
        format=source.format,
        path=source.rel_path,
        collection=source.collection,
        plugin=source.plugin,
        category=_shown(text_of("category") or source.category),
        tags=tuple(_string_list(meta.get("tags"))),
        description=description,
        summary=summarize(description),
        examples=tuple(from_description + from_body),
        tools=access.tools,
        disallowed_tools=access.disallowed,
        model=_model(meta.get("model"), text_of("model")),
        color=text_of("color"),
        extra=extra,
        body=raw.body,
        body_line=raw.body_line,
        sections=split_sections(raw.body, raw.body_line, raw.origins) if sections else (),
        marketplace=source.marketplace,
        source=source.path,
        display_path=source.display_path,
        key_lines=dict(raw.key_lines),
        disabled_rules=raw.disabled_rules,
        description_raw=_as_written(raw.scalar_source.get(description_key), written, description),
        permissions=access.rules,
        origins=raw.origins,
        # A value read leniently is text whatever was meant: its type says nothing.
        mistyped=() if raw.recovered else mistyped(dialect, meta),
    )
    return agent, findings


# What each type of ``Dialect.value_types`` takes, as a schema checks a loaded value (zod's
# z.string(), z.array(z.string()), z.number(), z.number().int().positive()): YAML's true is
# no number, an empty value (null) is none of them.
_OF_TYPE = {
    "text": lambda value: isinstance(value, str),
    "list": lambda value: isinstance(value, list) and all(isinstance(item, str) for item in value),
    "number": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    "count": lambda value: isinstance(value, int) and not isinstance(value, bool) and value > 0,
}


def mistyped(dialect: Dialect, meta: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """(key, type) of each value of a type other than the one its tool's schema requires."""
    return tuple((key, kind) for key, kind in dialect.value_types if key in meta and not _OF_TYPE[kind](meta[key]))


# A line break written as the two characters \n: Claude Code's wizard writes them so in plain
# scalars, and collections in double quotes as "\\n" (YAML keeps two characters). An escaped
# backslash stays, and so does a code span (`\n` in a description about escapes).
# A span is tried from the start of a backtick run only, the run taken whole: tried at each
# backtick of a hostile run, a line of them took minutes.
_WRITTEN_BREAK = re.compile(r"(?<!`)((?>`+))[^`]{1,80}?\1(?!`)|\\\\|(?:\\r)?\\n")


def with_line_breaks(text: str) -> str:
    """A description as its author meant it: each written ``\\n`` is a line break."""
    if "\\" not in text:
        return text
    return _WRITTEN_BREAK.sub(lambda m: m.group() if m.group(1) or m.group() == "\\\\" else "\n", text)


def _as_written(source: Any, written: str, description: str) -> str | None:
    """The description as the file has it, when that is not what is shown."""
    raw = source.strip() if isinstance(source, str) and source.strip() else written
    return raw if raw != description else None


# Titles and categories become page headings and nav entries, which MkDocs parses as Markdown:
# Python-Markdown takes minutes over a 100 KB heading of escaped brackets. Nobody reads that far.
MAX_SHOWN = 200


@overload
def _shown(text: str) -> str: ...
@overload
def _shown(text: str | None) -> str | None: ...
def _shown(text: str | None) -> str | None:
    """A title or category as pages show it: one line, at most ``MAX_SHOWN`` characters."""
    if text is None:
        return None
    text = " ".join(text.split())
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1].rstrip() + "…"


def _first(text_of: Any, keys: tuple[str, ...]) -> str | None:
    return next((text for text in map(text_of, keys) if text), None)


@frozen
class ToolAccess:
    tools: tuple[str, ...] | None  # None: every tool
    disallowed: tuple[str, ...]
    rules: tuple[tuple[str, str], ...] = ()  # (tool or pattern, allow / ask / deny) as written


def tool_access(dialect: Dialect, meta: Mapping[str, Any]) -> ToolAccess:
    """What tools an agent has, by its tool's permission model (the dialect table names it)."""
    listed = ToolAccess(normalize_tools(meta["tools"]) if "tools" in meta else None, _disallowed(meta))
    model = dialect.permission_model
    if model == "opencode" and isinstance(meta.get("permission"), Mapping):
        return _opencode_permission(listed, meta["permission"])
    if model == "roo-groups" and "groups" in meta:
        return _roo_groups(meta["groups"])
    if model == "kiro":
        return _kiro_tools(listed, meta)
    if model == "readonly" and meta.get("readonly") is True:
        return ToolAccess(
            listed.tools,
            tuple(dict.fromkeys([*listed.disallowed, "edit", "write", "shell"])),
            (("edit", "deny"), ("shell", "deny")),
        )
    if model == "sandbox" and meta.get("sandbox_mode") == "read-only":
        return ToolAccess(listed.tools, ("apply_patch",), (("edit", "deny"),))
    return listed


def _opencode_permission(listed: ToolAccess, permission: Mapping[str, Any]) -> ToolAccess:
    """opencode's ``permission:``: each tool allow / ask / deny, or a map of glob patterns (bash
    commands, paths) to those; ``"*"`` is the rule for the rest. It replaced ``tools:``."""
    rules: list[tuple[str, str]] = []
    for tool, value in permission.items():
        if isinstance(value, Mapping):
            rules += [
                (f"{tool} {pattern}" if pattern != "*" else tool, str(action)) for pattern, action in value.items()
            ]
        else:
            rules.append((str(tool), str(value)))
    whole = {tool: rule for tool, rule in rules if " " not in tool}
    # A tool denied but for some patterns (bash: {"git *": allow, "*": deny}) is not denied.
    patterned = [tool.split(" ", 1)[0] for tool, action in rules if " " in tool and action != "deny"]
    denied = [tool for tool, action in whole.items() if action == "deny" and tool not in patterned]
    allowed = [tool for tool, action in whole.items() if action != "deny"]
    if "*" in whole:  # a default for every tool: only the ones not denied remain
        tools = None if whole["*"] != "deny" else tuple(dict.fromkeys(t for t in [*allowed, *patterned] if t != "*"))
    elif listed.tools is not None:
        tools = tuple(t for t in listed.tools if t.lower() not in {d.lower() for d in denied})
    else:
        tools = None
    disallowed = tuple(dict.fromkeys([*listed.disallowed, *(d for d in denied if d != "*")]))
    return ToolAccess(tools, disallowed, tuple(rules))


def _roo_groups(groups: Any) -> ToolAccess:
    """Roo Code's ``groups``: the tool groups a mode may use; ``[edit, {fileRegex: ...}]`` limits
    a group to matching files. Every group not listed is denied."""
    tools: list[str] = []
    rules: list[tuple[str, str]] = []
    for group in groups if isinstance(groups, list) else [groups]:
        if isinstance(group, list) and group:
            name = str(group[0])
            options = group[1] if len(group) > 1 and isinstance(group[1], Mapping) else {}
            regex = options.get("fileRegex")
            tools.append(f"{name}({regex})" if regex else name)
            rules.append((f"{name} {regex}" if regex else name, "allow"))
        elif group is not None:
            tools.append(str(group))
            rules.append((str(group), "allow"))
    names = {t.split("(", 1)[0] for t in tools}
    denied = tuple(sorted(ROO_GROUPS - ROO_ALWAYS - names))
    return ToolAccess(tuple(tools), denied, (*rules, *((d, "deny") for d in denied)))


def _kiro_tools(listed: ToolAccess, meta: Mapping[str, Any]) -> ToolAccess:
    """Kiro's ``tools`` are what the agent has (``*`` all, ``@server`` an MCP server's tools);
    ``allowedTools`` run without asking, the others ask first."""
    tools = listed.tools
    if tools is not None and "*" in tools:
        tools = None
    trusted = normalize_tools(meta.get("allowedTools")) or ()
    rules = [(tool, "allow") for tool in trusted]
    rules += [(tool, "ask") for tool in tools or () if tool not in trusted]
    return ToolAccess(tools, listed.disallowed, tuple(rules))


def normalize_tools(value: Any) -> tuple[str, ...] | None:
    """Comma strings, YAML lists, single tokens and ``{tool: bool}`` maps, as a list of names."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        return tuple(str(k) for k, enabled in value.items() if enabled is not False)
    if isinstance(value, list):
        return tuple(t for item in value for t in _split_tools(str(item)) if t)
    return tuple(_split_tools(str(value)))


def _disallowed(meta: Mapping[str, Any]) -> tuple[str, ...]:
    tools = meta.get("tools")
    from_map = [str(k) for k, v in tools.items() if v is False] if isinstance(tools, Mapping) else []
    listed = normalize_tools(meta.get("disallowedTools")) or ()
    return tuple(dict.fromkeys([*listed, *from_map]))


def _split_tools(text: str) -> list[str]:
    """Split on commas outside parentheses, so ``Bash(git add:*, git commit:*)`` stays whole."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]" and depth:
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip().strip("'\"").strip() for p in parts if p.strip().strip("'\"").strip()]


def _model(value: Any, as_text: str | None) -> str | tuple[str, ...] | None:
    if isinstance(value, list):
        return tuple(str(v) for v in value if v is not None)
    return as_text


def _string_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return [t.strip() for t in str(value).split(",") if t.strip()]


def _text_reader(meta: Mapping[str, Any], scalar_source: Mapping[str, str]) -> Any:
    """Read a frontmatter value as text: ``name: yes`` is the name 'yes', not True."""

    def text_of(key: str) -> str | None:
        value = meta.get(key)
        if value is None:
            return None
        source = scalar_source.get(key)
        # A scalar YAML typed (a date, .inf) reached us as some other text: take it as written.
        if not isinstance(value, str) or (source is not None and value not in (source, source.replace("\\n", "\n"))):
            value = source if source is not None else value
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        text = str(value).strip()
        return text or None

    return text_of


def with_sections(agent: Agent) -> Agent:
    """An agent read with ``sections=False``, completed."""
    return agent.evolve(sections=split_sections(agent.body, agent.body_line, agent.origins))
