"""Agents a tool's configuration file defines in a map (``Dialect.config_files``): opencode.json's
``"agent": {"reviewer": {"description": ..., "prompt": "{file:./prompts/reviewer.txt}"}}``.

opencode reads its configuration as JSON with comments and trailing commas (JSONC). Each agent
becomes the RawDocument a Markdown agent gives; nothing here raises for bad input.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
from pathlib import Path
from typing import Any

from catalog.model.dialect import Dialect
from catalog.model.dialects import DIALECTS
from catalog.model.origins import origin
from catalog.parse.document import read_part_file
from catalog.types import AgentSource, Finding, Origin, RawDocument

# A string or a comment, then a string or a comma before a closing bracket: what JSONC adds to
# JSON, taken out in two passes (a comment may stand between the comma and the bracket).
_STRING = r'"(?:[^"\\\n]|\\[^\n])*"?'  # an unclosed one ends at its line: each start is tried once
_COMMENT = re.compile(_STRING + r"|//[^\n]*|/\*.*?(?:\*/|\Z)", re.DOTALL)
_TRAILING_COMMA = re.compile(_STRING + r"|,(?=\s*[}\]])")
_KEY_LINE = re.compile(r'^[ \t]*"([\w.-]{1,100})"[ \t]*:', re.MULTILINE)
FILE_PROMPT = re.compile(r"\{file:([^}]+)\}")
_ENTRY = re.compile(r"[\w.-]{1,100}")
# No agent's settings are nested deeper (a manifest's limit, catalog.discover.manifests).
MAX_JSON_DEPTH = 64


def _strings_only(match: re.Match[str]) -> str:
    # A comment gives way to its line breaks: the lines after it keep their numbers.
    return match.group() if match.group().startswith('"') else "\n" * match.group().count("\n")


def json_value(value: Any, depth: int = 0) -> Any:
    """What ``json.loads`` gave, as a page can show it: strings without lone surrogates (a
    ``\\udc80`` escape) nor NUL, no infinite number; ValueError when nested too deeply."""
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"nested more than {MAX_JSON_DEPTH} levels deep")
    if isinstance(value, str):
        if "\0" in value or not value.isascii():
            value = value.encode("utf-8", "replace").decode("utf-8").replace("\0", "\ufffd")
        return value
    if isinstance(value, dict):
        return {json_value(k, depth + 1): json_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [json_value(v, depth + 1) for v in value]
    return str(value) if isinstance(value, float) and not math.isfinite(value) else value


def config_agents(text: str, dialect: Dialect) -> list[tuple[str, dict[str, Any], int]]:
    """Each agent of a configuration file: its name, its settings and the line of its key. Only
    agents a reader can tell apart: a name that is a plain word, settings that are a map with a
    description or a prompt (a map of a model or tools alone tunes one of the tool's own agents).
    ValueError when the file does not load. Read once for all the agents of one text."""
    return [(name, dict(settings), line) for name, settings, line in _config_agents(text, *_keys(dialect))]


def _keys(dialect: Dialect) -> tuple[str, str]:
    return dialect.config_key, dialect.config_modes_key


@functools.lru_cache(maxsize=2)
def _config_agents(text: str, key: str, modes_key: str = "") -> tuple[tuple[str, dict[str, Any], int], ...]:
    try:
        data = json_value(json.loads(_TRAILING_COMMA.sub(_strings_only, _COMMENT.sub(_strings_only, text))))
    except RecursionError:
        raise ValueError("nested too deeply") from None
    agents = data.get(key) if isinstance(data, dict) else None
    agents = dict(agents) if isinstance(agents, dict) else {}
    modes = data.get(modes_key) if modes_key and isinstance(data, dict) else None
    for name, mode in modes.items() if isinstance(modes, dict) else ():
        # Config.load: mergeDeep(agent, {[name]: {...mode, mode: "primary"}}), the mode's settings winning.
        if isinstance(mode, dict):
            base = agents.get(name)
            agents[name] = {**(base if isinstance(base, dict) else {}), **mode, "mode": "primary"}
    if not agents:
        return ()
    found = []
    # Its agents' names are keys after the first of the maps (a mode's key, "mode", is a field too).
    openings = [hit.end() for k in (key, modes_key) if k and (hit := re.search(rf'"{re.escape(k)}"\s*:', text))]
    opened = min(openings, default=0)
    lines: dict[str, int] = {}  # each key after the map's opening -> its first line, in one pass
    at = opened
    line = text.count("\n", 0, at) + 1
    for named in _KEY_LINE.finditer(text, at):
        line += text.count("\n", at, named.start())
        at = named.start()
        lines.setdefault(named.group(1), line)
    for name, settings in agents.items():
        if not (_ENTRY.fullmatch(name) and isinstance(settings, dict)):
            continue
        if not any(isinstance(settings.get(k), str) and settings[k].strip() for k in ("description", "prompt")):
            continue
        found.append((name, settings, lines.get(name, 1)))
    return tuple(found)


@functools.lru_cache(maxsize=2)
def _agents_by_name(text: str, key: str, modes_key: str = "") -> dict[str | None, tuple[dict[str, Any], int]]:
    """The agents of one text by name: each of its agents looks up its own (not copied)."""
    return {name: (settings, line) for name, settings, line in _config_agents(text, key, modes_key)}


def config_agent_text(text: str, dialect: Dialect, entry: str) -> str | None:
    """One agent of a configuration file as a configuration file of its own (``{"agent":
    {"reviewer": {...}}}``), or None: each of a file's agents downloads its own, as a Roo Code
    mode does, not the whole file (a file of 4,000 agents was 4,000 copies of itself)."""
    try:
        agents = _agents_by_name(text, *_keys(dialect))
    except ValueError:
        return None
    if entry not in agents:
        return None
    return json.dumps({dialect.config_key: {entry: agents[entry][0]}}, indent=2, ensure_ascii=False) + "\n"


def shown_path(path: str, start: str) -> str:
    """A file an agent reads as part of it, relative to its agent's folder, as text a page can
    hold: bytes of its name that are not UTF-8 written as ``\\xNN`` (as discovery shows names)."""
    relative = Path(os.path.relpath(path, start)).as_posix()
    return os.fsencode(relative).decode("utf-8", "backslashreplace")


def prompt_file(prompt: object, config: str) -> str | None:
    """The file an agent's ``"{file:./path}"`` prompt names, relative to the configuration file."""
    named = named_prompt_file(prompt, config)
    return os.path.realpath(named) if named else None


def named_prompt_file(prompt: object, config: str) -> str:
    """That file as named (a symlink not followed), or "" when the prompt names none."""
    if not isinstance(prompt, str):
        return ""
    match = FILE_PROMPT.fullmatch(prompt.strip())
    if not match:
        return ""
    target = os.path.expanduser(match.group(1).strip())
    return os.path.normpath(os.path.join(os.path.dirname(config), target))


def read_config_agent(text: str, source: AgentSource) -> RawDocument:
    """One agent of a configuration file, its prompt (inline, or the file discovery found) as the body."""
    dialect = DIALECTS[source.format]

    def problem(code: str, message: str, line: int = 1, severity: str = "error") -> Finding:
        return Finding(source.display_path, line, 1, code, severity, message)  # type: ignore[arg-type]

    try:
        agents = _agents_by_name(text, *_keys(dialect))
    except ValueError as exc:
        message = f"not valid JSON: {' '.join(str(exc).split())[:300]}; its tool cannot load it"
        return RawDocument({}, "", 1, False, False, (problem("AC108", message, getattr(exc, "lineno", 1)),))
    if source.entry not in agents:
        message = f"agent {source.entry!r} is no longer in this file"
        return RawDocument({}, "", 1, False, False, (problem("AC108", message),))
    shared, line = agents[source.entry]
    findings: list[Finding] = []
    settings = dict(shared)  # the parsed file's, shared by its agents
    prompt = settings.pop("prompt", None)
    body = prompt if isinstance(prompt, str) and not FILE_PROMPT.fullmatch(prompt.strip()) else ""
    body_line = line
    origins: tuple[Origin, ...] = ()
    if body == "" and isinstance(prompt, str):
        # The prompt file discovery found inside the scanned folder, or said why it did not.
        for companion in source.companions:
            shown = shown_path(companion, os.path.dirname(source.path))
            read, why = read_part_file(companion, source.display_path)
            if why:
                findings.append(problem("AC119", f"prompt file {shown} not read", line, "warning"))
            else:
                body = read
                # The prompt's lines are counted on from the file's last line: none is one of its own.
                body_line = text.count("\n") + 2
                leading = len(read) - len(read.lstrip("\n"))
                origins = (origin(source, companion, shown, body_line, 1 + leading),)
    scalars = {key: value for key, value in settings.items() if isinstance(value, str)}
    lines = {key: line for key in settings}
    return RawDocument(
        settings,
        body.strip("\n"),
        body_line,
        True,
        False,
        tuple(findings),
        scalar_source=scalars,
        key_lines=lines,
        origins=origins,
    )
