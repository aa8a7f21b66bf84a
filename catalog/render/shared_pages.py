"""Stage 5, the shared pages: the overview, the category and collection pages, catalog.json and
the filter's data, each made of one fragment per agent (a ``Listing``, made with the agent's
own page) between a head and a tail that only the aggregate figures decide.

So a page of thousands of agents is assembled from fragments kept between runs, never
rendered again from every agent: a template is rendered with two and three placeholder
items, which gives its head, the separator between items and its tail; the page is then
head + separator.join(fragments) + tail. A template that does not print its items in a plain
loop (a user's) is rendered with the real items instead.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import field
from typing import TYPE_CHECKING, Any, Protocol

from catalog.frozen import frozen
from catalog.layout import ASSETS, GENERATED_KEY, default_template_dir
from catalog.lint.check import summarize_tokens
from catalog.lint.rules import rule_table
from catalog.model.names import reading_order, titleize
from catalog.render import facets, textsafe
from catalog.render.blocks import Fragments as Fragments  # named here as well, as before
from catalog.render.blocks import Listing as Listing
from catalog.render.blocks import (
    Overview,
    Page,
    Stretch,
    Summary,
    merged,
    page_items,
    row_parts,
    stretch,
)
from catalog.render.facets import DATA_HEAD, UNCATEGORIZED, data_parts, data_scripts, labels_counted
from catalog.render.jsonout import catalog_index
from catalog.types import Finding

if TYPE_CHECKING:
    from jinja2 import Environment


class RenderContext(Protocol):
    """What the shared pages are rendered with (``render.RenderContext``; no import of it here,
    as render imports this module)."""

    @property
    def env(self) -> Environment: ...
    @property
    def common(self) -> dict[str, Any]: ...
    def link(self, source: str, target: str) -> str: ...


# Relative path -> text.
Pages = dict[str, str]
# The shared pages, as UTF-8: made of the agents' fragments, kept as bytes (``Listing``), they
# are written without encoding tens of megabytes of text again at each run.
SharedPages = dict[str, bytes]


@frozen
class Block:
    """One block of agents (``blocks.BLOCK``, in catalog order) as the shared pages take it:
    its summary when kept from the last run, and how to have its fragments (a cache's are
    unpickled only when asked for: when the summary is not there, or lacks a stretch); or,
    changed since, the last run's summary (``was``), to tell the pages it changed from those
    it did not (a page of the same figures and stretches is not made again)."""

    fragments: Callable[[], Fragments]
    summary: Summary | None = None
    was: Summary | None = None

    @staticmethod
    def of(fragments: Fragments, was: Summary | None = None) -> Block:
        return Block(lambda: fragments, None, was)


def shared_pages(context: RenderContext, findings: Sequence[Finding], fragments: Fragments) -> SharedPages:
    """The shared pages of every agent's fragments (``joined_pages`` of one block)."""
    return joined_pages(context, findings, [Block.of(fragments)])[0]


