"""Stage 5: render a catalog into documentation pages, ``{relative path: text}``.

Templates are Jinja2, found through a loader chain: a user's folder first, then the defaults
shipped in the wheel (also reachable as ``default:agent.md.j2`` to extend them). Agent text
only ever enters a template as data, through a filter for the context it lands in.
"""

from __future__ import annotations

import functools
import posixpath
import shlex
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from catalog import textsafe
from catalog.dialects import DIALECTS
from catalog.facets import (
    FORMAT_LABELS,
    UNCATEGORIZED,
    FacetPairs,
    category_of,
    data_row,
    data_script,
    facet_pairs,
    labels_of,
    model_counts,
    models_of,
    place,
)
from catalog.jsonout import agent_json, catalog_json, with_findings
from catalog.layout import ASSETS, GENERATED_KEY, RenderOptions, default_template_dir
from catalog.lint import file_findings, page_findings, summarize_tokens
from catalog.names import reading_order, slugify, titleize, unique_slugs
from catalog.parallel import map_forked
from catalog.parse import read_agent_file
from catalog.rules import estimate_tokens, rule_table
from catalog.sections import prompt_parts
from catalog.splice import Composite, fills_to, marker, markers
from catalog.tool_scope import only_other_tools
from catalog.types import Agent, Catalog, FastPickle, Finding
from catalog.variants import definitions_by_entry, formats_of

if TYPE_CHECKING:
    from jinja2 import Environment


def make_environment(template_dir: Path | None = None, bytecode_dir: Path | None = None) -> Environment:
    # Imported here: the quick update starts writing catalog.json before it needs templates.
    from jinja2 import (
        ChoiceLoader,
        Environment,
        FileSystemBytecodeCache,
        FileSystemLoader,
        PrefixLoader,
        StrictUndefined,
    )

    default = FileSystemLoader(str(default_template_dir()))
    loaders: list[Any] = [PrefixLoader({"default": default}, delimiter=":")]
    if template_dir is not None:
        loaders.insert(0, FileSystemLoader(str(template_dir)))
    env = Environment(
        loader=ChoiceLoader([*loaders, default]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # pages are Markdown: each value is escaped for its own context
        # Compiled templates kept between runs: compiling them is a third of a small update.
        bytecode_cache=FileSystemBytecodeCache(str(bytecode_dir)) if bytecode_dir else None,
    )
    env.filters.update(
        md=textsafe.markdown_to_html,
        h=textsafe.escape_html,
        mdi=textsafe.escape_markdown_inline,
        md_inline=textsafe.markdown_inline_to_html,
        fence=textsafe.fence,
        html_block=textsafe.html_block,
        excerpt=textsafe.excerpt,
        css_color=textsafe.css_color,
        color_name=textsafe.color_name,
        titleize=titleize,
        sh=shlex.quote,
    )
    env.globals.update(prompt_parts=prompt_parts, only_other_tools=only_other_tools)
    return env


# ``categories/index.md`` and ``collections/index.md`` list the categories and collections: the
# sidebar links to them, never to each category, so no page grows with their number.
GROUP_INDEX = "index"
# Relative path -> text; catalog.json is bytes (joined from pieces of an earlier one).
Pages = dict[str, str | bytes]
AGENT_FOLDERS = ("agents", "downloads")  # where each agent's page and download go


def agent_page_paths(slug: str) -> tuple[str, str]:
    """The files generated for one agent: its page and its download."""
    return f"{AGENT_FOLDERS[0]}/{slug}.md", f"{AGENT_FOLDERS[1]}/{slug}.md.txt"


def agent_outputs(agent: Agent) -> tuple[str, ...]:
    """The files generated for one definition: its page and download, or only its download
    when another definition's page shows it (``Agent.entry``)."""
    page, download = agent_page_paths(agent.slug)
    return (download,) if agent.entry else (page, download)


@dataclass(frozen=True, slots=True)
class Listing(FastPickle):
    """What the shared pages need of one agent: made with its page, kept between runs, so that
    the overview of thousands of agents is joined from pieces when one agent changed."""

    slug: str
    category: str
    collection: str
    # The formats of its catalog entry; none for a definition another's page shows, which
    # the shared pages leave out (but catalog.json, one object per file, keeps).
    format_labels: tuple[str, ...]
    models: tuple[str, ...]
    examples: int
    tokens: int  # estimated tokens of its description
    item_top: str  # its entry in the overview's list
    item_nested: str  # its entry in a category's or collection's list (one folder down)
    json: bytes | memoryview  # its object in catalog.json (UTF-8)
    row: str  # its row in catalog-data.js
    facets: FacetPairs


Groups = tuple[list[str], list[str], dict[str, str], dict[str, str]]  # what page_groups says


@dataclass(frozen=True, slots=True)
class _Context:
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
    catalog: Catalog, options: RenderOptions | None, bytecode_dir: Path | None, groups: Groups | None = None
) -> _Context:
    """``groups``: the catalog's ``page_groups``, when ``catalog`` does not hold every agent."""
    options = options or RenderOptions()
    findings: dict[str, list[Finding]] = defaultdict(list)
    for finding in page_findings(catalog):
        findings[finding.path].append(finding)
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
        "categories_page": f"categories/{GROUP_INDEX}.md",
        "collections_page": f"collections/{GROUP_INDEX}.md",
        "uncategorized": UNCATEGORIZED,
        "place_of": place,
        "formats_of": formats_of,
    }
    definitions = definitions_by_entry(catalog.agents)
    return _Context(make_environment(options.template_dir, bytecode_dir), options, common, findings, definitions)


