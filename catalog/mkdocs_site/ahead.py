"""The theme's page template for our generated pages, rendered in forked workers.

MkDocs builds the pages one after the other in one process (``mkdocs.commands.build._build_page``:
the page's context, every plugin's ``on_page_context``, the theme's template, ``on_post_page``,
the write), and Material's template is most of that time (1.5 ms a page). By ``on_env`` every
page's content, table of contents and title and the navigation are known: ``RenderAhead`` forks
workers that do for each generated page what ``_build_page`` does up to the template's output
(``on_page_context`` of every plugin included, so a plugin that adds to the context is heard),
and points the page at a stand-in template that hands MkDocs that output when its turn comes.

MkDocs' own loop still runs for these pages, as for any other, in this process: every plugin's
``on_page_context`` (their side effects, such as the search index, happen here where they
count), then the stand-in in place of the template, every ``on_post_page``, and the write. Only
what a plugin would make different in the template's output *because of an earlier page of
this same loop* is not seen by the workers (they render from the state at ``on_env``). The
page's ``meta["template"]`` holds the stand-in from ``on_env`` until the plugin's own
``on_page_context`` (priority 50) puts the page's own back: a plugin whose ``on_page_context``
runs before it sees the stand-in there.

A page whose rendering in a worker logged a warning or failed is rendered by the stand-in in
this process, with the context MkDocs made for it: its warnings and errors are MkDocs' own, as
before (``prepare_mkdocs`` replaces an agent page MkDocs fails on). Without workers (one core,
``mkdocs serve``, a dirty build, a small site) nothing of this happens.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment, Template
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

    from catalog.mkdocs_site.live import GeneratedFile

# Fewer pages are not worth forking for (a worker costs about what 30 pages do).
AT_LEAST = 64


class RenderAhead:
    """The pages of one build rendered ahead, and the stand-in template that hands them over."""

    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()
        self._results: Iterator[Any] | None = None  # each item's: a page's output, or files not written
        # What is handed to the workers, in their order: a page's src_uri, or a range of ``_to_write``.
        self._order: list[str | tuple[int, int]] = []
        self._to_write: list[GeneratedFile] = []
        self._next = 0  # index in ``_order`` of the next result to read
        self._done: dict[str, str | None] = {}  # read, not yet taken
        self._templates: dict[str, Any] = {}  # src_uri -> the template the page asked for
        self._env: Environment | None = None
        self._stand_in: Template | None = None
        self.rendered = 0  # pages whose worker output was used, this build
        self.in_worker = False  # this is a copy of it in a worker, rendering
        self._hide = False  # see ``hide``
        self._hidden: dict[str, str] = {}  # src_uri -> content, taken out of the way by ``hide``

    def start(
        self,
        env: Environment,
        config: MkDocsConfig,
        files: Files,
        nav: Navigation,
        pages: Sequence[Page],
        hook: Callable[..., Any],
        to_write: Sequence[GeneratedFile] = (),
    ) -> None:
        """Fork the workers for ``pages`` (when it is worth it) and point each at the stand-in.
        ``hook``: the plugin's ``on_page_context`` (see ``hide``). ``to_write``: generated files
        (not pages) the workers write into the site first, while MkDocs copies the theme's
        files (``GeneratedFile.written_ahead``): one of them a worker fails to write is written
        here when its turn comes, as MkDocs would have."""
        from mkdocs.structure.files import InclusionLevel

        from catalog.parallel import forked_results, forks

        self.stop()
        self.rendered = 0
        workers = min(os.cpu_count() or 1, 8)
        if not forks(len(pages), at_least=AT_LEAST, workers=workers):
            return
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
        from jinja2 import pass_context

        hand_over = pass_context(lambda context: self._hand_over(context))
        self._env, self._stand_in = (
            env,
            env.from_string("{{ agent_catalog_ahead() }}", {"agent_catalog_ahead": hand_over}),
        )
        self._templates = {page.file.src_uri: page.meta.get("template") for page in pages}
        self._hide = _only_materials_search_after(hook, config)
        # The templates compiled here, once, before the workers inherit them.
        _warm_up(env, config, doc_files, nav, pages[0])
        parent = os.getpid()

        def task(item: int | tuple[int, int]) -> Any:  # the workers inherit it all: only indexes are sent
            if os.getpid() == parent:  # not in a worker after all: left to MkDocs' loop
                return None if isinstance(item, int) else tuple(range(*item))
            if isinstance(item, tuple):
                return _write(to_write, *item)
            return self._render(pages[item], env, config, doc_files, nav)

        # The files first: the first page's turn comes once MkDocs has copied the theme's.
        chunks = [
            (start, min(start + _FILES_AT_ONCE, len(to_write))) for start in range(0, len(to_write), _FILES_AT_ONCE)
        ]
        self._order = [*chunks, *(page.file.src_uri for page in pages)]
        self._to_write = list(to_write)
        items: list[int | tuple[int, int]] = [*chunks, *range(len(pages))]
        self._results = self._stack.enter_context(forked_results(task, items, at_least=1, workers=workers))
        for file in to_write:
            file.written_ahead = True
        for page in pages:
            page.meta = {**page.meta, "template": self._stand_in}

    def restore(self, page: Page) -> None:
        """The page's own template name back in its meta (for the plugins that read it), once
        MkDocs has taken the stand-in."""
        if self._stand_in is not None and page.meta.get("template") is self._stand_in:
            original = self._templates.get(page.file.src_uri)
            meta = {key: value for key, value in page.meta.items() if key != "template"}
            page.meta = meta if original is None else {**meta, "template": original}

    def hide(self, page: Page) -> None:
        """Called by the plugin's ``on_page_context`` for a page rendered ahead, after which
        only Material's search plugin's runs (``start`` saw to it): that one takes the page's
        ``data-search-*`` attributes out of its content with a regular expression that costs
        0.7 ms over one of our pages (each page's context is made twice: by a worker, and by
        MkDocs' loop). The content is taken out of its way, without them already, and put
        back before the template (``show``). The page is out of its index (``index_finished``)."""
        uri = page.file.src_uri
        if not self._hide or uri not in self._templates or not (page.meta.get("search") or {}).get("exclude"):
            return
        self._hidden[uri] = without_search_attributes(page.content or "")
        page.content = ""

    def show(self, page: Page) -> None:
        """The content ``hide`` took, back in place."""
        hidden = self._hidden.pop(page.file.src_uri, None)
        if hidden is not None:
            page.content = hidden

    def stop(self) -> None:
        """Stop the workers (the build is over, or failed)."""
        self._stack.close()
        self._results, self._order, self._next, self._done, self._hidden = None, [], 0, {}, {}
        self._to_write = []

    def finish(self) -> None:
        """The build is over: every file a worker was to write is written (a worker that failed
        one, here), then the workers stop."""
        while self._results is not None and self._next < len(self._order):
            self._read_one()
        self.stop()

    def _take(self, uri: str) -> str | None:
        while uri not in self._done and self._results is not None and self._next < len(self._order):
            self._read_one()
        return self._done.pop(uri, None)

    def _read_one(self) -> None:
        """The next result the workers give: a page's output, or the files they did not write."""
        from mkdocs.structure.files import File

        assert self._results is not None
        step = self._order[self._next]
        try:
            result = next(self._results)
        except Exception:  # a worker gone (killed): what is left is done here
            files, left = self._to_write, [s for s in self._order[self._next :] if isinstance(s, tuple)]
            self.stop()
            for start, end in left:
                for file in files[start:end]:
                    File.copy_file(file)
            return
        self._next += 1
        if isinstance(step, str):
            self._done[step] = result
            return
        failed: tuple[int, ...] = result  # the files a worker could not write
        for index in failed:
            File.copy_file(self._to_write[index])

    def _hand_over(self, context: Any) -> Any:
        """What the stand-in renders: the worker's output, or the page's own template here."""
        from markupsafe import Markup

        page = context["page"]
        uri = page.file.src_uri
        self.show(page)
        output = self._take(uri)
        if output is not None:
            self.rendered += 1
            return Markup(output)
        assert self._env is not None
        template = self._env.get_template(self._templates.get(uri) or "main.html")
        return Markup(template.render(context.get_all()))

    def _render(
        self, page: Page, env: Environment, config: MkDocsConfig, doc_files: Any, nav: Navigation
    ) -> str | None:
        """In a worker: what ``_build_page`` renders for the page; None when that logged a
        warning or failed (then MkDocs' loop renders it, and says so itself)."""
        from mkdocs.commands.build import get_context

        self.in_worker = True
        heard = _quiet_logging()
        del heard[:]
        config._current_page = page
        try:
            page.active = True
            context = get_context(nav, doc_files, config, page)
            template = env.get_template(page.meta.get("template", "main.html"))
            context = config.plugins.on_page_context(context, page=page, config=config, nav=nav)
            self.show(page)
            output = template.render(context)
        except Exception:
            return None
        finally:
            page.active = False
            config._current_page = None
        return None if heard else output


def _only_materials_search_after(hook: Callable[..., Any], config: MkDocsConfig) -> bool:
    """Whether the only ``on_page_context`` run after ``hook`` is Material's search plugin's,
    enabled (see ``RenderAhead.hide``)."""
    handlers = list(config.plugins.events.get("page_context", []))
    if hook not in handlers:
        return False
    after = handlers[handlers.index(hook) + 1 :]
    try:
        from material.plugins.search.plugin import SearchPlugin  # type: ignore[import-untyped]
    except ImportError:
        return False

    def enabled_search(handler: Any) -> bool:
        return getattr(handler, "__func__", None) is SearchPlugin.on_page_context and bool(
            handler.__self__.config.enabled
        )

    return bool(after) and all(enabled_search(h) for h in after)


_SEARCH_ATTRIBUTE = re.compile(r'data-search-\w+="[^"]+"')


def without_search_attributes(html: str) -> str:
    """``re.sub(r'\\s?data-search-\\w+="[^"]+"', "", html)``, what Material's search plugin does to a
    page's content, in a fraction of its time: the expression looked for from its literal start."""
    if "data-search-" not in html:
        return html
    parts, at = [], 0
    for match in _SEARCH_ATTRIBUTE.finditer(html):
        start = match.start()
        if start > at and html[start - 1].isspace():
            start -= 1
        parts.append(html[at:start])
        at = match.end()
    parts.append(html[at:])
    return "".join(parts)


def _warm_up(env: Environment, config: MkDocsConfig, doc_files: Any, nav: Navigation, page: Page) -> None:
    """Render the page's template once, no plugin told: Jinja compiles it and every template
    it includes here, not in each worker. The output is thrown away."""
    from mkdocs.commands.build import get_context

    config._current_page = page
    try:
        page.active = True
        env.get_template(page.meta.get("template", "main.html")).render(get_context(nav, doc_files, config, page))
    except Exception:
        pass  # MkDocs' loop meets it, and reports it
    finally:
        page.active = False
        config._current_page = None


# Generated files written by one task of a worker.
_FILES_AT_ONCE = 64


def _write(files: Sequence[GeneratedFile], start: int, end: int) -> tuple[int, ...]:
    """In a worker: write ``files[start:end]`` into the site as MkDocs copies them; the
    indexes of those that failed (MkDocs' loop writes them, and says why if it fails too)."""
    from mkdocs.structure.files import File

    failed = []
    for index in range(start, end):
        try:
            File.copy_file(files[index])
        except Exception:
            failed.append(index)
    return tuple(failed)


_HEARD: list[int] | None = None


def _quiet_logging() -> list[int]:
    """In a worker: log records are not printed (MkDocs' loop in the parent logs what it
    logs), only noted, warnings and worse, in the list returned."""
    global _HEARD
    if _HEARD is None:
        heard: list[int] = []

        def note(self: logging.Logger, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                heard.append(record.levelno)

        logging.Logger.callHandlers = note  # type: ignore[method-assign]
        _HEARD = heard
    return _HEARD
