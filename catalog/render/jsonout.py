"""The stable JSON forms of a catalog: ``scan --json`` (every agent whole), catalog.json (a slim
index) and ``agents/<slug>.json`` (one agent whole)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from catalog.model.origins import description_lines, located, prompt_start
from catalog.types import Agent, Catalog, Finding, Section, clipped

SCHEMA_VERSION = 1


def agent_to_dict(agent: Agent) -> dict[str, Any]:
    """Every field of an agent except its absolute source path, examples and sections nested."""
    return {
        "name": agent.name,
        "title": agent.title,
        "slug": agent.slug,
        "format": agent.format.value,
        "path": agent.path,
        "collection": agent.collection,
        "marketplace": agent.marketplace,
        "plugin": agent.plugin,
        "category": agent.category,
        "tags": list(agent.tags),
        "description": agent.description,
        # Only when the file spells the description otherwise (line breaks written as \n).
        **({} if agent.description_raw is None else {"description_raw": agent.description_raw}),
        "summary": agent.summary,
        "examples": [
            {
                "context": ex.context,
                "turns": [{"role": t.role, "text": t.text} for t in ex.turns],
                "commentary": ex.commentary,
                **_place(agent, ex.line, own=description_lines(agent)),
            }
            for ex in agent.examples
        ],
        "tools": None if agent.tools is None else list(agent.tools),
        "disallowed_tools": list(agent.disallowed_tools),
        "permissions": [{"tool": tool, "rule": rule} for tool, rule in agent.permissions],
        "available_as": [{"format": fmt.value, "slug": slug} for fmt, slug in agent.available_as],
        "entry": agent.entry or agent.slug,
        "model": list(agent.model) if isinstance(agent.model, tuple) else agent.model,
        "color": agent.color,
        "extra": dict(agent.extra),
        "body": agent.body,
        **_body_place(agent),
        "sections": [_section(agent, s) for s in agent.sections],
    }


def _place(agent: Agent, line: int, own: frozenset[int] = frozenset()) -> dict[str, Any]:
    """A line of the prompt where its text is: of the agent file, or with the path of the file
    it was read from (a Roo Code rules file, a Kiro prompt file) when another; ``own`` are
    lines of the agent file's numbering (an example of the description)."""
    path, at = located(agent, line, own)
    return {"line": at} if path is None else {"line": at, "path": path}


def _body_place(agent: Agent) -> dict[str, Any]:
    """Where the prompt starts, as the agent's page says it (``prompt_start``)."""
    path, line = prompt_start(agent)
    return {"body_line": line} if path == agent.path else {"body_line": line, "body_path": path}


def _section(agent: Agent, section: Section) -> dict[str, Any]:
    return {
        "title": section.title,
        "level": section.level,
        **_place(agent, section.line),
        "text": section.text,
        "items": list(section.items),
        "children": [_section(agent, c) for c in section.children],
    }


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    return {
        "path": finding.path,
        "line": finding.line,
        "col": finding.col,
        "code": finding.code,
        "severity": finding.severity,
        "message": finding.message,
        # The agent whose finding it is, when its text is in another file (a rules file).
        **({"agent": finding.agent_path} if finding.agent_path else {}),
    }


def catalog_to_dict(catalog: Catalog) -> dict[str, Any]:
    return {
        "version": SCHEMA_VERSION,
        "agents": [agent_to_dict(a) for a in catalog.agents],
        "findings": [finding_to_dict(f) for f in catalog.findings],
    }


# catalog.json: the slim index of a site's agents, each with the address of its whole record.
INDEX_VERSION = 2
# An index entry's texts (name, title, summary, model, each tag...) are cut to this many
# characters, its tags and tools to this many items (the record has them whole): an entry
# stays small whatever the file holds.
INDEX_SUMMARY_LIMIT = 300
INDEX_LIST_LIMIT = 16


def record_path(slug: str) -> str:
    """Where an agent's whole record (``agent_to_dict``) is written, relative to the docs folder."""
    return f"agents/{slug}.json"


def _cut(text: str) -> str:
    return clipped(text, INDEX_SUMMARY_LIMIT)


def _cut_or_none(text: str | None) -> str | None:
    return None if text is None else _cut(text)


