"""The stable JSON form of a catalog (``scan --json``, ``catalog.json``)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from catalog.types import Agent, Catalog, Finding, Section

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
        "summary": agent.summary,
        "examples": [
            {
                "context": ex.context,
                "turns": [{"role": t.role, "text": t.text} for t in ex.turns],
                "commentary": ex.commentary,
                "line": ex.line,
            }
            for ex in agent.examples
        ],
        "tools": None if agent.tools is None else list(agent.tools),
        "disallowed_tools": list(agent.disallowed_tools),
        "model": list(agent.model) if isinstance(agent.model, tuple) else agent.model,
        "color": agent.color,
        "extra": dict(agent.extra),
        "body": agent.body,
        "body_line": agent.body_line,
        "sections": [_section(s) for s in agent.sections],
    }


def _section(section: Section) -> dict[str, Any]:
    return {
        "title": section.title,
        "level": section.level,
        "line": section.line,
        "text": section.text,
        "items": list(section.items),
        "children": [_section(c) for c in section.children],
    }


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    return dataclasses.asdict(finding)


def catalog_to_dict(catalog: Catalog) -> dict[str, Any]:
    return {
        "version": SCHEMA_VERSION,
        "agents": [agent_to_dict(a) for a in catalog.agents],
        "findings": [finding_to_dict(f) for f in catalog.findings],
    }


def dumps(data: Any, *, compact: bool = False) -> str:
    """Deterministic JSON: same data, same bytes. Compact output uses the C encoder (10x faster)."""
    if compact:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
