"""Issue 15 §1: one file never stops the run.

Whatever one input file holds (an agent file's bytes, its name, a manifest), reading it ends in
an agent or a finding for that file, and the rest of the catalog is built. Frontmatter values
that YAML parses but cannot build are read as their raw text with a finding at the value; a
name that is not UTF-8 is shown escaped; a manifest nested 200,000 levels deep is refused; and
anything we did not foresee is caught by the guard every file is read under (AC109).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import catalog.model.agent
from catalog.layout import RenderOptions
from catalog.lint.check import lint_catalog
from catalog.mkdocs_site.build import read_site_config
from catalog.pipeline import EmptyCatalog, build_site, generate_docs, scan_catalog
from catalog.render.jsonout import catalog_to_dict, dumps
from catalog.types import Catalog
from tests.hostile_fixtures import agent, write
from tests.hostile_support import run_cli, text_of

# Values YAML parses and PyYAML cannot build: each raised out of yaml.safe_load before.
UNBUILDABLE = {
    "impossible-date": "2024-02-30",
    "impossible-datetime": "2024-13-01 10:00:00",
    "int-tag": "!!int nope",
    "bool-tag": "!!bool maybe",
    "timestamp-tag": "!!timestamp nope",
    "float-tag": "!!float nope",
    "huge-int": "9" * 5001,
    "huge-hex": "0x" + "f" * 5000,
    "huge-sexagesimal": "1" + ":59" * 3000,
}


@pytest.mark.parametrize("key", sorted(UNBUILDABLE))
def test_a_value_yaml_cannot_build_is_read_as_its_raw_text(tmp_path: Path, key: str) -> None:
    value = UNBUILDABLE[key]
    write(tmp_path / "agents" / "odd.md", agent(f"name: odd\ndescription: Fine.\ncreated: {value}\nmodel: sonnet"))
    write(tmp_path / "agents" / "fine.md", agent("name: fine\ndescription: Fine."))
    catalog = scan_catalog([str(tmp_path / "agents")])
    odd = {a.name: a for a in catalog.agents}["odd"]
    assert odd.extra["created"] == (value.split(" ", 1)[1] if value.startswith("!!") else value)
    assert odd.model == "sonnet", "the keys after the value are read too"
    [finding] = [f for f in catalog.findings if f.code == "AC118"]
    assert (finding.path, finding.line, finding.col) == (f"{tmp_path}/agents/odd.md", 4, 10), finding
    assert finding.severity == "warning"
    assert "fine" in {a.name for a in catalog.agents}


@pytest.mark.slow  # builds a site
def test_unbuildable_values_in_every_command(tmp_path: Path) -> None:
    """scan, scan --json, lint, generate and build: exit 0 (a warning), no traceback, the value
    as written in the JSON, the finding at the value's line and column."""
    lines = "\n".join(f"{key}: {value}" for key, value in UNBUILDABLE.items())
    write(tmp_path / "agents" / "odd.md", agent(f"name: odd\ndescription: Fine.\n{lines}"))
    for args in (["scan"], ["lint"], ["generate", "--docs-dir", "docs"], ["build", "--site-dir", "site"]):
        result = run_cli([*args, "agents"], tmp_path, timeout=120)
        assert result.returncode == 0, text_of(result)
        output = text_of(result)
        for row, key in enumerate(UNBUILDABLE, start=4):
            column = len(key) + 3
            assert f"agents/odd.md:{row}:{column}: AC118 " in output, (key, output)
    scanned = run_cli(["scan", "--json", "agents"], tmp_path)
    [odd] = json.loads(scanned.stdout)["agents"]
    assert odd["extra"]["impossible-date"] == "2024-02-30"
    assert odd["extra"]["huge-int"] == "9" * 5001


