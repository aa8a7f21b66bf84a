"""The same frontmatter gets the same verdict whatever YAML library reads it.

Our limits (nesting depth, alias expansion, unsafe tags) are checked by our own code, so
they cannot move with a dependency: libyaml 0.2.5 (PyYAML 6.0.4's wheels) refuses more than
1,000 levels of nesting as a syntax error, older builds nest until the stack runs out, and
the pure-Python loader has no limit at all. Each case is parsed with libyaml's loader and
with the pure-Python one, and must give the same finding codes, lines and metadata; the
expected codes are written down too, so a new PyYAML cannot move them.

Run with PyYAML 6.0.3 and 6.0.4 (libyaml 0.2.5).
"""

from __future__ import annotations

import pytest
import yaml

import catalog.parse.yaml_limits
from catalog.parse.document import parse_agent_text
from catalog.parse.yaml_limits import MAX_YAML_DEPTH
from tests.hostile_fixtures import agent, alias_bomb

KNOWN = frozenset({"name", "description", "tools", "model", "color"})

LOADERS = {"pure-python": yaml.SafeLoader}
if yaml.__with_libyaml__:
    LOADERS["libyaml"] = yaml.CSafeLoader


def deep_block(levels: int) -> str:
    return "v:\n" + "".join("  " * i + "a:\n" for i in range(1, levels)) + "  " * levels + "1"


CASES = {
    # Past libyaml 0.2.5's own limit of 1,000 levels: it would call these syntax errors.
    "flow-sequence-10000": ("v: " + "[" * 10_000 + "]" * 10_000, ["AC114"]),
    "flow-mapping-10000": ("v: " + "{a: " * 10_000 + "1" + "}" * 10_000, ["AC114"]),
    "anchored-5000": ("v: " + "".join(f"&a{i} [" for i in range(5_000)) + "]" * 5_000, ["AC114"]),
    "mixed-5000": ("v: " + "[{a: " * 5_000 + "1" + "}]" * 5_000, ["AC114"]),
    "block-1000": (deep_block(1000), ["AC114"]),
    "block-1500": (deep_block(1500), ["AC114"]),
    "compact-sequences-3000": ("v:\n" + "- " * 3000 + "x", ["AC114"]),
    # Below it, over ours.
    "flow-sequence-500": ("v: " + "[" * 500 + "]" * 500, ["AC114"]),
    "block-100": (deep_block(100), ["AC114"]),
    # At our limit, and just past it.
    "flow-at-limit": ("v: " + "[" * (MAX_YAML_DEPTH - 1) + "]" * (MAX_YAML_DEPTH - 1), []),
    "flow-past-limit": ("v: " + "[" * (MAX_YAML_DEPTH + 1) + "]" * (MAX_YAML_DEPTH + 1), ["AC114"]),
    # Aliases: expansion is counted by us, not by the library.
    "alias-bomb": (alias_bomb(), ["AC114"]),
    "alias-heavy-but-small": (alias_bomb(2), []),
    # 6,561 values from 250 bytes: under the count of values, over what aliases may repeat.
    "alias-repeats-past-its-text": (alias_bomb(3), ["AC114"]),
    "recursive-alias": ("loop: &r [*r]", ["AC114"]),
    # Deep nesting in frontmatter that is invalid YAML anyway: read leniently, field by field.
    "deep-in-lenient": ("user: hi: there\ntools: " + "[" * 10_000 + "]" * 10_000, ["AC115"]),
    # Brackets in text are not nesting.
    "brackets-in-prose": ("v: '" + "]" * 70 + "' # " + "[" * 2000, []),
    "many-empty-pairs": ("v: [" + "[], " * 5000 + "[]]", []),
}


@pytest.mark.parametrize("loader", sorted(LOADERS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_verdict_does_not_depend_on_the_yaml_library(case: str, loader: str, monkeypatch: pytest.MonkeyPatch) -> None:
    frontmatter, expected = CASES[case]
    text = agent(f"name: deep\ndescription: x\n{frontmatter}")
    monkeypatch.setattr(catalog.parse.yaml_limits, "_Loader", LOADERS[loader])
    raw = parse_agent_text(text, "x.md", KNOWN)
    assert sorted({f.code for f in raw.findings}) == expected, raw.findings
    if not expected:
        assert raw.metadata["name"] == "deep"
    if loader != "pure-python":
        monkeypatch.setattr(catalog.parse.yaml_limits, "_Loader", yaml.SafeLoader)
        pure = parse_agent_text(text, "x.md", KNOWN)
        # The library's own wording of a syntax error may differ; where and what may not.
        assert [(f.code, f.line, f.col) for f in pure.findings] == [(f.code, f.line, f.col) for f in raw.findings]
        assert pure.metadata == raw.metadata


def test_the_first_value_too_deep_is_the_one_reported() -> None:
    raw = parse_agent_text(agent(f"name: deep\ndescription: x\n{deep_block(1000)}"), "x.md", KNOWN)
    (finding,) = raw.findings
    # Line 4 holds "v:", line 5 the first "a:" (depth 2); depth 65 is first reached at line 4 + 64.
    assert (finding.code, finding.line) == ("AC114", 4 + MAX_YAML_DEPTH)
    assert f"more than {MAX_YAML_DEPTH} levels" in finding.message


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_swapping_the_library_swaps_the_loader_that_parses(loader: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Without this the cases above could all run on libyaml: a loader class made at import
    # keeps the base it was made with whatever the test patches.
    monkeypatch.setattr(catalog.parse.yaml_limits, "_Loader", LOADERS[loader])
    made = catalog.parse.yaml_limits._new_loader("a: 1")
    assert isinstance(made, LOADERS[loader])
    assert made.get_single_data() == {"a": 1}