def render_catalog(
    catalog: Catalog,
    options: RenderOptions | None = None,
    only: set[str] | None = None,
    bytecode_dir: Path | None = None,
    listings: dict[str, Listing] | None = None,
    meanwhile: Callable[[], None] | None = None,
    composites: dict[str, Composite] | None = None,
) -> Pages:
    """Every generated page and asset of a catalog, keyed by path relative to the docs folder.

    ``only``: render the pages of just these agent slugs (the overview, category and other
    shared pages are always rendered). ``listings``: the last run's, by agent file
    (display path); those of the agents not rendered again are reused. Updated in place.
    ``meanwhile``: work for this process while forked workers render the agent pages.
    ``composites``: filled with the shared pages as Composites (``shared_composites``); left
    empty when they cannot all be spliced.
    """
    context = render_context(catalog, options, bytecode_dir)
    kept = listings if listings is not None else {}
    wanted = [agent for agent in catalog.agents if only is None or agent.slug in only]
    # By slug, never `agent in wanted`: comparing Agents is a list scan each, O(n²) in all.
    skipped = [] if only is None else [a.display_path for a in catalog.agents if a.slug not in only]
    missing = [path for path in skipped if path not in kept]
    if missing:  # the caller decides what is rendered again (catalog.pipeline), not this stage
        raise ValueError(f"no listing kept for agents not rendered again: {missing[:3]}")
    pages: Pages = {}
    rendered = {}
    # Rendering agent Markdown is most of a build's own time; each page stands alone. The shared
    # pages need every agent's listing: those of the agents rendered now come with their pages.
    task = functools.partial(_files_of, context)
    for agent, (files, listing) in zip(
        wanted, map_forked(task, wanted, at_least=200, meanwhile=meanwhile), strict=True
    ):
        pages.update(files)
        rendered[agent.display_path] = listing
    kept.update(rendered)
    for gone in set(kept) - {agent.display_path for agent in catalog.agents}:
        del kept[gone]
    ordered = [kept[agent.display_path] for agent in catalog.agents]
    pages.update(_shared_pages(context, catalog.findings, ordered))
    if composites is not None:
        composites.update(shared_composites(context, catalog.findings, ordered, pages) or {})
    return pages


_AgentFiles = tuple[tuple[str, str], tuple[str, str], "Listing"]
# An agent page's bytes at most, when it can: past them, the page leaves out the file's exact
# text (which Copy and a download from disk read); the download link serves the file.
PAGE_BUDGET = 50_000
_DefinitionFiles = tuple[tuple[tuple[str, str], ...], "Listing"]


