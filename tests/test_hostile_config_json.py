"""opencode.json is JSON with comments: taking the comments out never changes a string (a URL's
"//", a "/*" in a prompt, escaped quotes) and never raises, whatever the text."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from catalog.layout import RenderOptions
from catalog.model.dialects import DIALECTS
from catalog.parse.config_agents import config_agents, json_value
from catalog.pipeline import generate_docs, scan_catalog
from catalog.types import Catalog, Format

OPENCODE = DIALECTS[Format.OPENCODE]
tricky = st.text(alphabet=st.sampled_from(["/", "*", '"', "\\", ",", "}", "]", "\n", "a", " ", "{", ":"]), max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.one_of(tricky, st.text(max_size=60)), st.booleans())
def test_comments_out_strings_kept(description: str, indent: bool) -> None:
    assume("}}}" not in description)  # the comments are put in by replacing text: never a string's
    config = {"agent": {"a": {"description": description + "x", "prompt": "// not a comment /* nor this */"}}}
    text = json.dumps(config, indent=2 if indent else None)
    commented = text.replace('"agent"', '// agents\n  "agent"', 1).replace("}}}", "}, /* end */}}", 1)
    for variant in (text, commented):
        [(name, found, _)] = config_agents(variant, OPENCODE)
        assert (name, found["description"]) == ("a", json_value(description + "x"))  # NUL and surrogates shown
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


def _scan_and_generate(tmp_path: Path, rel: str, text: str) -> tuple[Catalog, Path]:
    src = tmp_path / "src"
    (src / rel).parent.mkdir(parents=True, exist_ok=True)
    (src / rel).write_text(text, encoding="utf-8", errors="surrogatepass")
    catalog = scan_catalog([str(src)], jobs=1)
    generate_docs([str(src)], tmp_path / "docs", RenderOptions(), cache=False)
    return catalog, tmp_path / "docs"


# What json.loads gives from text no file should: lone surrogates (no page can be written with
# one), NUL, nesting deeper than any agent's settings; in opencode.json and in a Kiro agent.
HOSTILE_VALUES = {
    "surrogate": '"d\\udc80e"',
    "nul": '"d\\u0000e"',
    "deep": "[" * 900 + '"x"' + "]" * 900,
    "infinity": "Infinity",
}


@pytest.mark.parametrize("value", HOSTILE_VALUES.values(), ids=HOSTILE_VALUES.keys())
@pytest.mark.parametrize(
    "rel, template",
    [
        ("opencode.json", '{"agent": {"a": {"description": "d %s", "prompt": "p", "x": %s, "y": %s}}}'),
        (".kiro/agents/a.json", '{"name": "a", "description": "d %s", "prompt": "p", "x": %s, "y": %s}'),
    ],
)
def test_hostile_json_values_are_findings_or_text(tmp_path: Path, rel: str, template: str, value: str) -> None:
    inline = value.strip('"') if value.startswith('"') else ""
    catalog, docs = _scan_and_generate(tmp_path, rel, template % (inline, value, "{" + f'"k": {value}' + "}"))
    assert not [f for f in catalog.findings if f.code == "AC109"], catalog.findings
    for path in docs.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8")  # every page is UTF-8
            assert "\0" not in text, path


def test_an_opencode_json_with_a_byte_order_mark_keeps_its_agents(tmp_path: Path) -> None:
    catalog, _ = _scan_and_generate(
        tmp_path, "opencode.json", '\ufeff{"agent": {"a": {"description": "d", "prompt": "p"}}}'
    )
    assert [a.name for a in catalog.agents] == ["a"]
    assert [f.code for f in catalog.findings] == ["AC104"]  # as any agent file with a BOM


def test_an_opencode_json_that_does_not_load_is_a_finding(tmp_path: Path) -> None:
    catalog, _ = _scan_and_generate(tmp_path, "opencode.json", '{\n  "agent": {\n    "a": {"description": "d"\n}')
    assert [(f.code, f.path.rsplit("/", 1)[-1], f.line) for f in catalog.findings] == [("AC108", "opencode.json", 4)]


def test_many_agents_of_one_file_are_read_in_linear_time(tmp_path: Path) -> None:
    """Each agent of a file of several was read by parsing the whole file again: 3,000 agents
    of a 1 MiB opencode.json took six minutes (1,500: about a minute and a half)."""
    agents = {f"a{i}": {"description": "x" * 20, "prompt": "p" * 300} for i in range(1500)}
    src = tmp_path / "src"
    src.mkdir()
    (src / "opencode.json").write_text(json.dumps({"agent": agents}), encoding="utf-8")
    modes = [{"slug": f"m{i}", "name": f"m{i}", "roleDefinition": "r" * 300} for i in range(600)]
    (src / "b").mkdir()
    (src / "b" / ".roomodes").write_text(json.dumps({"customModes": modes}), encoding="utf-8")
    started = time.perf_counter()
    catalog = scan_catalog([str(src)], jobs=1)
    assert len(catalog.agents) == 2100
    assert time.perf_counter() - started < 20


@pytest.mark.parametrize("escape", ["\\u0000", "\\udc80", "\\n"])
@pytest.mark.parametrize(
    "rel, template",
    [
        ("opencode.json", '{"agent": {"a": {"description": "d", "prompt": "{file:./p%s.md}"}}}'),
        (".kiro/agents/a.json", '{"name": "a", "description": "d", "prompt": "file://./p%s.md"}'),
    ],
)
def test_a_prompt_path_of_any_characters_is_a_finding(tmp_path: Path, rel: str, template: str, escape: str) -> None:
    # A NUL in a Kiro prompt path was a ValueError traceback in discovery (realpath refuses it).
    catalog, _ = _scan_and_generate(tmp_path, rel, template % escape)
    assert [a.name for a in catalog.agents] == ["a"]
    assert [f.code for f in catalog.findings] == ["AC119"]


def test_an_opencode_json_over_the_size_limit_says_so(tmp_path: Path) -> None:
    big = json.dumps({"agent": {"a": {"description": "d", "prompt": "p" * (3 * 1024 * 1024)}}})
    catalog, _ = _scan_and_generate(tmp_path, "opencode.json", big)
    assert [(f.code, "limit" in f.message) for f in catalog.findings] == [("AC102", True)]
