"""Agents a tool's configuration file defines in a map (``Dialect.config_files``): opencode.json's
``"agent": {"reviewer": {"description": ..., "prompt": "{file:./prompts/reviewer.txt}"}}``.

opencode reads its configuration as JSON with comments and trailing commas (JSONC). Each agent
becomes the RawDocument a Markdown agent gives; nothing here raises for bad input.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from catalog.model.dialects import DIALECTS, Dialect
from catalog.parse.document import read_agent_file
from catalog.parse.yaml_limits import _jsonable
from catalog.types import AgentSource, Finding, RawDocument

# A string or a comment, then a string or a comma before a closing bracket: what JSONC adds to
# JSON, taken out in two passes (a comment may stand between the comma and the bracket).
_STRING = r'"(?:[^"\\\n]|\\[^\n])*"?'  # an unclosed one ends at its line: each start is tried once
_COMMENT = re.compile(_STRING + r"|//[^\n]*|/\*.*?(?:\*/|\Z)", re.DOTALL)
_TRAILING_COMMA = re.compile(_STRING + r"|,(?=\s*[}\]])")
_KEY_LINE = re.compile(r'^[ \t]*"([\w.-]{1,100})"[ \t]*:', re.MULTILINE)
FILE_PROMPT = re.compile(r"\{file:([^}]+)\}")
_ENTRY = re.compile(r"[\w.-]{1,100}")


def _strings_only(match: re.Match[str]) -> str:
    return match.group() if match.group().startswith('"') else ""


def config_agents(text: str, dialect: Dialect) -> list[tuple[str, dict[str, Any], int]]:
    """Each agent of a configuration file: its name, its settings and the line of its key. Only
    agents a reader can tell apart: a name that is a plain word, settings that are a map with a
    description or a prompt (a map of a model or tools alone tunes one of the tool's own agents).
    ValueError when the file does not load."""
    try:
        data = json.loads(_TRAILING_COMMA.sub(_strings_only, _COMMENT.sub(_strings_only, text)))
    except RecursionError:
        raise ValueError("nested too deeply") from None
    agents = data.get(dialect.config_key) if isinstance(data, dict) else None
    if not isinstance(agents, dict):
        return []
    found = []
    opened = re.search(rf'"{re.escape(dialect.config_key)}"\s*:', text)
    lines: dict[str, int] = {}  # each key after the map's opening -> its first line, in one pass
    at = opened.end() if opened else 0
    line = text.count("\n", 0, at) + 1
    for key in _KEY_LINE.finditer(text, at):
        line += text.count("\n", at, key.start())
        at = key.start()
        lines.setdefault(key.group(1), line)
    for name, settings in agents.items():
        if not (_ENTRY.fullmatch(name) and isinstance(settings, dict)):
            continue
        if not any(isinstance(settings.get(k), str) and settings[k].strip() for k in ("description", "prompt")):
            continue
        found.append((name, {str(k): _jsonable(v) for k, v in settings.items()}, lines.get(name, 1)))
    return found


def prompt_file(prompt: object, config: str) -> str | None:
    """The file an agent's ``"{file:./path}"`` prompt names, relative to the configuration file."""
    if not isinstance(prompt, str):
        return None
    match = FILE_PROMPT.fullmatch(prompt.strip())
    if not match:
        return None
    target = os.path.expanduser(match.group(1).strip())
    return os.path.realpath(os.path.join(os.path.dirname(config), target))


def read_config_agent(text: str, source: AgentSource) -> RawDocument:
    """One agent of a configuration file, its prompt (inline, or the file discovery found) as the body."""
    dialect = DIALECTS[source.format]

    def problem(code: str, message: str, line: int = 1, severity: str = "error") -> Finding:
        return Finding(source.display_path, line, 1, code, severity, message)  # type: ignore[arg-type]

    try:
        agents = config_agents(text, dialect)
    except ValueError as exc:
        message = f"not valid JSON: {' '.join(str(exc).split())[:300]}; its tool cannot load it"
        return RawDocument({}, "", 1, False, False, (problem("AC108", message, getattr(exc, "lineno", 1)),))
    for name, settings, line in agents:
        if name != source.entry:
            continue
        findings: list[Finding] = []
        prompt = settings.pop("prompt", None)
        body = prompt if isinstance(prompt, str) and not FILE_PROMPT.fullmatch(prompt.strip()) else ""
        if body == "" and isinstance(prompt, str):
            if not source.companions:
                message = f"prompt file of {prompt!r} is missing or outside the scanned folder; not read"
                findings.append(problem("AC119", message, line, "warning"))
            for companion in source.companions:
                shown = Path(os.path.relpath(companion, os.path.dirname(source.path))).as_posix()
                read, problems = read_agent_file(companion, source.display_path)
                if any(f.severity == "error" for f in problems):
                    findings.append(problem("AC119", f"prompt file {shown} not read", line, "warning"))
                else:
                    body = read
        scalars = {key: value for key, value in settings.items() if isinstance(value, str)}
        lines = {key: line for key in settings}
        return RawDocument(
            settings, body.strip("\n"), line, True, False, tuple(findings), scalar_source=scalars, key_lines=lines
        )
    message = f"agent {source.entry!r} is no longer in this file"
    return RawDocument({}, "", 1, False, False, (problem("AC108", message),))
