"""Stage 5: render a catalog into documentation pages, ``{relative path: text}``.

Templates are Jinja2, found through a loader chain: a user's folder first, then the defaults
shipped in the wheel (also reachable as ``default:agent.md.j2`` to extend them). Agent text
only ever enters a template as data, through a filter for the context it lands in.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Sequence, Set
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from catalog.frozen import frozen
from catalog.layout import RenderOptions
from catalog.lint.check import file_findings, page_findings
from catalog.lint.rules import estimate_tokens
from catalog.model.dialects import DIALECTS
from catalog.model.names import reading_order, slugify, unique_slugs
from catalog.model.variants import definitions_by_entry, formats_of
from catalog.parallel import map_forked
from catalog.parse.document import read_agent_file
from catalog.render.environment import environment
from catalog.render.facets import (
    FORMAT_LABELS,
    UNCATEGORIZED,
    category_of,
    data_row,
    facets_json,
    models_of,
    place,
)
from catalog.render.jsonout import index_entry_json, record_json, record_path
from catalog.render.shared_pages import Fragments, Listing, Pages, shared_pages, with_meta
from catalog.types import Agent, Catalog, Finding

if TYPE_CHECKING:
    from jinja2 import Environment

# ``categories/index.md`` and ``collections/index.md`` list the categories and collections: the
# sidebar links to them, never to each category, so no page grows with their number.
GROUP_INDEX = "index"
AGENT_FOLDERS = ("agents", "downloads")  # where each agent's page, record and download go


# What a slug is (names.slugify, names.Numbering, variants.definition_slugs make only these).
_PAGE_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_PAGE_NAMES = re.compile(rf"{_PAGE_NAME.pattern}(?:\n{_PAGE_NAME.pattern})*")


def agent_page_paths(slug: str) -> tuple[str, str, str]:
    """The files generated for one agent: its page, its download and its record.

    Every writer (the docs folder, the plugin handing pages to MkDocs in memory, live preview)
    names an agent's files here, so a slug that is not a page name (``../x``, ``a/b``: a bug,
    or a tampered cache) never becomes a path: it is refused before anything is written."""
    if not _PAGE_NAME.fullmatch(slug):
        raise ValueError(f"not a page name, refusing to write its files: {slug!r}")
    return f"{AGENT_FOLDERS[0]}/{slug}.md", f"{AGENT_FOLDERS[1]}/{slug}.md.txt", record_path(slug)


def agents_files(slugs: Sequence[str], definitions: Set[str]) -> set[str]:
    """The files of the agents of these slugs (``agent_outputs``: no page for a slug of
    ``definitions``), as ``agent_page_paths`` names them, for thousands at a time: the slugs
    checked in one call, each name made by ``str.format`` in C (a tenth of a call each)."""
    joined = "\n".join(slugs)
    if slugs and not (joined.count("\n") == len(slugs) - 1 and _PAGE_NAMES.fullmatch(joined)):
        for slug in slugs:
            agent_page_paths(slug)  # raises for the first that is not a page name
    page, download, record = (name.replace("x0x", "{}") for name in agent_page_paths("x0x"))
    with_pages = [slug for slug in slugs if slug not in definitions] if definitions else slugs
    return {*map(page.format, with_pages), *map(download.format, slugs), *map(record.format, slugs)}


def agent_outputs(agent: Agent) -> tuple[str, ...]:
    """The files generated for one definition: its page, download and record, or only its
    download and record when another definition's page shows it (``Agent.entry``)."""
    page, download, record = agent_page_paths(agent.slug)
    return (download, record) if agent.entry else (page, download, record)


Groups = tuple[list[str], list[str], dict[str, str], dict[str, str]]  # what page_groups says


@frozen
class RenderContext:
    """What every page of one catalog is rendered with."""

    env: Environment
    options: RenderOptions
    common: dict[str, Any]
    findings: dict[str, list[Finding]]  # by agent file (display path)
    definitions: dict[str, tuple[Agent, ...]]  # an entry's slug -> its other definitions

    def link(self, source: str, target: str) -> str:
        return page_url(source, target, self.options.directory_urls)


