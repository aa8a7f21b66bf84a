"""What the commands share: their settings and default paths, how findings, notes and progress
are printed, and the exit code findings give."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from catalog.terminal import safe_text

if TYPE_CHECKING:
    from catalog.config import Settings
    from catalog.types import Agent, Finding

# Without a terminal (CI logs) progress is a line at most this often, and at the end.
PROGRESS_EVERY = 10.0


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _progress_lines(total: int, label: str) -> Callable[[], None]:
    """Progress for a log: ``label: N of TOTAL`` now, every PROGRESS_EVERY seconds, and at the end."""
    import time

    done, last = 0, time.monotonic()
    click.echo(f"{label}: 0 of {total:,}", err=True)

    def tick() -> None:
        nonlocal done, last
        done += 1
        now = time.monotonic()
        if done == total or now - last >= PROGRESS_EVERY:
            click.echo(f"{label}: {done:,} of {total:,}", err=True)
            last = now

    return tick


def _default_paths(paths: Sequence[str], settings: Settings | None = None) -> list[str]:
    """PATHS as given, else `sources` of [tool.agent-catalog], else the current folder."""
    return list(paths) or list((settings or _settings()).sources) or ["."]


def _settings() -> Settings:
    from catalog.config import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


def safe_text_block(text: str) -> str:
    return "".join(safe_text(line) + "\n" for line in text.splitlines())


def report_notes(notes: Sequence[str]) -> None:
    for note in notes:
        click.echo(f"warning: {safe_text(note)}", err=True)


def report_findings(findings: Sequence[Finding]) -> None:
    if findings:  # one write: a catalog of thousands can have as many findings
        click.echo("".join(safe_text(finding.format()) + "\n" for finding in findings), err=True, nl=False)


def exit_code(findings: Sequence[Finding], strict: bool = False) -> int:
    failing = {"error", "warning"} if strict else {"error"}
    return 1 if any(f.severity in failing for f in findings) else 0


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def count_agents(definitions: int, entries: int | None = None) -> str:
    """How many agents a summary counts: ``3 agents``, or ``1728 definitions of 1690 agents``
    when some agent is defined for several tools (one catalog entry, several files)."""
    if entries is None or entries == definitions:
        return plural(definitions, "agent")
    return f"{plural(definitions, 'definition')} of {plural(entries, 'agent')}"


def entries_of(agents: Sequence[Agent]) -> int:
    """The catalog entries among ``agents``: every agent but the other definitions of one."""
    return sum(1 for agent in agents if not agent.entry)
