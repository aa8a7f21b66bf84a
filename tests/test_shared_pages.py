"""catalog.render.shared_pages: a shared page is a head, the agents' fragments joined, and a tail.

What the splices of shared pages into their old files did (tests/test_splice.py, removed with
them): a shared page made from kept fragments is byte for byte the page rendered from every
agent, whatever the items and whatever the template does with them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.layout import RenderOptions
from catalog.pipeline import scan_catalog
from catalog.render.pages import render_agents, render_catalog, render_context
from catalog.render.shared_pages import Fragments, joined, shared_pages

# What an item can be: any text but the placeholders' control characters.
ITEM = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x02\x03"), max_size=12)


def _render_with(source: str) -> object:
    from jinja2 import Environment

    template = Environment(keep_trailing_newline=True).from_string(source)
    return lambda items: template.render(items=items, count=len(items))


@settings(deadline=None)  # the first example imports Jinja2
@given(st.lists(ITEM, max_size=8))
def test_a_plain_loop_is_joined_as_it_would_render(items: list[str]) -> None:
    render = _render_with("<p>{{ count }}</p>\n<ul>{% for item in items %}\n<li>{{ item }}</li>{% endfor %}\n</ul>\n")
    assert b"".join(joined(render, [i.encode() for i in items])) == render(items).encode()  # type: ignore[operator]


@settings(deadline=None)
@given(st.lists(ITEM, max_size=6))
def test_a_template_that_numbers_or_counts_its_items_is_rendered_whole(items: list[str]) -> None:
    """A user's template may print ``loop.index`` or ``items | length``: no constant separator
    then, and the page is rendered with the real items."""
    for source in (
        "{% for item in items %}{{ loop.index }}. {{ item }}\n{% endfor %}",
        "{{ items | length }} agents:{% for item in items %} {{ item }}{% endfor %}",
        "{% for item in items %}{{ item }}{% if not loop.last %}, {% endif %}{% endfor %}",
        "{{ items | join(' | ') }} and again {{ items | join(' | ') }}",
    ):
        render = _render_with(source)
        assert b"".join(joined(render, [i.encode() for i in items])) == render(items).encode(), source  # type: ignore[operator]


@settings(deadline=None)
@given(st.lists(ITEM, min_size=1, max_size=8), st.lists(ITEM, min_size=1, max_size=8))
def test_a_cut_kept_from_the_last_run_joins_as_the_page_would_render(before: list[str], after: list[str]) -> None:
    """The cut of a template (head, separator, tail) is kept by all the page renders with but
    its items (here the count, as the shared pages pass it): the next run's page is the same,
    and renders nothing when the sample of items that confirmed the cut (the last, then the
    first two) is the same too."""
    import functools

    from jinja2 import Environment

    from catalog.render.shared_pages import Cuts

    template = Environment().from_string(
        "<p>{{ count }}</p>\n<ul>{% for item in items %}\n<li>{{ item }}</li>{% endfor %}"
    )
    renders: list[Sequence[str]] = []

    def page(items: Sequence[str], count: int) -> str:
        renders.append(items)
        return template.render(items=items, count=count)

    first = Cuts({})
    for items, cuts in ((before, first), (after, Cuts(first.now))):
        renders.clear()
        count = len(items)
        pieces = joined(functools.partial(page, count=count), [i.encode() for i in items], cuts, ("page", count))
        assert b"".join(pieces) == template.render(items=items, count=len(items)).encode()
        assert cuts.now.keys() == {("page", len(items))}
    sample = lambda items: [items[-1], *items[: min(2, len(items) - 1)]]  # noqa: E731
    assert (renders == []) == (len(before) == len(after) and sample(before) == sample(after))


@pytest.mark.parametrize(
    "source",
    [
        "{% for item in items %}<li>{{ item | truncate(9) }}</li>{% endfor %}",
        "{% for item in items %}<li>{{ item | replace('agent', 'Agent') }}</li>{% endfor %}",
        "{% for item in items %}<li>{{ item | upper }}</li>{% endfor %}",
    ],
)
def test_a_template_that_changes_its_items_is_rendered_whole(source: str) -> None:
    """A placeholder passes a per-item filter unchanged; real items do not: the check made with
    real items (the last, then the first two) sends such a template to a whole rendering."""
    items = [f"<a>agent number {i}</a>" for i in range(5)]
    render = _render_with(source)
    pieces = joined(render, [i.encode() for i in items])  # type: ignore[arg-type]
    assert len(pieces) == 1
    assert pieces[0] == render(items).encode()  # type: ignore[operator]


def test_shared_pages_from_kept_fragments_are_the_pages_rendered_whole(tmp_path: Path) -> None:
    """The fragments of some agents replaced (as after an edit) give the pages a fresh render
    gives: every shared page, byte for byte."""
    folder = Path(__file__).parent.parent / "agents"
    catalog = scan_catalog([str(folder)])
    context = render_context(catalog, RenderOptions(), None)
    _, listings = render_agents(context, catalog.agents)
    order = [a.display_path for a in catalog.agents]
    fragments = Fragments.of([listings[path] for path in order])
    assert len(fragments) == len(order)
    # Replaced by themselves, rebuilt from single listings: the same fragments.
    again = fragments.replaced({3: fragments.listing(3), 0: listings[order[0]]})
    assert again == fragments
    pages = {rel: data.decode() for rel, data in shared_pages(context, catalog.findings, again).items()}
    whole = render_catalog(catalog, RenderOptions())
    assert {rel: whole[rel] for rel in pages} == pages


def test_a_repeated_value_is_one_object_in_a_column() -> None:
    """Thousands of agents share a few facet and model values: each is kept once, so that the
    fragments pickle small, also after an edit replaced one agent's."""
    import pickle

    catalog = scan_catalog([str(Path(__file__).parent.parent / "agents")])
    context = render_context(catalog, RenderOptions(), None)
    _, listings = render_agents(context, catalog.agents)
    # Equal values, each its own object, as listings read back one by one would be.
    many: Sequence = [pickle.loads(pickle.dumps(listings[a.display_path])) for a in catalog.agents * 50]
    fragments = Fragments.of(many)
    models = fragments.column("models")
    assert len({id(value) for value in models}) == len(set(models))
    edited = fragments.replaced({7: many[7].evolve(models=tuple(many[8].models))})
    assert len({id(value) for value in edited.column("models")}) == len(set(edited.column("models")))
    assert len(pickle.dumps(edited.column("facets"))) < len(pickle.dumps(tuple(m.facets for m in many))) / 5


