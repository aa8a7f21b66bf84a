"""Stage 2 for agents that are not Markdown: Codex TOML, Kiro JSON and Roo Code modes.

Each file becomes the same :class:`RawDocument` a Markdown file gives: its settings as
``metadata``, its system prompt as ``body`` and the file line of every key, so the model and
the lint rules need not ask how it was written. Nothing here raises for bad input.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from catalog.model.dialect import Dialect
from catalog.model.dialects import DIALECTS, config_dialect
from catalog.model.origins import origin
from catalog.parse.document import MAX_FILE_BYTES, parse_agent_text, read_part_file
from catalog.parse.fences import closed_fence
from catalog.parse.key_lines import json_key_lines, toml_key_lines
from catalog.parse.modes import _modes_by_entry, mode_text
from catalog.types import AgentSource, Finding, Format, Origin, RawDocument


def parse_document(text: str, source: AgentSource) -> RawDocument:
    """Any agent file's text as a RawDocument, by its dialect's syntax."""
    dialect = DIALECTS[source.format]
    if source.entry is not None and config_dialect(source.path.name):
        # Here, as in the readers below: a Markdown agent's run compiles none of their patterns.
        from catalog.parse.config_agents import read_config_agent

        return read_config_agent(text, source)  # one agent of opencode.json
    reader = _READERS.get(dialect.syntax)
    if reader is None or source.path.name.lower().endswith(".md"):  # Kiro also reads Markdown agents
        known, fallback = dialect.known_keys, dialect.yaml_fallback
        return parse_agent_text(text, source.display_path, known, dialect.frontmatter_required, fallback)
    return reader(text, source, dialect)


def _problem(source: AgentSource, code: str, line: int, message: str, severity: str = "error") -> Finding:
    return Finding(source.display_path, line, 1, code, severity, message)  # type: ignore[arg-type]


def _unparsed(source: AgentSource, kind: str, exc: Exception, line: int = 1) -> RawDocument:
    message = f"not valid {kind}: {' '.join(str(exc).split())[:300]}; its tool cannot load it"
    return RawDocument({}, "", 1, False, False, (_problem(source, "AC108", line, message),))


def _read_codex(text: str, source: AgentSource, dialect: Dialect) -> RawDocument:
    import tomllib  # here: its regular expressions are compiled for Codex agents only

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_in_message(str(exc))
        return _unparsed(source, "TOML", exc, line)
    except RecursionError as exc:
        return _unparsed(source, "TOML", exc)
    lines = toml_key_lines(text)
    findings: list[Finding] = []
    if "description" not in data or not data.get("name"):
        # .codex/config.toml's [agents."name"] may describe it, and name it (by its config_file).
        key, described = _codex_registration(source, str(data.get("name") or ""), findings)
        if "description" not in data and described is not None:
            data["description"] = described
        if not data.get("name") and key is not None:
            data["name"], lines = key, {**lines, "name": 1}  # the file's start: no line of its own
    return _document(data, lines, dialect, findings)


def _codex_registration(source: AgentSource, name: str, findings: list[Finding]) -> tuple[str | None, str | None]:
    """The key of the config.toml entry whose config_file names this file, and the description
    of that entry (else of the entry of the file's ``name``)."""
    import tomllib

    for companion in source.companions:
        text, why = read_part_file(companion, companion)
        if why:
            findings.append(_problem(source, "AC119", 1, f"config.toml not read: {why}", "warning"))
            continue
        try:
            config = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError) as exc:
            findings.append(_problem(source, "AC119", 1, f"config.toml not read: {exc}", "warning"))
            continue
        agents = config.get("agents")
        for key, entry in (agents if isinstance(agents, dict) else {}).items():
            if not isinstance(entry, dict):
                continue
            listed = entry.get("config_file")
            named = isinstance(listed, str) and listed.replace("\\", "/").rsplit("/", 1)[-1] == source.path.name
            description = entry.get("description")
            if named or (key == name and isinstance(description, str)):
                return (key if named else None), (description if isinstance(description, str) else None)
    return None, None


