"""The ``agent-catalog`` command line: parse options, call the pipeline, print, exit."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from catalog import __version__
from catalog.terminal import safe_text

if TYPE_CHECKING:
    from catalog.mkdocs_build import SiteConfig
    from catalog.render import RenderOptions
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


_PATHS = click.argument("paths", nargs=-1, type=click.Path(exists=True))
_CONFIG = click.option(
    "-f",
    "--config-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="MkDocs configuration to use (default: ./mkdocs.yml when present).",
)
_TEMPLATES = click.option(
    "--templates",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of Jinja2 templates that override the built-in ones one by one.",
)


@main.command()
@_PATHS
@click.option("--docs-dir", type=click.Path(file_okay=False, path_type=Path), help="Where to write the pages.")
@_CONFIG
@_TEMPLATES
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when generated pages are stale or missing.")
def generate(
    paths: Sequence[str], docs_dir: Path | None, config_file: Path | None, templates: Path | None, check: bool
) -> None:
    """Write the catalog's Markdown pages into a docs folder."""
    from catalog.mkdocs_build import read_site_config
    from catalog.pipeline import generate_docs

    site = read_site_config(_config_path(config_file), docs_dir, None)
    with _refusals():
        catalog, result = generate_docs(
            list(paths) or ["."], site.docs_dir, _render_options(site, templates), check=check, exclude=[site.site_dir]
        )
    report_findings(catalog.findings)
    for rel, why in result.kept:
        click.echo(f"{safe_text(str(site.docs_dir / rel))}: left alone: {why}", err=True)
    if check:
        for rel in result.stale:
            click.echo(f"stale: {safe_text(str(site.docs_dir / rel))}")
        sys.exit(1 if result.stale else exit_code(catalog.findings))
    click.echo(
        f"{plural(len(catalog.agents), 'agent')}: {plural(len(result.written), 'file')} written, "
        f"{result.unchanged} unchanged, {len(result.removed)} removed in {safe_text(str(site.docs_dir))}",
        err=True,
    )
    sys.exit(exit_code(catalog.findings))


@main.command()
@_PATHS
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), help="Where to build the site.")
@_CONFIG
@_TEMPLATES
def build(paths: Sequence[str], site_dir: Path | None, config_file: Path | None, templates: Path | None) -> None:
    """Generate the pages and build the static site with MkDocs and Material."""
    import tempfile
    import time

    from catalog.mkdocs_build import default_config, read_site_config, run_mkdocs
    from catalog.pipeline import generate_docs
    from catalog.render import category_of
    from catalog.site import check_output_dir, prepare_site_dir, staged_site

    started = time.perf_counter()
    site = read_site_config(_config_path(config_file), None, site_dir)
    sources = list(paths) or ["."]
    with tempfile.TemporaryDirectory(prefix="agent-catalog-") as scratch, _refusals():
        docs_dir = site.docs_dir if site.config_file else Path(scratch) / "docs"
        target = check_output_dir(site.site_dir, sources, "site")
        prepare_site_dir(target)
        catalog, _ = generate_docs(sources, docs_dir, _render_options(site, templates), exclude=[target])
        report_findings(catalog.findings)
        config = site.config_file
        if config is None:
            config = Path(scratch) / "mkdocs.yml"
            categories = sorted({category_of(a) for a in catalog.agents})
            collections = sorted({a.collection for a in catalog.agents if a.collection})
            config.write_text(
                default_config(docs_dir, site.site_name, categories, collections if len(collections) > 1 else []),
                encoding="utf-8",
            )
        pages = sum(1 for p in docs_dir.rglob("*.md"))
        with (
            staged_site(target) as staging,
            click.progressbar(length=pages, label="Building pages", file=sys.stderr) as bar,
        ):
            warnings = run_mkdocs(config, staging, on_page=lambda: bar.update(1))
    errors = sum(f.severity == "error" for f in catalog.findings)
    click.echo(
        f"Built {plural(len(catalog.agents), 'agent')} into {pages} pages in {safe_text(str(site.site_dir))} "
        f"in {time.perf_counter() - started:.1f} s: {plural(len(catalog.findings), 'finding')} "
        f"({plural(errors, 'error')}), {plural(warnings, 'MkDocs warning')}.",
        err=True,
    )
    sys.exit(exit_code(catalog.findings))


def _config_path(given: Path | None) -> Path | None:
    if given is not None:
        if not given.is_file():
            raise click.BadParameter(f"{given} does not exist", param_hint="--config-file")
        return given
    default = Path("mkdocs.yml")
    return default if default.is_file() else None


def _render_options(site: SiteConfig, templates: Path | None) -> RenderOptions:
    from catalog.render import RenderOptions

    return RenderOptions(
        template_dir=templates,
        directory_urls=site.directory_urls,
        repo_url=site.repo_url,
        edit_uri=site.edit_uri,
        site_name=site.site_name,
    )


class _ConfigurationError(click.ClickException):
    """A broken template or MkDocs configuration: the user's set-up, not an agent file."""

    exit_code = 2


@contextmanager
def _refusals() -> Iterator[None]:
    """Problems a user can act on become messages and exit codes, never tracebacks."""
    from jinja2 import TemplateError
    from mkdocs.exceptions import MkDocsException

    from catalog.site import OutputRefused

    try:
        yield
    except OutputRefused as exc:
        raise click.UsageError(str(exc)) from None
    except TemplateError as exc:
        filename, lineno = getattr(exc, "filename", None), getattr(exc, "lineno", None)
        where = f" ({filename}:{lineno})" if filename else ""
        raise _ConfigurationError(f"template error{where}: {exc}") from None
    except MkDocsException as exc:
        raise _ConfigurationError(f"MkDocs could not build the site: {exc}") from None


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
    lines.append(f"\n{plural(len(catalog.agents), 'agent')}, {plural(errors, 'error')}, {plural(warnings, 'warning')}")
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


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _fit(text: str, width: int) -> str:
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"
