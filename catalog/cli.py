"""The ``agent-catalog`` command line: parse options, call the pipeline, print, exit."""

from __future__ import annotations

import contextlib
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from catalog import __version__
from catalog.mkdocs_build import ENGINES
from catalog.terminal import safe_text

if TYPE_CHECKING:
    from catalog.config import Settings
    from catalog.layout import RenderOptions
    from catalog.mkdocs_build import SiteConfig
from catalog.types import Agent, Catalog, Finding


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
    try:
        main(prog_name="agent-catalog")
        code = 0  # (Click's main ends with SystemExit)
    except SystemExit as exc:
        code = 0 if exc.code is None else exc.code if isinstance(exc.code, int) else 1
        raise
    except KeyboardInterrupt:
        code = 130
        raise


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
        from catalog.jsonout import catalog_to_dict, dumps

        click.echo(dumps(catalog_to_dict(catalog)), nl=False)
    else:
        click.echo(format_table(catalog))
    if verbose:
        for skipped in catalog.skipped:
            click.echo(f"skipped {safe_text(skipped.rel_path)}: {skipped.reason}", err=True)
        for note in catalog.notes:
            click.echo(f"{safe_text(note.rel_path)}: {note.reason}", err=True)
    report_findings(catalog.findings)
    sys.exit(exit_code(catalog.findings))


_PATHS = click.argument("paths", nargs=-1, type=click.Path(exists=True))


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

    from catalog import lint as linting
    from catalog.pipeline import scan_catalog

    if explain_code:
        text = linting.explain(explain_code)
        if text is None:
            from catalog.rules import rule_table

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
        findings = linting.only_paths(linting.lint_catalog(catalog, settings), shown)
        if verbose:
            for path in sorted(wanted - {os.path.realpath(a.source) for a in catalog.agents}):
                click.echo(f"not an agent in the catalog, not checked: {safe_text(path)}", err=True)
    else:
        catalog = scan_catalog(_default_paths(paths, settings))
        findings = linting.lint_catalog(catalog, settings)
    if output == "json":
        click.echo(linting.format_json(findings, catalog.agents), nl=False)
    elif output == "github":
        click.echo(linting.format_github(findings), nl=False)
    elif output == "sarif":
        click.echo(linting.format_sarif(findings), nl=False)
    else:
        click.echo(linting.format_text(findings), nl=False)
        errors = sum(f.severity == "error" for f in findings)
        warnings = sum(f.severity == "warning" for f in findings)
        click.echo(
            f"{plural(len(catalog.agents), 'agent')} checked: {plural(errors, 'error')}, "
            f"{plural(warnings, 'warning')}, {plural(len(findings) - errors - warnings, 'note')}",
            err=True,
        )
    sys.exit(exit_code(findings, strict))


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
@click.option("--fail-on-change", is_flag=True, help="Exit 1 when a file was written or removed (for hooks).")
@click.option("--no-cache", is_flag=True, help="Read and render everything, ignoring what the last run saw.")
@click.option("-v", "--verbose", is_flag=True, help="Also say how the run went about it (incremental or full run).")
def generate(
    paths: Sequence[str],
    docs_dir: Path | None,
    config_file: Path | None,
    templates: Path | None,
    check: bool,
    fail_on_change: bool,
    no_cache: bool,
    verbose: bool,
) -> None:
    """Write the catalog's Markdown pages into a docs folder.

    Only changed files are rewritten. A cache in the user's cache folder makes a run where
    nothing changed, or only a few agents, take a fraction of a second (the pre-commit case).
    """
    from catalog.mkdocs_build import read_site_config
    from catalog.pipeline import generate_docs

    with _refusals():
        site = read_site_config(_config_path(config_file), docs_dir, None)
        outcome = generate_docs(
            _default_paths(paths),
            site.docs_dir,
            _render_options(site, templates),
            check=check,
            exclude=[site.site_dir],
            cache=not no_cache,
            on_wait=lambda: _waiting(site.docs_dir),
        )
    result = outcome.write
    report_notes(outcome.notes)
    report_findings(outcome.findings)
    for rel, why in result.kept:
        click.echo(f"{safe_text(str(site.docs_dir / rel))}: left alone: {why}", err=True)
    if check:
        for rel, diff in zip(result.stale, result.diffs, strict=True):
            click.echo(f"stale: {safe_text(str(site.docs_dir / rel))}")
            click.echo(safe_text_block(diff), nl=False)
        if result.stale:
            click.echo(
                f"{plural(len(result.stale), 'generated file')} out of step with the agents: "
                "run agent-catalog generate",
                err=True,
            )
        sys.exit(1 if result.stale else exit_code(outcome.findings))
    where = safe_text(str(site.docs_dir))
    if outcome.up_to_date:
        click.echo(f"{plural(outcome.agents, 'agent')}: nothing changed since the last run in {where}", err=True)
    else:
        click.echo(
            f"{plural(outcome.agents, 'agent')}: {plural(len(result.written), 'file')} written, "
            f"{result.unchanged} unchanged, {len(result.removed)} removed in {where}",
            err=True,
        )
    if verbose and outcome.how is not None:
        how, read, rendered = outcome.how
        click.echo(
            f"{how}: {plural(read, 'agent file')} read, {plural(rendered, 'agent page')} rendered",
            err=True,
        )
    if fail_on_change and result.changed:
        sys.exit(1)
    sys.exit(exit_code(outcome.findings))


