"""opencode.json is JSON with comments: taking the comments out never changes a string (a URL's
"//", a "/*" in a prompt, escaped quotes) and never raises, whatever the text."""

from __future__ import annotations

import contextlib
import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.model.dialects import DIALECTS
from catalog.parse.config_agents import config_agents
from catalog.types import Format

OPENCODE = DIALECTS[Format.OPENCODE]
tricky = st.text(alphabet=st.sampled_from(["/", "*", '"', "\\", ",", "}", "]", "\n", "a", " ", "{", ":"]), max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.one_of(tricky, st.text(max_size=60)), st.booleans())
def test_comments_out_strings_kept(description: str, indent: bool) -> None:
    config = {"agent": {"a": {"description": description + "x", "prompt": "// not a comment /* nor this */"}}}
    text = json.dumps(config, indent=2 if indent else None)
    commented = text.replace('"agent"', '// agents\n  "agent"', 1).replace("}}}", "}, /* end */}}", 1)
    for variant in (text, commented):
        [(name, found, _)] = config_agents(variant, OPENCODE)
        assert (name, found["description"]) == ("a", description + "x")
        assert found["prompt"] == "// not a comment /* nor this */"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_loads_or_is_a_value_error(text: str) -> None:
    with contextlib.suppress(ValueError):
        config_agents(text, OPENCODE)


@pytest.mark.parametrize(
    "text",
    [
        "/* a" * 200_000,  # comments never closed: each tried to the end was quadratic (hours at 2 MiB)
        '"\\' * 300_000,  # strings never closed, full of escapes
        '{"agent": {' + ", ".join(f'"a{i}": {{"description": "x"}}' for i in range(40_000)) + "}}",
    ],
)
def test_a_hostile_config_reads_in_linear_time(text: str) -> None:
    started = time.perf_counter()
    with contextlib.suppress(ValueError):
        config_agents(text, OPENCODE)
    assert time.perf_counter() - started < 5