def joined_pages(
    context: RenderContext,
    findings: Sequence[Finding],
    blocks: Sequence[Block],
    cuts: Cuts | None = None,
    as_left: Callable[[str], bool] = lambda path: False,
) -> tuple[SharedPages, list[Summary], list[str]]:
    """The overview, category, collection and rules pages, the data files and the assets, from
    the blocks' summaries; each block's summary with the stretches the pages took of it; and
    the pages left out, the same as the last run made them, whose files are as it left them
    (``as_left``). ``cuts``: the templates' cuts of the last run with the same ``context.common``."""
    cuts = cuts if cuts is not None else Cuts({})
    common = context.common
    loaded: dict[int, Fragments] = {}

    def fragments(index: int) -> Fragments:
        if index not in loaded:
            loaded[index] = blocks[index].fragments()
        return loaded[index]

    summaries = [block.summary or Summary.of(fragments(index)) for index, block in enumerate(blocks)]
    used: list[dict[Page, Stretch]] = [{} for _ in blocks]

    def items_of(page: Page) -> Items:
        """The page's items from every block, joined with the page's separator."""
        kind, name = page
        if kind == "overview":
            counts = [s.categories.total() for s in summaries]
        else:
            counts = [s.categories[name] if kind == "category" else s.collections[name] for s in summaries]
        having = [index for index, count in enumerate(counts) if count]

        def stretches(separator: bytes) -> list[Stretch]:
            for index in having:
                kept = summaries[index].stretches.get(page)
                if kept is None or kept.separator != separator:
                    kept = stretch(fragments(index), page, separator)
                used[index][page] = kept
            return [used[index][page] for index in having]

        def everything() -> list[bytes]:
            return [item for index in having for item in page_items(fragments(index), page)]

        def same() -> bool:  # after ``stretches``
            for index in having:
                block = blocks[index]
                was = block.summary or block.was
                if was is None or not used[index][page].same(was.stretches.get(page)):
                    return False
            return True

        return Items(sum(counts), stretches, everything, same)

    pages: SharedPages = {}
    left: list[str] = []
    overview = Overview.of(summaries)
    scripts = [DATA_HEAD, *data_parts(overview.total)]  # what the pages with the filter load, in order
    groups = [("category", name) for name in overview.by_category]
    for kind, name in [*groups, *(("collection", name) for name in common["collections"])]:
        path = common[f"{kind}_page"](name)
        page = _group_page(context, kind, name, path, items_of((kind, name)), scripts, cuts, as_left(path))
        if page is None:
            left.append(path)
        else:
            pages[path] = page
    if overview.by_category:
        pages[common["categories_page"]] = _group_index(context, "category", overview.counts["category"]).encode()
    if common["collections"]:
        counted = merged(s.collections for s in summaries)
        counts = {collection: counted[collection] for collection in common["collections"]}
        pages[common["collections_page"]] = _group_index(context, "collection", counts).encode()
    index = _overview_page(context, overview, items_of(("overview", "")), scripts, cuts, as_left("index.md"))
    if index is None:
        left.append("index.md")
    else:
        pages["index.md"] = index
    pages["rules.md"] = with_meta(
        context.env.get_template("rules.md.j2").render(
            rules=rule_table(), link=lambda t: context.link("rules.md", t), **common
        ),
        "Lint rules",
        "What agent-catalog lint checks, and why",
    ).encode()
    pages["catalog.json"] = catalog_index([s.entries.value for s in summaries if s.agents], findings)
    labels = labels_counted(merged(s.facets for s in summaries))
    # A part of the filter's data that is one block's rows, as the last run's was: left out.
    per = facets.DATA_PART
    aligned = all(len(s.row_ends) == per for s in summaries[:-1]) and all(
        block.summary or (block.was and len(block.was.row_ends) == len(s.row_ends))
        for block, s in zip(blocks, summaries, strict=True)
    )
    if aligned:
        kept = {path for path, block in zip(scripts[1:], blocks, strict=False) if block.summary and as_left(path)}
        rows = [b"" if path in kept else s.rows.value for path, s in zip(scripts[1:], summaries, strict=False)]
        pages.update(
            (path, data) for path, data in data_scripts(labels, overview.total, rows).items() if path not in kept
        )
        left += sorted(kept)
    else:
        pages.update(data_scripts(labels, overview.total, row_parts(summaries, per)))
    for asset in ASSETS:
        pages[asset] = (default_template_dir() / asset).read_bytes()
    summaries = [summary.evolve(stretches=stretches) for summary, stretches in zip(summaries, used, strict=True)]
    return pages, summaries, left


@frozen
class Items:
    """A page's items: how many, joined per block with a separator, or all of them."""

    count: int
    stretches: Callable[[bytes], list[Stretch]]
    everything: Callable[[], list[bytes]]
    same: Callable[[], bool] = lambda: False  # the stretches made are the last run's

    @staticmethod
    def of(items: Sequence[bytes]) -> Items:
        return Items(len(items), lambda separator: [Stretch.of(items, separator)], lambda: list(items))