def page_groups(agents: Sequence[Agent]) -> Groups:
    """The collections with a page (none when there is only one), the categories, and the
    slug of each one's page (unique: ``Development`` and ``development`` get two). Only
    entries count: the other definitions of an entry are on its page."""
    agents = [agent for agent in agents if not agent.entry]
    named = {agent.collection or "" for agent in agents}
    collections = reading_order(c for c in named if c) if len(named) > 1 else []
    categories = reading_order(category_of(agent) for agent in agents)
    index = (GROUP_INDEX,)  # the page that lists them all: no category's page takes its name
    return collections, categories, unique_slugs(categories, index), unique_slugs(collections, index)


def page_context(agents: Sequence[Agent]) -> tuple[str, ...]:
    """What every agent page depends on besides its own agent: the collections it may link
    to, the page of a category or collection whose slug another one took first, and the
    spelling of a category that other agents may have chosen (``one_category_spelling``).
    When it changes, every agent page is rendered again."""
    collections, categories, category_slugs, collection_slugs = page_groups(agents)
    renamed = [
        f"{kind}:{value}:{slug}"
        for kind, slugs in (("category", category_slugs), ("collection", collection_slugs))
        for value, slug in slugs.items()
        if slug != slugify(value)
    ]
    # An agent's page links the other tools' definitions of it.
    variants = [f"variants:{a.slug}:{a.entry}:{a.available_as}" for a in agents if a.available_as]
    spelt = [f"spelling:{category}" for category in categories if category != slugify(category)]
    return (*collections, *renamed, *variants, *spelt)


def render_context(
    catalog: Catalog,
    options: RenderOptions | None,
    bytecode_dir: Path | None,
    groups: Groups | None = None,
    definitions: dict[str, tuple[Agent, ...]] | None = None,
) -> RenderContext:
    """``groups``: the catalog's ``page_groups``, and ``definitions`` its
    ``definitions_by_entry``, when ``catalog`` does not hold every agent."""
    options = options or RenderOptions()
    findings: dict[str, list[Finding]] = defaultdict(list)
    for finding in page_findings(catalog):
        findings[finding.owner].append(finding)
    collections, categories, category_slugs, collection_slugs = groups or page_groups(catalog.agents)
    common = {
        "options": options,
        "format_labels": FORMAT_LABELS,
        "dialects": DIALECTS,
        "slugify": slugify,
        "category_of": category_of,
        "collections": collections,
        "categories": categories,
        "category_page": lambda category: f"categories/{category_slugs[category]}.md",
        "collection_page": lambda collection: f"collections/{collection_slugs[collection]}.md",
        # The filter's key of a collection (``facets.CollectionKey``): its page's slug.
        "collection_key": lambda collection: collection_slugs.get(collection) or slugify(collection),
        "categories_page": f"categories/{GROUP_INDEX}.md",
        "collections_page": f"collections/{GROUP_INDEX}.md",
        "uncategorized": UNCATEGORIZED,
        "place_of": place,
        "formats_of": formats_of,
    }
    if definitions is None:
        definitions = definitions_by_entry(catalog.agents)
    env = environment(options.template_dir, bytecode_dir)
    return RenderContext(env, options, common, findings, definitions)


def render_catalog(
    catalog: Catalog,
    options: RenderOptions | None = None,
    only: set[str] | None = None,
    bytecode_dir: Path | None = None,
    listings: dict[str, Listing] | None = None,
    meanwhile: Callable[[], None] | None = None,
    then: Callable[[str, str], Any] | None = None,
    made: dict[str, Any] | None = None,
) -> Pages:
    """Every generated page and asset of a catalog, keyed by path relative to the docs folder.

    ``only``: render the files of just these agent slugs (the shared pages are always made).
    ``listings``: the last run's, by agent file (display path); those of the agents not
    rendered again are reused. Updated in place (live preview keeps them between builds).
    ``meanwhile``: work for this process while forked workers render the agent pages.
    ``then``: what to make of each agent page (its path, its text) in the worker that rendered
    it, into ``made`` by path (the MkDocs plugin finishes its HTML so, in the same round).
    """
    context = render_context(catalog, options, bytecode_dir)
    kept = listings if listings is not None else {}
    wanted = [agent for agent in catalog.agents if only is None or agent.slug in only]
    # By slug, never `agent in wanted`: comparing Agents is a list scan each, O(n²) in all.
    missing = [a.display_path for a in catalog.agents if only is not None and a.slug not in only]
    missing = [path for path in missing if path not in kept]
    if missing:  # the caller decides what is rendered again, not this stage
        raise ValueError(f"no listing kept for agents not rendered again: {missing[:3]}")
    pages, rendered = render_agents(context, wanted, meanwhile, then, made)
    kept.update(rendered)
    for gone in set(kept) - {agent.display_path for agent in catalog.agents}:
        del kept[gone]
    fragments = Fragments.of([kept[a.display_path] for a in catalog.agents])
    # Text, as MkDocs and live preview take pages: what generate writes as it is (UTF-8).
    pages.update((rel, data.decode()) for rel, data in shared_pages(context, catalog.findings, fragments).items())
    return pages


