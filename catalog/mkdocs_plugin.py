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
from pathlib import Path
from typing import Any
from urllib.parse import quote

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from catalog.layout import (
    GENERATED_KEY,
    SIDEBAR_PAGES,
    HtmlBlocks,
    RenderOptions,
    edit_base,
    is_agent_page,
    quiet_sections,
)
from catalog.mkdocs_build import PLUGIN_LOGGER, add_assets, restore_blocks
from catalog.types import Catalog

log = logging.getLogger(PLUGIN_LOGGER)


class AgentCatalogConfig(Config):  # type: ignore[no-untyped-call]
    sources = config_options.ListOfItems(config_options.Type(str), default=["agents"])
    path = config_options.Type(str, default="agents/")
    site_name = config_options.Optional(config_options.Type(str))
    templates = config_options.Optional(config_options.Type(str))


class AgentCatalogPlugin(BasePlugin[AgentCatalogConfig]):  # type: ignore[no-untyped-call]
    """``agent-catalog`` in ``mkdocs.yml``: the catalog's pages join the site."""

    def __init__(self) -> None:
        self._sources: list[Path] = []
        self._edit_paths: dict[str, str] = {}  # page src_uri -> agent source, relative to the repository
        self._edit_base: str | None = None
        self.catalog: Catalog | None = None  # what the last build read (``agent-catalog build`` reports it)
        self._blocks = HtmlBlocks()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        base = Path(config.config_file_path or ".").resolve().parent
        self._sources = [(base / source).resolve() for source in self.config.sources]
        add_assets(config, self._prefix())
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        from catalog.pipeline import scan_catalog
        from catalog.render import render_catalog

        missing = [str(s) for s in self._sources if not s.exists()]
        for source in missing:
            log.warning("agent-catalog: source %s does not exist", source)
        sources = [str(s) for s in self._sources if s.exists()]
        docs_dir = Path(config.docs_dir).resolve()
        catalog = self.catalog = scan_catalog(sources, exclude=[docs_dir, Path(config.site_dir).resolve()])
        for finding in catalog.findings:
            report = log.warning if finding.severity in ("error", "warning") else log.info
            report("agent-catalog: %s", _one_line(finding.format()), extra={"finding": True})
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
        for rel, text in render_catalog(catalog, options).items():
            uri = f"{prefix}{rel}"
            existing = files.get_file_from_path(uri)
            if existing is not None:
                log.warning("agent-catalog: %s exists in the docs; the generated page is not added", uri)
                continue
            shown = InclusionLevel.UNDEFINED if rel in SIDEBAR_PAGES else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, uri, content=text, inclusion=shown))
        return files

    # First of all plugins (before mkdocs-macros), and last, the HTML of generated pages is
    # kept from Markdown: whatever extensions the site enables, none sees it.
    @event_priority(100)
    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        return self._blocks.hide(page.file.src_uri, markdown) if page.meta.get(GENERATED_KEY) else markdown

    @event_priority(100)
    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        html = restore_blocks(self._blocks, page, html)
        return quiet_sections(html) if is_agent_page(page.file.src_uri, self._prefix()) else html

    def on_page_context(self, context: Any, *, page: Page, config: MkDocsConfig, nav: Any) -> Any:
        source = self._edit_paths.get(page.file.src_uri)
        if source is not None:
            # Themes print edit_url into an attribute unescaped: a file named `"><img ...>.md`
            # must reach it as a URL (percent-encoded), which is what it is meant to be anyway.
            page.edit_url = f"{self._edit_base}/{quote(source, safe='/')}" if self._edit_base else None
        return context

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        for source in self._sources:
            if source.exists():
                server.watch(str(source))
        return server

    def _prefix(self) -> str:
        path = self.config.path.strip("/")
        return f"{path}/" if path else ""


def _one_line(text: str) -> str:
    from catalog.terminal import safe_text

    return safe_text(text)
