"""Stage 3: map a raw document of any dialect onto the one ``Agent`` model."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any, overload

from catalog.dialects import DIALECTS, name_from_file_name
from catalog.examples import extract_examples, summarize
from catalog.names import slugify, titleize
from catalog.sections import split_sections
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

    declared = text_of("name") or text_of("id")
    name = file_name if dialect.name_from_file or not declared else declared
    title = _shown(text_of("title") or (declared if dialect.name_from_file and declared else None) or titleize(name))
    written = text_of("description") or ""
    description = with_line_breaks(written)

    findings: list[Finding] = []
    description_line = raw.key_lines.get("description", 1)
    from_description, found = extract_examples(description, description_line, source.display_path, count_lines=False)
    findings += found
    from_body, found = extract_examples(raw.body, raw.body_line, source.display_path, markdown=True)
    findings += found

    extra = {key: value for key, value in meta.items() if key not in _MODELED}
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
        tools=normalize_tools(meta["tools"]) if "tools" in meta else None,
        disallowed_tools=_disallowed(meta),
        model=_model(meta.get("model"), text_of("model")),
        color=text_of("color"),
        extra=extra,
        body=raw.body,
        body_line=raw.body_line,
        sections=split_sections(raw.body, raw.body_line) if sections else (),
        marketplace=source.marketplace,
        source=source.path,
        display_path=source.display_path,
        key_lines=dict(raw.key_lines),
        disabled_rules=raw.disabled_rules,
        description_raw=_as_written(raw.scalar_source.get("description"), written, description),
    )
    return agent, findings


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
    return agent.evolve(sections=split_sections(agent.body, agent.body_line))
