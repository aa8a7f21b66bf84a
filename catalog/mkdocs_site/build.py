"""The adapter to MkDocs: the built-in default configuration, and one in-process build."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog.frozen import frozen
from catalog.layout import ASSETS, HtmlBlocks, edit_base

if TYPE_CHECKING:
    import logging

    from catalog.types import Catalog

STYLESHEET, SCRIPT, WORKER_SHIM, FILTER = ASSETS
PLUGIN = "agent-catalog"  # the plugin's entry point name
PLUGIN_LOGGER = "mkdocs.plugins.agent-catalog"

# Progress of a long step: called with what is being done and how many items there are; what
# it returns is called as each item is done.
Progress = Callable[[str, int], Callable[[], None]]


@frozen
class SiteConfig:
    """What the CLI needs to know of an MkDocs configuration before building."""

    config_file: Path | None  # the user's mkdocs.yml, or None for the built-in default
    docs_dir: Path
    site_dir: Path
    directory_urls: bool
    edit_base: str | None  # see catalog.layout.edit_base
    repo_root: Path | None
    site_name: str
    has_plugin: bool = False  # the user's mkdocs.yml lists the agent-catalog plugin


def read_site_config(config_file: Path | None, docs_dir: Path | None, site_dir: Path | None) -> SiteConfig:
    """The user's mkdocs.yml when there is one (docs_dir and site_dir from it), else defaults."""
    if config_file is None or not config_file.is_file():
        return SiteConfig(None, docs_dir or Path("docs"), site_dir or Path("site"), False, None, None, "Agent catalog")
    from catalog.config import load_mkdocs_yml

    raw = load_mkdocs_yml(config_file)
    base = config_file.parent
    offline = any(_is_offline(name) for name in _plugin_names(raw))
    repo_url = raw.get("repo_url")
    edit_uri = raw.get("edit_uri")
    docs_rel = str(raw.get("docs_dir", "docs"))
    if repo_url and edit_uri is None and ("github.com" in repo_url or "gitlab.com" in repo_url):
        edit_uri = f"edit/master/{docs_rel}/"  # MkDocs' own default for these hosts
    return SiteConfig(
        config_file=config_file,
        docs_dir=docs_dir or base / docs_rel,
        site_dir=site_dir or base / str(raw.get("site_dir", "site")),
        directory_urls=bool(raw.get("use_directory_urls", True)) and not offline,
        edit_base=edit_base(str(repo_url) if repo_url else None, None if edit_uri is None else str(edit_uri), docs_rel),
        repo_root=base.resolve(),
        site_name=str(raw.get("site_name") or "Agent catalog"),
        has_plugin=PLUGIN in _plugin_names(raw),
    )


def default_config(
    docs_dir: Path,
    site_name: str,
    categories: Sequence[str],
    collections: Sequence[str],
    config_dir: Path | None = None,
    plugin: dict[str, Any] | None = None,
) -> str:
    """The built-in mkdocs.yml: Material, light/dark, offline, agents kept out of the sidebar.

    ``config_dir``: where the file will be; docs_dir is then written relative to it, which
    Zensical needs. ``plugin``: the agent-catalog plugin's settings, when it is to add the
    pages (``agent-catalog build``); without, the configuration builds a docs folder.
    """
    # One entry for all categories, one for all collections (their index pages): the sidebar
    # is on every page, and 1,000 categories listed there made each agent page 312 KB.
    nav: list[Any] = [{"Overview": "index.md"}]
    if categories:
        nav.append({"Categories": "categories/index.md"})
    if collections:
        nav.append({"Collections": "collections/index.md"})
    nav.append({"Lint rules": "rules.md"})
    config = {
        "site_name": site_name,
        "docs_dir": _relative(docs_dir, config_dir),
        "use_directory_urls": False,
        "theme": {
            "name": "material",
            "font": False,  # no Google Fonts: the site makes no request outside itself
            "features": ["navigation.top", "navigation.sections", "search.highlight", "toc.follow"],
            "palette": [
                {
                    "media": "(prefers-color-scheme: light)",
                    "scheme": "default",
                    "primary": "indigo",
                    "accent": "indigo",
                    "toggle": {"icon": "material/weather-night", "name": "Switch to dark mode"},
                },
                {
                    "media": "(prefers-color-scheme: dark)",
                    "scheme": "slate",
                    "primary": "indigo",
                    "accent": "light blue",
                    "toggle": {"icon": "material/weather-sunny", "name": "Switch to light mode"},
                },
            ],
        },
        "plugins": ["search", "offline", *([{PLUGIN: plugin}] if plugin is not None else [])],
        "markdown_extensions": ["toc", "tables", "admonition"],
        "extra_css": [STYLESHEET],
        "extra_javascript": [SCRIPT, FILTER],
        "extra": {"polyfills": [WORKER_SHIM], "generator": False},
        "nav": nav,
        "validation": {"nav": {"omitted_files": "ignore"}, "links": {"unrecognized_links": "ignore"}},
    }
    import yaml

    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


