"""Loading YAML safely: PyYAML's safe loader (libyaml when there), with limits on size, depth
and alias expansion checked before anything is built, and values that YAML parses but cannot
build (an impossible date, a 5,001-digit integer) kept as their raw text. The parse stage
(``catalog.parse.document``) and lenient recovery (``catalog.parse.lenient``) load through it."""

from __future__ import annotations

import base64
import datetime as _dt
import functools
import math
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from catalog.frozen import frozen

try:  # libyaml is about 20 times faster than the pure-Python loader
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class _Building(yaml.constructor.SafeConstructor):
    """Mixed into a safe loader (libyaml's or the pure-Python one): a scalar that YAML parses
    and cannot build (``2024-02-30``, a 5,001-digit integer, ``!!bool maybe``, ``!!timestamp
    nope``) becomes its raw text, noted in ``unbuilt`` with where it is, instead of an
    exception that would lose the file."""

    unbuilt: list[tuple[int, int, str]]  # 0-based line, column, why

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        deep_before = self.deep_construct
        try:
            data = super().construct_object(node, deep)
            if isinstance(data, int) and data.bit_length() > _MAX_INT_BITS:  # 0x and 0b take any length
                raise ValueError("an integer too long to print")
            return data
        except yaml.YAMLError:
            raise
        except Exception as exc:
            # What construct_object leaves half done when a constructor raises.
            self.recursive_objects.pop(node, None)
            self.deep_construct = deep_before
            line, col = _mark(node)
            tag = node.tag.rpartition(":")[2] or node.tag
            # A ValueError says what is wrong (day out of range, too many digits); a KeyError
            # or AttributeError from inside PyYAML says nothing a reader could act on.
            why = f"value cannot be read as YAML {tag}" + (f" ({_short(exc)})" if isinstance(exc, ValueError) else "")
            if not isinstance(node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(None, None, why, node.start_mark) from None
            self.unbuilt.append((line, col, why))
            self.constructed_objects[node] = node.value
            return node.value


@functools.cache
def _building_loader(base: type[Any]) -> type[Any]:
    return type(f"_Building{base.__name__}", (_Building, base), {})


def _new_loader(text: str) -> Any:
    """A building loader on ``_Loader`` as it is when called (so a test can swap the library)."""
    loader = _building_loader(_Loader)(text)
    loader.unbuilt = []
    return loader


# Python refuses to print an integer of more decimal digits than sys.get_int_max_str_digits().
_MAX_INT_BITS = int((sys.get_int_max_str_digits() or 4300) * 3.32)


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:119] + "…"


MAX_YAML_NODES = 50_000  # after expanding aliases: stops "billion laughs"
# Characters of values after expanding aliases, at most this many times those written, plus
# YAML_EXPANSION_SLACK: an alias of a long value stands for all of it, so 10,000 ``*a`` of a
# 10 KB value made a record of 100 MB from a file of 109 KB (a page, a download of each mode
# of a .roomodes, copies it again).
MAX_YAML_EXPANSION = 2
YAML_EXPANSION_SLACK = 4096
MAX_YAML_DEPTH = 64


@frozen
class _Loaded:
    data: Any
    plain_keys: frozenset[str]  # top-level keys whose value is a plain (unquoted) scalar
    scalar_source: Mapping[str, str]
    duplicates: tuple[tuple[str, int], ...]  # (key, 0-based line) of each repeat
    key_lines: Mapping[str, int]  # 0-based line of each top-level key
    unbuilt: tuple[tuple[int, int, str], ...] = ()  # values read as raw text: 0-based line, column, why


class _YamlProblem(Exception):
    # ``syntax=False``: the YAML parses but must not be built (unsafe tag, alias bomb, too deep);
    # lenient recovery would hit the same problem again. ``line``/``col`` are 0-based within
    # the frontmatter, so the finding points at the offending value.
    def __init__(self, message: str, line: int, col: int, syntax: bool = True) -> None:
        super().__init__(message)
        self.message, self.line, self.col, self.syntax = message, line, col, syntax


def _report_unbuilt(loaded: _Loaded, first_line: int, problem: Any) -> None:
    for line, col, why in loaded.unbuilt:
        problem("AC118", "warning", f"{why}; read as its raw text", first_line + line, col + 1)


