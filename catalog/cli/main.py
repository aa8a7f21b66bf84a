"""The ``agent-catalog`` command line: parse options, call the pipeline, print, exit.

``scan`` and ``lint`` are here; the commands that write pages and sites are in
``catalog.cli.build``, what they all share in ``catalog.cli.common``."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from catalog import __version__
from catalog.cli.build import build, generate, init, serve
from catalog.cli.common import (
    _default_paths,
    _settings,
    count_agents,
    entries_of,
    exit_code,
    plural,
    report_findings,
)
from catalog.terminal import inert_json, safe_text

if TYPE_CHECKING:
    from catalog.types import Agent, Catalog


def run() -> None:
    """The console script: ``main``, then an exit without the interpreter's teardown.

    A run imports some 250 modules (Click, PyYAML, Jinja2, ...), and unloading them one by
    one at exit took 25-30 ms: as long as a whole pre-commit run where nothing changed.
    Threads are joined and the atexit handlers run as at any exit (every library registers
    its own after this one, so they run before it); then the process ends with the exit code
    Python would have given, its output flushed. Under a tracer or profiler (coverage, say),
    whose handlers may have been registered first, the exit is Python's own.
    """
    import atexit
    import os

    code = 1  # an exception other than SystemExit: Python prints it and exits with 1

    def leave() -> None:
        nonlocal code
        if _traced():
            return
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                code = code or 120  # what Python exits with when it cannot flush stdout
        os._exit(code)

    atexit.register(leave)
    terminated = stop_as_on_ctrl_c()
    try:
        main(prog_name="agent-catalog")
        code = 0  # (Click's main ends with SystemExit)
    except SystemExit as exc:
        code = 0 if exc.code is None else exc.code if isinstance(exc.code, int) else 1
        raise
    except KeyboardInterrupt:
        code = 130
        raise
    finally:
        if terminated:  # as a shell reports a process the signal ended: 128 + its number
            code = 128 + terminated[0]


# The signals that ask a process to end (``kill``, a CI runner's timeout, a closed terminal).
TERMINATION_SIGNALS = ("SIGTERM", "SIGHUP")


def stop_as_on_ctrl_c() -> list[int]:
    """Have SIGTERM and SIGHUP stop the command as Ctrl-C does (a KeyboardInterrupt where it
    is), so that what Ctrl-C cleans up they clean up too: ``serve``'s temporary folders, a
    build's scratch and staging folders, the lock. Their default action ends the process at
    once, leaving all of it behind. Returns the list the first signal's number is put in.

    A signal ignored (``nohup`` ignores SIGHUP) stays ignored; a second one ends the process
    at once, as it did before. Forked workers go back to the default action
    (``catalog.parallel``): only this process cleans up.
    """
    import signal

    received: list[int] = []

    def stop(signum: int, frame: object) -> None:
        received.append(signum)
        signal.signal(signum, signal.SIG_DFL)  # a second one: no more waiting for the clean-up
        raise KeyboardInterrupt

    for name in TERMINATION_SIGNALS:
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is signal.SIG_DFL:
            signal.signal(number, stop)
    return received


def _traced() -> bool:
    """Whether a tracer or profiler watches this process (sys.settrace, or sys.monitoring)."""
    if sys.gettrace() is not None or sys.getprofile() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)
    return monitoring is not None and any(monitoring.get_tool(tool) is not None for tool in range(6))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="agent-catalog")
def main() -> None:
    """Scan, lint and publish catalogs of AI agent definitions."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print agents and findings as JSON on stdout.")