@pytest.mark.slow  # builds a site
def test_a_name_that_is_not_utf8_is_read_and_shown_escaped(tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path / "agents")
    os.makedirs(folder)
    with open(os.path.join(folder, b"caf\xe9.md"), "wb") as handle:
        handle.write(agent("name: latin1\ndescription: A name in Latin-1.").encode())
    os.makedirs(os.path.join(folder, b"\xff\xfe"))
    with open(os.path.join(folder, b"\xff\xfe", b"inner.md"), "wb") as handle:
        handle.write(agent("description: In a folder whose name is not UTF-8.").encode())
    write(tmp_path / "agents" / "fine.md", agent("name: fine\ndescription: Fine."))

    scanned = run_cli(["scan", "--json", "agents"], tmp_path)
    data = json.loads(scanned.stdout.decode("utf-8"))  # strict: the output is UTF-8
    assert {a["path"] for a in data["agents"]} == {"caf\\xe9.md", "\\xff\\xfe/inner.md", "fine.md"}
    inner = {a["path"]: a for a in data["agents"]}["\\xff\\xfe/inner.md"]
    assert inner["category"] == "\\xff\\xfe"
    assert scanned.stderr.decode("utf-8").count(" AC133 ") == 2
    assert "agents/caf\\xe9.md:1:1: AC133 " in scanned.stderr.decode()
    assert "agents/\\xff\\xfe/:1:1: AC133 " in scanned.stderr.decode()

    generated = run_cli(["generate", "agents", "--docs-dir", "docs"], tmp_path)
    assert generated.returncode == 0, text_of(generated)
    for path in (tmp_path / "docs").rglob("*"):
        if path.is_file():
            path.read_bytes().decode("utf-8")
    assert (tmp_path / "docs" / "agents" / "latin1.md").is_file()
    built = run_cli(["build", "agents", "--site-dir", "site"], tmp_path, timeout=120)
    assert built.returncode == 0, text_of(built)
    assert (tmp_path / "site" / "agents" / "latin1.html").is_file()


def test_a_marketplace_nested_200000_levels_deep_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "repo" / ".claude-plugin" / "marketplace.json", "[" * 200_000 + "]" * 200_000)
    write(tmp_path / "repo" / "agents" / "fine.md", agent("name: fine\ndescription: Fine."))
    deep = '{"name": "m", "plugins": ' + '{"a": ' * 100 + "1" + "}" * 100 + "}"
    write(tmp_path / "repo" / "other" / ".claude-plugin" / "marketplace.json", deep)
    write(tmp_path / "repo" / "other" / "agents" / "two.md", agent("name: two\ndescription: Fine."))
    catalog = scan_catalog([str(tmp_path / "repo")])
    assert {a.name for a in catalog.agents} == {"fine", "two"}
    refused = {f.path: f for f in catalog.findings if f.code == "AC130"}
    assert set(refused) == {
        f"{tmp_path}/repo/.claude-plugin/marketplace.json",
        f"{tmp_path}/repo/other/.claude-plugin/marketplace.json",
    }, catalog.findings
    assert all("nested more than 64 levels" in f.message for f in refused.values())
    result = run_cli(["scan", "repo"], tmp_path)
    assert result.returncode == 0, text_of(result)


@pytest.mark.parametrize(
    "manifest",
    [
        '{"name": "m", "plugins": 5}',
        '{"name": "m", "plugins": [{"name": "p", "source": "./a\\u0000b"}]}',
        '{"name": "m\\udcff", "plugins": [{"name": "p\\ud800", "source": "./p", "category": "c\\udfff"}]}',
    ],
)
def test_whatever_a_marketplace_holds_costs_only_that_manifest(tmp_path: Path, manifest: str) -> None:
    write(tmp_path / "repo" / ".claude-plugin" / "marketplace.json", manifest)
    write(tmp_path / "repo" / "p" / "agents" / "fine.md", agent("name: fine\ndescription: Fine."))
    catalog = scan_catalog([str(tmp_path / "repo")])
    assert [a.name for a in catalog.agents] == ["fine"]
    dumps(catalog_to_dict(catalog)).encode("utf-8")  # strict: every string is UTF-8
    generate_docs([str(tmp_path / "repo")], tmp_path / "docs", RenderOptions(), cache=False)


