"""Time and peak memory of hostile catalogs (issues 5 and 15). A script to run by hand, not a timed test.

    python benchmarks/bench_hostile.py [--runs N] [--only files|scale]

Builds each case into a temporary folder with `agent-catalog scan` and `agent-catalog build`,
each run a subprocess under a fresh parent, whose RUSAGE_CHILDREN gives the run's peak
resident memory. Prints the median of N runs (default 3) for: a billion-laughs alias bomb,
a 50 MB agent file, Markdown that is slow to parse, and every hostile fixture together
(tests/hostile_fixtures.py, the same files tests/test_hostile_all.py builds).

Then catalogs large in one direction (issue 15, section 6; tests/scale_fixtures.py, which
tests/test_scale.py uses at small sizes), with the issue's targets:

- 1,000 one-line agents, each in its own category, built: the site's size against the same
  agents in one category (target: at most 3x), and its largest agent page;
- 2,000 names that give one page name, scanned; 10,000 files of one name, linted (target:
  under 10 s and 500 MB); 2,000 collections holding an agent of one name, linted: time,
  peak memory and the bytes printed; 1,000 near-copies among 10,000 agents, linted (AC303
  compares each with at most 128 others: linear, not 500,000 pairs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.hostile_fixtures import (  # noqa: E402 - after the path set-up above
    agent,
    alias_bomb,
    write,
    write_all,
    write_huge,
    write_slow_markdown,
)
from tests.hostile_support import Measured, measure  # noqa: E402
from tests.scale_fixtures import (  # noqa: E402
    write_categories,
    write_collections,
    write_near_copies,
    write_same_name,
    write_slug_alike,
)


def bomb(root: Path) -> None:
    write(root / "agents" / "bomb.md", agent("name: bomb\ndescription: billion laughs\n" + alias_bomb(9)))
    write(root / "agents" / "bigger-bomb.md", agent("name: bigger-bomb\ndescription: x\n" + alias_bomb(20)))
    write(root / "agents" / "fine.md", agent("name: fine\ndescription: fine"))


def huge(root: Path) -> None:
    write_huge(root / "agents" / "huge.md")
    write(root / "agents" / "fine.md", agent("name: fine\ndescription: fine"))


def slow(root: Path) -> None:
    write_slow_markdown(root / "agents")


def everything(root: Path) -> None:
    write_all(
        root / "agents",
        root / "outside",
        Path(tempfile.gettempdir()) / f"bench-pwned-{uuid.uuid4().hex}",
        devices=os.geteuid() == 0,
        unreadable=False,
    )


CASES: dict[str, Callable[[Path], None]] = {
    "alias bomb": bomb,
    "50 MB file": huge,
    "slow Markdown": slow,
    "all fixtures": everything,
}


def run_case(write_case: Callable[[Path], None], command: str, runs: int) -> list[Measured]:
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as scratch:
        root = Path(scratch)
        write_case(root)
        os.environ["AGENT_CATALOG_CACHE_DIR"] = str(root / "cache")
        args = ["scan", "agents"] if command == "scan" else ["build", "agents", "--site-dir", "site"]
        for _ in range(runs):
            result = measure(args, root, timeout=300)
            if result.code not in (0, 1):
                sys.exit(f"{command} failed ({result.code}):\n{result.output[-3000:]}")
            results.append(result)
    return results


def files_table(runs: int) -> None:
    print(f"median of {runs} runs; each run is `agent-catalog COMMAND agents` in a fresh process")
    print(f"{'case':16} {'command':8} {'seconds':>8} {'peak MB':>8}")
    for name, write_case in CASES.items():
        for command in ("scan", "build"):
            results = run_case(write_case, command, runs)
            seconds = statistics.median(r.seconds for r in results)
            peak = statistics.median(r.peak_mb for r in results)
            print(f"{name:16} {command:8} {seconds:8.2f} {peak:8.0f}", flush=True)


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def site_sizes(count: int) -> None:
    """``count`` agents in as many categories, and in one: the built sites' sizes."""
    sizes, largest = {}, {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
        root = Path(scratch)
        os.environ["AGENT_CATALOG_CACHE_DIR"] = str(root / "cache")
        for categories in (count, 1):
            write_categories(root / f"agents-{categories}", count, categories)
            result = measure(["build", f"agents-{categories}", "--site-dir", f"site-{categories}"], root, timeout=900)
            if result.code != 0:
                sys.exit(f"build failed ({result.code}):\n{result.output[-3000:]}")
            site = root / f"site-{categories}"
            sizes[categories] = folder_bytes(site)
            largest[categories] = max(p.stat().st_size for p in (site / "agents").glob("*.html"))
            print(
                f"{count:,} agents in {categories:,} categor{'ies' if categories > 1 else 'y'}: site "
                f"{sizes[categories] / 1e6:.1f} MB, largest agent page {largest[categories] / 1e3:.1f} KB, "
                f"build {result.seconds:.1f} s, {result.peak_mb:.0f} MB",
                flush=True,
            )
    ratio = sizes[count] / sizes[1]
    print(f"site size, {count:,} categories against one: {ratio:.2f}x (target: at most 3x)", flush=True)


GROUPS: dict[str, tuple[Callable[[Path, int], None], str, int]] = {
    "names of one page name": (write_slug_alike, "scan", 2000),
    "files of one name": (write_same_name, "lint", 10000),
    "collections, one name": (write_collections, "lint", 2000),
    "near-copies (a tenth)": (write_near_copies, "lint", 10000),
}


def group_table(runs: int, only: str | None = None) -> None:
    print(f"{'case':24} {'files':>7} {'command':8} {'seconds':>8} {'CPU s':>8} {'peak MB':>8} {'printed':>11}")
    for name, (write_case, command, count) in GROUPS.items():
        if only is not None and name != only:
            continue
        with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
            root = Path(scratch)
            write_case(root / "agents", count)
            results = [measure([command, "agents"], root, timeout=900) for _ in range(runs)]
        if any(r.code not in (0, 1) for r in results):
            sys.exit(f"{command} failed ({results[0].code}):\n{results[0].output[-3000:]}")
        seconds = statistics.median(r.seconds for r in results)
        peak = statistics.median(r.peak_mb for r in results)
        cpu = statistics.median(r.cpu for r in results)
        printed = len(results[0].output.encode("utf-8"))
        print(
            f"{name:24} {count:7,} {command:8} {seconds:8.2f} {cpu:8.2f} {peak:8.0f} {printed / 1e6:8.2f} MB",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("files", "scale"), help="only the hostile files, or only the scale cases")
    parser.add_argument("--categories", type=int, default=1000, help="agents (and categories) of the site-size case")
    parser.add_argument("--group", choices=sorted(GROUPS), help="only this case of the scale table")
    options = parser.parse_args()
    if options.only != "scale" and not options.group:
        files_table(options.runs)
    if options.group:
        group_table(options.runs, options.group)
    elif options.only != "files":
        site_sizes(options.categories)
        group_table(options.runs)


if __name__ == "__main__":
    main()
