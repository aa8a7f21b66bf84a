"""Live preview: what the plugin keeps from one build of ``mkdocs serve`` to the next.

MkDocs keeps the plugin's instance for the process (it defines ``on_startup``); with it a
``Live``: the files read (``scan_catalog``'s ``loaded``), the agent pages and listings rendered
(``render_catalog``'s ``only`` and ``listings``), and what the site holds. A dirty build
(``agent-catalog serve``, ``mkdocs serve --dirty``) then builds only the pages whose text
changed (``GeneratedFile.is_modified``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.structure.files import File, Files

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

    from catalog.layout import RenderOptions
    from catalog.types import Catalog


class GeneratedFile(File):
    """A generated page or file, which says whether it changed since the last build (for
    ``mkdocs serve --dirty``: MkDocs builds only the pages that did)."""

    modified = True
    written_ahead = False  # a worker wrote it into the site already (catalog.mkdocs_site.ahead)

    def is_modified(self) -> bool:
        return self.modified

    def copy_file(self, dirty: bool = False) -> None:
        if not self.written_ahead:
            super().copy_file(dirty)


class Live:
    """What a plugin serving live keeps from one build to the next, so that an edited agent
    costs its own page and the shared pages, not the site.

    A dirty build (``agent-catalog serve``, ``mkdocs serve --dirty``) builds only the pages
    that changed; when anything but the agents changed (mkdocs.yml, templates, the theme's
    custom_dir, a page of the user's docs), the site folder is emptied and all is built.
    """

    def __init__(self, serving: bool = False, dirty: bool = False) -> None:
        from catalog.pipeline import Loaded
        from catalog.render.shared_pages import Listing

        self.serving, self.dirty = serving, dirty
        self.loaded: Loaded = {}  # scan_catalog's reuse
        self.listings: dict[str, Listing] = {}  # render_catalog's reuse
        self.agents: dict[str, tuple[Any, ...]] = {}  # display path -> (agent, its findings) rendered
        self.render_key: object = None
        self.pages: dict[str, str | bytes] = {}  # relative path -> text, the last build's
        self.written: dict[str, str | bytes] = {}  # src_uri -> what the site holds
        self.dests: dict[str, tuple[str, str]] = {}  # src_uri -> (url, file in the site) of the last build
        self.site_key: object = None
        self.built: set[str] = set()  # the urls of the pages built in this build
        self.gone: set[str] = set()  # the urls of the pages removed in this build

    def start_build(self, files: Files, config: MkDocsConfig, template_dirs: list[Path]) -> None:
        """Empty the site when something other than the agents changed since the last build."""
        from mkdocs import utils

        self.built, self.gone = set(), set()
        key = (
            _file_state(Path(config.config_file_path)) if config.config_file_path else None,
            [_file_state(p) for d in template_dirs if d.is_dir() for p in sorted(d.rglob("*")) if p.is_file()],
            sorted((f.src_uri, _file_state(Path(f.abs_src_path))) for f in files if f.abs_src_path is not None),
        )
        if key != self.site_key:
            self.site_key = key
            self.written = {}
            utils.clean_directory(config.site_dir)

    def render(self, catalog: Catalog, options: RenderOptions) -> dict[str, str | bytes]:
        """Every page of the catalog: those of agents that changed rendered again, and the
        shared pages; an agent page the last build rendered is reused."""
        from collections import defaultdict

        from catalog.render.pages import agent_outputs, page_context, render_catalog

        findings = defaultdict(list)
        for finding in catalog.findings:
            findings[finding.owner].append(finding)
        state = {a.display_path: (a, tuple(findings.get(a.display_path, ()))) for a in catalog.agents}
        key = (options, page_context(catalog.agents))
        again = None
        if key == self.render_key and self.pages:
            again = {a.slug for a in catalog.agents if self.agents.get(a.display_path) != state[a.display_path]}
            # With all the definitions of their catalog entry: its page shows them all.
            entries = {a.entry or a.slug for a in catalog.agents if a.slug in again and a.available_as}
            again.update(a.slug for a in catalog.agents if a.available_as and (a.entry or a.slug) in entries)
        rendered = render_catalog(catalog, options, only=again, listings=self.listings)
        pages: dict[str, str | bytes] = dict(rendered)
        for agent in catalog.agents:
            for rel in agent_outputs(agent):
                if rel not in pages:
                    pages[rel] = self.pages[rel]
        self.pages, self.agents, self.render_key = pages, state, key
        return pages

    def modified(self, uri: str, text: str | bytes, always: bool) -> bool:
        """Whether the site's copy of this generated file is out of date (and note it is not
        any more); the pages of the sidebar always are, their titles are in every page."""
        if not self.dirty:
            return True
        changed = always or self.written.get(uri) != text
        self.written[uri] = text
        return changed

    def remove_gone(self, files: Files, config: MkDocsConfig) -> None:
        """Take the pages of agents that are gone out of the site, and out of the search."""
        now = {f.src_uri: (f.url, f.abs_dest_path) for f in files if isinstance(f, GeneratedFile)}
        for uri in set(self.dests) - set(now):
            url, dest = self.dests[uri]
            self.gone.add(url)
            self.written.pop(uri, None)
            with contextlib.suppress(OSError):
                os.unlink(dest)
        self.dests = now

    def forget_site(self) -> None:
        self.site_key, self.written = None, {}

    def forget_rebuilt(self, config: MkDocsConfig) -> None:
        search = next(
            (p for p in config.plugins.values() if type(p).__module__ == "material.plugins.search.plugin"), None
        )
        last = getattr(search, "search_index_prev", None)
        if last is not None:
            stale = self.built | self.gone
            last.entries = [e for e in last.entries if e["location"].split("#")[0] not in stale]


def _file_state(path: Path) -> tuple[str, int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return (str(path), found.st_mtime_ns, found.st_size)


def serve_config(user_config: Path | None, sources: Sequence[str], scratch: Path) -> Path:
    """The configuration `serve` runs: the user's when it has our plugin, else a built-in one."""
    from catalog.mkdocs_site.build import default_config, read_site_config

    if user_config is not None and read_site_config(user_config, None, None).has_plugin:
        return user_config
    import yaml

    docs = scratch / "docs"
    docs.mkdir()
    config = yaml.safe_load(default_config(docs, "Agent catalog", [], []))
    config["plugins"] = [
        "search",
        {"agent-catalog": {"sources": [str(Path(s).resolve()) for s in sources], "path": ""}},
    ]
    config.pop("nav", None)
    config["extra"].pop("polyfills", None)
    config["extra_css"], config["extra_javascript"] = [], []
    target = scratch / "mkdocs.yml"
    target.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return target


@contextmanager
def quiet_dirty_warning() -> Iterator[None]:
    """Meanwhile, MkDocs does not warn of "inaccurate navigation" at each dirty build:
    ``agent-catalog serve`` builds dirty on purpose, and the plugin builds everything again
    when what the navigation shows changed (``Live``)."""
    import logging

    class Quiet(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            return not str(record.msg).startswith("A 'dirty' build is being performed")

    quiet = Quiet()
    logger = logging.getLogger("mkdocs.commands.build")
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)