def _load_yaml(text: str) -> _Loaded:
    too_deep = _nesting_problem(text)
    if too_deep is not None:
        raise too_deep
    loader = _new_loader(text)
    try:
        try:
            node = loader.get_single_node()
            if node is None:
                return _Loaded(None, frozenset(), {}, (), {})
            _check_size(node)
            data = loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
            line, col = (mark.line, mark.column) if mark else (0, 0)
            syntax = not isinstance(exc, yaml.constructor.ConstructorError)
            deep = _nesting_problem(text, failed=True) if syntax else None
            raise deep or _YamlProblem(message, line, col, syntax) from None
        except yaml.YAMLError as exc:
            raise _YamlProblem(str(exc).replace("<unicode string>", "frontmatter"), 0, 0) from None
        except RecursionError:
            raise _YamlProblem("frontmatter is nested too deeply", 0, 0, syntax=False) from None
    finally:
        loader.dispose()
    plain: set[str] = set()
    scalar_source: dict[str, str] = {}
    duplicates: list[tuple[str, int]] = []
    key_lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode) and isinstance(data, dict):
        data = {_key_text(k): _jsonable(v) for k, v in data.items()}
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                duplicates.append((key, key_node.start_mark.line))
            seen.add(key)
            key_lines[key] = key_node.start_mark.line
            if isinstance(value_node, yaml.ScalarNode):
                scalar_source[key] = value_node.value
                # A plain scalar's style is None from the pure-Python loader but "" from
                # libyaml's CSafeLoader; both mean "unquoted".
                if not value_node.style:
                    plain.add(key)
    else:
        data = _jsonable(data)
    return _Loaded(data, frozenset(plain), scalar_source, tuple(duplicates), key_lines, tuple(loader.unbuilt))


def _with_plain_newlines(loaded: _Loaded) -> dict[str, Any]:
    """Claude Code's wizard writes line breaks as the two characters ``\\n`` in plain scalars."""
    data: dict[str, Any] = dict(loaded.data)
    for key in loaded.plain_keys:
        value = data.get(key)
        if isinstance(value, str) and "\\n" in value:
            data[key] = value.replace("\\n", "\n")
    return data


_BLOCK_PREFIX = re.compile(r"^[ \t?:-]*", re.MULTILINE)
_BRACKET_RUNS = re.compile(r"(?:\[\]|\{\})+|[\[{]+|[\]}]+")  # empty pairs are one neutral run


def _nesting_problem(text: str, failed: bool = False) -> _YamlProblem | None:
    """Our own depth limit, so that a file's verdict never depends on the YAML library.

    Libraries disagree about deep nesting: libyaml 0.2.5 (PyYAML 6.0.4's wheels) refuses more
    than 1,000 levels as a syntax error, older builds nest until Python's stack runs out. So
    the depth is measured here, exactly, by the pure-Python parser's events (no limit of their
    own), but only where a cheap upper bound says the limit may be passed: a level of block
    nesting takes at least one column of indentation or a ``- ``/``? `` indicator, a level of
    flow nesting an opening bracket. ``failed``: the library already refused the text as
    invalid YAML; its refusal may have been about depth.
    """
    prefix = max(len(m) for m in _BLOCK_PREFIX.findall(text)) if text else 0
    if 2 * prefix + text.count("[") + text.count("{") + 2 <= MAX_YAML_DEPTH:
        return None
    cut = _deep_cut(text)
    if cut is None and not failed:
        return None
    # The parse is cheap up to the first value too deep; look at a growing head of the text.
    cut = max(cut or len(text), 256)
    while True:
        problem, decided = _too_deep(text[:cut], cut >= len(text))
        if decided:
            return problem
        cut *= 4


