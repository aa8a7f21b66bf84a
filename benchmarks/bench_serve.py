"""Live preview: how long `agent-catalog serve` takes to serve its first page, and each edit.

    python benchmarks/bench_serve.py --runs 3

Copies a folder of agents (default ../shared/corpus) to a scratch folder, starts
`agent-catalog serve` on a free loopback port, and measures:

- the first serve: from the start of the process until the overview answers with the catalog;
- each edit: one agent file at a time gets a new sentence in its description, then the time
  until that agent's page is served with it (--edits files, one after the other).

It prints each figure and the median over --runs runs. Targets (issue 18): first serve at
most 60 s, each edit visible within 2 s (median). Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # loopback only
            return str(response.read().decode("utf-8", "replace"))
    except (urllib.error.URLError, OSError):
        return ""


def wait_for(check: object, limit: float) -> float | None:
    """Seconds until ``check()`` is true, or None after ``limit`` seconds."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if check():  # type: ignore[operator]
            return time.perf_counter() - started
        time.sleep(0.05)
    return None


def pick_agents(root: Path, count: int) -> list[tuple[Path, str]]:
    """``count`` Markdown agents with a one-line description, spread over the catalog, and their slugs."""
    scanned = subprocess.run(
        [sys.executable, "-m", "catalog", "scan", "--json", str(root)], capture_output=True, text=True, check=False
    )
    agents = json.loads(scanned.stdout)["agents"]
    usable = [
        a
        for a in agents
        if a["path"].endswith(".md") and "#" not in a["path"] and a.get("description") and "\n" not in a["description"]
    ]
    step = max(len(usable) // (count + 1), 1)
    return [(root / a["path"], a["slug"]) for a in usable[step::step][:count]]


def one_run(source: Path, edits: int, limit: float) -> tuple[float | None, list[float | None]]:
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as scratch:
        root = Path(scratch) / "agents"
        shutil.copytree(source, root, symlinks=True)
        targets = pick_agents(root, edits)
        port = free_port()
        base = f"http://127.0.0.1:{port}/"
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "AGENT_CATALOG_NO_CACHE": "1"}
        server = subprocess.Popen(
            [sys.executable, "-m", "catalog", "serve", str(root), "--dev-addr", f"127.0.0.1:{port}"],
            cwd=scratch,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        try:
            first = wait_for(lambda: "data-agent=" in fetch(base), limit)
            times: list[float | None] = []
            for number, (path, slug) in enumerate(targets):
                marker = f"Edited while serving {number} {time.time_ns()}."
                text = path.read_text(encoding="utf-8")
                path.write_text(text.replace("description:", f"description: {marker}", 1), encoding="utf-8")
                page = f"{base}agents/{slug}.html"
                times.append(wait_for(lambda page=page, marker=marker: marker in fetch(page), limit))
            return first, times
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


def show(value: float | None) -> str:
    return "timed out" if value is None else f"{value:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--limit", type=float, default=300.0, help="give up waiting after this many seconds")
    args = parser.parse_args()
    if not args.agents.is_dir():
        sys.exit(f"{args.agents} is not a folder of agents")
    firsts: list[float] = []
    edits: list[float] = []
    for run in range(args.runs):
        first, times = one_run(args.agents, args.edits, args.limit)
        print(f"run {run + 1}: first serve {show(first)}; edits " + ", ".join(show(t) for t in times), flush=True)
        firsts += [first] if first is not None else []
        edits += [t for t in times if t is not None]
    if firsts:
        print(f"first serve: median {statistics.median(firsts):.2f} s of {len(firsts)}")
    if edits:
        print(f"edit visible: median {statistics.median(edits):.2f} s of {len(edits)}")


if __name__ == "__main__":
    main()