def _files_of(context: _Context, agent: Agent) -> _DefinitionFiles:
    """A definition's files and listing: an entry's page and download, or the download alone
    of a definition its entry's page shows (with a listing that only catalog.json uses)."""
    if not agent.entry:
        page, download, listing = agent_files(context, agent)
        return (page, download), listing
    rel = agent_page_paths(agent.slug)[1]
    listing = Listing(
        slug=agent.slug,
        category=category_of(agent),
        collection=agent.collection or "",
        format_labels=(),
        models=(),
        examples=0,
        tokens=0,
        item_top="",
        item_nested="",
        json=json_piece(agent),
        row="",
        facets=(),
    )
    return ((rel, _raw_text(agent)),), listing


def agent_files(context: _Context, agent: Agent) -> _AgentFiles:
    """One agent's page, its download and its listing."""
    path, download = agent_page_paths(agent.slug)
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
    text = _with_meta(template.render(raw=raw, **values), *meta)
    if len(text.encode("utf-8")) > PAGE_BUDGET:  # a long prompt: the page holds it rendered, not twice
        text = _with_meta(template.render(raw=None, **values), *meta)
    page = (path, text)
    return page, (download, raw), _listing(context, agent)


def _listing(context: _Context, agent: Agent) -> Listing:
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
        item_top=item.render(agent=agent, link=lambda t: context.link("index.md", t), **context.common),
        item_nested=item.render(agent=agent, link=lambda t: context.link("categories/index.md", t), **context.common),
        json=json_piece(agent),
        row=data_row(agent, context.link("index.md", page)),
        facets=facet_pairs(agent),
    )


@dataclass(frozen=True, slots=True)
class Overview(FastPickle):
    """The overview's figures, from every agent's listing."""

    total: int
    examples_total: int
    counts: dict[str, Counter[str]]  # by format, collection, category and model, in catalog order
    tokens: tuple[int, ...]  # each agent's description tokens, in catalog order
    by_category: dict[str, int]
    shown: tuple[int, ...]  # the indexes of the entries, the listings the overview lists
    files: int  # agent definitions, one a file (or a mode of a .roomodes)

    def evolve_agent(self, index: int, examples: int, tokens: int, old_examples: int) -> Overview:
        """The figures after agent ``index`` changed its examples or tokens, nothing else."""
        changed = list(self.tokens)
        changed[index] = tokens
        return self.evolve(examples_total=self.examples_total - old_examples + examples, tokens=tuple(changed))


def overview_of(listings: Sequence[Listing]) -> Overview:
    """The figures of the catalog entries; an entry counts once under each of its formats."""
    shown = tuple(index for index, m in enumerate(listings) if m.format_labels)
    entries = [listings[index] for index in shown]
    by_category: Counter[str] = Counter(m.category for m in entries)
    return Overview(
        total=len(entries),
        examples_total=sum(m.examples for m in entries),
        counts={
            "format": Counter(label for m in entries for label in m.format_labels),
            "collection": Counter(m.collection or "(none)" for m in entries),
            "category": Counter(m.category for m in entries),
            "model": model_counts(m.models for m in entries),
        },
        tokens=tuple(m.tokens for m in listings),
        by_category={category: by_category[category] for category in reading_order(by_category)},
        shown=shown,
        files=len(listings),
    )