def _deep_cut(text: str) -> int | None:
    """Where the depth may first pass the limit (an upper bound on it does), or None."""
    flow = offset = 0
    for line in text.split("\n"):
        end = offset + len(line)
        base = 2 * len(_BLOCK_PREFIX.match(line).group()) + 2  # type: ignore[union-attr]
        if base + flow > MAX_YAML_DEPTH:
            return end + 1
        opens = line.count("[") + line.count("{")
        if base + flow + opens <= MAX_YAML_DEPTH:
            flow = max(flow + opens - line.count("]") - line.count("}"), 0)
            offset = end + 1
            continue
        for run in _BRACKET_RUNS.finditer(line):
            size = run.end() - run.start()
            if run.group()[:2] in ("[]", "{}"):  # empty pairs: no deeper
                continue
            if run.group()[0] in "[{":
                if base + flow + size > MAX_YAML_DEPTH:
                    return offset + run.start() + MAX_YAML_DEPTH - base - flow + 1
                flow += size
            else:
                flow = max(flow - size, 0)
        offset = end + 1
    return None


def _too_deep(text: str, whole: bool) -> tuple[_YamlProblem | None, bool]:
    """The first value nested deeper than the limit, by the pure-Python parser's events, and
    whether that is the answer for the whole text (``text`` may be a head of it)."""
    parser = yaml.SafeLoader(text)
    depth = 0
    try:
        while (event := parser.get_event()) is not None:  # type: ignore[no-untyped-call]
            if isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
                continue
            if depth > MAX_YAML_DEPTH:
                mark = event.start_mark
                message = f"frontmatter is nested more than {MAX_YAML_DEPTH} levels deep"
                return _YamlProblem(message, mark.line if mark else 0, mark.column if mark else 0, False), True
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
    except yaml.MarkedYAMLError as exc:
        # Invalid before any value too deep: not a depth problem, unless the head was cut
        # short there (the scanner looks up to 1,024 characters ahead).
        mark = exc.problem_mark or exc.context_mark
        return None, whole or (mark is not None and mark.index < len(text) - 1100)
    except yaml.YAMLError:
        return None, whole
    finally:
        parser.dispose()
    return None, whole


def _check_size(root: yaml.Node) -> None:
    """Refuse alias bombs (of many values, or of long ones), cycles and deep nesting before
    anything is constructed."""
    sizes: dict[int, int] = {}
    chars: dict[int, int] = {}  # characters of the values below a node, aliases expanded
    written = 0  # characters of the values as written: each node once
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool, int]] = [(root, False, 0)]
    while stack:
        node, done, depth = stack.pop()
        key = id(node)
        children = list(_children(node))
        if done:
            on_path.discard(key)
            sizes[key] = min(1 + sum(sizes[id(c)] for c in children), MAX_YAML_NODES + 1)
            own = len(node.value) if isinstance(node, yaml.ScalarNode) else 0
            written += own
            chars[key] = own + sum(chars[id(c)] for c in children)
            if sizes[key] > MAX_YAML_NODES:
                raise _YamlProblem(
                    f"frontmatter expands to more than {MAX_YAML_NODES:,} values (YAML alias bomb?)",
                    *_mark(node),
                    syntax=False,
                )
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise _YamlProblem("frontmatter contains a recursive YAML alias", *_mark(node), syntax=False)
        if depth > MAX_YAML_DEPTH:
            raise _YamlProblem(
                f"frontmatter is nested more than {MAX_YAML_DEPTH} levels deep", *_mark(node), syntax=False
            )
        on_path.add(key)
        stack.append((node, True, depth))
        stack.extend((child, False, depth + 1) for child in children if id(child) not in sizes)
    expanded = chars.get(id(root), 0)
    if expanded > MAX_YAML_EXPANSION * written + YAML_EXPANSION_SLACK:
        raise _YamlProblem(
            f"frontmatter's aliases repeat its values to {expanded:,} characters, over {MAX_YAML_EXPANSION} times "
            f"the {written:,} it holds (YAML alias bomb?)",
            *_mark(root),
            syntax=False,
        )


def _mark(node: yaml.Node) -> tuple[int, int]:
    mark = node.start_mark
    return (mark.line, mark.column) if mark else (0, 0)


def _children(node: yaml.Node) -> Iterable[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield value
    elif isinstance(node, yaml.SequenceNode):
        yield from node.value


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(_jsonable(key))


def _jsonable(value: Any) -> Any:
    """Turn what YAML built into plain JSON values, so output is stable and serializable."""
    if isinstance(value, dict):
        return {_key_text(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [_jsonable(v) for v in items]
    if isinstance(value, _dt.date | _dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value
