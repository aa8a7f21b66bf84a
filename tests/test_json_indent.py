"""``jsonout.dumps`` writes indented JSON without json's pure-Python encoder: the same bytes as
``json.dumps(data, ensure_ascii=False, indent=2)`` whatever the data, the same error when
json has one (records carry a frontmatter's ``extra`` as written: any YAML value)."""

from __future__ import annotations

import datetime
import json
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.render.jsonout import agent_to_dict, dumps
from catalog.types import Catalog


class Text(str):
    """A str subclass: json writes it as a string."""


class Number(int):
    """An int subclass: json writes it with int's repr."""


_KEYS = st.one_of(
    st.text(), st.integers(), st.floats(allow_nan=True), st.booleans(), st.none(), st.builds(Text, st.text())
)
_LEAVES = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec=None, categories=None)),  # lone surrogates too
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.builds(Text, st.text()),
    st.builds(Number, st.integers()),
    st.dates(),  # json cannot: the same TypeError
    st.just(frozenset()),
)
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.lists(inner, max_size=5).map(tuple),
        st.dictionaries(_KEYS, inner, max_size=5),
    ),
    max_leaves=30,
)


def _json(data: Any) -> str | type[BaseException]:
    try:
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    except Exception as exc:
        return type(exc)


def _ours(data: Any) -> str | type[BaseException]:
    try:
        return dumps(data)
    except Exception as exc:
        return type(exc)


@settings(max_examples=600, deadline=None)
@given(_VALUES)
def test_indented_json_is_json_dumps_byte_for_byte(data: Any) -> None:
    assert _ours(data) == _json(data)


def test_circular_and_deep_data_fail_or_pass_as_json_does() -> None:
    circular: list[Any] = []
    circular.append(circular)
    deep: Any = "leaf"
    for _ in range(5000):
        deep = [deep]
    for data in (circular, {"a": circular}, deep, [math.nan, math.inf, -math.inf, datetime.date(2024, 1, 1)]):
        assert _ours(data) == _json(data)


def test_every_corpus_record_is_json_dumps_byte_for_byte(corpus_catalog: Catalog) -> None:
    for agent in corpus_catalog.agents:
        record = agent_to_dict(agent)
        assert dumps(record) == json.dumps(record, ensure_ascii=False, indent=2) + "\n", agent.path
