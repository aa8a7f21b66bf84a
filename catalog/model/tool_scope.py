"""Findings that matter only to tools other than the file's own, worded and ranked as such.

A rule targets the tools its problem trips. AC115 (frontmatter that is not valid YAML, or
lines of example dialogue that YAML loads as keys) trips the tools that load YAML strictly; a
tool that reads it line by line (``Dialect.lenient_yaml``: Claude Code) loads the file as
meant, so on a file of that tool the finding is a note for whoever uses the file with another
tool: severity info, and said so in the words of the case (``parse.LENIENT_READING``: "Claude
Code, this file's tool, reads it as meant"). One place decides it for ``lint`` and for the
pages alike (``catalog.pipeline.load_agent``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from catalog.model.dialects import DIALECTS
from catalog.parse.document import FALLBACK_NOTE, LENIENT_NOTE, LENIENT_READING, NOT_YAML
from catalog.types import Finding, Format

# The rules whose problem only some tools have: code -> whether a file's own tool has it (one
# that reads frontmatter leniently, or whose own fallback loads this file, has not).
_TRIPS_ITS_TOOL = {
    "AC115": lambda fmt, finding: not DIALECTS[fmt].lenient_yaml and FALLBACK_NOTE not in finding.message
}


def only_other_tools(finding: Finding, fmt: Format) -> bool:
    """Whether ``finding`` on a file of ``fmt`` matters only to tools other than its own."""
    trips = _TRIPS_ITS_TOOL.get(finding.code)
    return trips is not None and not trips(fmt, finding)


# The scan findings that make a tool with ``Dialect.frontmatter_strict`` refuse the whole file: a
# byte-order mark, a line or an indent before the opening '---' (Gemini CLI's FRONTMATTER_REGEX is
# /^---\r?\n/ on the text as read), frontmatter YAML does not load (its js-yaml load throws).
_REFUSED_BY_STRICT = {"AC104": "", "AC111": "", "AC112": "", "AC115": NOT_YAML}


def for_its_tool(findings: Iterable[Finding], fmt: Format) -> list[Finding]:
    """``findings`` of one file, those that matter only to other tools made notes saying so, and
    those that make its tool refuse the file errors that say so."""
    return [_as_note(f, fmt) if only_other_tools(f, fmt) else _as_refusal(f, fmt) for f in findings]


def _as_refusal(finding: Finding, fmt: Format) -> Finding:
    case = _REFUSED_BY_STRICT.get(finding.code)
    if case is None or not DIALECTS[fmt].frontmatter_strict or not finding.message.startswith(case):
        return finding
    head, note, rest = finding.message.partition(LENIENT_NOTE)
    return replace(finding, severity="error", message=f"{head}: {DIALECTS[fmt].label} refuses this file{note}{rest}")


def _as_note(finding: Finding, fmt: Format) -> Finding:
    label = DIALECTS[fmt].label
    head, _, rest = finding.message.replace(FALLBACK_NOTE, "").partition(LENIENT_NOTE)
    # What the file's tool makes of it depends on the case: YAML that does not load, or lines
    # of dialogue that strict YAML loads as keys.
    reading = next(r for case, r in LENIENT_READING.items() if head.startswith(case))
    message = f"{head}: {label}, this file's tool, {reading}{rest}"
    return replace(finding, severity="info", message=message)
