"""The MkDocs plugin: adds the catalog's pages to an existing site, in memory.

    plugins:
      - search
      - agent-catalog:
          sources: [agents]
          path: agents/

A thin adapter: it scans and renders through the same pipeline as ``generate``, hands the
pages to MkDocs as generated files (MkDocs 1.6 ``File.generated``), turns findings into
MkDocs warnings (so ``mkdocs build --strict`` fails on them), points each agent page's edit
link at the agent's source file, and asks ``mkdocs serve`` to watch the agent folders.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from pathlib import Path
from types import MethodType
from typing import Any, cast
from urllib.parse import quote

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files, InclusionLevel, file_sort_key
from mkdocs.structure.pages import Page

from catalog.layout import (
    GENERATED_KEY,
    SIDEBAR_PAGES,
    HtmlBlocks,
    RenderOptions,
    edit_base,
    is_agent_page,
    quiet_sections,
    toc_baselevel,
)
from catalog.mkdocs_site import neighbours
from catalog.mkdocs_site.ahead import RenderAhead
from catalog.mkdocs_site.build import NOT_BUILT_PAGE, PLUGIN_LOGGER, Progress, add_assets, restore_blocks
from catalog.mkdocs_site.html import Headings, Prepared, SearchSection, finish, headings_of, prepare, prepared
from catalog.mkdocs_site.live import GeneratedFile, Live
from catalog.types import Catalog

log = logging.getLogger(PLUGIN_LOGGER)


class AgentCatalogConfig(Config):  # type: ignore[no-untyped-call]
    # No sources: the pages are in the docs folder already (``generate``'s), the plugin only
    # finishes them (catalog.mkdocs_site.build adds it so to a user's mkdocs.yml that lacks it).
    sources = config_options.ListOfItems(config_options.Type(str), default=["agents"])
    path = config_options.Type(str, default="agents/")
    site_name = config_options.Optional(config_options.Type(str))
    templates = config_options.Optional(config_options.Type(str))


class AgentCatalogPlugin(BasePlugin[AgentCatalogConfig]):  # type: ignore[no-untyped-call]
    """``agent-catalog`` in ``mkdocs.yml``: the catalog's pages join the site, finished."""

    def __init__(self) -> None:
        self._sources: list[Path] = []
        self._edit_paths: dict[str, str] = {}  # page src_uri -> agent source, relative to the repository
        self._edit_base: str | None = None
        self.catalog: Catalog | None = None  # what the last build read (``agent-catalog build`` reports it)
        # Set by the caller that runs MkDocs (catalog.mkdocs_site.build.prepare_mkdocs): a catalog
        # already scanned, the progress bars, and pages MkDocs failed on in an earlier attempt.
        self.scanned: Catalog | None = None
        self.progress: Progress | None = None
        self.not_built: dict[str, str] = {}
        self.generated: set[str] = set()  # the pages with our front matter key, this build
        self._blocks = HtmlBlocks()
        self._headings: Headings | None = None
        self._finished: dict[str, Prepared] = {}
        self._prepared: dict[str, Prepared | None] = {}  # by src_uri: made by workers ahead of MkDocs
        self._texts: dict[str, str] = {}  # by src_uri: the text each of those was made from
        self._ticks: dict[str, Callable[[], None]] = {}
        self._pages = 0
        self._live = Live()  # what a build of ``mkdocs serve`` keeps for the next one
        self._nav: Any = None
        self._added: set[str] = set()  # the files _add_pages added, this build
        self._ahead = RenderAhead()
        self._frozen = ExitStack()  # the heap held out of the collector's reach (see on_files)

    # Keeps this instance across the builds of one ``mkdocs serve`` (MkDocs caches such plugins).
    def on_startup(self, *, command: str, dirty: bool) -> None:
        self._live = Live(serving=command == "serve", dirty=dirty)

    def on_shutdown(self) -> None:
        # MkDocs keeps this instance for the process: the next build starts afresh.
        self._live = Live()
        self._ahead.stop()
        self._frozen.close()
        self.scanned, self.progress, self.not_built = None, None, {}

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        base = Path(config.config_file_path or ".").resolve().parent
        self._sources = [(base / source).resolve() for source in self.config.sources]
        self._headings = headings_of(config.markdown_extensions, config.mdx_configs)
        self._baselevel = toc_baselevel(config.mdx_configs)
        add_assets(config, self._prefix())
        refused = neighbours.refusal(config) if self.config.sources else None
        if refused:
            raise PluginError(refused)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        self._finished, self._blocks = {}, HtmlBlocks()  # nothing of an earlier build that failed half-way
        self._prepared, self._texts, self._added = {}, {}, set()
        live = self._live
        if live.dirty:
            live.start_build(files, config, self._template_dirs(config))
        if self.config.sources or self.scanned is not None:
            files = self._add_pages(files, config)
        else:  # the pages are in the docs folder (``generate``'s): finished here
            neighbours.keep_out_of_nav(files, config, self._prefix())
        self._pages = sum(1 for file in files if file.is_documentation_page())
        if self.progress is not None:
            self._ticks["content"] = self.progress("Converting pages", self._pages)
        self._frozen.close()
        if self._added:
            # The catalog and its pages are held until the build is over: no collection walks
            # them meanwhile (MkDocs' one process made a full one of 0.1 s here, between the
            # workers' rounds). Left in on_post_build, or when the build fails.
            from catalog.parallel import frozen_heap

            self._frozen.enter_context(frozen_heap())
        return files

    def _add_pages(self, files: Files, config: MkDocsConfig) -> Files:
        from catalog.pipeline import scan_catalog
        from catalog.render.pages import render_catalog
        from catalog.terminal import safe_text

        missing = [str(s) for s in self._sources if not s.exists()]
        for source in missing:
            log.warning("agent-catalog: source %s does not exist", source)
        sources = [str(s) for s in self._sources if s.exists()]
        docs_dir = Path(config.docs_dir).resolve()
        catalog = self.scanned
        if catalog is None:
            loaded = self._live.loaded if self._live.serving else None
            catalog = scan_catalog(sources, exclude=[docs_dir, Path(config.site_dir).resolve()], loaded=loaded)
            for finding in catalog.findings:
                report = log.warning if finding.severity in ("error", "warning") else log.info
                report("agent-catalog: %s", safe_text(finding.format()), extra={"finding": True})
        self.catalog = catalog
        base = Path(config.config_file_path or ".").resolve().parent
        docs_rel = os.path.relpath(docs_dir, base)
        self._edit_base = edit_base(config.repo_url, config.edit_uri, docs_rel)
        options = RenderOptions(
            template_dir=(base / self.config.templates) if self.config.templates else None,
            directory_urls=config.use_directory_urls,
            edit_base=self._edit_base,
            repo_root=str(base),
            site_name=self.config.site_name or config.site_name,
        )
        prefix = self._prefix()
        self._edit_paths = {}
        for agent in catalog.agents:
            try:
                self._edit_paths[f"{prefix}agents/{agent.slug}.md"] = agent.source.relative_to(base).as_posix()
            except ValueError:
                continue
        made: dict[str, Prepared | None] = {}  # agent pages finished by the workers that render them
        pages: Mapping[str, str | bytes]
        if self._live.serving:
            pages = self._live.render(catalog, options)
        else:
            pages = render_catalog(catalog, options, then=self._finisher(), made=made)
        to_prepare: list[tuple[str, str]] = []
        for rel, text in pages.items():
            uri = f"{prefix}{rel}"
            existing = files.get_file_from_path(uri)
            if existing is not None:
                log.warning("agent-catalog: %s exists in the docs; the generated page is not added", uri)
                continue
            shown = InclusionLevel.UNDEFINED if rel in SIDEBAR_PAGES else InclusionLevel.NOT_IN_NAV
            page = cast(GeneratedFile, GeneratedFile.generated(config, uri, content=text, inclusion=shown))
            page.modified = self._live.modified(uri, text, rel in SIDEBAR_PAGES)
            files.append(page)
            self._added.add(uri)
            if page.modified and isinstance(text, str) and rel.endswith(".md"):
                self._texts[uri] = text
                if rel in made:
                    self._prepared[uri] = made[rel]
                else:
                    to_prepare.append((uri, text))
        self._prepare(to_prepare)
        neighbours.add_nav_files(files, config, prefix, pages)
        if self._live.dirty:
            self._live.remove_gone(files, config)
        # In the order MkDocs reads a docs folder in: it writes the pages and the search index
        # so, the same as a build of ``generate``'s docs folder.
        return Files(sorted(files, key=file_sort_key))

    # Last: the navigation the pages are built with (``on_env`` renders ours ahead with it).
    @event_priority(-100)
    def on_nav(self, nav: Any, *, config: MkDocsConfig, files: Files) -> Any:
        self._nav = nav
        if self._live.dirty:
            # A dirty build reads only the pages it builds: the others in the navigation are
            # read for their titles, or the rebuilt pages' navigation would show file names.
            for page in nav.pages:
                if not page.file.is_modified() and page.markdown is None:
                    page.read_source(config)
        return nav

    def _finisher(self) -> Callable[[str, str], Prepared | None] | None:
        """What finishes a generated page (by its path relative to the catalog's), ahead of
        MkDocs reading it: None when the site's headings are not ours to make."""
        headings = self._headings
        if headings is None:
            return None
        prefix = self._prefix()

        def finished(rel: str, text: str) -> Prepared | None:
            return prepare(headings, is_agent_page(f"{prefix}{rel}", prefix), text)

        return finished

    def _prepare(self, pages: list[tuple[str, str]]) -> None:
        """Finish the pages MkDocs is going to build that the workers rendering the agent
        pages did not (the shared pages; every page, live), in forked workers when there are
        many, before MkDocs reads them one after the other."""
        from catalog.parallel import map_forked

        finished = self._finisher()
        if finished is None:
            return
        prefix = len(self._prefix())

        def task(page: tuple[str, str]) -> Prepared | None:
            return finished(page[0][prefix:], page[1])

        for (uri, _), made in zip(pages, map_forked(task, pages, at_least=64), strict=True):
            self._prepared[uri] = made

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        return NOT_BUILT_PAGE if page.file.src_uri in self.not_built else None

    # First of all plugins (before mkdocs-macros), and last, a generated page's Markdown is
    # kept from Markdown: MkDocs converts an empty page, and our HTML takes its place. What
    # ``finish`` does not recognise (a user's template writing Markdown) goes through Markdown
    # with its HTML blocks hidden from every extension (``HtmlBlocks``).
    @event_priority(100)
    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if not page.meta.get(GENERATED_KEY):
            return markdown
        uri = page.file.src_uri
        self.generated.add(uri)
        made, text = self._prepared.pop(uri, None), self._texts.pop(uri, "")
        if made is None or not made.was_made_from(markdown, text):  # not made ahead, or changed since
            agent = is_agent_page(uri, self._prefix())
            finished = finish(markdown, self._headings, agent) if self._headings is not None else None
            made = None if finished is None else prepared(markdown, finished)
        if made is None:
            return self._blocks.hide(uri, markdown)
        self._finished[uri] = made
        page.render = MethodType(_render_finished, page)  # type: ignore[method-assign]
        return ""

    @event_priority(100)
    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if "content" in self._ticks:
            self._ticks["content"]()
        prepared = self._finished.get(page.file.src_uri)
        if prepared is not None:
            from mkdocs.structure.toc import get_toc

            finished = prepared.finished
            page.toc = get_toc(list(finished.toc))  # type: ignore[arg-type]
            page.present_anchor_ids = set(finished.anchors)
            return finished.html
        html = restore_blocks(self._blocks, page, html)
        return quiet_sections(html, self._baselevel) if is_agent_page(page.file.src_uri, self._prefix()) else html

    # Last: every other plugin's filters and globals are in the environment the workers inherit.
    @event_priority(-100)
    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        if self.progress is not None:
            self._ticks["post"] = self.progress("Writing pages", self._pages)
        # Each build its own: this instance lives as long as the process, and a page of the
        # last build's rendering ahead must not be taken for one of this build (serve or not).
        self._ahead.stop()
        self._ahead = RenderAhead()
        if not self._live.serving and not self._live.dirty and self._nav is not None:
            ours = [f.page for f in files.documentation_pages() if f.src_uri in self.generated and f.page is not None]
            to_write = [
                f
                for f in files
                if isinstance(f, GeneratedFile) and f.src_uri in self._added and not f.is_documentation_page()
                if f.inclusion.is_included()  # type: ignore[no-untyped-call]
            ]
            self._ahead.start(env, config, files, self._nav, ours, self.on_page_context, to_write)
        return env

    # Before the search plugin (priority 0): a finished page gives Material's search index
    # the entries of the part of it that the search reads (``Finished.search``), the same
    # entries it would make of the whole page, and the search skips the page.
    @event_priority(50)
    def on_page_context(self, context: Any, *, page: Page, config: MkDocsConfig, nav: Any) -> Any:
        self._ahead.restore(page)
        if page.file.src_uri in self.generated:
            neighbours.drop_dates_of_no_commit(page.meta)
        source = self._edit_paths.get(page.file.src_uri)
        if source is not None:
            # Themes print edit_url into an attribute unescaped: a file named `"><img ...>.md`
            # must reach it as a URL (percent-encoded), which is what it is meant to be anyway.
            page.edit_url = f"{self._edit_base}/{quote(source, safe='/')}" if self._edit_base else None
        prepared = self._finished.pop(page.file.src_uri, None)
        if prepared is not None:  # (a worker rendering ahead: the index is this process's to make)
            index_finished(page, () if self._ahead.in_worker else prepared.search, config)
        self._ahead.hide(page)
        self._live.built.add(page.url)
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        if "post" in self._ticks:
            self._ticks["post"]()
        return output

    # Before the search plugin writes its index: a dirty build's index is the last one with
    # the entries of the pages built now in place of theirs (Material's search expects one).
    @event_priority(10)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._ahead.finish()
        self._frozen.close()
        if self._live.dirty:
            self._live.forget_rebuilt(config)

    def on_build_error(self, *, error: Exception) -> None:
        self._ahead.stop()
        self._frozen.close()
        # What the site holds is not known any more: the next build of a serve builds it all.
        self._live.forget_site()

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        for source in self._sources:
            if source.exists():
                server.watch(str(source))
        if self.config.templates:
            server.watch(str(Path(config.config_file_path or ".").resolve().parent / self.config.templates))
        return server

    def _template_dirs(self, config: MkDocsConfig) -> list[Path]:
        from catalog.layout import default_template_dir

        base = Path(config.config_file_path or ".").resolve().parent
        dirs = [default_template_dir(), *([base / self.config.templates] if self.config.templates else [])]
        return [*dirs, *([Path(config.theme.custom_dir)] if config.theme.custom_dir else [])]

    def _prefix(self) -> str:
        path = self.config.path.strip("/")
        return f"{path}/" if path else ""