@click.option("-v", "--verbose", is_flag=True, help="Also say which files were skipped and why.")
def scan(paths: Sequence[str], as_json: bool, verbose: bool) -> None:
    """Find and read the agent definitions under PATHS (default: the configured sources, else here)."""
    from catalog.pipeline import scan_catalog

    catalog = scan_catalog(_default_paths(paths))
    if as_json:
        from catalog.render.jsonout import catalog_to_dict, dumps

        click.echo(inert_json(dumps(catalog_to_dict(catalog))), nl=False)
    else:
        click.echo(format_table(catalog))
    if verbose:
        for skipped in catalog.skipped:
            click.echo(f"skipped {safe_text(skipped.rel_path)}: {safe_text(skipped.reason)}", err=True)
        for note in catalog.notes:
            click.echo(f"{safe_text(note.rel_path)}: {safe_text(note.reason)}", err=True)
    report_findings(catalog.findings)
    sys.exit(exit_code(catalog.findings))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
    help="text: path:line:col: CODE message; github: Actions annotations; sarif: code scanning.",
)
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
@click.option("--explain", "explain_code", metavar="CODE", help="Explain one rule and exit.")
@click.option("-v", "--verbose", is_flag=True, help="Also say which named files are not agents.")
def lint(paths: Sequence[str], output: str, strict: bool, explain_code: str | None, verbose: bool) -> None:
    """Check agent files for problems that make tools skip or misread them.

    With files named (as pre-commit does), rules that compare files still see the whole
    catalog (the configured sources, else the current folder), but only those files are
    reported.
    """
    import os

    from catalog.lint import check as linting
    from catalog.pipeline import scan_catalog

    if explain_code:
        text = linting.explain(explain_code)
        if text is None:
            from catalog.lint.rules import rule_table

            known = "\n".join(f"  {r.code}  {r.name} ({r.severity})" for r in rule_table().values())
            raise click.UsageError(f"no rule {safe_text(explain_code)!r}; the known codes:\n{known}")
        click.echo(text, nl=False)
        return
    settings = _settings()
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        raise click.BadParameter(f"{', '.join(missing)} does not exist", param_hint="PATHS")
    named = [p for p in paths if not os.path.isdir(p)]
    if named and len(named) == len(paths):
        catalog = scan_catalog(list(settings.sources) or ["."])
        wanted = {os.path.realpath(p) for p in named}
        shown = {a.display_path for a in catalog.agents if os.path.realpath(a.source) in wanted}
        # A file an agent reads its prompt from (a rules file): the findings about its text.
        parts = {os.path.realpath(o.file): o.path for a in catalog.agents for o in a.origins}
        shown |= {parts[path] for path in wanted if path in parts}
        findings = linting.only_paths(linting.lint_catalog(catalog, settings), shown)
        if verbose:
            for path in sorted(wanted - {os.path.realpath(a.source) for a in catalog.agents} - parts.keys()):
                click.echo(f"not an agent in the catalog, not checked: {safe_text(path)}", err=True)
    else:
        catalog = scan_catalog(_default_paths(paths, settings))
        findings = linting.lint_catalog(catalog, settings)
    if output == "json":
        click.echo(inert_json(linting.format_json(findings, catalog.agents)), nl=False)
    elif output == "github":
        click.echo(linting.format_github(findings), nl=False)
    elif output == "sarif":
        click.echo(inert_json(linting.format_sarif(findings)), nl=False)
    else:
        click.echo(linting.format_text(findings), nl=False)
        errors = sum(f.severity == "error" for f in findings)
        warnings = sum(f.severity == "warning" for f in findings)
        click.echo(
            f"{count_agents(len(catalog.agents), entries_of(catalog.agents))} checked: {plural(errors, 'error')}, "
            f"{plural(warnings, 'warning')}, {plural(len(findings) - errors - warnings, 'note')}",
            err=True,
        )
    sys.exit(exit_code(findings, strict))


def format_table(catalog: Catalog) -> str:
    counts = Counter(f.owner for f in catalog.findings)
    header = ("NAME", "FORMAT", "COLLECTION/CATEGORY", "MODEL", "TOOLS", "EX", "FINDINGS")
    rows = [header, *(_row(agent, counts) for agent in catalog.agents)]
    widths = [min(max(len(row[i]) for row in rows), limit) for i, limit in enumerate((36, 16, 40, 18, 24, 3, 8))]
    lines = ["  ".join(_fit(cell, width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    errors = sum(f.severity == "error" for f in catalog.findings)
    warnings = sum(f.severity == "warning" for f in catalog.findings)
    counted = count_agents(len(catalog.agents), entries_of(catalog.agents))
    lines.append(f"\n{counted}, {plural(errors, 'error')}, {plural(warnings, 'warning')}")
    return "\n".join(lines)


def _row(agent: Agent, counts: Counter[str]) -> tuple[str, ...]:
    where = "/".join(p for p in (agent.collection, agent.category) if p)
    model = ", ".join(agent.model) if isinstance(agent.model, tuple) else agent.model or ""
    tools = "all" if agent.tools is None else ", ".join(agent.tools) or "none"
    findings = counts.get(agent.display_path, 0)
    return tuple(
        safe_text(cell)
        for cell in (agent.name, agent.format.value, where, model, tools, str(len(agent.examples)), str(findings))
    )


def _fit(text: str, width: int) -> str:
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"


for _command in (generate, build, serve, init):
    main.add_command(_command)
