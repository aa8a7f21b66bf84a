"""The pre-commit case: `agent-catalog generate` when nothing changed, and after one agent changed.

    python benchmarks/bench_precommit.py --sizes 1000 10000 --runs 7

For each size it writes N synthetic agents (the generator of bench_build.py), runs one full
`generate` to fill the docs folder and the cache, then times, as a user's hook runs it
(a fresh process of the installed console script):

- `generate` with nothing changed (median of --runs runs);
- `generate` after one agent's description changed (a different agent each run);
- Python starting and importing Click and PyYAML, the floor of any such command.

Targets (issue 4): 1,000 agents at most 0.1 s and 0.2 s; 10,000 at most 0.15 s and 0.3 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import agent_catalog_command, generate_agents


def run(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):
        sys.exit(f"failed ({result.returncode}): {' '.join(command)}\n{result.stderr[-3000:]}")
    return elapsed


def touch_one(agents: Path, index: int) -> None:
    files = sorted(agents.rglob("*.md"))
    target = files[(index * 7919) % len(files)]
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("description: ", f"description: Revision {index}. ", 1), encoding="utf-8")


def measure(size: int, runs: int, scratch: Path) -> tuple[float, float, float]:
    work = scratch / f"n{size}"
    agents = work / "agents"
    generate_agents(agents, size)
    env = {**os.environ, "AGENT_CATALOG_CACHE_DIR": str(work / "cache")}
    # An installed hook has its bytecode compiled (pip does it); with PYTHONDONTWRITEBYTECODE
    # set, as on some machines, an editable install would compile our modules on every run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    command = [*agent_catalog_command(), "generate", "agents", "--docs-dir", "docs"]
    full = run(command, work, env)
    print(f"  {size:>6} agents: first full generate {full:.2f} s", flush=True)
    unchanged = [run(command, work, env) for _ in range(runs)]
    changed = []
    for index in range(runs):
        touch_one(agents, index)
        changed.append(run(command, work, env))
    floor = [run([sys.executable, "-c", "import click, yaml"], work, env) for _ in range(runs)]
    return statistics.median(unchanged), statistics.median(changed), statistics.median(floor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-precommit-") as scratch:
        for size in args.sizes:
            rows.append((size, *measure(size, args.runs, Path(scratch))))
    print()
    print(f"medians of {args.runs} runs, each a fresh process of {' '.join(agent_catalog_command())}")
    print(f"{'agents':>7}  {'no change':>10}  {'one changed':>12}  {'python+click+yaml':>18}")
    for size, unchanged, changed, floor in rows:
        print(f"{size:>7}  {unchanged:>9.3f}s  {changed:>11.3f}s  {floor:>17.3f}s")


if __name__ == "__main__":
    main()