def index_finished(page: Page, sections: tuple[SearchSection, ...], config: MkDocsConfig) -> None:
    """Material's search entries for a finished page, made by Material's own index from the
    sections its parser found in the part of the page it reads (``mkdocs_html.search_sections``);
    the search plugin then leaves the page alone. Another search plugin (MkDocs' own) reads
    the whole page, as it always did."""
    search = next(
        (p for p in config.plugins.values() if type(p).__module__ == "material.plugins.search.plugin"),
        None,
    )
    index = getattr(search, "search_index", None)
    meta = page.meta.get("search") or {}
    if search is None or index is None or not search.config.enabled or meta.get("exclude"):
        return
    from material.plugins.search.plugin import Element, Section  # type: ignore[import-untyped]

    for title, text, ident in sections:
        section = Section(Element("hx"))
        section.title, section.text, section.id = list(title), list(text), ident
        index.create_entry_for_section(section, page.toc, page.url, page)
    page.meta = {**page.meta, "search": {**meta, "exclude": True}}


def _render_finished(page: Page, config: MkDocsConfig, files: Files) -> None:
    """What ``Page.render`` makes of the empty Markdown a finished page hands MkDocs (its HTML
    and table of contents come in ``on_page_content``), without building a converter with all
    the site's Markdown extensions for it (0.15 ms a page, in the one process that builds pages)."""
    from mkdocs.structure.toc import get_toc

    page.content = ""
    page.toc = get_toc([])
    page._title_from_render = None
    page.present_anchor_ids = set()
    if logging.getLogger("mkdocs.structure.pages").getEffectiveLevel() > logging.DEBUG:
        page.links_to_anchors = {}
