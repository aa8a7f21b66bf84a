"""The ``agent-catalog`` command line: parse options, call the pipeline, print, exit."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence

import click

from catalog import __version__
from catalog.terminal import safe_text
from catalog.types import Agent, Catalog, Finding


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="agent-catalog")
def main() -> None:
    """Scan, lint and publish catalogs of AI agent definitions."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print agents and findings as JSON on stdout.")
@click.option("-v", "--verbose", is_flag=True, help="Also say which files were skipped and why.")
def scan(paths: Sequence[str], as_json: bool, verbose: bool) -> None:
    """Find and read the agent definitions under PATHS (default: the current folder)."""
    from catalog.pipeline import scan_catalog

    catalog = scan_catalog(list(paths) or ["."])
    if as_json:
        from catalog.jsonout import catalog_to_dict, dumps

        click.echo(dumps(catalog_to_dict(catalog)), nl=False)
    else:
        click.echo(format_table(catalog))
    if verbose:
        for skipped in catalog.skipped:
            click.echo(f"skipped {safe_text(skipped.rel_path)}: {skipped.reason}", err=True)
    report_findings(catalog.findings)
    sys.exit(exit_code(catalog.findings))


def report_findings(findings: Sequence[Finding]) -> None:
    for finding in findings:
        click.echo(safe_text(finding.format()), err=True)


def exit_code(findings: Sequence[Finding], strict: bool = False) -> int:
    failing = {"error", "warning"} if strict else {"error"}
    return 1 if any(f.severity in failing for f in findings) else 0


def format_table(catalog: Catalog) -> str:
    counts = Counter(f.path for f in catalog.findings)
    header = ("NAME", "FORMAT", "COLLECTION/CATEGORY", "MODEL", "TOOLS", "EX", "FINDINGS")
    rows = [header, *(_row(agent, counts) for agent in catalog.agents)]
    widths = [min(max(len(row[i]) for row in rows), limit) for i, limit in enumerate((36, 16, 40, 18, 24, 3, 8))]
    lines = ["  ".join(_fit(cell, width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    errors = sum(f.severity == "error" for f in catalog.findings)
    warnings = sum(f.severity == "warning" for f in catalog.findings)
    lines.append(f"\n{len(catalog.agents)} agents, {errors} errors, {warnings} warnings")
    return "\n".join(lines)


def _row(agent: Agent, counts: Counter[str]) -> tuple[str, ...]:
    where = "/".join(p for p in (agent.collection, agent.category) if p)
    model = ", ".join(agent.model) if isinstance(agent.model, tuple) else agent.model or ""
    tools = "all" if agent.tools is None else ", ".join(agent.tools) or "none"
    findings = sum(n for path, n in counts.items() if path.endswith(agent.path))
    return tuple(
        safe_text(cell)
        for cell in (agent.name, agent.format.value, where, model, tools, str(len(agent.examples)), str(findings))
    )


def _fit(text: str, width: int) -> str:
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"
