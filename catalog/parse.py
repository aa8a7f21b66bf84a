"""Stage 2: read one agent file and split it into frontmatter metadata and body.

Strict YAML first (libyaml when PyYAML has it). When that fails, the frontmatter is read the
way Claude Code reads it: a field starts only at an unindented ``key:`` line whose key the
dialect knows or that looks like a frontmatter key rather than example dialogue, every other
line continues the field before it, and each field's value is parsed on its own, falling back
to its raw text. Nothing here raises for bad input: every problem becomes a :class:`Finding`.
"""

from __future__ import annotations

import base64
import datetime as _dt
import math
import os
import re
import stat
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from catalog.types import Finding, RawDocument, Severity

try:  # libyaml is about 20 times faster than the pure-Python loader
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class _BuildingLoader(_Loader):
    """The safe loader, but a scalar that YAML parses and cannot build (``2024-02-30``, a
    5,001-digit integer, ``!!bool maybe``, ``!!timestamp nope``) becomes its raw text, noted
    in ``unbuilt`` with where it is, instead of an exception that would lose the file."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.unbuilt: list[tuple[int, int, str]] = []  # 0-based line, column, why

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


# Python refuses to print an integer of more decimal digits than sys.get_int_max_str_digits().
_MAX_INT_BITS = int((sys.get_int_max_str_digits() or 4300) * 3.32)


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:119] + "…"


MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_YAML_NODES = 50_000  # after expanding aliases: stops "billion laughs"
MAX_YAML_DEPTH = 64

_KEY_LINE = re.compile(r"([A-Za-z_][\w.-]*)[ \t]*:(?:[ \t]|$)")
_DELIMITER = re.compile(r"[ \t]*---[ \t]*")
_CLOSERS = ("---", "...")


@dataclass(frozen=True, slots=True)
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


def read_agent_file(path: os.PathLike[str] | str, rel_path: str) -> tuple[str, list[Finding]]:
    """Read a file as text, never blocking on a FIFO and never loading a huge file."""
    findings: list[Finding] = []

    def problem(code: str, severity: Severity, message: str, line: int = 1) -> None:
        findings.append(Finding(rel_path, line, 1, code, severity, message))

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        problem("AC101", "error", f"cannot read file: {_os_reason(exc)}")
        return "", findings
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            problem("AC101", "error", "cannot read file: not a regular file")
            return "", findings
        if info.st_size > MAX_FILE_BYTES:
            problem(
                "AC102",
                "error",
                f"file is {info.st_size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit; not parsed",
            )
            return "", findings
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        problem("AC101", "error", f"cannot read file: {_os_reason(exc)}")
        return "", findings
    finally:
        os.close(fd)
    return decode_agent_bytes(data, rel_path, findings), findings


def decode_agent_bytes(data: bytes, rel_path: str, findings: list[Finding]) -> str:
    """Decode bytes as UTF-8 (or UTF-16 with a BOM), reporting what had to be repaired."""

    def problem(code: str, severity: Severity, message: str, line: int = 1) -> None:
        findings.append(Finding(rel_path, line, 1, code, severity, message))

    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        problem("AC103", "warning", "file is UTF-16; agent files should be UTF-8")
        text = data.decode("utf-16", errors="replace")
    else:
        if data.startswith(b"\xef\xbb\xbf"):
            problem("AC104", "warning", "file starts with a byte-order mark (BOM)")
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            problem("AC103", "error", f"file is not valid UTF-8 (byte {exc.start:,}); bad bytes replaced", line)
            text = data.decode("utf-8", errors="replace")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        problem("AC105", "error", "file contains NUL bytes; they were removed", line)
        text = text.replace("\x00", "")
    if "\r" in text:
        line = text.count("\n", 0, text.index("\r")) + 1
        problem("AC106", "info", "file has CRLF or CR line endings; read as LF", line)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def parse_agent_text(text: str, rel_path: str, known_keys: frozenset[str]) -> RawDocument:
    """Split text into frontmatter and body; load the frontmatter strictly, else leniently."""
    findings: list[Finding] = []

    def problem(code: str, severity: Severity, message: str, line: int, col: int = 1) -> None:
        findings.append(Finding(rel_path, line, col, code, severity, message))

    lines = text.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start == len(lines) or not _DELIMITER.fullmatch(lines[start]):
        if not text.strip():
            problem("AC110", "error", "file is empty", 1)
        else:
            problem("AC110", "error", "no frontmatter: the file must start with a '---' line", start + 1)
        return RawDocument({}, text, 1, False, False, tuple(findings))
    if start:
        problem("AC111", "warning", "frontmatter does not start on the first line", start + 1)

    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    if indent:
        problem("AC112", "warning", "the whole file is indented; read as if it were not", start + 1)
        lines = [line[len(indent) :] if line.startswith(indent) else line.lstrip() for line in lines]

    end = next((i for i in range(start + 1, len(lines)) if lines[i].rstrip() in _CLOSERS), None)
    if end is None:
        problem("AC113", "error", "frontmatter is not closed: no '---' line after this one", start + 1)
        # What could be read: the key lines up to the first blank line.
        end_guess = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
        fm_lines, body_start = lines[start + 1 : end_guess], end_guess
    else:
        fm_lines, body_start = lines[start + 1 : end], end + 1
    first_fm_line = start + 2  # 1-based file line of the first frontmatter line
    body = "\n".join(lines[body_start:])
    metadata, scalar_source, key_lines, recovered = _load_frontmatter(fm_lines, first_fm_line, known_keys, problem)
    return RawDocument(
        metadata=metadata,
        body=body,
        body_line=body_start + 1,
        has_frontmatter=True,
        recovered=recovered,
        findings=tuple(findings),
        scalar_source=scalar_source,
        key_lines={key: first_fm_line + line for key, line in key_lines.items()},
        disabled_rules=disabled_rules(text),
    )


_DISABLE_COMMENT = re.compile(r"agent-catalog:\s*disable\s*[=:]?\s*((?:AC\d{3}[\s,]*)+)")


def disabled_rules(text: str) -> frozenset[str]:
    """Lint codes a file switches off for itself: ``# agent-catalog: disable=AC204,AC403``
    in the frontmatter, or the same in an HTML comment in the body."""
    if "agent-catalog:" not in text:
        return frozenset()
    return frozenset(re.findall(r"AC\d{3}", " ".join(m.group(1) for m in _DISABLE_COMMENT.finditer(text))))


def _load_frontmatter(
    fm_lines: list[str], first_line: int, known_keys: frozenset[str], problem: Any
) -> tuple[dict[str, Any], dict[str, str], dict[str, int], bool]:
    text = "\n".join(fm_lines)
    if not text.strip():
        return {}, {}, {}, False
    try:
        loaded = _load_yaml(text)
    except _YamlProblem as exc:
        if not exc.syntax:  # recovery would hit it again
            problem("AC114", "error", exc.message, first_line + exc.line, exc.col + 1)
            return {}, {}, {}, False
        metadata, source, lines, raw_keys = _recover(fm_lines, first_line, known_keys, problem)
        how = f"; read as raw text: {', '.join(raw_keys)}" if raw_keys else ""
        problem(
            "AC115",
            "warning",
            f"frontmatter is not valid YAML ({exc.message}); read leniently as Claude Code does{how}",
            first_line + exc.line,
            exc.col + 1,
        )
        return metadata, source, lines, True
    if loaded.data is None:
        return {}, {}, {}, False
    if not isinstance(loaded.data, dict):
        kind = "a list" if isinstance(loaded.data, list) else "a single value"
        problem("AC116", "error", f"frontmatter is {kind}, not a mapping of keys to values", first_line)
        return {}, {}, {}, False
    for key, line in loaded.duplicates:
        problem("AC117", "warning", f"duplicate key '{key}': only the last one counts", first_line + line)
    dialogue = [k for k in loaded.data if k.lower() in _DIALOGUE_KEYS and k not in known_keys]
    if dialogue:
        # Valid YAML, but example dialogue lines became keys: read it the way Claude Code does.
        metadata, source, lines, _ = _recover(fm_lines, first_line, known_keys, problem)
        problem(
            "AC115",
            "warning",
            f"example dialogue lines were read as keys ({', '.join(dialogue)}); read leniently as Claude Code does",
            first_line,
        )
        return metadata, source, lines, True
    _report_unbuilt(loaded, first_line, problem)
    return _with_plain_newlines(loaded), dict(loaded.scalar_source), dict(loaded.key_lines), False


def _report_unbuilt(loaded: _Loaded, first_line: int, problem: Any) -> None:
    for line, col, why in loaded.unbuilt:
        problem("AC118", "warning", f"{why}; read as its raw text", first_line + line, col + 1)


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


def _load_yaml(text: str) -> _Loaded:
    too_deep = _nesting_problem(text)
    if too_deep is not None:
        raise too_deep
    loader = _BuildingLoader(text)
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
    """Refuse alias bombs, cycles and deep nesting before anything is constructed."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool, int]] = [(root, False, 0)]
    while stack:
        node, done, depth = stack.pop()
        key = id(node)
        children = list(_children(node))
        if done:
            on_path.discard(key)
            sizes[key] = min(1 + sum(sizes[id(c)] for c in children), MAX_YAML_NODES + 1)
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


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