def _read_kiro(text: str, source: AgentSource, dialect: Dialect) -> RawDocument:
    from catalog.parse.config_agents import json_value, shown_path

    try:
        data = json_value(json.loads(text))
    except ValueError as exc:
        return _unparsed(source, "JSON", exc, getattr(exc, "lineno", 1))
    except RecursionError as exc:
        return _unparsed(source, "JSON", exc)
    if not isinstance(data, dict):
        return RawDocument({}, "", 1, False, False, (_problem(source, "AC116", 1, "the file is not a JSON object"),))
    lines = json_key_lines(text)
    findings: list[Finding] = []
    prompt = data.get("prompt")
    if isinstance(prompt, str) and prompt.startswith("file://"):
        # Discovery resolved the file inside the scanned folder, or said why it did not.
        data = dict(data)
        data["prompt"] = ""
        origins: tuple[Origin, ...] = ()
        # The prompt's lines are counted on from the JSON's last line: none is one of its own.
        after = text.count("\n") + 2
        for companion in source.companions:
            body, why = read_part_file(companion, source.display_path)
            if why:
                findings.append(
                    _problem(source, "AC119", lines.get("prompt", 1), f"prompt file not read: {why}", "warning")
                )
            else:
                data["prompt"], first = _without_frontmatter(body, source)
                shown = shown_path(companion, os.path.dirname(source.path))
                prompt_text = data["prompt"]
                origins = (
                    origin(source, companion, shown, after, first + len(prompt_text) - len(prompt_text.lstrip("\n"))),
                )
        document = _document(data, lines, dialect, findings)
        return RawDocument(
            {**document.metadata, "prompt": prompt},
            document.body,
            after,
            True,
            False,
            document.findings,
            key_lines=document.key_lines,
            origins=origins,
        )
    return _document(data, lines, dialect, findings)


def _read_roomodes(text: str, source: AgentSource, dialect: Dialect) -> RawDocument:
    try:
        modes = _modes_by_entry(text)
    except ValueError as exc:
        return _unparsed(source, "YAML or JSON", exc, _line_in_message(str(exc)))
    if source.entry in modes:
        return _with_rules(_document(*modes[source.entry], dialect, []), source)
    message = f"mode {source.entry!r} is no longer in this file"
    return RawDocument({}, "", 1, False, False, (_problem(source, "AC108", 1, message),))


def _without_frontmatter(text: str, source: AgentSource) -> tuple[str, int]:
    """A prompt file's text, and the line it starts at, without the frontmatter some write at its top (kiro-dev-team's
    builder-prompt.md repeats the agent's name and description there): that is the agent's
    settings, not its prompt, and as Markdown its closing line made the settings a heading."""
    if not text.lstrip("\ufeff").startswith("---"):
        return text, 1
    document = parse_agent_text(text, source.display_path, frozenset())
    return (document.body, document.body_line) if document.has_frontmatter else (text, 1)


