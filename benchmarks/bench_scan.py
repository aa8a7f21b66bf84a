"""How fast is `agent-catalog scan`? A script to run by hand, not a timed test.

    python benchmarks/bench_scan.py [CORPUS] [--runs N]

Times `agent-catalog scan CORPUS --json` end to end as a subprocess (start-up, discovery, a
process pool, JSON), then the per-file work in this process without a pool: a bare read of
each file next to read + parse + model, so the cost of parsing shows against the cost of I/O.
CORPUS defaults to ../shared/corpus beside the repository.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from catalog.discover.find import find_agent_files
from catalog.pipeline import load_agent
from catalog.types import AgentSource

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
TARGET_SECONDS = 2.0  # issue 2: the whole corpus under 2 s on the project machine


def time_cli(corpus: Path, runs: int) -> list[float]:
    """Wall-clock seconds of each `agent-catalog scan CORPUS --json` run."""
    command = shutil.which("agent-catalog")
    argv = [command] if command else [sys.executable, "-m", "catalog"]
    argv += ["scan", str(corpus), "--json"]
    subprocess.run(argv, capture_output=True, check=False)  # warm the OS file cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(argv, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        if result.returncode not in (0, 1):
            sys.exit(f"scan failed with exit code {result.returncode}:\n{result.stderr.decode(errors='replace')}")
    return times


def bare_read(source: AgentSource) -> object:
    return source.path.read_bytes()


def time_per_file(sources: Sequence[AgentSource], work: Callable[[AgentSource], object]) -> list[float]:
    """Seconds ``work`` takes on each file, best of three so one hiccup does not count."""
    times = []
    for source in sources:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            work(source)
            best = min(best, time.perf_counter() - start)
        times.append(best)
    return times


def row(label: str, times: Sequence[float], unit: float, suffix: str, total: bool = True) -> str:
    cells = [f"{t / unit:>10.2f}" for t in (statistics.median(times), min(times), max(times))]
    cells.append(f"{sum(times) / unit:>10.2f}" if total else f"{'-':>10}")
    return f"{label:<36}" + "".join(cells) + f"  {suffix}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=5, help="end-to-end runs (default: 5)")
    args = parser.parse_args(argv)
    corpus: Path = args.corpus
    if not corpus.is_dir():
        sys.exit(f"{corpus} is not a folder: pass the corpus folder (default: ../shared/corpus)")

    sources = find_agent_files([str(corpus)]).sources
    total_bytes = sum(s.path.stat().st_size for s in sources)
    print(f"corpus: {corpus} ({len(sources)} agent files, {total_bytes / 1e6:.1f} MB)")
    print(f"python {sys.version.split()[0]}\n")

    cli = time_cli(corpus, args.runs)
    for source in sources:  # warm imports and caches before timing per file
        load_agent(source)
    read = time_per_file(sources, bare_read)
    full = time_per_file(sources, load_agent)

    print(f"{'':<36}{'median':>10}{'min':>10}{'max':>10}{'total':>10}")
    print(row(f"scan --json, end to end ({args.runs} runs)", cli, 1, "s", total=False))
    print(row("bare read, per file", read, 1e-3, "ms"))
    print(row("read + parse + model, per file", full, 1e-3, "ms"))
    print(f"{'(one process, no pool)':<36}")
    ratio = statistics.median(full) / statistics.median(read)
    verdict = "under" if statistics.median(cli) < TARGET_SECONDS else "OVER"
    print(f"\nparse + model: {ratio:.0f}x a bare read (medians)")
    print(f"end to end: {verdict} the {TARGET_SECONDS:g} s target (median of {args.runs} runs)")


if __name__ == "__main__":
    main()