# Placeholders for items: control characters, which no escaped agent text holds.
_PLACEHOLDERS = ("\x02a\x03", "\x02b\x03")


# A template cut around its items: head, separator, tail, and the sample of real items that
# confirmed it (``joined``).
Cut = tuple[str, str, str, tuple[str, ...]]


@frozen
class Cuts:
    """The shared pages' templates cut around their items, by what each was rendered with:
    the last run's (when the pages' common values are the same), and this run's. A page
    whose figures and first and last items did not change renders nothing again."""

    was: Mapping[Hashable, Cut]
    now: dict[Hashable, Cut] = field(default_factory=dict)


def joined(
    render: Callable[[Sequence[str]], str],
    items: Sequence[bytes] | Items,
    cuts: Cuts | None = None,
    key: Hashable = None,
    as_left: bool = False,
) -> list[bytes] | None:
    """The pieces of ``render(items)`` as UTF-8 (it is their ``b"".join``; ``items`` are UTF-8
    too, and the template's are text): head, the items joined with the separator between
    them (a block's at a time, ``Items``), tail, from two renderings with placeholder items
    (the same whatever the number of items), when a third, of real items out of their order
    (the last, then the first two), confirms the template prints its items unchanged in a
    plain loop (a user's template that changes those three is rendered whole; one that sorts
    or slices the list, or changes only other items, is not seen: the README asks list
    templates not to); else ``render(items)`` itself. Pieces, so that ``with_meta`` copies a
    long page once, front matter and all. ``key``: all ``render`` depends on but the items,
    to find the cut in ``cuts`` (and keep it there). None when the page is the last run's: the
    same cut of the same key around the same stretches, and its file ``as_left`` by that run."""
    items = items if isinstance(items, Items) else Items.of(items)
    if not items.count:
        return [render([]).encode()]
    cut = (cuts.now.get(key) or cuts.was.get(key)) if cuts is not None else None
    if cut is None:
        first, second = _PLACEHOLDERS
        two = render([first, second])
        if two.count(first) == 1 and two.count(second) == 1:
            head, rest = two.split(first)
            separator, tail = rest.split(second)
            cut = (head, separator, tail, ())
    if cut is not None:
        head, separator, tail, confirmed = cut
        stretches = items.stretches(separator.encode())
        if as_left and cuts is not None and cuts.was.get(key) == cut and items.same():
            cuts.now[key] = cut
            return None
        leading = [item for s in stretches for item in s.first][: min(2, items.count - 1)]
        sample = tuple(item.decode() for item in (stretches[-1].last, *leading))
        if sample == confirmed or render(sample) == head + separator.join(sample) + tail:
            if cuts is not None:
                cuts.now[key] = (head, separator, tail, sample)
            pieces = [head.encode()]
            for s in stretches:
                pieces += (s.text.value, separator.encode())
            pieces[-1] = tail.encode()  # the separator after the last stretch
            return pieces
    return [render([item.decode() for item in items.everything()]).encode()]


def _group_page(
    context: RenderContext,
    kind: str,
    name: str,
    path: str,
    members: Items,
    scripts: list[str],
    cuts: Cuts,
    as_left: bool,
) -> bytes | None:
    """A category's or a collection's page; ``scripts``: the filter's data, head and parts."""
    template = context.env.get_template(f"{kind}.md.j2")

    def render(items: Sequence[str]) -> str:
        link = lambda t: context.link(path, t)  # noqa: E731
        values = {"items": items, "count": members.count, "link": link, "data_scripts": scripts, kind: name}
        return template.render(**values, **context.common)

    body = joined(render, members, cuts, (kind, name, path, members.count, tuple(scripts)), as_left)
    if body is None:
        return None
    return with_meta_bytes(body, titleize(name) if kind == "category" else name, f"{members.count} agents")