def _with_rules(document: RawDocument, source: AgentSource) -> RawDocument:
    """The prompt with the rules files discovery found for the agent (``Dialect.name_rules``)
    after it, each under the line its tool puts before it ("# Rules from <path>:", in bold)."""
    from catalog.parse.config_agents import shown_path

    parts, findings = [closed_fence(document.body)] if document.body else [], list(document.findings)
    origins: list[Origin] = []
    workspace = os.path.dirname(source.path)
    # The whole prompt stays within one agent file's limit: a hundred rules files (or one
    # folder every mode's rules folder links to) would make pages of hundreds of megabytes.
    room = MAX_FILE_BYTES - len(document.body.encode("utf-8", "replace"))
    for companion in source.companions:
        shown = shown_path(companion, workspace)
        over = f"rules from {shown} on not read: the prompt would be over {MAX_FILE_BYTES:,} bytes"
        if room < _size(companion) <= MAX_FILE_BYTES:  # a larger one is refused on its own, below
            findings.append(_problem(source, "AC119", 1, over, "warning"))
            break
        text, why = read_part_file(companion, source.display_path)
        if why:
            findings.append(_problem(source, "AC119", 1, f"rules file {shown} not read: {why}", "warning"))
            continue
        if text.strip():
            # The line Roo Code puts before each file ("# Rules from <path>:"), in bold: the
            # title of the file's section (an Origin says so: a heading was an empty section
            # above a file that opens with its own heading).
            label = "".join(c if c.isprintable() else "_" for c in shown)  # shown_path made it UTF-8
            part = f"**Rules from {label}:**\n\n{closed_fence(text.strip())}"
            room -= len(part.encode("utf-8", "replace")) + 2
            if room < 0:
                findings.append(_problem(source, "AC119", 1, over, "warning"))
                break
            at = document.body_line + sum(p.count("\n") + 2 for p in parts)
            first = _leading_lines(text) + 1
            origins.append(origin(source, companion, shown, at + 2, first, f"Rules from {label}"))
            parts.append(part)
    if len(parts) == (1 if document.body else 0):
        return replace(document, findings=tuple(findings))
    return replace(document, body="\n\n".join(parts), findings=tuple(findings), origins=tuple(origins))


def _leading_lines(text: str) -> int:
    """The lines ``str.strip`` takes from the top of ``text``."""
    return text[: len(text) - len(text.lstrip())].count("\n")


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # reading it says why


def agent_alone(text: str, path: str, fmt: Format) -> str | None:
    """One agent of a file of several (``.roomodes#reviewer``, ``opencode.json#reviewer``) as a
    file of that name holding it alone, or None: a download of the whole file for each of its
    agents would make the downloads grow with the square of the file."""
    file, entry = path.rsplit("#", 1)
    dialect = DIALECTS[fmt]
    if dialect.syntax == "roomodes":
        return mode_text(text, entry)
    if posixpath.basename(file).lower() in dialect.config_files:
        from catalog.parse.config_agents import config_agent_text

        return config_agent_text(text, dialect, entry)
    return None


def _document(
    data: Mapping[str, Any], lines: Mapping[str, int], dialect: Dialect, findings: list[Finding]
) -> RawDocument:
    """Settings and prompt apart: the prompt keys (joined by a blank line) are the body."""
    prompts = [(key, data[key]) for key in dialect.prompt_keys if isinstance(data.get(key), str) and data[key].strip()]
    body = "\n\n".join(value.strip("\n") for _, value in prompts)
    first = prompts[0][0] if prompts else None
    body_line = lines.get(first, 1) if first else max(lines.values(), default=1) + 1
    if first and _starts_on_next_line(data[first]):
        body_line += 1
    # A prompt or description key that is not text stays as it is: its tool's schema may refuse it.
    metadata = {
        key: value for key, value in data.items() if key not in dialect.prompt_keys or not isinstance(value, str)
    }
    key_lines = {key: line for key, line in lines.items() if key and key in data}
    fallback = data.get(dialect.description_from)
    described = any(
        key in data and (not isinstance(data[key], str) or data[key].strip()) for key in dialect.description_keys
    )
    if isinstance(fallback, str) and fallback.strip() and not described:
        # What the tool shows the model instead (Roo Code: roleDefinition.split(".")[0]).
        metadata[dialect.description_keys[0]] = " ".join(fallback.split(".")[0].split())
        key_lines[dialect.description_keys[0]] = lines.get(dialect.description_from, 1)
    scalars = {key: value for key, value in metadata.items() if isinstance(value, str)}
    return RawDocument(
        metadata,
        body,
        body_line,
        True,
        False,
        tuple(findings),
        scalar_source=scalars,
        key_lines=key_lines,
    )


def _starts_on_next_line(value: str) -> bool:
    return value.startswith("\n") or not value.strip()


def _line_in_message(message: str) -> int:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 1


_READERS: dict[str, Callable[[str, AgentSource, Dialect], RawDocument]] = {
    "toml": _read_codex,
    "json": _read_kiro,
    "roomodes": _read_roomodes,
}

__all__: Sequence[str] = ("agent_alone", "parse_document")
