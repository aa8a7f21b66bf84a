"""A finding: one problem with one file, the form every stage reports problems in.

Apart from ``catalog.types`` (which names it too): a run of ``generate`` where nothing changed
prints the last run's findings and defines none of the other values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from catalog.frozen import FastPickle, frozen

Severity = Literal["error", "warning", "info"]


@frozen
class Finding(FastPickle):
    """One problem with one file, printed as ``path:line:col: CODE message``."""

    path: str
    line: int
    col: int
    code: str
    severity: Severity
    message: str
    # The agent whose finding it is, when its text is in another file than the agent's own
    # (a Roo Code rules file, a Kiro prompt file): ``path`` is where the text is, this is
    # whose page lists it and whose settings switch it off.
    agent_path: str = ""

    @property
    def owner(self) -> str:
        """The display path of the agent file whose finding this is."""
        return self.agent_path or self.path

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}"

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Findings are listed by file, then position, code and message."""
        return (self.path, self.line, self.col, self.code, self.message)


# Findings of one code one file gets, at most: past them, one more counts the rest. A 300 KB
# file of 100,000 unknown tools made 100,000 lines (5 MB) of lint output. The corpus's most:
# 29 (AC401, a Copilot agent's tools).
FINDINGS_PER_CODE = 100


def clipped(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, an ellipsis where it was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def at_most_per_code(findings: Iterable[Finding], limit: int = FINDINGS_PER_CODE) -> list[Finding]:
    """One file's ``findings``, sorted, the first ``limit`` of each code kept; a code with more
    gets one more finding where the next would be, counting them, as severe as the worst."""
    kept: list[Finding] = []
    rest: dict[str, list[Finding]] = {}
    seen: dict[str, int] = {}
    for finding in sorted(findings, key=Finding.sort_key):
        seen[finding.code] = seen.get(finding.code, 0) + 1
        if seen[finding.code] <= limit:
            kept.append(finding)
        else:
            rest.setdefault(finding.code, []).append(finding)
    for code, more in rest.items():
        first = more[0]
        worst = min((f.severity for f in more), key=("error", "warning", "info").index)
        said = clipped(first.message, 200)
        message = f"and {len(more):,} more {code} findings in this file from here on, the first: {said}"
        kept.append(first.evolve(severity=worst, message=message))  # where the first is, whose it is
    return sorted(kept, key=Finding.sort_key)
