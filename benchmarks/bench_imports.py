"""What the pre-commit paths import, and what importing it costs.

    python benchmarks/bench_imports.py --agents 1000 --runs 9 [--hook-venv]

Not a test: a script to run by hand and read (bench_precommit.py times the whole runs).
It writes N synthetic agents (bench_build's generator), runs one full ``generate``, then in
a fresh process each, as the hook runs it:

- ``generate`` with nothing changed, and after one agent's description changed: the modules
  each run imported beyond a bare interpreter's (our own, third-party, standard library);
- the wall time of a fresh process that only imports each of those module sets (median of
  --runs), beside ``python -c pass`` and ``python -c "import click, yaml"``, the floor of
  any such command; the four are timed in turn, run after run, so that a busy spell of the
  machine slows them alike;
- under ``-X importtime``, each set's import time by top-level package (self times, the
  median of --runs), and its costliest modules.

--hook-venv installs this repository as pre-commit installs a hook (``pip install .``, see
bench_precommit.py) and uses that environment's python.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import generate_agents
from bench_precommit import hook_environment, touch_one

# A run of the console script's main in this process, then the modules it imported that a
# bare interpreter had not, in the order their imports began, one a line, into argv[1].
LIST_IMPORTS = """
import sys
started = set(sys.modules)
from catalog.cli.main import main
try:
    main(["generate", "agents", "--docs-dir", "docs"], prog_name="agent-catalog", standalone_mode=False)
finally:
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        out.write("".join(name + "\\n" for name in sys.modules if name not in started))
"""


def import_all(modules: list[str]) -> str:
    """Source that imports ``modules`` in that order (each brings what it needs first), with
    import statements: ``-X importtime`` sees those, not ``importlib.import_module``."""
    # A name a package registers itself (typing.io) may not import alone: it came with its package.
    return "".join(f"try:\n import {name}\nexcept ImportError:\n pass\n" for name in modules)


def imported(python: str, work: Path, env: dict[str, str], out: Path) -> list[str]:
    result = subprocess.run([python, "-c", LIST_IMPORTS, str(out)], cwd=work, env=env, capture_output=True, text=True)
    if result.returncode not in (0, 1) or not out.exists():
        sys.exit(f"generate failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return out.read_text(encoding="utf-8").split()


def wall(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def self_times(command: list[str], env: dict[str, str]) -> dict[str, int]:
    """Each module's own import time in microseconds, from ``-X importtime``."""
    result = subprocess.run([command[0], "-X", "importtime", *command[1:]], env=env, capture_output=True, text=True)
    times: dict[str, int] = {}
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "self [us]" not in line:
            own, _, name = line[len("import time:") :].split("|")
            times[name.strip()] = int(own)
    return times


def kind(module: str, ours: str = "catalog") -> str:
    top = module.split(".")[0]
    if top == ours:
        return "ours"
    standard = {top, top.lstrip("_")} & (sys.stdlib_module_names | set(sys.builtin_module_names))
    return "stdlib" if standard else "third-party"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--top", type=int, default=15, help="how many of the costliest modules to list")
    parser.add_argument("--hook-venv", action="store_true", help="use an install like pre-commit's")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as folder:
        scratch = Path(folder)
        python = hook_environment(scratch)[1] if args.hook_venv else sys.executable
        work = scratch / "work"
        generate_agents(work / "agents", args.agents)
        env = {**os.environ, "AGENT_CATALOG_CACHE_DIR": str(work / "cache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        imported(python, work, env, scratch / "full.txt")  # fills the docs folder and the cache
        paths = {"no change": imported(python, work, env, scratch / "same.txt")}
        touch_one(work / "agents", 1)
        paths["one changed"] = imported(python, work, env, scratch / "changed.txt")

        commands = {
            "python -c pass": [python, "-c", "pass"],
            "import click, yaml": [python, "-c", "import click, yaml"],
        }
        for path, modules in paths.items():
            commands[f"import {path}'s modules"] = [python, "-c", import_all(modules)]
        walls: dict[str, list[float]] = defaultdict(list)
        profiles: dict[str, list[dict[str, int]]] = defaultdict(list)
        for _ in range(args.runs):  # interleaved: a busy spell slows all alike
            for label, command in commands.items():
                walls[label].append(wall(command, env))
            for label, command in commands.items():
                profiles[label].append(self_times(command, env))

    print(f"python: {python}; {args.agents} agents; medians of {args.runs} fresh processes")
    for path, modules in paths.items():
        counts = defaultdict(int)
        for module in modules:
            counts[kind(module)] += 1
        print(
            f"\n{path}: {len(modules)} modules beyond a bare interpreter's "
            f"({counts['ours']} ours, {counts['third-party']} third-party, {counts['stdlib']} standard library)"
        )
        print("  " + " ".join(sorted({m.split(".")[0] for m in modules if kind(m) == "third-party"})))
        print("  " + " ".join(m for m in modules if kind(m) == "ours"))

    print(f"\n{'wall time of a fresh process':<34} {'median':>8} {'min':>8}  {'-X importtime, self, by package (ms)'}")
    for label, times in walls.items():
        by_package: dict[str, list[float]] = defaultdict(list)
        for profile in profiles[label]:
            sums: dict[str, int] = defaultdict(int)
            for module, own in profile.items():
                sums[module.split(".")[0]] += own
            for package, total in sums.items():
                by_package[package].append(total / 1000)
        medians = {package: statistics.median(values) for package, values in by_package.items()}
        biggest = sorted(medians.items(), key=lambda item: -item[1])[:6]
        shown = ", ".join(f"{package} {ms:.1f}" for package, ms in biggest)
        print(f"{label:<34} {statistics.median(times):>7.3f}s {min(times):>7.3f}s  {shown}")

    for label in [label for label in commands if label.startswith("import ") and "'s modules" in label]:
        every: dict[str, list[int]] = defaultdict(list)
        for profile in profiles[label]:
            for module, own in profile.items():
                every[module].append(own)
        costliest = sorted(((statistics.median(v), m) for m, v in every.items()), reverse=True)[: args.top]
        print(f"\n{label}: the costliest {args.top} by own import time (median, ms)")
        for own, module in costliest:
            print(f"  {own / 1000:>6.1f}  {module}")


if __name__ == "__main__":
    main()