def index_entry(agent: Agent) -> dict[str, Any]:
    """An agent's entry in catalog.json: what a tool needs to list and find it, and the
    address of its whole record. Every text is cut to ``INDEX_SUMMARY_LIMIT`` characters
    (a name, a model or a tag of 500 KB in one file would be as much in everyone's index)."""
    model = agent.model
    return {
        "name": _cut(agent.name),
        "title": _cut(agent.title),
        "slug": agent.slug,
        "path": agent.path,
        "format": agent.format.value,
        "collection": _cut_or_none(agent.collection),
        "plugin": _cut_or_none(agent.plugin),
        "category": _cut_or_none(agent.category),
        "tags": [_cut(tag) for tag in agent.tags[:INDEX_LIST_LIMIT]],
        "tools": None if agent.tools is None else [_cut(tool) for tool in agent.tools[:INDEX_LIST_LIMIT]],
        "model": [_cut(m) for m in model[:INDEX_LIST_LIMIT]] if isinstance(model, tuple) else _cut_or_none(model),
        "summary": _cut(agent.summary or agent.description),
        "entry": agent.entry or agent.slug,  # the page that shows it (its entry's, for several tools)
        "record": record_path(agent.slug),
    }


def index_entry_json(agent: Agent) -> str:
    """An agent's catalog.json entry as compact JSON, the piece ``catalog_index`` joins."""
    return json.dumps(index_entry(agent), ensure_ascii=False, separators=(",", ":"))


def record_json(agent: Agent) -> str:
    """An agent's whole record, ``agents/<slug>.json``: its object in ``scan --json``."""
    return dumps(agent_to_dict(agent))


def catalog_index(entries: Sequence[bytes], findings: Sequence[Finding]) -> bytes:
    """catalog.json, as UTF-8: a head, every agent's ``index_entry_json`` joined, and the findings."""
    found = json.dumps([finding_to_dict(f) for f in findings], ensure_ascii=False, separators=(",", ":"))
    head, tail = f'{{"version":{INDEX_VERSION},"agents":[', f'],"findings":{found}}}\n'
    return b"".join((head.encode(), b",".join(entries), tail.encode()))


def dumps(data: Any, *, compact: bool = False) -> str:
    """Deterministic JSON: same data, same bytes. Compact output uses the C encoder (10x faster);
    indented output is ``json.dumps(data, ensure_ascii=False, indent=2)``'s, made by
    ``_indented`` (json's indenting encoder is its pure-Python one, a generator per container)."""
    if compact:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
    pieces: list[str] = []
    try:
        _indented(data, pieces, "\n")
    except (_Unusual, RecursionError):
        # A value of another type (json's own rules then apply: its errors too), or nesting
        # too deep or circular (json says which).
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    pieces.append("\n")
    return "".join(pieces)


class _Unusual(Exception):
    """A value ``_indented`` leaves to ``json.dumps``."""


_string: Callable[[str], str] = json.encoder.encode_basestring  # json's own, in C when it can be
_SCALARS: dict[Any, str] = {True: "true", False: "false", None: "null"}


def _indented(value: Any, pieces: list[str], newline: str) -> None:
    """``value`` as json.dumps(indent=2) writes it at the depth whose line break and indent
    is ``newline``, onto ``pieces``. Only the types JSON reads back as they are (str, int,
    float, bool, None, list, dict with str keys): any other raises ``_Unusual``."""
    kind = type(value)
    if kind is str:
        pieces.append(_string(value))
    elif kind is dict:
        if not value:
            pieces.append("{}")
            return
        inner = newline + "  "
        between = "{" + inner
        for key, item in value.items():
            if type(key) is not str:
                raise _Unusual
            if type(item) is str:
                pieces += (between, _string(key), ": ", _string(item))
            else:
                pieces += (between, _string(key), ": ")
                _indented(item, pieces, inner)
            between = "," + inner
        pieces.append(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            pieces.append("[]")
            return
        inner = newline + "  "
        between = "[" + inner
        for item in value:
            if type(item) is str:
                pieces += (between, _string(item))
            else:
                pieces.append(between)
                _indented(item, pieces, inner)
            between = "," + inner
        pieces.append(newline + "]")
    elif kind is int:
        pieces.append(int.__repr__(value))
    elif value is None or kind is bool:
        pieces.append(_SCALARS[value])
    elif kind is float and value - value == 0:  # finite (json writes nan and inf its own way)
        pieces.append(float.__repr__(value))
    else:
        raise _Unusual
