"""bench_precommit's two timings for two source trees at once, their runs interleaved.

    python benchmarks/bench_precommit_ab.py BASE_TREE BRANCH_TREE --runs 9 --sizes 1000 10000

Each tree (a checkout, e.g. ``git archive REV | tar -x -C DIR``) is installed into its own
virtual environment as pre-commit installs a hook; then, run after run, each one's
``generate`` with nothing changed and after one agent changed, in turn: on a machine shared
with other work, a busy spell slows both alike, which two runs of bench_precommit.py one
after the other do not promise.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import generate_agents
from bench_precommit import run, touch_one


def install(scratch: Path, name: str, tree: str) -> tuple[str, str]:
    venv = scratch / name
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", tree], check=True)
    return str(venv / "bin" / "agent-catalog"), str(venv / "bin" / "python")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("trees", nargs=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-precommit-ab-") as folder:
        scratch = Path(folder)
        tools = {name: install(scratch, name, tree) for name, tree in zip(("base", "branch"), args.trees, strict=True)}
        for size in args.sizes:
            setups = {}
            for name, (tool, _) in tools.items():
                work = scratch / f"{name}{size}"
                generate_agents(work / "agents", size)
                env = {**os.environ, "AGENT_CATALOG_CACHE_DIR": str(work / "cache")}
                env.pop("PYTHONDONTWRITEBYTECODE", None)
                setups[name] = (work, env, [tool, "generate", "agents", "--docs-dir", "docs"])
                run(setups[name][2], work, env)
            times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in tools}
            floor = []
            for index in range(args.runs):
                floor.append(run([tools["base"][1], "-c", "import click, yaml"], scratch, setups["base"][1]))
                for name, (work, env, command) in setups.items():
                    times[name][0].append(run(command, work, env))
                    touch_one(work / "agents", index)
                    times[name][1].append(run(command, work, env))
            for name, (unchanged, changed) in times.items():
                print(
                    f"{size:>6} {name:>6}: no change {statistics.median(unchanged):.3f} s, one changed "
                    f"{statistics.median(changed):.3f} s (minimums {min(unchanged):.3f} / {min(changed):.3f})",
                    flush=True,
                )
            print(f"{size:>6}  python+click+yaml {statistics.median(floor):.3f} s", flush=True)


if __name__ == "__main__":
    main()