def _shared_pages(context: _Context, findings: Sequence[Finding], listings: Sequence[Listing]) -> Pages:
    """The overview, category, collection and rules pages, the data files and the assets,
    from every agent's listing."""
    common = context.common
    pages: Pages = {}
    by_category: dict[str, list[Listing]] = defaultdict(list)
    by_collection: dict[str, list[Listing]] = defaultdict(list)
    entries = [listing for listing in listings if listing.format_labels]
    for listing in entries:
        by_category[listing.category].append(listing)
        by_collection[listing.collection].append(listing)
    for category in reading_order(by_category):
        path = common["category_page"](category)
        pages[path] = _group_page(context, "category", category, path, by_category[category])
    for collection in common["collections"]:
        path = common["collection_page"](collection)
        pages[path] = _group_page(context, "collection", collection, path, by_collection[collection])
    if by_category:
        pages[common["categories_page"]] = _group_index(context, "category", by_category)
    if common["collections"]:
        members = {collection: by_collection[collection] for collection in common["collections"]}
        pages[common["collections_page"]] = _group_index(context, "collection", members)
    pages["index.md"] = overview_page(context, overview_of(listings), [m.item_top for m in listings])
    pages["rules.md"] = _with_meta(
        context.env.get_template("rules.md.j2").render(
            rules=rule_table(), link=lambda t: context.link("rules.md", t), **common
        ),
        "Lint rules",
        "What agent-catalog lint checks, and why",
    )
    pages["catalog.json"] = catalog_json([m.json for m in listings], findings)
    pages["assets/catalog-data.js"] = data_script(labels_of(m.facets for m in entries), [m.row for m in entries])
    for asset in ASSETS:
        pages[asset] = (default_template_dir() / asset).read_text(encoding="utf-8")
    return pages


def _group_page(context: _Context, kind: str, name: str, path: str, members: list[Listing]) -> str:
    """A category's or a collection's page."""
    body = context.env.get_template(f"{kind}.md.j2").render(
        items=[m.item_nested for m in members],
        link=lambda t: context.link(path, t),
        **{kind: name},
        **context.common,
    )
    return _with_meta(body, titleize(name) if kind == "category" else name, f"{len(members)} agents")


def _group_index(context: _Context, kind: str, members: dict[str, list[Listing]]) -> str:
    """The page that lists every category (or collection) with its count of agents."""
    path = context.common["categories_page" if kind == "category" else "collections_page"]
    page_of = context.common[f"{kind}_page"]
    names = reading_order(members)
    if kind == "category" and UNCATEGORIZED in members:  # last, as on the overview
        names = [*(n for n in names if n != UNCATEGORIZED), UNCATEGORIZED]
    groups = [
        {
            "title": ("Uncategorized" if name == UNCATEGORIZED else titleize(name)) if kind == "category" else name,
            "page": page_of(name),
            "count": len(members[name]),
            "uncategorized": kind == "category" and name == UNCATEGORIZED,
        }
        for name in names
    ]
    title = "Categories" if kind == "category" else "Collections"
    body = context.env.get_template("groups.md.j2").render(
        title=title, kind=kind, groups=groups, link=lambda t: context.link(path, t), **context.common
    )
    return _with_meta(body, title, f"{len(groups)} {title.lower()}")


def overview_page(context: _Context, overview: Overview, items: Sequence[str]) -> str:
    """``index.md``: the figures, the categories and collections, and every entry's item
    (``items``: every listing's, in catalog order)."""
    return _with_meta(
        context.env.get_template("overview.md.j2").render(
            total=overview.total,
            files=overview.files,
            examples_total=overview.examples_total,
            counts=overview.counts,
            tokens=summarize_tokens([overview.tokens[index] for index in overview.shown]),
            by_category=overview.by_category,
            items=[items[index] for index in overview.shown],
            link=lambda t: context.link("index.md", t),
            **context.common,
        ),
        context.common["options"].site_name,
        f"{overview.total} agents",
    )


# The pieces of one agent in the shared pages, by the letter of their markers (catalog.splice).
_PIECES = {b"t": "item_top", b"n": "item_nested", b"j": "json", b"r": "row"}


def piece_of(listing: Listing, kind: bytes) -> bytes:
    """One agent's piece of one kind, as it is written in a shared page."""
    value = getattr(listing, _PIECES[kind])
    return bytes(value) if not isinstance(value, str) else value.encode("utf-8")


