"""Issue 5: hostile YAML frontmatter is reported, fast, and never executed.

Alias bombs (billion laughs), ``!!python/...`` tags, duplicate keys, nesting 10,000 deep (flow
sequences, flow mappings, block mappings), frontmatter that is a list or a single value; the
same inside frontmatter that only loads leniently. Each is a finding with its file and line;
the other agents keep their pages.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.parse.document import parse_agent_text
from catalog.pipeline import scan_catalog
from tests.hostile_fixtures import agent, alias_bomb, write, write_yaml_catalog
from tests.hostile_support import catalog_slugs, run_cli, text_of

# A guard against hangs, not a speed target (benchmarks/bench_hostile.py measures those):
# the machine CI runs on is shared, so the bound is generous.
HANG = 15

KNOWN = frozenset({"name", "description", "tools", "model", "color"})


@pytest.fixture
def marker() -> Iterator[Path]:
    """Where a !!python tag that ran would leave a file."""
    path = Path("/tmp") / f"agent-catalog-pwned-{uuid.uuid4().hex}"
    yield path
    path.unlink(missing_ok=True)


def codes(text: str, frontmatter: str) -> list[tuple[str, int]]:
    raw = parse_agent_text(agent(frontmatter), "x.md", KNOWN)
    return [(f.code, f.line) for f in raw.findings]


def test_alias_bomb_is_reported_in_under_a_second() -> None:
    start = time.perf_counter()
    found = codes("x", "name: bomb\ndescription: x\n" + alias_bomb(9))
    assert time.perf_counter() - start < HANG
    assert [code for code, _ in found] == ["AC114"]
    assert found[0][1] in range(4, 15), "the finding points into the frontmatter"


def test_a_billion_laughs_scan_of_a_whole_file_takes_under_a_second(tmp_path: Path) -> None:
    write(tmp_path / "agents" / "bomb.md", agent("name: bomb\ndescription: x\n" + alias_bomb(12)))
    start = time.perf_counter()
    catalog = scan_catalog([str(tmp_path / "agents")])
    assert time.perf_counter() - start < HANG
    assert [f.code for f in catalog.findings] == ["AC114"]


@pytest.mark.parametrize(
    "tag",
    [
        '!!python/object/apply:os.system ["touch {marker}"]',
        '!!python/object/new:subprocess.Popen [["touch", "{marker}"]]',
        "!!python/name:os.system ''",
        "!!python/module:os ''",
        '!<tag:yaml.org,2002:python/object/apply:os.system> ["touch {marker}"]',
    ],
)
def test_python_tags_are_reported_never_executed(tmp_path: Path, marker: Path, tag: str) -> None:
    write(tmp_path / "agents" / "tagged.md", agent(f"name: tagged\ndescription: {tag.format(marker=marker)}"))
    write(tmp_path / "agents" / "fine.md", agent("name: fine\ndescription: fine"))
    result = run_cli(["build", "agents", "--site-dir", "site"], tmp_path)
    assert result.returncode == 1, text_of(result)
    assert "agents/tagged.md:3:" in text_of(result) and "AC114" in text_of(result)
    assert not marker.exists(), "a !!python tag ran"
    assert "fine.md" in catalog_slugs(tmp_path / "site") or "agents/fine.md" in catalog_slugs(tmp_path / "site")


def test_duplicate_keys_are_reported_and_the_last_one_counts() -> None:
    raw = parse_agent_text(agent("name: first\ndescription: a\nname: second\ncolor: red\ncolor: blue"), "x.md", KNOWN)
    assert [(f.code, f.line) for f in raw.findings] == [("AC117", 4), ("AC117", 6)]
    assert "'name'" in raw.findings[0].message and "'color'" in raw.findings[1].message
    assert raw.metadata["name"] == "second"


@pytest.mark.parametrize(
    "value",
    [
        "[" * 10_000 + "]" * 10_000,
        "{a: " * 10_000 + "1" + "}" * 10_000,
        "".join(f"&a{i} [" for i in range(5_000)) + "]" * 5_000,
        "[{a: " * 5_000 + "1" + "}]" * 5_000,
    ],
    ids=["sequence", "mapping", "anchored", "mixed"],
)
def test_deep_nesting_is_reported_without_recursion_error(value: str) -> None:
    start = time.perf_counter()
    found = codes("x", f"name: deep\ndescription: x\nv: {value}")
    assert time.perf_counter() - start < HANG
    assert [code for code, _ in found] == ["AC114"]


def test_deep_block_nesting_is_reported() -> None:
    block = "".join("  " * i + "a:\n" for i in range(1, 1000)) + "  " * 1000 + "1"
    found = codes("x", f"name: deep\ndescription: x\nv:\n{block}")
    assert [code for code, _ in found] == ["AC114"]
    assert found[0][1] == 4 + 64, "the finding points at the first value too deep (a key at depth 65)"


@pytest.mark.parametrize(
    ("frontmatter", "what"),
    [("- a\n- b", "a list"), ("just a string", "a single value"), ("42", "a single value"), ("[1, 2]", "a list")],
)
def test_frontmatter_that_is_not_a_mapping(frontmatter: str, what: str) -> None:
    raw = parse_agent_text(agent(frontmatter), "x.md", KNOWN)
    assert [(f.code, f.line) for f in raw.findings] == [("AC116", 2)]
    assert what in raw.findings[0].message
    assert raw.metadata == {}


@pytest.mark.parametrize(
    "field",
    [
        "v: " + "[" * 10_000 + "]" * 10_000,
        alias_bomb(9),
        '!!python/object/apply:os.system ["true"]',
    ],
    ids=["deep", "bomb", "python-tag"],
)
def test_hostile_values_in_frontmatter_read_leniently(field: str) -> None:
    # An unindented dialogue line makes the YAML invalid: each field is then loaded on its own.
    frontmatter = f"name: lenient\ndescription: Use it.\nuser: hi: there\n{field}"
    start = time.perf_counter()
    raw = parse_agent_text(agent(frontmatter), "x.md", KNOWN)
    assert time.perf_counter() - start < HANG
    assert raw.metadata["name"] == "lenient"
    assert {f.code for f in raw.findings} <= {"AC114", "AC115"}, raw.findings


def test_a_catalog_of_bad_yaml_reports_each_file_and_builds_the_rest(tmp_path: Path, marker: Path) -> None:
    fixture = write_yaml_catalog(tmp_path / "catalog", marker)
    start = time.perf_counter()
    result = run_cli(["build", "catalog", "--site-dir", "site"], tmp_path)
    output = text_of(result)
    assert result.returncode == 1, output
    assert time.perf_counter() - start < 4 * HANG
    lines = output.splitlines()
    for path, code in fixture.bad.items():
        hits = [line for line in lines if line.startswith(f"catalog/{path}:") and f" {code} " in line]
        assert hits, f"no {code} for {path} in:\n{output}"
        line = hits[0].split(":")[1]
        assert line.isdigit() and int(line) >= 1, hits[0]
    slugs = catalog_slugs(tmp_path / "site")
    for path in fixture.good:
        assert (tmp_path / "site" / "agents" / f"{slugs[path]}.html").is_file(), path
    assert not marker.exists()