ENGINES = ("mkdocs", "properdocs", "zensical")


def run_engine(engine: str, config_file: Path, site_dir: Path, progress: Progress | None = None) -> MkDocsRun:
    """Build with one of the engines (only MkDocs, in-process, reports its warnings)."""
    if engine == "mkdocs":
        return prepare_mkdocs(config_file, site_dir, progress)()
    import json
    import shutil
    import subprocess
    import sys

    program = shutil.which(engine, path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if program is None:
        raise EngineError(f"{engine} is not installed: pip install {engine}")
    # Both read mkdocs.yml; a small file beside it inherits it and sets where the site goes.
    # Zensical wants the site inside the project folder: build there, then move it.
    stem = f".agent-catalog-{engine}-{os.getpid()}"
    derived = config_file.with_name(f"{stem}.yml")
    built = config_file.with_name(f"{stem}-site")
    derived.write_text(f"INHERIT: {config_file.name}\nsite_dir: {json.dumps(built.name)}\n", encoding="utf-8")
    try:
        command = [program, "build", "-f", str(derived)]
        result = subprocess.run(command, capture_output=True, text=True, cwd=config_file.parent)
        if result.returncode != 0:
            raise EngineError(f"{engine} build failed:\n{(result.stderr or result.stdout)[-3000:]}")
        for entry in sorted(built.iterdir()):
            shutil.move(str(entry), str(site_dir / entry.name))
    finally:
        derived.unlink(missing_ok=True)
        shutil.rmtree(built, ignore_errors=True)
    return MkDocsRun(())


class EngineError(Exception):
    """An engine that is missing or whose build failed."""


def _relative(path: Path, base: Path | None) -> str:
    if base is None:
        return str(path.resolve())
    return os.path.relpath(path.resolve(), base.resolve())


def import_mkdocs() -> None:
    """Import what a build needs, ahead of ``prepare_mkdocs`` (while workers scan)."""
    import importlib

    for module in (
        "mkdocs.commands.build",
        "mkdocs.config",
        "material.plugins.search.plugin",
        "catalog.mkdocs_site.plugin",
    ):
        importlib.import_module(module)


@frozen
class MkDocsRun:
    """What an in-process MkDocs build said: its warnings, and (when the agent-catalog plugin
    made the pages) the catalog the plugin read."""

    warnings: tuple[str, ...]
    catalog: Catalog | None = None
    not_built: tuple[tuple[str, str], ...] = ()  # (agent page, MkDocs' error): see prepare_mkdocs


def prepare_mkdocs(
    config_file: Path,
    site_dir: Path,
    progress: Progress | None = None,
    catalog: Catalog | None = None,
) -> Callable[[], MkDocsRun]:
    """Import MkDocs and load the configuration now; the returned function builds.

    The agent-catalog plugin does the catalog's part of every build: a configuration that
    does not list it (a user's mkdocs.yml building ``generate``'s pages from its docs folder)
    gets it without sources, to finish the generated pages there.

    ``progress``: told of MkDocs' two passes over the pages (Markdown to HTML, then the theme)
    once MkDocs knows how many there are. ``catalog``: already scanned, for the plugin to
    render rather than scan its sources again.

    A generated agent page that MkDocs (a plugin, an extension, the theme) fails on does not
    cost the others the site: the build is run again with a short page in its place, and the
    run says so (``MkDocsRun.not_built``), for the caller to report.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort
    from mkdocs.plugins import get_plugins

    failed: dict[str, str] = {}  # agent pages MkDocs failed on -> the error

    def configure() -> tuple[Any, Any]:
        config = load_config(str(config_file), site_dir=str(site_dir))
        plugin = config.plugins.get(PLUGIN)
        if plugin is None:  # made as MkDocs makes it, from its entry point
            plugin = get_plugins()[PLUGIN].load()()
            errors, _ = plugin.load_config({"sources": [], "path": ""})
            if errors:  # a bug here, not in the user's configuration
                raise RuntimeError(f"agent-catalog plugin: {errors}")
            config.plugins[PLUGIN] = plugin
        plugin.scanned, plugin.progress, plugin.not_built = catalog, progress, failed
        return config, plugin

    configs = [configure()]

    def run() -> MkDocsRun:
        import logging

        while True:
            config, plugin = configs.pop() if configs else configure()
            warnings: list[str] = []
            errors: list[str] = []  # what MkDocs logged as errors (an error it raises says less)

            def heard_warning(record: logging.LogRecord, into: list[str] = warnings) -> None:
                into.extend(filter(None, [_warning_text(record)]))

            def heard_error(record: logging.LogRecord, into: list[str] = errors) -> None:
                into.append(record.getMessage())

            with (
                _listening("mkdocs", logging.WARNING, heard_warning),
                _listening("mkdocs.commands.build", logging.ERROR, heard_error),
            ):
                # As `mkdocs build` does: plugins that keep state between builds (MkDocs keeps
                # their instances for the process) start afresh.
                config.plugins.on_startup(command="build", dirty=False)
                try:
                    build(config)
                except Exception as error:
                    page = next(filter(None, map(_failed_page, reversed(errors))), "")
                    ours_to_replace = page in plugin.generated and page not in failed and _is_agent_uri(page)
                    if not ours_to_replace or len(failed) >= MAX_NOT_BUILT:
                        # MkDocs logs why a plugin stopped the build and raises "Aborted with a
                        # BuildError!": the reason goes with the error, for whoever reports it.
                        if isinstance(error, Abort) and errors:
                            raise Abort(f"{error} {' '.join(errors)}") from error
                        raise
                    failed[page] = " ".join(f"{type(error).__name__}: {error}".split())[:300]
                    continue
                finally:
                    config.plugins.on_shutdown()
            return MkDocsRun(tuple(warnings), plugin.catalog, tuple(sorted(failed.items())))

    return run


# What stands in for an agent page MkDocs failed on. The build is run again for each such
# page: a site where every agent page fails gives up after this many.
NOT_BUILT_PAGE = (
    "---\ntitle: Page not built\n---\n\n# Page not built\n\n"
    "This agent's page could not be built by MkDocs; the build's findings say why (AC150).\n"
)
MAX_NOT_BUILT = 20


def _is_agent_uri(src_uri: str) -> bool:
    """An agent page, wherever the catalog is in the docs (the plugin's ``path``)."""
    parts = src_uri.split("/")
    return len(parts) >= 2 and parts[-2] == "agents" and parts[-1].endswith(".md")


def add_assets(config: Any, prefix: str = "") -> None:
    """A user's mkdocs.yml gets our stylesheet, scripts and (offline) worker shim too, from
    ``prefix`` in the docs (the plugin's ``path``)."""
    if f"{prefix}{STYLESHEET}" not in [str(c) for c in config.extra_css]:
        config.extra_css.append(f"{prefix}{STYLESHEET}")
    for script in (SCRIPT, FILTER):
        if f"{prefix}{script}" not in [str(s) for s in config.extra_javascript]:
            config.extra_javascript.append(f"{prefix}{script}")
    if any(_is_offline(name) for name in config.plugins):
        polyfills = config.extra.setdefault("polyfills", [])
        # Material's offline plugin adds the iframe-worker shim from unpkg.com unless one is
        # listed; when its on_config ran before ours (listed first), it has. Ours replaces it,
        # whatever the order: an offline site requests nothing from the network.
        polyfills[:] = [p for p in polyfills if not _remote_worker_shim(str(p))]
        if not any("iframe-worker" in str(p) for p in polyfills):
            polyfills.insert(0, f"{prefix}{WORKER_SHIM}")


def _remote_worker_shim(url: str) -> bool:
    return "iframe-worker" in url and url.lower().startswith(("http:", "https:", "//"))


def restore_blocks(blocks: HtmlBlocks, page: Any, html: str) -> str:
    """``HtmlBlocks.restore`` for a page MkDocs converted; a block lost on the way (an
    extension that rewrote the page's Markdown) is a warning, so ``--strict`` fails."""
    import logging

    restored, lost = blocks.restore(page.file.src_uri, html)
    if lost:
        logging.getLogger(PLUGIN_LOGGER).warning(
            "agent-catalog: %s: %d HTML block(s) of the generated page were lost by a Markdown extension",
            page.file.src_uri,
            lost,
        )
    return restored


@contextmanager
def _listening(name: str, level: int, heard: Callable[[logging.LogRecord], None]) -> Iterator[None]:
    """Call ``heard`` with each record of logger ``name`` at ``level`` or above, meanwhile."""
    import logging  # not at the top: `generate` reads mkdocs.yml through this module, and fast

    class Listener(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            heard(record)

    handler = Listener(level)
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _warning_text(record: logging.LogRecord) -> str | None:
    """A warning of MkDocs' as the build reports it; None for the plugin's findings (the
    catalog reports those itself)."""
    if record.name == PLUGIN_LOGGER and getattr(record, "finding", False):
        return None
    try:
        return record.getMessage()
    except Exception:  # a message that does not format is still a warning
        return str(record.msg)


_FAILED_PAGE = re.compile(r"Error (?:reading|building) page '(.+?)':")


def _failed_page(message: str) -> str | None:
    """The page MkDocs reports it failed on (``Error reading page 'x'``), if this says so."""
    match = _FAILED_PAGE.match(message)
    return match.group(1) if match else None


def _plugin_names(raw: dict[str, Any]) -> list[str]:
    """The plugins an mkdocs.yml lists, as names (``- search`` or ``- search: {...}``)."""
    plugins = raw.get("plugins") or []
    if isinstance(plugins, dict):
        return [str(name) for name in plugins]
    return [str(p) if not isinstance(p, dict) else str(next(iter(p), "")) for p in plugins]


def _is_offline(name: str) -> bool:
    # MkDocs 1.6 keys Material's plugins as "material/offline"; a config may say either.
    return name == "offline" or name.endswith("/offline")
