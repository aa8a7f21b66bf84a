"""The values of an agent's fields its tool checks: fixed choices (enums, colors) and kinds
(a number, a count, a boolean, a permission map, a list of nicknames), as the dialect table
says (``Dialect.enums``, ``colors``, ``color_pattern``, ``value_kinds``)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping

from catalog.lint.registry import Hit, _line
from catalog.model.dialects import DIALECTS
from catalog.types import Agent


def bad_values(agent: Agent) -> Iterator[Hit]:
    dialect = DIALECTS[agent.format]
    color, pattern = agent.color, dialect.color_pattern
    if dialect.colors and color is not None and color not in dialect.colors and not _matches(pattern, color):
        shown = ", ".join(sorted(dialect.colors)) + (" or #RRGGBB" if pattern else "")
        yield _line(agent, "color"), 1, f"color {color!r} is not one of {shown}"
    for key, allowed in dialect.enums:
        # A table is a value of its own (Codex: approval_policy = { granular = {...} }).
        if key in agent.extra and not isinstance(agent.extra[key], Mapping) and str(agent.extra[key]) not in allowed:
            yield _line(agent, key), 1, f"{key} {agent.extra[key]!r} is not one of {', '.join(sorted(allowed))}"
    for key, kind in dialect.value_kinds:
        if key in agent.extra and not _of_kind(agent.extra[key], kind):
            yield _line(agent, key), 1, f"{key} {agent.extra[key]!r} is not {_KINDS[kind]}"


def _matches(pattern: str | None, text: str) -> bool:
    return pattern is not None and re.fullmatch(pattern, text) is not None


_KINDS = {
    "number": "a number",
    "count": "a whole number above 0",
    "boolean": "true or false",
    "permission": "allow, ask or deny, or a map of them",
    "nicknames": "a list of distinct names of ASCII letters, digits, spaces, '-' and '_'",
}
_NICKNAME = re.compile(r"[A-Za-z0-9 _-]+")
_ACTIONS = ("allow", "ask", "deny")


def _of_kind(value: object, kind: str) -> bool:
    """Whether a field's value is of the kind its tool takes. Text that reads as one passes:
    frontmatter recovered line by line (AC115) is all text."""
    if kind == "permission":
        return _is_permission(value) or (isinstance(value, str) and ":" in value)
    if kind == "nicknames":  # Codex: normalize_agent_role_nickname_candidates in agent_roles.rs
        return isinstance(value, list) and _nicknames(value)
    if isinstance(value, str):
        value = _read_as(value.strip(), kind)
    if kind == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not _finite(value):
        return False
    return kind == "number" or (value > 0 and float(value).is_integer())


def _finite(value: float) -> bool:
    """Whether a number is one a float holds: an int past its range (a loader's Infinity) is not."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _read_as(text: str, kind: str) -> object:
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, text)
    try:
        return float(text)
    except ValueError:
        return text


def _is_permission(value: object, depth: int = 0) -> bool:
    """opencode's permission: allow / ask / deny, or a map of tools (of patterns) to them."""
    if isinstance(value, Mapping) and depth < 2:
        return all(_is_permission(rule, depth + 1) for rule in value.values())
    return value in _ACTIONS


def _nicknames(values: list[object]) -> bool:
    """At least one, none blank nor twice (once trimmed), each of ASCII letters, digits, spaces, '-', '_'."""
    names = [n.strip() for n in values if isinstance(n, str)]
    return bool(names) and len(names) == len(values) == len(set(names)) and all(map(_NICKNAME.fullmatch, names))