def safe_text_block(text: str) -> str:
    return "".join(safe_text(line) + "\n" for line in text.splitlines())


@main.command()
@_PATHS
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), help="Where to build the site.")
@_CONFIG
@_TEMPLATES
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="mkdocs",
    show_default=True,
    help="What builds the site from the generated pages (properdocs and zensical are installed separately).",
)
def build(
    paths: Sequence[str], site_dir: Path | None, config_file: Path | None, templates: Path | None, engine: str
) -> None:
    """Generate the pages and build the static site with MkDocs and Material.

    The site is built beside the old one and replaces it only when the build succeeded.
    """
    from catalog.mkdocs_build import read_site_config
    from catalog.pipeline import EmptyCatalog, build_site

    with contextlib.ExitStack() as stack, _refusals():
        site = read_site_config(_config_path(config_file), None, site_dir)

        bars: list[Any] = []

        def finish_bars() -> None:
            while bars:
                bars.pop().__exit__(None, None, None)

        stack.callback(finish_bars)

        def progress(what: str, total: int) -> Callable[[], None]:
            if not _is_terminal(sys.stderr):
                return _progress_lines(total, what)
            finish_bars()  # the step before is over
            bar = click.progressbar(length=total, label=what, file=sys.stderr)
            bars.append(bar.__enter__())
            return lambda: bar.update(1)

        try:
            result = build_site(
                _default_paths(paths),
                site,
                _render_options(site, templates),
                on_wait=_waiting,
                progress=progress if engine == "mkdocs" else None,
                engine=engine,
            )
        except EmptyCatalog as empty:
            report_findings(empty.findings)
            where = ", ".join(safe_text(p) for p in empty.paths)
            click.echo(f"No agents found in {where}: nothing was built, the site was left as it was.", err=True)
            sys.exit(1)
    report_notes(result.notes)
    report_findings(result.findings)
    for warning in result.warnings:
        click.echo(f"MkDocs warning: {safe_text(warning)}", err=True)
    errors = sum(f.severity == "error" for f in result.findings)
    click.echo(
        f"Built {plural(result.agents, 'agent')} into {result.pages} pages in {safe_text(str(site.site_dir))} "
        f"in {result.seconds:.1f} s: {plural(len(result.findings), 'finding')} "
        f"({plural(errors, 'error')}), {plural(len(result.warnings), 'MkDocs warning')}"
        f"{' (above)' if result.warnings else ''}.",
        err=True,
    )
    sys.exit(exit_code(result.findings))


@main.command()
@_PATHS
@click.option("-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
@_CONFIG
def serve(paths: Sequence[str], dev_addr: str, config_file: Path | None) -> None:
    """Preview the site live: adding, editing or deleting an agent updates the browser.

    Uses ./mkdocs.yml when it has the agent-catalog plugin, else a built-in configuration
    with the plugin reading PATHS.
    """
    import tempfile

    from mkdocs.commands.serve import serve as mkdocs_serve

    from catalog.mkdocs_build import serve_config

    if not dev_addr.startswith(("127.", "localhost", "[::1]")):
        click.echo("note: serving beyond this machine; the preview has no access control", err=True)
    with tempfile.TemporaryDirectory(prefix="agent-catalog-serve-") as scratch, _refusals():
        config = serve_config(_config_path(config_file), _default_paths(paths), Path(scratch))
        click.echo(f"Serving the catalog on http://{dev_addr}/ (Ctrl-C to stop)", err=True)
        mkdocs_serve(config_file=str(config), dev_addr=dev_addr, livereload=True)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, file_okay=False))
