"""Stage 2: read one agent file and split it into frontmatter metadata and body.

Strict YAML first (libyaml when PyYAML has it). When that fails, the frontmatter is read the
way Claude Code reads it: a field starts only at an unindented ``key:`` line whose key the
dialect knows or that looks like a frontmatter key rather than example dialogue, every other
line continues the field before it, and each field's value is parsed on its own, falling back
to its raw text (``catalog.parse.lenient``). YAML is loaded within limits (``catalog.parse.yaml_limits``).
Nothing here raises for bad input: every problem becomes a :class:`Finding`.
"""

from __future__ import annotations

import os
import re
import stat
from typing import Any

from catalog.parse.lenient import _DIALOGUE_KEYS, _recover, loads_after
from catalog.parse.yaml_limits import _load_yaml, _report_unbuilt, _with_plain_newlines, _YamlProblem
from catalog.types import Finding, RawDocument, Severity

# How AC115 says the file was read; catalog.model.tool_scope rewords it on the files of such a tool.
LENIENT_NOTE = "; read leniently as Claude Code does"
# Said too where the file's tool loads it by a fallback of its own (opencode's, lenient.py).
FALLBACK_NOTE = "; its tool's own fallback loads it"
# AC115's two cases, and what a tool that reads frontmatter leniently makes of each (the note
# tool_scope writes on its files): YAML that does not load, which strict tools refuse; and
# YAML that loads with lines of example dialogue as keys, which strict tools load so.
NOT_YAML = "frontmatter is not valid YAML"
DIALOGUE_KEYS = "example dialogue lines are keys to strict YAML"
LENIENT_READING = {
    NOT_YAML: "reads it as meant, tools that load YAML strictly do not",
    DIALOGUE_KEYS: "reads them as part of the field before them, as meant",
}

MAX_FILE_BYTES = 2 * 1024 * 1024

_DELIMITER = re.compile(r"[ \t]*---[ \t]*")
# The line that closes the frontmatter: three dashes or more (collections write a rule of 56
# dashes; Claude Code ends the frontmatter at its first three, python-frontmatter takes
# ``-{3,}``), or YAML's document end.
CLOSER = re.compile(r"-{3,}[ \t]*|\.\.\.[ \t]*")


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


def read_part_file(path: os.PathLike[str] | str, rel_path: str) -> tuple[str, str]:
    """A file an agent's prompt is read from (a rules file, a prompt file), read as an agent
    file is: its text and "", or "" and why it is not read (its errors; a note or a warning,
    CRLF line endings read as LF or a byte-order mark, does not keep it out)."""
    text, found = read_agent_file(path, rel_path)
    errors = [f.message for f in found if f.severity == "error"]
    return ("", "; ".join(errors)) if errors else (text, "")


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


def parse_agent_text(
    text: str, rel_path: str, known_keys: frozenset[str], frontmatter_required: bool = True, fallback: str = ""
) -> RawDocument:
    """Split text into frontmatter and body; load the frontmatter strictly, else leniently.
    ``frontmatter_required=False``: its tool loads a file without, the whole text its prompt.
    ``fallback``: how the file's tool loads frontmatter strict YAML refuses, if it does."""
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
        elif frontmatter_required:
            problem("AC110", "error", "no frontmatter: the file must start with a '---' line", start + 1)
        return RawDocument({}, text, 1, False, False, tuple(findings))
    if start:
        problem("AC111", "warning", "frontmatter does not start on the first line", start + 1)

    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    if indent:
        problem("AC112", "warning", "the whole file is indented; read as if it were not", start + 1)
        lines = [line[len(indent) :] if line.startswith(indent) else line.lstrip() for line in lines]

    end = next((i for i in range(start + 1, len(lines)) if CLOSER.fullmatch(lines[i])), None)
    if end is None:
        problem("AC113", "error", "frontmatter is not closed: no '---' line after this one", start + 1)
        # What could be read: the key lines up to the first blank line.
        end_guess = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
        fm_lines, body_start = lines[start + 1 : end_guess], end_guess
    else:
        fm_lines, body_start = lines[start + 1 : end], end + 1
    first_fm_line = start + 2  # 1-based file line of the first frontmatter line
    body = "\n".join(lines[body_start:])
    metadata, scalar_source, key_lines, recovered = _load_frontmatter(
        fm_lines, first_fm_line, known_keys, problem, fallback
    )
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
    fm_lines: list[str], first_line: int, known_keys: frozenset[str], problem: Any, fallback: str = ""
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
        loads = FALLBACK_NOTE if fallback and loads_after(fallback, fm_lines) else ""
        problem(
            "AC115",
            "warning",
            f"{NOT_YAML} ({exc.message}){LENIENT_NOTE}{loads}{how}",
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
            f"{DIALOGUE_KEYS} ({', '.join(dialogue)}), which end the field before them for tools that load "
            f"YAML strictly{LENIENT_NOTE}",
            first_line,
        )
        return metadata, source, lines, True
    _report_unbuilt(loaded, first_line, problem)
    return _with_plain_newlines(loaded), dict(loaded.scalar_source), dict(loaded.key_lines), False


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