@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 2)), max_size=30), st.data())
def test_counting_by_identity_counts_as_counter_does(values: list[tuple[str, int]], data: st.DataObject) -> None:
    """The shared pages' figures count tuples by object first (``facets.counted``): equal
    tuples that are distinct objects, as from two blocks of the cache, still count as one
    value, in the order Counter gives."""
    from catalog.render.facets import counted

    # Some items the same object as an earlier equal one, some a new tuple of the same value.
    mixed = [data.draw(st.sampled_from([v, tuple(list(v)), *[w for w in values if w == v]])) for v in values]
    assert list(counted(mixed).items()) == list(Counter(mixed).items())


@settings(max_examples=300, deadline=None)
@given(
    body=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200),
    title=st.text(max_size=60),
    description=st.text(max_size=200),
)
def test_with_meta_gives_what_frontmatter_dumps_gives(body: str, title: str, description: str) -> None:
    """A shared page's front matter is python-frontmatter's, written around the body in one copy
    (frontmatter.dumps formats and strips a 7 MB overview three times): the same bytes."""
    import frontmatter

    from catalog.layout import GENERATED_KEY
    from catalog.render import textsafe
    from catalog.render.shared_pages import with_meta

    meta = {
        "title": textsafe.escape_yaml_meta(title),
        "description": textsafe.escape_yaml_meta(description, 160),
        GENERATED_KEY: True,
    }
    expected = str(frontmatter.dumps(frontmatter.Post(body, None, **meta), sort_keys=True, allow_unicode=True)) + "\n"
    assert with_meta(body, title, description) == expected


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6), max_size=8),
    title=st.text(max_size=20),
)
def test_with_meta_of_a_page_in_pieces_is_with_meta_of_the_page(pieces: list[str], title: str) -> None:
    """``joined`` gives a long page in pieces, which ``with_meta`` copies once: the same page,
    however the text is cut (empty pieces, a last line break in a piece of its own, spaces)."""
    from catalog.render.shared_pages import with_meta

    assert with_meta(pieces, title, "d") == with_meta("".join(pieces), title, "d")


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6), max_size=8),
    title=st.text(max_size=20),
)
def test_a_shared_page_in_utf8_pieces_is_with_meta_of_the_page_encoded(pieces: list[str], title: str) -> None:
    """The shared pages are joined from fragments kept as UTF-8: the bytes of the page the text
    gives, however it is cut and whatever its last characters (a space that is not ASCII)."""
    from catalog.render.shared_pages import with_meta, with_meta_bytes

    assert with_meta_bytes([p.encode() for p in pieces], title, "d") == with_meta("".join(pieces), title, "d").encode()


def test_the_filter_data_is_a_head_and_parts_and_an_edit_rewrites_one_part(monkeypatch: pytest.MonkeyPatch) -> None:
    """The filter's data is ``assets/catalog-data.js`` and parts of ``DATA_PART`` rows: read in
    order they hold every entry's row in catalog order, every page with the filter loads them
    all in that order, and an edit of one agent's description rewrites its part alone."""
    import re

    from catalog.render import facets
    from tests.catalog_data import catalog_data

    monkeypatch.setattr(facets, "DATA_PART", 4)
    catalog = scan_catalog([str(Path(__file__).parent.parent / "agents")])
    context = render_context(catalog, RenderOptions(), None)
    _, listings = render_agents(context, catalog.agents)
    fragments = Fragments.of([listings[a.display_path] for a in catalog.agents])
    pages = {rel: data.decode() for rel, data in shared_pages(context, catalog.findings, fragments).items()}
    entries = [a.slug for a in catalog.agents if not a.entry]
    parts = [f"assets/catalog-data-{n}.js" for n in range(1, -(-len(entries) // 4) + 1)]
    assert len(parts) >= 3 and sorted(rel for rel in pages if rel.startswith("assets/catalog-data")) == sorted(
        ["assets/catalog-data.js", *parts]
    )
    assert [row[0] for row in catalog_data(pages.__getitem__)["agents"]] == entries
    with_filter = [rel for rel in pages if rel == "index.md" or rel.startswith(("categories/", "collections/"))]
    for rel in with_filter:
        if 'id="ac-filter"' in pages[rel]:
            scripts = re.findall(r'<script src="([^"]+)"></script>', pages[rel])
            assert [src.rsplit("/", 1)[-1] for src in scripts] == ["catalog-data.js", *(p[7:] for p in parts)], rel
    index = 5
    other = "Something else entirely: it plans database migrations."
    edited = catalog.agents[index].evolve(description=other, summary=other)
    _, again = render_agents(context, [edited])
    after = {
        rel: data.decode()
        for rel, data in shared_pages(
            context, catalog.findings, fragments.replaced({index: again[edited.display_path]})
        ).items()
    }
    changed = {rel for rel in pages if rel.startswith("assets/catalog-data") and after[rel] != pages[rel]}
    assert changed == {parts[entries.index(edited.slug) // 4]}
