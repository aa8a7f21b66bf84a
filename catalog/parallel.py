"""One way to spread independent work over the machine's cores: forked worker processes."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_task: Callable[[Any], Any] | None = None


def _run(item: Any) -> Any:
    assert _task is not None
    return _task(item)


def map_forked(
    task: Callable[[T], R],
    items: Sequence[T],
    *,
    at_least: int,
    jobs: int | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> list[R]:
    """``task`` over ``items`` in order, in forked workers when there are ``at_least`` items.

    ``meanwhile`` runs in this process while the workers work (or first, without workers).

    Forking is only safe while this process runs one thread (not inside ``mkdocs serve``),
    and only on POSIX; otherwise, and for few items, the work runs here. The workers inherit
    ``task`` through the fork, so it may be a closure.
    """
    global _task
    workers = jobs if jobs is not None else min(os.cpu_count() or 1, 8)
    if workers < 2 or len(items) < at_least or threading.active_count() > 1 or os.name != "posix":
        if meanwhile is not None:
            meanwhile()
        return [task(item) for item in items]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _task = task
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            results = pool.map(_run, items, chunksize=max(1, len(items) // (workers * 4)))  # all submitted
            if meanwhile is not None:
                meanwhile()
            return list(results)
    finally:
        _task = None
