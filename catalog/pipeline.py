"""The one place the stages are wired: discover -> read/parse -> model -> a Catalog."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog.findings import Finding
from catalog.frozen import frozen
from catalog.incremental.run import GenerateResult

if TYPE_CHECKING:
    from catalog.assemble import assign_slugs, one_category_spelling
    from catalog.layout import RenderOptions
    from catalog.load import Loaded, failure_finding, guarded_load, load_agent
    from catalog.mkdocs_site.build import Progress, SiteConfig
    from catalog.types import Agent, Catalog

# Stage functions of their own modules, named here too for the callers that know them by it.
__all__ = [
    "GenerateResult",
    "Loaded",
    "assign_slugs",
    "failure_finding",
    "guarded_load",
    "load_agent",
    "one_category_spelling",
]
# Where each is imported from when first asked for: a run of ``generate`` where nothing
# changed since the last imports none of the stages (``catalog.incremental.run``).
_STAGES = {
    "Loaded": "catalog.load",
    "assign_slugs": "catalog.assemble",
    "failure_finding": "catalog.load",
    "guarded_load": "catalog.load",
    "load_agent": "catalog.load",
    "one_category_spelling": "catalog.assemble",
}


def __getattr__(name: str) -> Any:
    if name not in _STAGES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_STAGES[name]), name)


def scan_catalog(
    paths: Sequence[str],
    exclude: Iterable[Path] = (),
    jobs: int | None = None,
    meanwhile: Callable[[], None] | None = None,
    sections: bool = True,
    loaded: Loaded | None = None,
) -> Catalog:
    """Scan ``paths`` and return every agent (with a unique slug) and every finding.

    ``meanwhile``: work for this process while forked workers read the files.
    ``sections=False``: agents without their sections (see ``catalog.model.agent.with_sections``).
    ``loaded``: what earlier scans read, by file; a file whose stat and place did not change
    is not read again. Updated in place (live preview keeps it between builds).
    """
    from catalog.assemble import assemble
    from catalog.discover.find import find_agent_files
    from catalog.load import load_all, load_changed

    discovery = find_agent_files(paths, exclude)
    if loaded is None:
        return assemble(discovery, load_all(discovery.sources, jobs, meanwhile, sections))
    return assemble(discovery, load_changed(discovery.sources, loaded, jobs, sections))


def generate_docs(
    paths: Sequence[str],
    docs_dir: Path,
    options: RenderOptions,
    *,
    check: bool = False,
    exclude: Iterable[Path] = (),
    cache: bool = True,
    on_wait: Callable[[], None] | None = None,
    want_catalog: bool = False,
) -> GenerateResult:
    """Scan, render and write (or with ``check``, compare) the catalog's pages in ``docs_dir``.

    With the cache, a run where nothing changed stops after a stat of every input, and a run
    after an edit parses and renders only what the edit touched (``catalog.incremental.run``).
    ``want_catalog``: the result's catalog, even when the run did not assemble it again.
    """
    from catalog.output.folders import check_output_dir, output_lock

    check_output_dir(docs_dir, paths, "docs")
    # --check of a folder that is not there: nothing to lock, and --check creates nothing.
    unlocked = check and not docs_dir.is_dir()
    with contextlib.nullcontext() if unlocked else output_lock(docs_dir, on_wait):
        return _generate_locked(paths, docs_dir, options, check, list(exclude), cache, want_catalog)


def _generate_locked(
    paths: Sequence[str],
    docs_dir: Path,
    options: RenderOptions,
    check: bool,
    exclude: list[Path],
    cache: bool,
    want_catalog: bool,
) -> GenerateResult:
    from catalog.incremental import files as cache_files
    from catalog.incremental.run import generate
    from catalog.layout import default_template_dir
    from catalog.output.docs_folder import sweep_scratch

    exclude = [docs_dir, *exclude]
    folder, distrust = cache_files.trusted_cache_dir(docs_dir) if cache and not check else (None, None)
    if not check:  # what killed runs left: nothing else writes here while we hold the lock
        sweep_scratch(docs_dir)
        cache_files.sweep(folder)
    code, templates = (
        [Path(__file__).parent, default_template_dir()],
        [options.template_dir] if options.template_dir else [],
    )
    key = cache_files.run_key(
        (tuple(paths), tuple(map(str, exclude)), options, str(docs_dir.resolve())), code, templates
    )
    result = generate(
        paths, docs_dir, options, check=check, exclude=exclude, folder=folder, key=key, want_catalog=want_catalog
    )
    return replace(result, notes=(distrust, *result.notes)) if distrust is not None else result


class EmptyCatalog(Exception):
    """No agent was found: a misspelt path must not publish an empty catalog. The old site is
    left as it was."""

    def __init__(self, paths: Sequence[str], findings: Sequence[Finding]) -> None:
        super().__init__(f"no agents found in {', '.join(paths)}")
        self.paths, self.findings = tuple(paths), tuple(findings)


@frozen
class BuildResult:
    agents: int
    findings: tuple[Finding, ...]
    pages: int
    warnings: tuple[str, ...]  # what MkDocs logged as warnings (our findings are in ``findings``)
    seconds: float
    notes: tuple[str, ...] = ()  # GenerateResult.notes
    entries: int | None = None  # catalog entries, when agents are defined for several tools


def build_site(
    paths: Sequence[str],
    site: SiteConfig,
    options: RenderOptions,
    *,
    on_wait: Callable[[Path], None] | None = None,
    progress: Progress | None = None,
    engine: str = "mkdocs",
) -> BuildResult:
    """Generate the pages and build the site with MkDocs, replacing the old site only on success.

    With the user's mkdocs.yml the pages go into its docs folder; otherwise MkDocs builds them
    from memory with the built-in configuration (other engines: from a temporary docs folder).
    One build at a time writes a given site.
    """
    import tempfile
    import time

    from catalog.output.folders import OutputRefused, check_output_dir, output_lock, prepare_site_dir

    started = time.perf_counter()
    target = check_output_dir(site.site_dir, paths, "site")
    docs = site.docs_dir.resolve()
    if site.config_file is not None and (target == docs or docs in target.parents):
        # MkDocs refuses it too; and the docs folder's lock would wait for the site's forever.
        raise OutputRefused(f"the site folder {site.site_dir} is inside the docs folder {site.docs_dir}")
    with (
        tempfile.TemporaryDirectory(prefix="agent-catalog-") as scratch,
        output_lock(target.parent, (lambda: on_wait(target)) if on_wait else None),
    ):
        prepare_site_dir(target)
        if site.config_file is None and engine == "mkdocs":
            outcome, pages, warnings = _build_in_memory(paths, site, options, target, Path(scratch), progress)
        elif site.config_file is not None and site.has_plugin and engine == "mkdocs":
            outcome, pages, warnings = _build_with_plugin(site.config_file, target, progress)
        else:
            outcome, pages, warnings = _build_from_docs(
                paths, site, options, target, Path(scratch), progress, engine, on_wait
            )
    seconds = time.perf_counter() - started
    entries = sum(1 for a in outcome.catalog.agents if not a.entry) if outcome.catalog else None
    return BuildResult(outcome.agents, outcome.findings, pages, warnings, seconds, notes=outcome.notes, entries=entries)


def _build_in_memory(
    paths: Sequence[str],
    site: SiteConfig,
    options: RenderOptions,
    target: Path,
    scratch: Path,
    progress: Progress | None,
) -> tuple[GenerateResult, int, tuple[str, ...]]:
    """The built-in configuration: the agent-catalog plugin adds the pages in memory, as in
    a user's ``mkdocs build``, from the catalog scanned here (MkDocs imports itself while the
    workers read the agent files; the navigation needs the catalog's categories)."""
    from catalog.mkdocs_site.build import import_mkdocs, prepare_mkdocs
    from catalog.output.docs_folder import WriteResult
    from catalog.output.folders import staged_site

    docs_dir = scratch / "docs"
    docs_dir.mkdir()

    def meanwhile() -> None:
        from catalog.render.environment import warm_environment

        import_mkdocs()
        # (as the plugin will have it: the configuration names the folder resolved)
        warm_environment(options.template_dir.resolve() if options.template_dir else None)

    catalog = scan_catalog(paths, exclude=[target], meanwhile=meanwhile)
    if not catalog.agents:
        raise EmptyCatalog(paths, catalog.findings)
    config = _write_default_config(site, docs_dir, scratch, catalog.agents, options)
    pages: list[int] = [0]

    def counted(what: str, total: int) -> Callable[[], None]:
        pages[0] = total
        return progress(what, total) if progress is not None else lambda: None

    with staged_site(target) as staging:
        run = prepare_mkdocs(config, staging, counted, catalog)()
    findings = (*catalog.findings, *not_built_findings(catalog.agents, run.not_built))
    return GenerateResult(len(catalog.agents), findings, WriteResult(), catalog=catalog), pages[0], run.warnings


