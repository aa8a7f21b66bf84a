"""``mkdocs_site.html.ids`` finds a finished page's id attributes as the expression MkDocs'
anchors were taken with did (``\\sid="([^"]*)"``), stray quotes and odd spaces included."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.mkdocs_site.html import ids

_IDS = re.compile(r'\sid="([^"]*)"')

# Pieces that make and unmake id attributes: quotes, every kind of space, look-alikes.
_PIECES = st.sampled_from(
    [
        ' id="',
        'id="',
        '"',
        " ",
        "\n",
        "\t",
        "\x0b",
        "\x1c",
        "\x85",
        "\xa0",
        "\u2028",
        "\u3000",
        "\u200b",
        "i",
        "d",
        "=",
        "x",
        "<h2",
        ">",
        "</h2>",
        ' data-id="',
        '\\"',
        "&quot;",
        "ü",
        "\U0001f600",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_ids_are_the_expression_s_matches(content: str) -> None:
    assert ids(content) == _IDS.findall(content)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_ids_of_any_text(content: str) -> None:
    assert ids(content) == _IDS.findall(content)


def test_a_space_is_what_the_expression_takes_for_one() -> None:
    every = "".join(map(chr, range(0x110000)))
    assert [c for c in every if c.isspace()] == re.findall(r"\s", every)
    for space in re.findall(r"\s", every):
        assert ids(f'<p{space}id="a">') == ["a"]