@click.option("--site-name", default="Agent catalog", show_default=True)
def init(paths: Sequence[str], site_name: str) -> None:
    """Add a starter mkdocs.yml, .pre-commit-config.yaml and CI workflow (never overwrites).

    PATHS are the agent folders (default: the folders where agents were found).
    """
    from catalog.discover import readable_name
    from catalog.pipeline import scan_catalog
    from catalog.starter import starter_files, write_new_files

    sources = [Path(p).as_posix().rstrip("/") for p in paths]
    for source in sources:
        try:
            source.encode("utf-8")
        except UnicodeEncodeError:
            shown = safe_text(readable_name(source))
            raise click.BadParameter(f"{shown}: the name is not UTF-8: rename it", param_hint="PATHS") from None
    if not sources:
        catalog = scan_catalog(["."])
        tops = sorted({a.path.split("/", 1)[0] for a in catalog.agents if "/" in a.path})
        sources = tops or ["."]
        if not catalog.agents:
            raise click.UsageError("no agent files found here; name the folder that holds them")
    for path, written in write_new_files(Path("."), starter_files(sources, site_name)):
        click.echo(f"{'wrote' if written else 'kept '} {path}{'' if written else ' (exists: not overwritten)'}")


def _waiting(folder: Path) -> None:
    click.echo(f"another agent-catalog run is writing {safe_text(str(folder))}: waiting for it to finish", err=True)


def _config_path(given: Path | None) -> Path | None:
    if given is not None:
        if not given.is_file():
            raise click.BadParameter(f"{given} does not exist", param_hint="--config-file")
        return given
    default = Path("mkdocs.yml")
    return default if default.is_file() else None


def _render_options(site: SiteConfig, templates: Path | None) -> RenderOptions:
    from catalog.layout import RenderOptions

    return RenderOptions(
        template_dir=templates,
        directory_urls=site.directory_urls,
        edit_base=site.edit_base,
        repo_root=str(site.repo_root) if site.repo_root else None,
        site_name=site.site_name,
    )


class _ConfigurationError(click.ClickException):
    """A broken template or MkDocs configuration: the user's set-up, not an agent file."""

    exit_code = 2


@contextmanager
def _refusals() -> Iterator[None]:
    """Problems a user can act on become messages and exit codes, never tracebacks."""
    from catalog.config import ConfigError
    from catalog.site import OutputRefused

    try:
        yield
    except (OutputRefused, ConfigError) as exc:
        raise click.UsageError(str(exc)) from None
    except OSError as exc:  # a full disk, a folder made read-only: the machine, not a bug
        where = f": {safe_text(str(exc.filename))}" if exc.filename else ""
        raise _ConfigurationError(f"{exc.strerror or exc}{where}") from None
    except Exception as exc:
        _reraise_as_configuration_error(exc)
        raise


def _reraise_as_configuration_error(exc: Exception) -> None:
    # Imported here, not above: the pre-commit fast path must not load Jinja2 or MkDocs.
    from jinja2 import TemplateError
    from mkdocs.exceptions import MkDocsException

    if isinstance(exc, TemplateError):
        filename, lineno = getattr(exc, "filename", None), getattr(exc, "lineno", None)
        where = f" ({filename}:{lineno})" if filename else ""
        raise _ConfigurationError(f"template error{where}: {exc}") from None
    from catalog.mkdocs_build import EngineError

    if isinstance(exc, EngineError):
        raise _ConfigurationError(str(exc)) from None
    if isinstance(exc, MkDocsException):
        raise _ConfigurationError(f"MkDocs could not build the site: {exc}") from None


def report_notes(notes: Sequence[str]) -> None:
    for note in notes:
        click.echo(f"warning: {safe_text(note)}", err=True)


def report_findings(findings: Sequence[Finding]) -> None:
    if findings:  # one write: a catalog of thousands can have as many findings
        click.echo("".join(safe_text(finding.format()) + "\n" for finding in findings), err=True, nl=False)


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
    findings = counts.get(agent.display_path, 0)
    return tuple(
        safe_text(cell)
        for cell in (agent.name, agent.format.value, where, model, tools, str(len(agent.examples)), str(findings))
    )


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _fit(text: str, width: int) -> str:
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"