def _build_with_plugin(
    config_file: Path, target: Path, progress: Progress | None
) -> tuple[GenerateResult, int, tuple[str, ...]]:
    """The user's mkdocs.yml has the agent-catalog plugin: it adds the pages in memory, as in
    a plain ``mkdocs build``, so nothing is written into the docs folder (where every page
    would then be there twice)."""
    from catalog.mkdocs_site.build import prepare_mkdocs
    from catalog.output.docs_folder import WriteResult
    from catalog.output.folders import staged_site
    from catalog.types import Catalog

    pages: list[int] = [0]

    def counted(what: str, total: int) -> Callable[[], None]:
        pages[0] = total
        return progress(what, total) if progress is not None else lambda: None

    with staged_site(target) as staging:
        run = prepare_mkdocs(config_file, staging, counted)()
        catalog = run.catalog or Catalog((), (), ())
        if not catalog.agents:  # before the new site replaces the old one
            raise EmptyCatalog([str(config_file)], catalog.findings)
    findings = (*catalog.findings, *not_built_findings(catalog.agents, run.not_built))
    outcome = GenerateResult(len(catalog.agents), findings, WriteResult(), catalog=catalog)
    return outcome, pages[0], run.warnings


def _build_from_docs(
    paths: Sequence[str],
    site: SiteConfig,
    options: RenderOptions,
    target: Path,
    scratch: Path,
    progress: Progress | None,
    engine: str,
    on_wait: Callable[[Path], None] | None,
) -> tuple[GenerateResult, int, tuple[str, ...]]:
    """The user's mkdocs.yml (pages go into its docs folder), or another engine (which reads
    a docs folder): generate, then build."""
    from catalog.mkdocs_site.build import run_engine
    from catalog.output.folders import staged_site

    docs_dir = site.docs_dir if site.config_file else scratch / "docs"
    if site.config_file is not None:
        from catalog.discover.find import find_agent_files

        # A misspelt path must not empty the user's docs folder of our pages either.
        found = find_agent_files(paths, [target, docs_dir])
        if not found.sources:
            raise EmptyCatalog(paths, found.findings)
    outcome = generate_docs(
        paths,
        docs_dir,
        options,
        exclude=[target],
        cache=site.config_file is not None,
        on_wait=(lambda: on_wait(docs_dir)) if on_wait else None,
        want_catalog=True,
    )
    if not outcome.agents:
        raise EmptyCatalog(paths, outcome.findings)
    config = site.config_file or _write_default_config(
        site, docs_dir, scratch, outcome.catalog.agents if outcome.catalog else ()
    )
    pages = sum(1 for _ in docs_dir.rglob("*.md"))
    with staged_site(target) as staging:
        run = run_engine(engine, config, staging, progress)
    agents = outcome.catalog.agents if outcome.catalog else ()
    outcome = replace(outcome, findings=(*outcome.findings, *not_built_findings(agents, run.not_built)))
    return outcome, pages, run.warnings


