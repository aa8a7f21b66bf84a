"""The pre-commit case: `agent-catalog generate` when nothing changed, and after one agent changed.

    python benchmarks/bench_precommit.py --sizes 1000 10000 --runs 7

For each size it writes N synthetic agents (the generator of bench_build.py), runs one full
`generate` to fill the docs folder and the cache, then times, as a user's hook runs it
(a fresh process of the installed console script):

- `generate` with nothing changed (median of --runs runs);
- `generate` after one agent's description changed (a different agent each run), and the
  files that run wrote (8: its page, download and record, the overview, its category page,
  catalog.json and catalog-data.js; and the page of the agent with the longest description,
  whose AC602 finding gives the descriptions' total, over the limit in these catalogs);
- Python starting and importing Click and PyYAML, the floor of any such command.

The three are timed in turn, run after run, so that a busy spell slows them alike.

--hook-venv installs this repository into a new virtual environment first, as pre-commit
installs a hook (`pip install .`, not editable, and none of this interpreter's .pth files,
which here import certifi and an editable finder at every start: 20-30 ms), and times that
environment's `agent-catalog` and `python`. It needs PyPI or a pip cache.

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


def run(command: list[str], cwd: Path, env: dict[str, str], said: list[str] | None = None) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):
        sys.exit(f"failed ({result.returncode}): {' '.join(command)}\n{result.stderr[-3000:]}")
    if said is not None:
        said.append(result.stderr.splitlines()[-1] if result.stderr else "")
    return elapsed


def hook_environment(scratch: Path) -> tuple[list[str], str]:
    """This repository installed as pre-commit installs a hook: its command and its python."""
    venv = scratch / "hook-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    repo = Path(__file__).resolve().parents[1]
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(repo)], check=True)
    return [str(venv / "bin" / "agent-catalog")], str(venv / "bin" / "python")


def touch_one(agents: Path, index: int) -> None:
    files = sorted(agents.rglob("*.md"))
    target = files[(index * 7919) % len(files)]
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("description: ", f"description: Revision {index}. ", 1), encoding="utf-8")


def measure(size: int, runs: int, scratch: Path, tool: list[str], python: str) -> tuple[float, float, float]:
    work = scratch / f"n{size}"
    agents = work / "agents"
    generate_agents(agents, size)
    env = {**os.environ, "AGENT_CATALOG_CACHE_DIR": str(work / "cache")}
    # An installed hook has its bytecode compiled (pip does it); with PYTHONDONTWRITEBYTECODE
    # set, as on some machines, an editable install would compile our modules on every run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    command = [*tool, "generate", "agents", "--docs-dir", "docs"]
    full = run(command, work, env)
    print(f"  {size:>6} agents: first full generate {full:.2f} s", flush=True)
    # Interleaved, so that a busy spell of this shared machine slows all three alike.
    unchanged, changed, floor = [], [], []
    said: list[str] = []
    for index in range(runs):
        floor.append(run([python, "-c", "import click, yaml"], work, env))
        unchanged.append(run(command, work, env))
        touch_one(agents, index)
        changed.append(run(command, work, env, said))
    print(f"  {size:>6} agents: after one change: {said[-1]}", flush=True)
    print(f"  {size:>6} agents: minimums {min(unchanged):.3f} / {min(changed):.3f} / {min(floor):.3f} s", flush=True)
    return statistics.median(unchanged), statistics.median(changed), statistics.median(floor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--hook-venv", action="store_true", help="time an install like pre-commit's (see above)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-precommit-") as scratch:
        tool, python = hook_environment(Path(scratch)) if args.hook_venv else (agent_catalog_command(), sys.executable)
        for size in args.sizes:
            rows.append((size, *measure(size, args.runs, Path(scratch), tool, python)))
    print()
    print(f"medians of {args.runs} runs, each a fresh process of {' '.join(tool)}")
    print(f"{'agents':>7}  {'no change':>10}  {'one changed':>12}  {'python+click+yaml':>18}")
    for size, unchanged, changed, floor in rows:
        print(f"{size:>7}  {unchanged:>9.3f}s  {changed:>11.3f}s  {floor:>17.3f}s")


if __name__ == "__main__":
    main()
