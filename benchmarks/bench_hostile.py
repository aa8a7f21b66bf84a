"""Time and peak memory of hostile catalogs (issue 5). A script to run by hand, not a timed test.

    python benchmarks/bench_hostile.py [--runs N]

Builds each case into a temporary folder with `agent-catalog scan` and `agent-catalog build`,
each run a subprocess under a fresh parent, whose RUSAGE_CHILDREN gives the run's peak
resident memory. Prints the median of N runs (default 3) for: a billion-laughs alias bomb,
a 50 MB agent file, Markdown that is slow to parse, and every hostile fixture together
(tests/hostile_fixtures.py, the same files tests/test_hostile_all.py builds).
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    print(f"median of {options.runs} runs; each run is `agent-catalog COMMAND agents` in a fresh process")
    print(f"{'case':16} {'command':8} {'seconds':>8} {'peak MB':>8}")
    for name, write_case in CASES.items():
        for command in ("scan", "build"):
            results = run_case(write_case, command, options.runs)
            seconds = statistics.median(r.seconds for r in results)
            peak = statistics.median(r.peak_mb for r in results)
            print(f"{name:16} {command:8} {seconds:8.2f} {peak:8.0f}", flush=True)


if __name__ == "__main__":
    main()
