"""Lenient recovery: frontmatter that is not YAML, read the way Claude Code reads it. A field
starts only at an unindented ``key:`` line whose key the dialect knows or that looks like a
frontmatter key rather than example dialogue; every other line continues the field before it,
and each field's value is loaded on its own, falling back to its raw text."""

from __future__ import annotations

import re
from typing import Any

from catalog.parse.yaml_limits import _load_yaml, _report_unbuilt, _with_plain_newlines, _YamlProblem

_KEY_LINE = re.compile(r"([A-Za-z_][\w.-]*)[ \t]*:(?:[ \t]|$)")

_DIALOGUE_KEYS = frozenset({"user", "assistant", "context", "commentary", "human", "example"})
# A key as frontmatter writes one: lowercase first, then snake_case, kebab-case or camelCase.
# Dialogue is capitalized ("Context:", "Daisy:"), a label above, or inside an <example> (where
# "agent:" is a speaker; outside, Copilot's "agent: agent" is a key).
_FIELD_KEY = re.compile(r"[a-z][a-zA-Z0-9]*(?:[_-][a-zA-Z0-9]+)*")
_OPENING_EXAMPLE = re.compile(r"<example(?:\s[^<>]*)?>")
# Fields an unknown key may start: each is loaded on its own, and a file of nothing but
# "k1: x" lines must not cost a YAML load per line. Real frontmatter has a few dozen keys.
MAX_UNKNOWN_FIELDS = 100


class _FieldState:
    """What the lines of a field so far leave open: an ``<example>``, or a quoted scalar."""

    def __init__(self, value: str) -> None:
        self.examples = 0
        self.quote = value[:1] if value[:1] in ("'", '"') else ""
        self.add(value[1:] if self.quote else value)

    def add(self, line: str) -> None:
        self.examples += len(_OPENING_EXAMPLE.findall(line)) - line.count("</example>")
        if self.quote:
            self.quote = "" if _closing_quote(line, self.quote) else self.quote

    def is_open(self) -> bool:
        return self.examples > 0 or bool(self.quote)


def _closing_quote(text: str, quote: str) -> bool:
    if quote == "'":  # '' is an escaped quote
        return "'" in text.replace("''", "")
    return '"' in re.sub(r"\\.", "", text)


def _recover(
    fm_lines: list[str], first_line: int, known_keys: frozenset[str], problem: Any
) -> tuple[dict[str, Any], dict[str, str], dict[str, int], list[str]]:
    """The fields of frontmatter that is not YAML. A field starts at an unindented ``key:``
    line whose key the dialect knows, or that looks like a frontmatter key and not like example
    dialogue (a lowercase identifier, no dialogue label, outside an open ``<example>`` or quoted
    value); every other line continues the field before it: a description spread over lines
    keeps its ``user: "..."`` and ``Daisy: "..."`` lines, and ``emoji: 🎨`` after ``color: teal``
    is a field of its own (the model puts it in ``extra``)."""
    fields: list[tuple[str, int, list[str]]] = []
    state = _FieldState("")
    unknown = 0
    for index, line in enumerate(fm_lines):
        match = _KEY_LINE.match(line)
        if match and (
            match.group(1) in known_keys
            or not fields
            or (
                unknown < MAX_UNKNOWN_FIELDS
                and _FIELD_KEY.fullmatch(match.group(1))
                and match.group(1).lower() not in _DIALOGUE_KEYS
                and not state.is_open()
            )
        ):
            if fields and match.group(1) not in known_keys:
                unknown += 1
            fields.append((match.group(1), index, [line]))
            state = _FieldState(line[match.end() :].strip())
        elif fields:
            fields[-1][2].append(line)
            state.add(line)
    metadata: dict[str, Any] = {}
    source: dict[str, str] = {}
    raw_keys: list[str] = []
    key_lines: dict[str, int] = {}
    for key, index, field_lines in fields:
        key_lines[key] = index
        if key in metadata:
            problem("AC117", "warning", f"duplicate key '{key}': only the last one counts", first_line + index)
        try:
            loaded = _load_yaml("\n".join(field_lines))
            ok = isinstance(loaded.data, dict) and list(loaded.data) == [key]
        except _YamlProblem:
            ok = False
        if ok:
            _report_unbuilt(loaded, first_line + index, problem)
            metadata[key] = _with_plain_newlines(loaded)[key]
            if key in loaded.scalar_source:
                source[key] = loaded.scalar_source[key]
        else:
            source[key] = _raw_value(field_lines)
            metadata[key] = source[key].replace("\\n", "\n")
            raw_keys.append(key)
    return metadata, source, key_lines, raw_keys


def _raw_value(field_lines: list[str]) -> str:
    first = field_lines[0].split(":", 1)[1].strip()
    rest = [line.rstrip() for line in field_lines[1:]]
    while rest and not rest[-1]:
        rest.pop()
    if first in ("|", ">", "|-", ">-", "|+", ">+"):
        first = ""
    margin = min((len(r) - len(r.lstrip()) for r in rest if r.strip()), default=0)
    value = "\n".join([first, *(r[margin:] for r in rest)]).strip("\n").strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return value


# opencode's fallbackSanitization (packages/opencode/src/config/markdown.ts), tried when its
# YAML parser refuses the frontmatter: an unindented "key: value" whose unquoted value holds a
# ':' becomes a block scalar. What it loads after that, opencode loads.
_OPENCODE_KEY_VALUE = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*:\s*(.*)")


def quote_colon_values(fm_lines: list[str]) -> str:
    out: list[str] = []
    for line in fm_lines:
        match = None if line[:1].isspace() or line.strip().startswith("#") else _OPENCODE_KEY_VALUE.fullmatch(line)
        value = match.group(2).strip() if match else ""
        if match and ":" in value and value not in (">", "|") and not value.startswith(("'", '"')):
            out += [f"{match.group(1)}: |-", f"  {value}"]
        else:
            out.append(line)
    return "\n".join(out)


def loads_after(fallback: str, fm_lines: list[str]) -> bool:
    """Whether a tool's own fallback (``Dialect.yaml_fallback``) loads this frontmatter."""
    if fallback != "quote-colon-values":
        return False
    try:
        return isinstance(_load_yaml(quote_colon_values(fm_lines)).data, dict)
    except _YamlProblem:
        return False