def render_agents(
    context: RenderContext,
    agents: Sequence[Agent],
    meanwhile: Callable[[], None] | None = None,
    then: Callable[[str, str], Any] | None = None,
    made: dict[str, Any] | None = None,
) -> tuple[Pages, dict[str, Listing]]:
    """The files of these agents, and each one's listing by agent file (display path).
    ``then`` and ``made``: see ``render_catalog``."""
    pages: Pages = {}
    listings = {}
    # Rendering agent Markdown is most of a build's own time; each page stands alone.
    task = functools.partial(_files_then, context, then)
    for agent, (files, listing, after) in zip(
        agents, map_forked(task, agents, at_least=200, meanwhile=meanwhile), strict=True
    ):
        pages.update(files)
        listings[agent.display_path] = listing
        if made is not None:
            made.update(after)
    return pages, listings


def _files_then(
    context: RenderContext, then: Callable[[str, str], Any] | None, agent: Agent
) -> tuple[tuple[tuple[str, str], ...], Listing, tuple[tuple[str, Any], ...]]:
    files, listing = _files_of(context, agent)
    page = agent_page_paths(agent.slug)[0]
    after = () if then is None else tuple((path, then(path, text)) for path, text in files if path == page)
    return files, listing, after


_AgentFiles = tuple[tuple[tuple[str, str], ...], Listing]
# An agent page's bytes at most, when it can: past them, the page leaves out the file's exact
# text (which Copy and a download from disk read); the download link serves the file.
PAGE_BUDGET = 50_000


def _files_of(context: RenderContext, agent: Agent) -> _AgentFiles:
    """A definition's files and listing: an entry's page, download and record, or the download
    and record alone of a definition its entry's page shows (with a listing only catalog.json
    uses: the shared pages leave out a listing without formats)."""
    if not agent.entry:
        return agent_files(context, agent)
    _, download, record = agent_page_paths(agent.slug)
    listing = Listing(
        slug=agent.slug,
        category=category_of(agent),
        collection=agent.collection or "",
        format_labels=(),
        models=(),
        examples=0,
        tokens=0,
        item_top=b"",
        item_nested=b"",
        entry=index_entry_json(agent).encode(),
        row=b"",
        facets="",
    )
    return ((download, _raw_text(agent)), (record, record_json(agent))), listing


def agent_files(context: RenderContext, agent: Agent) -> _AgentFiles:
    """One agent's page, download and record, and its listing."""
    path, download, record = agent_page_paths(agent.slug)
    raw = _raw_text(agent)
    definitions = [
        {
            "agent": other,
            "download": agent_page_paths(other.slug)[1],
            "file_name": _file_name(other),
            "findings": file_findings(other, context.findings.get(other.display_path, ())),
        }
        for other in context.definitions.get(agent.slug, ())
    ]
    values = {
        "agent": agent,
        "definitions": definitions,
        "findings": file_findings(agent, context.findings.get(agent.display_path, ())),
        "link": lambda target: context.link(path, target),
        "download": download,
        "file_name": _file_name(agent),
        "edit_url": _edit_url(agent, context.options),
        **context.common,
    }
    template, meta = context.env.get_template("agent.md.j2"), (agent.title, agent.summary or agent.description)
    text = with_meta(template.render(raw=raw, **values), *meta)
    if len(text.encode("utf-8")) > PAGE_BUDGET:  # a long prompt: the page holds it rendered, not twice
        text = with_meta(template.render(raw=None, **values), *meta)
    return ((path, text), (download, raw), (record, record_json(agent))), _listing(context, agent)


