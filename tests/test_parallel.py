"""catalog.parallel: forked workers give results in order, and never outlive their parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from catalog.parallel import map_forked


def square(n: int) -> int:
    return n * n


def test_results_come_in_order() -> None:
    assert map_forked(square, list(range(300)), at_least=10, jobs=2) == [n * n for n in range(300)]


@pytest.mark.skipif(os.name != "posix", reason="forked workers are POSIX only")
def test_workers_end_when_their_parent_is_killed() -> None:
    """Killed (SIGKILL, no clean-up), a build cannot stop its workers: they must see to it
    themselves, or they wait forever on their queue with the build's output pipes open."""
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import multiprocessing, os, sys, time
                from catalog.parallel import map_forked

                def slow(n):
                    os.write(1, f"{os.getpid()}\\n".encode())  # one write: lines never interleave
                    time.sleep(120)

                map_forked(slow, list(range(4)), at_least=1, jobs=2)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    workers = {int(parent.stdout.readline()), int(parent.stdout.readline())}
    assert parent.pid not in workers
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)
    # Their output pipes close once every worker is gone.
    parent.communicate(timeout=20)
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        alive = {pid for pid in workers if _running(pid)}
        time.sleep(0.05)
    assert not alive, f"workers {sorted(alive)} outlived their parent"


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().split(") ")[-1][:1] not in ("Z", "X")  # a zombie has ended
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the process table
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
