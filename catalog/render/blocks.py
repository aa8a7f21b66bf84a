"""The shared pages' share of a block of agents (``Summary``): the figures they count of it,
and its items joined as each page joins them (``Stretch``), made once from the block's
fragments (``Fragments``: each agent's ``Listing``) and kept until one of its agents changes.

So a shared page of thousands of agents is its head, the blocks' stretches and its tail: an
edit of one agent makes its block's summary again, and the rest is a concatenation of bytes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from catalog.frozen import frozen
from catalog.model.names import reading_order
from catalog.types import FastPickle


@frozen
class Listing(FastPickle):
    """One agent's fragments of the shared pages and what their figures count of it: made with
    its page, kept between runs."""

    slug: str
    category: str
    collection: str
    # The formats of its catalog entry; none for a definition another's page shows, which
    # the shared pages leave out (but catalog.json, one entry per file, keeps).
    format_labels: tuple[str, ...]
    models: tuple[str, ...]
    examples: int
    tokens: int  # estimated tokens of its description
    # Its fragments, as UTF-8 (``SharedPages``):
    item_top: bytes  # its entry in the overview's list
    item_nested: bytes  # its entry in a category's or collection's list (one folder down)
    entry: bytes  # its entry in catalog.json (compact JSON)
    row: bytes  # its row in the filter's data (``facets.data_row``)
    facets: str  # its facets and their labels (``facets.facets_json``)


_FIELDS = Listing.__slots__
# The columns of a few values that thousands of agents share (``_shared``).
_REPEATED = frozenset({"format_labels", "models", "facets"})


@frozen
class Fragments(FastPickle):
    """Every agent's listing, in catalog order, kept as one column per field of ``Listing``:
    the fragments of thousands of agents load and save as a few long tuples, not as
    thousands of objects, and an edit replaces one item of each."""

    columns: tuple[tuple[Any, ...], ...]

    @staticmethod
    def of(listings: Sequence[Listing]) -> Fragments:
        columns = {name: tuple(getattr(m, name) for m in listings) for name in _FIELDS}
        return Fragments(tuple(_shared(c) if name in _REPEATED else c for name, c in columns.items()))

    def __len__(self) -> int:
        return len(self.columns[0])

    def column(self, name: str) -> tuple[Any, ...]:
        return self.columns[_FIELDS.index(name)]

    def listing(self, index: int) -> Listing:
        return Listing(*(column[index] for column in self.columns))

    def replaced(self, changes: dict[int, Listing]) -> Fragments:
        """These fragments with some agents' listings replaced."""
        columns: list[tuple[Any, ...]] = []
        for column in self.columns:
            changed = list(column)
            name = _FIELDS[len(columns)]
            for index, listing in changes.items():
                value = getattr(listing, name)
                if name in _REPEATED and value in column:
                    value = column[column.index(value)]  # the one object of this value (``_shared``)
                changed[index] = value
            columns.append(tuple(changed))
        return Fragments(tuple(columns))


def _shared(column: tuple[Any, ...]) -> tuple[Any, ...]:
    """The column with one object per value (an agent's facets, or its models): thousands of
    agents have a few, and pickling writes a reference for each agent but the first of each."""
    one: dict[Any, Any] = {}
    return tuple(one.setdefault(value, value) for value in column)


# What a stretch is of: ("overview", ""), ("category", name) or ("collection", name).
Page = tuple[str, str]


class Text(Protocol):
    """Bytes a summary holds: made now (``Held``), or kept by a cache and read when asked for."""

    @property
    def value(self) -> bytes: ...


@frozen
class Held(FastPickle):
    value: bytes


@frozen
class Stretch(FastPickle):
    """One page's items from one block, joined with that page's separator."""

    separator: bytes
    text: Text
    count: int
    first: tuple[bytes, ...]  # its first two items, and its last (what ``joined`` checks)
    last: bytes

    @staticmethod
    def of(items: Sequence[bytes], separator: bytes) -> Stretch:
        joined = Held(separator.join(items))
        return Stretch(separator, joined, len(items), tuple(items[:2]), items[-1] if items else b"")

    def same(self, other: Stretch | None) -> bool:
        """Whether ``other`` (the last run's) joins the same items the same way."""
        return (
            other is not None
            and (self.separator, self.count) == (other.separator, other.count)
            and (self.text is other.text or self.text.value == other.text.value)
        )


@frozen
class Summary(FastPickle):
    """What the shared pages take from one block of agents, in catalog order; "entries" are
    the agents with a page of their own (not a definition another's page shows)."""

    agents: int  # every agent of the block (catalog.json has them all)
    tokens: tuple[int, ...]  # each entry's description tokens
    examples: int  # the entries' examples
    formats: Counter[tuple[str, ...]]  # entries by the labels of their formats
    models: Counter[tuple[str, ...]]  # entries by their models
    facets: Counter[tuple[str, str, str]]  # entries by facet name, key and label (``facets.facet_counts``)
    categories: Counter[str]  # entries by category
    collections: Counter[str | None]  # entries by collection
    entries: Text  # every agent's catalog.json entry, joined with ","
    rows: Text  # the entries' rows of the filter's data, joined with ","
    row_ends: tuple[int, ...]  # where each row ends in ``rows``
    stretches: dict[Page, Stretch]  # the items of each page the entries are on, once joined

    @staticmethod
    def of(fragments: Fragments) -> Summary:
        """The block's figures and joined data, no stretch yet (``stretch`` makes them)."""
        from catalog.render.facets import facet_counts

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
            facets=facet_counts(_column(fragments, "facets", shown)),
            categories=Counter(_column(fragments, "category", shown)),
            collections=Counter(_column(fragments, "collection", shown)),
            entries=Held(b",".join(fragments.column("entry"))),
            rows=Held(b",".join(rows)),
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


@frozen
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
        rows = summary.rows.value if ends else b""
        while done < len(ends):
            take = min(room, len(ends) - done)
            begin, end = (ends[done - 1] + 1 if done else 0), ends[done + take - 1]
            current.append(rows if begin == 0 and end == len(rows) else rows[begin:end])
            done, room = done + take, room - take
            if not room:
                parts.append(b",".join(current))
                current, room = [], per
    if current:
        parts.append(b",".join(current))
    return parts