def _group_index(context: RenderContext, kind: str, members: Mapping[str, int]) -> str:
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
            "count": members[name],
            "uncategorized": kind == "category" and name == UNCATEGORIZED,
        }
        for name in names
    ]
    title = "Categories" if kind == "category" else "Collections"
    body = context.env.get_template("groups.md.j2").render(
        title=title, kind=kind, groups=groups, link=lambda t: context.link(path, t), **context.common
    )
    return with_meta(body, title, f"{len(groups)} {title.lower()}")


def _overview_page(
    context: RenderContext, overview: Overview, items: Items, scripts: list[str], cuts: Cuts, as_left: bool
) -> bytes | None:
    """``index.md``: the figures, the categories and collections, and every entry's item."""
    template = context.env.get_template("overview.md.j2")
    figures: dict[str, Any] = {
        "total": overview.total,
        "files": overview.files,
        "examples_total": overview.examples_total,
        "counts": overview.counts,
        "tokens": summarize_tokens(overview.tokens),
        "by_category": overview.by_category,
        "data_scripts": scripts,
    }

    def render(some: Sequence[str]) -> str:
        link = lambda t: context.link("index.md", t)  # noqa: E731
        return template.render(items=some, link=link, **figures, **context.common)

    body = joined(render, items, cuts, ("overview", repr(figures)), as_left)
    if body is None:
        return None
    return with_meta_bytes(body, context.common["options"].site_name, f"{overview.total} agents")


def with_meta(body: str | Sequence[str], title: str, description: str) -> str:
    """The page (``body``, or pieces of it) with MkDocs front matter; themes print these values
    unescaped, so escape them."""
    head = _front_matter(title, description)
    pieces = [body] if isinstance(body, str) else body
    if all(not piece or piece.isspace() for piece in pieces):
        return f"---\n{head}\n---\n"
    end = "".join(_last_characters(pieces, 2))
    if len(end) == 2 and end[1] == "\n" and not end[0].isspace():  # the usual end: body.rstrip() + "\n" is body
        return "".join(("---\n", head, "\n---\n\n", *pieces))
    return "".join(("---\n", head, "\n---\n\n", "".join(pieces).rstrip(), "\n"))


def with_meta_bytes(pieces: Sequence[bytes], title: str, description: str) -> bytes:
    """``with_meta`` of the pieces that ``joined`` gives, as UTF-8: in one copy of a long page
    when it ends as pages do (a character that is not a space, then a line break)."""
    end = b""
    for piece in reversed(pieces):
        end = piece[-2:] + end
        if len(end) >= 2:
            break
    if len(end) >= 2 and end[-1:] == b"\n" and end[-2] < 0x80 and not chr(end[-2]).isspace():
        return b"".join((f"---\n{_front_matter(title, description)}\n---\n\n".encode(), *pieces))
    return with_meta(b"".join(pieces).decode(), title, description).encode()


def _front_matter(title: str, description: str) -> str:
    """What ``frontmatter.dumps`` writes between the ``---`` lines: the library writes only the
    front matter, not a long body (its format and strip made three copies of a 7 MB overview)."""
    meta = {
        "title": textsafe.escape_yaml_meta(title),
        "description": textsafe.escape_yaml_meta(description, 160),
        GENERATED_KEY: True,
    }
    import yaml
    from frontmatter.default_handlers import YAMLHandler

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return str(YAMLHandler().export(meta, Dumper=dumper, sort_keys=True)).strip()


def _last_characters(pieces: Sequence[str], count: int) -> list[str]:
    """The last ``count`` characters of the pieces joined (fewer when they hold fewer)."""
    found: list[str] = []
    for piece in reversed(pieces):
        found[:0] = piece[-(count - len(found)) :] if piece else ""
        if len(found) == count:
            break
    return found