def marked(listing: Listing, index: int) -> Listing:
    """The listing with markers in place of its pieces, for a skeleton."""
    return listing.evolve(
        item_top=marker("t", index),
        item_nested=marker("n", index),
        json=marker("j", index).encode(),
        row=marker("r", index),
    )


def json_skeleton(findings: Sequence[Finding], count: int, old: bytes | None = None) -> bytes:
    """catalog.json's skeleton: it shows the findings besides every agent's piece. From
    ``old``, the last skeleton of as many agents, when given (the findings are its end)."""
    if old is not None and (skeleton := with_findings(old, findings)) is not None:
        return skeleton
    return catalog_json([m.encode() for m in markers("j", count)], findings)


def overview_skeleton(context: _Context, overview: Overview, count: int) -> bytes:
    """The overview's skeleton: it shows figures besides every agent's piece.

    Every other shared page's skeleton stays the same while every agent keeps its
    ``catalog.incremental.identity``: what else they show comes from that alone."""
    return overview_page(context, overview, markers("t", count)).encode("utf-8")


def json_piece(agent: Agent) -> bytes:
    """An agent's piece of catalog.json (``Listing.json``), made without a template."""
    return agent_json(agent).encode("utf-8")


def shared_composites(
    context: _Context, findings: Sequence[Finding], listings: Sequence[Listing], pages: Pages
) -> dict[str, Composite] | None:
    """Every shared page as a Composite (a page without pieces of agents is its own skeleton);
    None when one of them does not fill to the page byte for byte from its skeleton (ours all
    do; a user's template could use an agent's piece otherwise than by printing it)."""
    skeletons = _shared_pages(context, findings, [marked(m, i) for i, m in enumerate(listings)])
    composites = {}
    for rel, skeleton in skeletons.items():
        raw = skeleton if isinstance(skeleton, bytes) else skeleton.encode("utf-8")
        page = pages[rel]
        try:
            composite = fills_to(
                raw,
                lambda kind, index: piece_of(listings[index], kind),
                page if isinstance(page, bytes) else page.encode("utf-8"),
            )
        except (LookupError, ValueError):  # a marker that is not one of ours
            return None
        if composite is None:
            return None
        composites[rel] = composite
    return composites


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
    relative = posixpath.relpath(target_url or ".", base.rstrip("/") or ".")
    if target_url.endswith("/") and not relative.endswith("/"):
        relative += "/"
    return "./" if relative in (".", "./") else relative


def _edit_url(agent: Agent, options: RenderOptions) -> str | None:
    if not options.edit_base or not options.repo_root:
        return None
    try:
        rel = agent.source.resolve().relative_to(Path(options.repo_root).resolve())
    except ValueError:
        return None  # an agent outside the repository has no edit link
    return f"{options.edit_base}/{quote(rel.as_posix(), safe='/')}"


def _with_meta(body: str, title: str, description: str) -> str:
    """The page with MkDocs front matter; themes print these values unescaped, so escape them."""
    meta = {
        "title": textsafe.escape_yaml_meta(title),
        "description": textsafe.escape_yaml_meta(description, 160),
        GENERATED_KEY: True,
    }
    import frontmatter

    post = frontmatter.Post(body, None, **meta)
    return str(frontmatter.dumps(post, sort_keys=True, allow_unicode=True)) + "\n"


def _file_name(agent: Agent) -> str:
    """The name the download is saved under: the source file's own (its tool may know the
    agent by it), with anything unprintable (a line break) made a "_"."""
    name = posixpath.basename(agent.path.split("#", 1)[0])  # a Roo mode: its .roomodes file
    return "".join(c if c.isprintable() else "_" for c in name) or f"{agent.slug}.md"


def _raw_text(agent: Agent) -> str:
    """The file as its author wrote it, for download (size-limited, never blocking)."""
    text, _ = read_agent_file(agent.source, agent.path)
    if text and DIALECTS[agent.format].syntax == "roomodes" and "#" in agent.path:
        from catalog.structured import mode_text

        return mode_text(text, agent.path.rsplit("#", 1)[1]) or text  # this mode alone, as .roomodes holds it
    return text or agent.body
