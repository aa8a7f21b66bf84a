"""The shared pages' share of a block of agents (``Summary``): the figures they count of it,
and its items joined as each page joins them (``Stretch``), made once from the block's
fragments (``shared_pages.Fragments``) and kept until one of its agents changes.

So a shared page of thousands of agents is its head, the blocks' stretches and its tail: an
edit of one agent makes its block's summary again, and the rest is a concatenation of bytes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from catalog.model.names import reading_order
from catalog.types import FastPickle

if TYPE_CHECKING:
    from catalog.render.shared_pages import Fragments

# Agents a block: as many as a part of the filter's data holds (``facets.DATA_PART``), so that
# each part is one block's rows when no agent is a definition another's page shows.
BLOCK = 500

# What a stretch is of: ("overview", ""), ("category", name) or ("collection", name).
Page = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Stretch(FastPickle):
    """One page's items from one block, joined with that page's separator."""

    separator: bytes
    text: bytes
    count: int
    first: tuple[bytes, ...]  # its first two items, and its last (what ``joined`` checks)
    last: bytes

    @staticmethod
    def of(items: Sequence[bytes], separator: bytes) -> Stretch:
        return Stretch(separator, separator.join(items), len(items), tuple(items[:2]), items[-1] if items else b"")


@dataclass(frozen=True, slots=True)
class Summary(FastPickle):
    """What the shared pages take from one block of agents, in catalog order; "entries" are
    the agents with a page of their own (not a definition another's page shows)."""

    agents: int  # every agent of the block (catalog.json has them all)
    tokens: tuple[int, ...]  # each entry's description tokens
    examples: int  # the entries' examples
    formats: Counter[tuple[str, ...]]  # entries by the labels of their formats
    models: Counter[tuple[str, ...]]  # entries by their models
    facets: Counter[str]  # entries by their facets (``facets.facets_json``)
    categories: Counter[str]  # entries by category
    collections: Counter[str | None]  # entries by collection
    entries: bytes  # every agent's catalog.json entry, joined with ","
    rows: bytes  # the entries' rows of the filter's data, joined with ","
    row_ends: tuple[int, ...]  # where each row ends in ``rows``
    stretches: dict[Page, Stretch]  # the items of each page the entries are on, once joined

    @staticmethod
    def of(fragments: Fragments) -> Summary:
        """The block's figures and joined data, no stretch yet (``stretch`` makes them)."""
        shown = _entries(fragments)
        rows = list(_column(fragments, "row", shown))
        ends, at = [], -1
        for row in rows:
            at += 1 + len(row)
            ends.append(at)
        return Summary(
            agents=len(fragments),
            tokens=tuple(_column(fragments, "tokens", shown)),
            examples=sum(_column(fragments, "examples", shown)),
            formats=Counter(_column(fragments, "format_labels", shown)),
            models=Counter(map(tuple, _column(fragments, "models", shown))),
            facets=Counter(_column(fragments, "facets", shown)),
            categories=Counter(_column(fragments, "category", shown)),
            collections=Counter(_column(fragments, "collection", shown)),
            entries=b",".join(fragments.column("entry")),
            rows=b",".join(rows),
            row_ends=tuple(ends),
            stretches={},
        )


def stretch(fragments: Fragments, page: Page, separator: bytes) -> Stretch:
    """The items of ``page`` among the block's entries, joined with ``separator``."""
    return Stretch.of(page_items(fragments, page), separator)


def page_items(fragments: Fragments, page: Page) -> list[bytes]:
    """The items of ``page`` among the block's entries: the overview's, a category's or a collection's."""
    kind, name = page
    shown = _entries(fragments)
    if kind == "overview":
        return list(_column(fragments, "item_top", shown))
    names, items = _column(fragments, kind, shown), _column(fragments, "item_nested", shown)
    return [item for of, item in zip(names, items, strict=True) if of == name]


def _entries(fragments: Fragments) -> list[int] | None:
    """The indexes of the entries' listings (those with formats); None when every listing is
    an entry's (no agent defined for several tools: the columns as they are)."""
    labels = fragments.column("format_labels")
    if () not in labels:
        return None
    return [index for index, formats in enumerate(labels) if formats]


def _column(fragments: Fragments, name: str, shown: list[int] | None) -> Sequence[Any]:
    column = fragments.column(name)
    return column if shown is None else [column[index] for index in shown]


def merged(counters: Iterable[Counter[Any]]) -> Counter[Any]:
    """The counters added up, each key where it first appears (catalog order)."""
    total: Counter[Any] = Counter()
    for counter in counters:
        total.update(counter)
    return total


@dataclass(frozen=True, slots=True)
class Overview:
    """The overview's figures, from the blocks' summaries."""

    total: int
    examples_total: int
    counts: dict[str, Counter[str]]  # by format, collection, category and model, in catalog order
    tokens: tuple[int, ...]  # each entry's description tokens, in catalog order
    by_category: dict[str, int]
    files: int  # agent definitions, one a file (or a mode of a .roomodes)

    @staticmethod
    def of(summaries: Sequence[Summary]) -> Overview:
        """An entry counts once under each of its formats."""
        from catalog.render.facets import model_counts_of

        by_category: Counter[str] = merged(s.categories for s in summaries)
        formats: Counter[str] = Counter()
        for labels, entries in merged(s.formats for s in summaries).items():
            for label in labels:
                formats[label] += entries
        collections: Counter[str] = Counter()
        for collection, entries in merged(s.collections for s in summaries).items():
            collections[collection or "(none)"] += entries
        return Overview(
            total=by_category.total(),
            examples_total=sum(s.examples for s in summaries),
            counts={
                "format": formats,
                "collection": collections,
                "category": by_category,
                "model": model_counts_of(merged(s.models for s in summaries)),
            },
            tokens=tuple(token for s in summaries for token in s.tokens),
            by_category={category: by_category[category] for category in reading_order(by_category)},
            files=sum(s.agents for s in summaries),
        )


def row_parts(summaries: Sequence[Summary], per: int) -> list[bytes]:
    """The entries' rows of the filter's data, ``per`` rows a part, each part's joined with
    ",": a block's ``rows`` as they are when a part holds them all, else slices of them."""
    parts: list[bytes] = []
    current: list[bytes] = []
    room = per
    for summary in summaries:
        ends, done = summary.row_ends, 0
        while done < len(ends):
            take = min(room, len(ends) - done)
            begin, end = (ends[done - 1] + 1 if done else 0), ends[done + take - 1]
            current.append(summary.rows if begin == 0 and end == len(summary.rows) else summary.rows[begin:end])
            done, room = done + take, room - take
            if not room:
                parts.append(b",".join(current))
                current, room = [], per
    if current:
        parts.append(b",".join(current))
    return parts