def not_built_findings(agents: Sequence[Agent], not_built: Iterable[tuple[str, str]]) -> list[Finding]:
    """An AC150 finding for each agent page MkDocs failed on (given by its path in the docs,
    under the plugin's ``path`` or not)."""
    from catalog.render.pages import agent_page_paths

    paths = {agent_page_paths(agent.slug)[0]: agent.display_path for agent in agents}
    return [
        Finding(paths.get("/".join(page.split("/")[-2:]), page), 1, 1, "AC150", "error", f"MkDocs failed: {error}")
        for page, error in not_built
    ]


def _write_default_config(
    site: SiteConfig, docs_dir: Path, scratch: Path, agents: Sequence[Agent], options: RenderOptions | None = None
) -> Path:
    """The built-in mkdocs.yml for these agents, in the scratch folder: its navigation lists
    the category and collection pages the renderer makes (``page_groups``, the one derivation).
    With ``options``, the agent-catalog plugin in it renders them (``prepare_mkdocs`` hands it
    the catalog)."""
    from catalog.mkdocs_site.build import default_config
    from catalog.render.pages import page_groups

    collections, categories, _, _ = page_groups(agents)  # of the entries only, as the pages are
    plugin = (
        None
        if options is None
        else {
            "sources": [],
            "path": "",
            "site_name": options.site_name,
            **({"templates": str(options.template_dir.resolve())} if options.template_dir else {}),
        }
    )
    config = scratch / "mkdocs.yml"
    config.write_text(
        default_config(docs_dir, site.site_name, categories, collections, config_dir=scratch, plugin=plugin),
        encoding="utf-8",
    )
    return config
