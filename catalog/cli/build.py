"""The commands that write pages or sites: ``generate``, ``build``, ``serve`` and ``init``
(``catalog.cli.main`` adds them to the command group)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from catalog.cli.common import (
    _default_paths,
    _is_terminal,
    _progress_lines,
    count_agents,
    entries_of,
    exit_code,
    plural,
    report_findings,
    report_notes,
    safe_text_block,
)
from catalog.mkdocs_site.build import ENGINES
from catalog.terminal import safe_text

if TYPE_CHECKING:
    from catalog.layout import RenderOptions
    from catalog.mkdocs_site.build import SiteConfig

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


@click.command()
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
    from catalog.mkdocs_site.build import read_site_config
    from catalog.pipeline import generate_docs

    writing: list[Path] = []
    with _refusals(writing):
        site = read_site_config(_config_path(config_file), docs_dir, None)
        writing.append(site.docs_dir)
        _confine(site, docs="--docs-dir" if docs_dir is None else None)
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
    # The entries: the run's figure, or counted in the catalog when the run has it at hand.
    entries = (
        outcome.entries if outcome.entries is not None or not outcome.catalog else entries_of(outcome.catalog.agents)
    )
    counted = count_agents(outcome.agents, entries)
    if outcome.up_to_date:
        click.echo(f"{counted}: nothing changed since the last run in {where}", err=True)
    else:
        click.echo(
            f"{counted}: {plural(len(result.written), 'file')} written, "
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


@click.command()
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
    from catalog.mkdocs_site.build import read_site_config
    from catalog.pipeline import EmptyCatalog, build_site

    writing: list[Path] = []
    with contextlib.ExitStack() as stack, _refusals(writing):
        site = read_site_config(_config_path(config_file), None, site_dir)
        writing.append(site.site_dir)
        # (without a mkdocs.yml, the pages are made in a temporary folder, not in docs/)
        _confine(
            site,
            docs="--config-file and a mkdocs.yml of your own" if site.config_file is not None else None,
            site="--site-dir" if site_dir is None else None,
        )

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
    built = count_agents(result.agents, result.entries)
    click.echo(
        f"Built {built} into {result.pages} pages in {safe_text(str(site.site_dir))} "
        f"in {result.seconds:.1f} s: {plural(len(result.findings), 'finding')} reading the files "
        f"({plural(errors, 'error')}; `agent-catalog lint` checks the rules), "
        f"{plural(len(result.warnings), 'MkDocs warning')}"
        f"{' (above)' if result.warnings else ''}.",
        err=True,
    )
    sys.exit(exit_code(result.findings))


@click.command()
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

    from catalog.mkdocs_site.live import quiet_dirty_warning, serve_config

    if not dev_addr.startswith(("127.", "localhost", "[::1]")):
        click.echo("note: serving beyond this machine; the preview has no access control", err=True)
    with tempfile.TemporaryDirectory(prefix="agent-catalog-serve-") as scratch, _refusals(), quiet_dirty_warning():
        config = serve_config(_config_path(config_file), _default_paths(paths), Path(scratch))
        click.echo(f"Serving the catalog on http://{dev_addr}/ (Ctrl-C to stop)", err=True)
        # Dirty builds: after an edit MkDocs builds the pages that changed (the plugin says
        # which); when anything but the agents changed, the plugin has the whole site built.
        mkdocs_serve(config_file=str(config), dev_addr=dev_addr, livereload=True, build_type="dirty")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, file_okay=False))
@click.option("--site-name", default="Agent catalog", show_default=True)
def init(paths: Sequence[str], site_name: str) -> None:
    """Add a starter mkdocs.yml, .pre-commit-config.yaml and CI workflow (never overwrites).

    PATHS are the agent folders (default: the folders where agents were found).
    """
    from catalog.cli.starter import starter_files, write_new_files
    from catalog.discover.find import readable_name
    from catalog.pipeline import scan_catalog

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


def _confine(config: SiteConfig, *, docs: str | None = None, site: str | None = None) -> None:
    """The folders the project named, not the user, stay inside the project; ``docs`` and
    ``site``: how the user names another (None: the user named it)."""
    from catalog.output.folders import check_named_by_project

    roots = [Path("."), *([config.config_file.parent] if config.config_file is not None else [])]
    if docs is not None:
        check_named_by_project(config.docs_dir, roots, "docs", docs)
    if site is not None:
        check_named_by_project(config.site_dir, roots, "site", site)


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
def _refusals(writing: list[Path] | None = None) -> Iterator[None]:
    """Problems a user can act on become messages and exit codes, never tracebacks.

    ``writing``: the folder the command writes, once known. A full disk or quota, or a file
    size limit, is said of it: the error names no file (a write), or the file copied from
    (MkDocs copying a theme's asset)."""
    import errno

    from catalog.config import ConfigError
    from catalog.output.folders import OutputRefused

    try:
        yield
    except (OutputRefused, ConfigError) as exc:
        raise click.UsageError(str(exc)) from None
    except OSError as exc:  # a full disk, a folder made read-only: the machine, not a bug
        where = f": {safe_text(str(exc.filename))}" if exc.filename else ""
        if writing and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            where = f" while writing {safe_text(str(writing[-1]))}"
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
    from catalog.mkdocs_site.build import EngineError

    if isinstance(exc, EngineError):
        raise _ConfigurationError(str(exc)) from None
    if isinstance(exc, MkDocsException):
        raise _ConfigurationError(f"MkDocs could not build the site: {exc}") from None