def _boom_on(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault injection: building the agent of the file ``name`` raises, as a bug of ours would."""
    real = catalog.model.agent.build_agent

    def build_agent(source, raw, *, sections=True):  # type: ignore[no-untyped-def]
        if source.rel_path.endswith(name):
            raise RuntimeError("a bug that this file's bytes found")
        return real(source, raw, sections=sections)

    monkeypatch.setattr(catalog.model.agent, "build_agent", build_agent)


@pytest.mark.parametrize("files", [3, 160], ids=["in-process", "forked-workers"])
def test_a_file_that_raises_is_a_finding_and_the_rest_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: int
) -> None:
    for number in range(files):
        write(tmp_path / "agents" / f"a{number:03}.md", agent(f"name: a{number:03}\ndescription: Fine."))
    write(tmp_path / "agents" / "boom.md", agent("name: boom\ndescription: Fine."))
    _boom_on("boom.md", monkeypatch)

    scanned = scan_catalog([str(tmp_path / "agents")])
    assert len(scanned.agents) == files and "boom" not in {a.name for a in scanned.agents}
    [failed] = [f for f in scanned.findings if f.code == "AC109"]
    assert failed.path == f"{tmp_path}/agents/boom.md" and failed.severity == "error"
    assert "RuntimeError: a bug that this file's bytes found" in failed.message

    for run in ("first run", "from the cache"):
        outcome = generate_docs([str(tmp_path / "agents")], tmp_path / "docs", RenderOptions())
        assert outcome.agents == files, run
        assert [f.path for f in outcome.findings if f.code == "AC109"] == [failed.path], run
    assert len(list((tmp_path / "docs" / "agents").glob("*.md"))) == files

    monkeypatch.undo()  # the bug fixed: the next run reads the file again, and it is an agent
    outcome = generate_docs([str(tmp_path / "agents")], tmp_path / "docs", RenderOptions())
    assert outcome.agents == files + 1
    assert not [f for f in outcome.findings if f.code == "AC109"]
    assert (tmp_path / "docs" / "agents" / "boom.md").is_file()


# --- the class: any bytes, any name ---------------------------------------------------------

# Frontmatter values that broke a run once, or could: unbuildable scalars, tags, nesting.
HOSTILE_VALUES = [
    *UNBUILDABLE.values(),
    "25:61:00",
    "!!binary nope",
    "!!set {a, b}",
    "!!omap [a, b]",
    "!!python/object:os.system x",
    "&a [*a]",
    "[" * 100,
    "{a: " * 70 + "1" + "}" * 70,
    "'\\udcff'",
    '"\\udcff"',
    '"\\ud800\\udc00"',
    "\ufeff",
    "~",
    ".nan",
    "2001-12-14t21:59:43.10-05:00",
]

NAME_BYTES = st.binary(min_size=1, max_size=24).filter(lambda b: b"/" not in b and b"\0" not in b)
NAMES = st.one_of(
    st.sampled_from([b"\xff", b"caf\xe9", b"\xed\xa0\x80", b"\xc3", b"readme", b"a\nb", b"-", b" ", b"x.prompt"]),
    NAME_BYTES,
).map(lambda stem: stem + b".md")


@st.composite
def file_bytes(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["bytes", "frontmatter", "text"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "text":
        return draw(st.text(max_size=200)).encode("utf-8", "surrogatepass")
    keys = draw(st.lists(st.sampled_from(["name", "description", "tools", "model", "color", "x", "tags"]), max_size=4))
    lines = [f"{key}: {draw(st.sampled_from(HOSTILE_VALUES) | st.text(max_size=20))}" for key in keys]
    body = draw(st.text(max_size=80))
    return ("---\n" + "\n".join(lines) + "\n---\n" + body).encode("utf-8", "surrogatepass")


CATALOGS = st.dictionaries(NAMES, file_bytes(), min_size=1, max_size=5)


def _write_catalog(root: bytes, files: dict[bytes, bytes]) -> None:
    os.makedirs(root)
    for name, data in files.items():
        with open(os.path.join(root, name), "wb") as handle:
            handle.write(data)


def _assert_every_file_accounted_for(catalog: Catalog, root: str, files: dict[bytes, bytes]) -> None:
    """Every file is an agent, a finding, or skipped with a reason (a README is not an agent)."""
    agents = {a.display_path for a in catalog.agents}
    findings = {f.path for f in catalog.findings}
    skipped = {s.rel_path for s in catalog.skipped}
    for name in files:
        shown = name.decode("utf-8", "backslashreplace")
        assert f"{root}/{shown}" in agents | findings or shown in skipped, (name, catalog)
    dumps(catalog_to_dict(catalog)).encode("utf-8")  # strict: what scan --json prints is UTF-8
    for finding in catalog.findings:
        finding.format().encode("utf-8")


def _property(examples: int) -> settings:
    """Without a deadline: a build takes seconds. Derandomized by the profile (tests/conftest.py),
    not here, so that HYPOTHESIS_PROFILE=explore draws new examples for these properties too."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@_property(150)
@given(files=CATALOGS)
def test_any_bytes_under_any_name_scan_and_lint(files: dict[bytes, bytes]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = os.path.join(os.fsencode(scratch), b"agents")
        _write_catalog(root, files)
        catalog = scan_catalog([os.fsdecode(root)])
        _assert_every_file_accounted_for(catalog, os.fsdecode(root), files)
        for finding in lint_catalog(catalog):
            finding.format().encode("utf-8")


@_property(25)
@given(files=CATALOGS)
def test_any_bytes_under_any_name_generate(files: dict[bytes, bytes]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = os.path.join(os.fsencode(scratch), b"agents")
        _write_catalog(root, files)
        docs = Path(scratch) / "docs"
        first = generate_docs([os.fsdecode(root)], docs, RenderOptions())
        assert first.catalog is not None
        _assert_every_file_accounted_for(first.catalog, os.fsdecode(root), files)
        again = generate_docs([os.fsdecode(root)], docs, RenderOptions())  # from the cache
        assert again.findings == first.findings and again.agents == first.agents
        for path in docs.rglob("*"):
            if path.is_file():
                path.read_bytes().decode("utf-8")


@pytest.mark.slow  # builds sites
@_property(4)
@given(files=CATALOGS)
def test_any_bytes_under_any_name_build(files: dict[bytes, bytes]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = os.path.join(os.fsencode(scratch), b"agents")
        _write_catalog(root, files)
        site = read_site_config(None, None, Path(scratch) / "site")
        try:
            result = build_site([os.fsdecode(root)], site, RenderOptions())
        except EmptyCatalog:  # no file was an agent: nothing is published, and scan agrees
            assert scan_catalog([os.fsdecode(root)]).agents == ()
            assert not list((Path(scratch) / "site").glob("agents/*.html"))
            return
        assert result.agents == len([p for p in (Path(scratch) / "site" / "agents").glob("*.html")])


# --- the class: any manifest -----------------------------------------------------------------

_KEYS = st.sampled_from(["name", "plugins", "source", "agents", "category", "owner"]) | st.text(max_size=5)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["./plugins/p", "./agents", ".", "..", "/", "../../etc", "a\0b", "\udcff"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12,
)
MANIFEST_BYTES = st.one_of(
    _JSON.map(lambda value: json.dumps(value).encode("utf-8")),
    st.binary(max_size=80),
    st.sampled_from(
        [
            b"[" * 100_000 + b"]" * 100_000,
            b'{"name": "m", "plugins": ' + b"[" * 65 + b"]" * 65 + b"}",
            b'{"name": "\\udcff", "plugins": [{"name": "\\ud800", "source": "./plugins/p", "category": 5}]}',
            b'{"name": "m", "plugins": [{"name": {"a": 1}, "source": "./plugins/p\\u0000"}]}',
            b'{"name": "m", "agents": 12, "plugins": "./plugins/p"}',
            b"\xef\xbb\xbf{}",
            b'{"n": 1' + b"0" * 5000 + b"}",
        ]
    ),
)


def _write_manifest_catalog(root: Path, marketplace: bytes, plugin: bytes, category: bytes) -> None:
    write(root / ".claude-plugin" / "marketplace.json", marketplace)
    write(root / "plugins" / "p" / ".claude-plugin" / "plugin.json", plugin)
    write(root / "plugins" / "p" / "agents" / "in-plugin.md", agent("name: in-plugin\ndescription: Fine."))
    write(root / "agents" / "data" / "category.json", category)
    write(root / "agents" / "data" / "in-category.md", agent("name: in-category\ndescription: Fine."))


@_property(120)
@given(marketplace=MANIFEST_BYTES, plugin=MANIFEST_BYTES, category=MANIFEST_BYTES)
def test_any_manifest_costs_at_most_itself_scan(marketplace: bytes, plugin: bytes, category: bytes) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "repo"
        _write_manifest_catalog(root, marketplace, plugin, category)
        catalog = scan_catalog([str(root)])
        assert {a.name for a in catalog.agents} == {"in-plugin", "in-category"}
        dumps(catalog_to_dict(catalog)).encode("utf-8")
        for finding in lint_catalog(catalog):
            finding.format().encode("utf-8")


@_property(12)
@given(marketplace=MANIFEST_BYTES, plugin=MANIFEST_BYTES, category=MANIFEST_BYTES)
def test_any_manifest_costs_at_most_itself_generate(marketplace: bytes, plugin: bytes, category: bytes) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "repo"
        _write_manifest_catalog(root, marketplace, plugin, category)
        outcome = generate_docs([str(root)], Path(scratch) / "docs", RenderOptions())
        assert outcome.agents == 2
