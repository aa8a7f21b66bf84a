"""Issue 5: files that are too big, slow to parse, badly encoded, unreadable or not files at all.

Each is reported with its path and a reason, nothing hangs (every run has a timeout), time and
memory stay bounded, files outside the tree are never read into the site, and every other agent
still gets its page. Permissions are tested as user nobody: root reads a chmod 000 file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile_fixtures import (
    OUTSIDE_SECRET,
    SLOW_MARKDOWN,
    agent,
    make_world_readable,
    write,
    write_encoding_catalog,
    write_huge,
    write_slow_markdown,
    write_special_files,
    write_unreadable,
)
from tests.hostile_support import NOBODY, catalog_slugs, measure, read_tree, run_as_nobody, run_cli, text_of

MAX_SECONDS_HUGE = 30  # a hang guard on a shared machine; bench_hostile.py measures
MAX_MEGABYTES = 300
MAX_SECONDS_SLOW_BUILD = 90  # a hang guard; bench_hostile.py measures


def reported(output: str, path: str, code: str) -> list[str]:
    """Finding lines for ``path`` with ``code``: ``path:line:col: CODE reason``."""
    return [line for line in output.splitlines() if line.startswith(f"{path}:") and f" {code} " in line]


def assert_reported(output: str, prefix: str, bad: dict[str, str]) -> None:
    for path, code in bad.items():
        lines = reported(output, prefix + path, code)
        assert lines, f"no {code} for {prefix}{path} in:\n{output}"
        where, _, reason = lines[0].partition(f" {code} ")
        assert where.split(":")[1].isdigit(), lines[0]
        assert len(reason) > 10, f"no reason given: {lines[0]}"


def assert_pages(site: Path, good: list[str]) -> None:
    slugs = catalog_slugs(site)
    for path in good:
        assert path in slugs, f"{path} is not in the catalog: {sorted(slugs)}"
        assert (site / "agents" / f"{slugs[path]}.html").is_file(), f"{path} has no page"


def test_a_50_mb_agent_file_is_reported_not_parsed(tmp_path: Path) -> None:
    write_huge(tmp_path / "agents" / "huge.md")
    write(tmp_path / "agents" / "fine.md", agent("name: fine\ndescription: fine"))
    scan = measure(["scan", "agents"], tmp_path)
    assert scan.code == 1, scan.output
    assert reported(scan.output, "agents/huge.md", "AC102"), scan.output
    assert " AC110 " not in scan.output, "a file that was not read is not empty"
    assert scan.seconds < MAX_SECONDS_HUGE and scan.peak_mb < MAX_MEGABYTES, scan
    build = measure(["build", "agents", "--site-dir", "site"], tmp_path)
    assert build.code == 1, build.output
    assert build.seconds < MAX_SECONDS_SLOW_BUILD and build.peak_mb < MAX_MEGABYTES, build
    assert_pages(tmp_path / "site", ["fine.md"])
    assert max(p.stat().st_size for p in (tmp_path / "site").rglob("*") if p.is_file()) < 3_000_000


def test_markdown_that_is_slow_to_parse_builds_in_bounded_time(tmp_path: Path) -> None:
    """20,000 [, 5,000 *, lists 500 deep, > 10,000 deep, 10,000 backticks, a 1 MB line, a 100 KB name,
    backtick runs of 999 lengths on one line, 60,000 unclosed examples, an example of 100,000
    turns, lines of a million backticks or tildes."""
    fixture = write_slow_markdown(tmp_path / "catalog")
    build = measure(["build", "catalog", "--site-dir", "site"], tmp_path, timeout=60)
    assert build.code == 0, build.output
    assert build.seconds < MAX_SECONDS_SLOW_BUILD, build
    assert build.peak_mb < MAX_MEGABYTES, build
    assert_pages(tmp_path / "site", fixture.good)
    assert len(fixture.good) == len(SLOW_MARKDOWN) + 1


def test_encodings_nul_bytes_and_empty_files(tmp_path: Path) -> None:
    fixture = write_encoding_catalog(tmp_path / "catalog")
    write(tmp_path / "catalog" / "encodings" / "agents" / "fine.md", agent("name: fine\ndescription: fine"))
    result = run_cli(["build", "catalog", "--site-dir", "site"], tmp_path)
    output = text_of(result)
    assert result.returncode == 1, output
    assert_reported(output, "catalog/", fixture.bad)
    assert reported(output, "catalog/encodings/agents/utf16.md", "AC103"), "UTF-16 is reported, as a warning"
    assert_pages(tmp_path / "site", [*fixture.good, "encodings/agents/fine.md"])
    assert "utf16" in catalog_slugs(tmp_path / "site").values(), "the UTF-16 file was read"


@pytest.fixture
def special(tmp_path: Path) -> Iterator[tuple[Path, Path, dict[str, str], list[str]]]:
    catalog, outside = tmp_path / "catalog", tmp_path / "outside"
    fixture = write_special_files(catalog, outside, devices=os.geteuid() == 0)
    yield catalog, outside, fixture.bad, fixture.good


def test_fifos_devices_and_symlinks_are_reported_and_never_followed(
    tmp_path: Path, special: tuple[Path, Path, dict[str, str], list[str]]
) -> None:
    _, _, bad, good = special
    result = run_cli(["build", "catalog", "--site-dir", "site"], tmp_path, timeout=60)
    output = text_of(result)
    assert result.returncode == 1, output
    assert_reported(output, "catalog/", bad)
    assert_pages(tmp_path / "site", good)
    slugs = catalog_slugs(tmp_path / "site")
    assert list(slugs) == ["special/regular.md"], (
        f"one agent, once (a symlink inside the tree is the same file): {slugs}"
    )
    for name, data in read_tree(tmp_path / "site").items():
        assert OUTSIDE_SECRET.encode() not in data, f"site/{name} holds text of a file outside the tree"
        assert b"root:x:0:0" not in data, f"site/{name} holds /etc/passwd"


def test_generate_never_reads_outside_the_tree_either(
    tmp_path: Path, special: tuple[Path, Path, dict[str, str], list[str]]
) -> None:
    result = run_cli(["generate", "catalog", "--docs-dir", "docs"], tmp_path, timeout=60)
    assert result.returncode == 1, text_of(result)
    for name, data in read_tree(tmp_path / "docs").items():
        assert OUTSIDE_SECRET.encode() not in data, f"docs/{name} holds text of a file outside the tree"


def test_a_file_named_on_the_command_line_that_is_a_fifo_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.md")
    result = run_cli(["scan", "pipe.md"], tmp_path, timeout=20)
    assert result.returncode == 1
    assert reported(text_of(result), "pipe.md", "AC101"), text_of(result)


@pytest.fixture
def world_readable_tree() -> Iterator[Path]:
    """A tree outside pytest's tmp folder (which is private to root), so that nobody can reach it."""
    base = Path(tempfile.mkdtemp(prefix="agent-catalog-perms-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        for folder, dirs, _ in os.walk(base):
            for name in dirs:
                os.chmod(os.path.join(folder, name), 0o755)
        shutil.rmtree(base, ignore_errors=True)


def test_unreadable_files_and_folders_as_an_unprivileged_user(world_readable_tree: Path) -> None:
    base = world_readable_tree
    fixture = write_unreadable(base / "catalog")
    write(base / "catalog" / "perms" / "also-fine.md", agent("name: also-fine\ndescription: fine"))
    make_world_readable(
        base / "catalog", {base / "catalog" / "perms" / "locked.md", base / "catalog" / "perms" / "locked-folder"}
    )
    work, home = base / "work", base / "home"
    for folder in (work, home):
        folder.mkdir()
    if os.geteuid() == 0:
        for folder in (work, home):
            os.chown(folder, NOBODY, NOBODY)
        env = {"HOME": str(home), "AGENT_CATALOG_CACHE_DIR": str(home / "cache"), "XDG_CACHE_HOME": str(home)}

        def run(*args: str) -> tuple[int, str]:
            return run_as_nobody(args, work, env)
    else:

        def run(*args: str) -> tuple[int, str]:
            result = run_cli(args, work)
            return result.returncode, text_of(result)

    code, output = run("scan", "--json", "../catalog")
    assert code == 1, output
    assert_reported(output, "../catalog/", fixture.bad)
    assert "Permission denied" in output
    code, output = run("generate", "../catalog", "--docs-dir", "docs")
    assert code == 1, output
    assert_reported(output, "../catalog/", fixture.bad)
    slugs = catalog_slugs(work / "docs")
    for path in [*fixture.good, "perms/also-fine.md"]:
        assert (work / "docs" / "agents" / f"{slugs[path]}.md").is_file(), f"{path} has no page"
