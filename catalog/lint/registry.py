"""How lint rules are registered: each with a stable code, a severity, a one-line summary and
documentation, and a check of one agent or of the whole catalog. ``catalog.lint.rules`` holds the
rules (with ``catalog.lint.rules_format``); import ``RULES`` from there, where every rule is in it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from catalog.config import MAX_DESCRIPTION_TOKENS, MAX_TOTAL_DESCRIPTION_TOKENS
from catalog.frozen import frozen
from catalog.model.dialects import DIALECTS
from catalog.types import Agent, Severity

# (line, col, message) of one problem in one agent file.
Hit = tuple[int, int, str]
AgentCheck = Callable[[Agent, "LintSettings"], Iterable[Hit]]
CatalogCheck = Callable[[tuple[Agent, ...], "LintSettings"], Iterable[tuple[Agent, Hit]]]


@frozen
class LintSettings:
    max_description_tokens: int = MAX_DESCRIPTION_TOKENS
    max_total_description_tokens: int = MAX_TOTAL_DESCRIPTION_TOKENS


@frozen
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    explanation: str
    check_agent: AgentCheck | None = None
    check_catalog: CatalogCheck | None = None
    # Its hits are lines of the prompt (sections, examples), which may be text read from another
    # file, not lines of the agent file's own keys: the two numberings overlap in a .roomodes.
    prompt_lines: bool = False


RULES: dict[str, Rule] = {}


def _rule(
    code: str, name: str, severity: Severity, summary: str, explanation: str, *, prompt_lines: bool = False
) -> Callable[[Any], Any]:
    def register(check: Any) -> Any:
        catalog_level = getattr(check, "__name__", "").startswith("catalog_")
        RULES[code] = Rule(
            code,
            name,
            severity,
            summary,
            explanation,
            None if catalog_level else check,
            check if catalog_level else None,
            prompt_lines,
        )
        return check

    return register


def _scan_rule(code: str, name: str, severity: Severity, summary: str, explanation: str) -> None:
    RULES[code] = Rule(code, name, severity, summary, explanation)


def estimate_tokens(text: str) -> int:
    """A model-independent estimate: about four characters a token for English prose and code."""
    return math.ceil(len(text) / 4)


def _line(agent: Agent, key: str) -> int:
    return agent.key_lines.get(key) or _start(agent)


def _start(agent: Agent) -> int:
    """Where an agent starts: line 1 of its file, or a Roo mode's first line in .roomodes."""
    if DIALECTS[agent.format].syntax == "markdown":
        return 1
    return min(agent.key_lines.values(), default=1)


def rule_table() -> Mapping[str, Rule]:
    return dict(sorted(RULES.items()))
