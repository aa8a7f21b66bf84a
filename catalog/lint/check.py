"""Stage 4: run the lint rules over a catalog and apply the project's and files' switches."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from catalog.config import Settings
from catalog.lint.rules import RULES, LintSettings, estimate_tokens, total_tokens_hit
from catalog.model.origins import description_lines, placed
from catalog.render.jsonout import finding_to_dict
from catalog.terminal import safe_chars, safe_text
from catalog.types import Agent, Catalog, Finding, at_most_per_code

# Shown on each page in another form: AC303's pairs are the page's Similar agents, scored in the
# browser. As page findings they would make every page depend on its collection's descriptions
# (an edit would re-render, and every run rescore, the collection).
NOT_ON_PAGES = frozenset({"AC303"})


def lint_catalog(catalog: Catalog, settings: Settings | None = None) -> list[Finding]:
    """Scan findings plus every rule's findings, without those switched off, sorted."""
    settings = settings or Settings()
    limits = LintSettings(settings.max_description_tokens, settings.max_total_description_tokens)
    found: list[Finding] = [*catalog.findings, *catalog_rule_findings(catalog.agents, limits)]
    for agent in catalog.agents:
        found += agent_rule_findings(agent, limits)
    by_path = {agent.display_path: agent for agent in catalog.agents}
    return sorted((f for f in found if _enabled(f, by_path.get(f.owner), settings)), key=Finding.sort_key)


def agent_rule_findings(agent: Agent, limits: LintSettings | None = None) -> list[Finding]:
    """What the rules that look at one agent find in it: of a rule that finds something in
    each item of a list (AC401, each tool), the first ``FINDINGS_PER_CODE`` and a count."""
    limits = limits or LintSettings()
    return at_most_per_code(
        _finding(agent, rule.code, hit)
        for rule in RULES.values()
        if rule.check_agent is not None
        for hit in rule.check_agent(agent, limits)
    )


def catalog_rule_findings(
    agents: Sequence[Agent], limits: LintSettings | None = None, skip: frozenset[str] = frozenset()
) -> list[Finding]:
    """What the rules that compare agents (but those in ``skip``) find, for every agent."""
    limits, whole = limits or LintSettings(), tuple(agents)
    return [
        _finding(agent, rule.code, hit)
        for rule in RULES.values()
        if rule.check_catalog is not None and rule.code not in skip
        for agent, hit in rule.check_catalog(whole, limits)
    ]


def page_findings(catalog: Catalog) -> list[Finding]:
    """What the agent pages show besides each agent's own rules (``file_findings`` adds
    those as it renders the page, when the agent is read whole): the scan's findings and
    those of the rules that compare agents, but ``NOT_ON_PAGES``."""
    return [*catalog.findings, *catalog_rule_findings(catalog.agents, skip=NOT_ON_PAGES)]


def total_tokens_finding(tokens: Sequence[int], longest_of: Callable[[list[int]], Agent]) -> Finding | None:
    """AC602's page finding from each agent's description tokens alone (the catalog's order),
    under the default settings: ``longest_of`` gives the agent of these indexes (the longest
    descriptions, the same length) whose path comes last, as ``catalog_total_tokens`` picks it."""
    limits, total = LintSettings(), sum(tokens)
    if not tokens or total <= limits.max_total_description_tokens:
        return None
    most = max(tokens)
    longest = longest_of([index for index, count in enumerate(tokens) if count == most])
    return _finding(longest, "AC602", total_tokens_hit(len(tokens), total, longest, limits))


def file_findings(agent: Agent, found: Iterable[Finding]) -> list[Finding]:
    """What ``lint`` reports for one agent's file under the default settings, from ``found``
    (its scan and catalog-rule findings) and its own rules: its page shows exactly these,
    with AC303's pairs under Similar agents instead (``NOT_ON_PAGES``)."""
    own = [*found, *agent_rule_findings(agent)]
    return sorted((f for f in own if _enabled(f, agent, Settings())), key=Finding.sort_key)


def _enabled(finding: Finding, agent: Agent | None, settings: Settings) -> bool:
    off = settings.disabled_for(finding.path)
    if agent is not None:
        off |= settings.disabled_for(agent.path) | agent.disabled_rules
    return finding.code not in off


def only_paths(findings: Iterable[Finding], paths: set[str]) -> list[Finding]:
    return [f for f in findings if f.path in paths or f.owner in paths]


def _finding(agent: Agent, code: str, hit: tuple[int, int, str]) -> Finding:
    line, col, message = hit
    found = Finding(agent.display_path, line, col, code, RULES[code].severity, message)
    if not RULES[code].prompt_lines:  # a line of the agent file's own
        return found
    # A hit in text read from another file (a rules file) is at that file's line; an example
    # of the description (AC501) is at the description's line.
    return placed(found, agent.origins, description_lines(agent) if code == "AC501" else ())


def token_summary(agents: Sequence[Agent]) -> dict[str, Any]:
    """The context cost of the descriptions: per agent, in total."""
    return summarize_tokens([estimate_tokens(a.description) for a in agents])


def summarize_tokens(per_agent: Sequence[int]) -> dict[str, Any]:
    """Total, median and largest of the agents' description token estimates."""
    counts = sorted(per_agent)
    return {
        "total": sum(counts),
        "median": counts[len(counts) // 2] if counts else 0,
        "max": counts[-1] if counts else 0,
    }


def format_text(findings: Sequence[Finding]) -> str:
    return "".join(safe_text(f.format()) + "\n" for f in findings)


def format_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: annotations on the pull request's files."""
    level = {"error": "error", "warning": "warning", "info": "notice"}

    def escape(text: str, property_value: bool = False) -> str:
        # A line that starts with "::" is read as one command, whatever "##[" its values hold.
        text = safe_chars(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return text.replace(":", "%3A").replace(",", "%2C") if property_value else text

    return "".join(
        f"::{level[f.severity]} file={escape(f.path, True)},line={f.line},col={f.col},"
        f"title={escape(f.code, True)}::{escape(f.message)}\n"
        for f in findings
    )


def format_json(findings: Sequence[Finding], agents: Sequence[Agent]) -> str:
    data = {
        "findings": [finding_to_dict(f) for f in findings],
        "counts": dict(sorted(Counter(f.code for f in findings).items())),
        "description_tokens": token_summary(agents),
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def format_sarif(findings: Sequence[Finding]) -> str:
    """SARIF 2.1.0, for code-scanning dashboards."""
    level = {"error": "error", "warning": "warning", "info": "note"}
    used = sorted({f.code for f in findings})
    run = {
        "tool": {
            "driver": {
                "name": "agent-catalog",
                "informationUri": "https://pypi.org/project/agent-catalog/",
                "rules": [
                    {
                        "id": code,
                        "name": RULES[code].name,
                        "shortDescription": {"text": RULES[code].summary},
                        "fullDescription": {"text": RULES[code].explanation},
                        "defaultConfiguration": {"level": level[RULES[code].severity]},
                    }
                    for code in used
                    if code in RULES
                ],
            }
        },
        "results": [
            {
                "ruleId": f.code,
                "level": level[f.severity],
                "message": {"text": f.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": f.path},
                            "region": {"startLine": f.line, "startColumn": f.col},
                        }
                    }
                ],
            }
            for f in findings
        ],
    }
    sarif = {"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "runs": [run]}
    return json.dumps(sarif, indent=2) + "\n"


def explain(code: str) -> str | None:
    rule = RULES.get(code.upper())
    if rule is None:
        return None
    return f"{rule.code} {rule.name} ({rule.severity})\n\n{rule.summary}\n\n{rule.explanation}\n"