def _listing(context: RenderContext, agent: Agent) -> Listing:
    item = context.env.get_template("partials/agent_item.html.j2")
    page = agent_page_paths(agent.slug)[0]
    return Listing(
        slug=agent.slug,
        category=category_of(agent),
        collection=agent.collection or "",
        format_labels=tuple(FORMAT_LABELS[fmt] for fmt in formats_of(agent)),
        models=tuple(models_of(agent)),
        examples=len(agent.examples),
        tokens=estimate_tokens(agent.description),
        item_top=item.render(agent=agent, link=lambda t: context.link("index.md", t), **context.common).encode(),
        item_nested=item.render(
            agent=agent, link=lambda t: context.link("categories/index.md", t), **context.common
        ).encode(),
        entry=index_entry_json(agent).encode(),
        row=data_row(agent, context.link("index.md", page), context.common["collection_key"]).encode(),
        facets=facets_json(agent, context.common["collection_key"]),
    )


def page_url(source: str, target: str, directory_urls: bool) -> str:
    """The link from one generated page to another, as MkDocs will lay them out."""

    def url(path: str) -> str:
        if not path.endswith(".md"):
            return path
        stem = path[:-3]
        if not directory_urls:
            return f"{stem}.html"
        if stem == "index" or stem.endswith("/index"):
            return stem[: -len("index")]
        return f"{stem}/"

    source_url, target_url = url(source), url(target)
    base = source_url if source_url.endswith("/") else posixpath.dirname(source_url) + "/"
    relative = relative_path(target_url or ".", base.rstrip("/") or ".")
    if target_url.endswith("/") and not relative.endswith("/"):
        relative += "/"
    return "./" if relative in (".", "./") else relative


def relative_path(path: str, start: str) -> str:
    """``posixpath.relpath(path, start)`` for two paths within the site (relative, without
    ``.``, ``..`` or empty parts): the same string, without the two ``os.getcwd()`` calls
    ``relpath`` makes to resolve them (nine links an agent, a tenth of its listing's time).
    Other paths go to ``relpath`` itself."""
    to, base = _site_parts(path), _site_parts(start)
    if to is None or base is None:
        return posixpath.relpath(path, start)
    common = 0
    for mine, theirs in zip(to, base, strict=False):
        if mine != theirs:
            break
        common += 1
    parts = [".."] * (len(base) - common) + to[common:]
    return "/".join(parts) if parts else "."


def _site_parts(path: str) -> list[str] | None:
    """The parts of a relative path as ``relpath`` normalises them (one trailing slash
    dropped), or None when it has parts that normalising changes (``.``, ``..``, ``//``)."""
    if path == ".":
        return []
    parts = path.split("/")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return None if any(part in ("", ".", "..") for part in parts) else parts


def _edit_url(agent: Agent, options: RenderOptions) -> str | None:
    if not options.edit_base or not options.repo_root:
        return None
    try:
        rel = agent.source.resolve().relative_to(Path(options.repo_root).resolve())
    except ValueError:
        return None  # an agent outside the repository has no edit link
    return f"{options.edit_base}/{quote(rel.as_posix(), safe='/')}"


def _file_name(agent: Agent) -> str:
    """The name the download is saved under: the source file's own (its tool may know the
    agent by it), with anything unprintable (a line break) made a "_"."""
    name = posixpath.basename(agent.path.split("#", 1)[0])  # a Roo mode: its .roomodes file
    return "".join(c if c.isprintable() else "_" for c in name) or f"{agent.slug}.md"


def _raw_text(agent: Agent) -> str:
    """The file as its author wrote it, for download (size-limited, never blocking)."""
    text, _ = read_agent_file(agent.source, agent.path)
    if text and "#" in agent.path:  # one agent of a file of several: that agent alone
        from catalog.parse.structured import agent_alone

        return agent_alone(text, agent.path, agent.format) or text
    return text or agent.body
