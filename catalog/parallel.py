"""One way to spread independent work over the machine's cores: forked worker processes."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_task: Callable[[Any], Any] | None = None


def _run(item: Any) -> Any:
    assert _task is not None
    return _task(item)


def _die_with(parent: int) -> None:
    """A worker's first act: end when ``parent`` does. A killed parent cannot stop its
    workers, and one blocked on its queue would wait forever, holding the parent's stdout and
    stderr open (whoever runs the command would wait for them too)."""
    import signal

    if sys.platform == "linux":
        import ctypes

        pr_set_pdeathsig = 1
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    else:

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True, name="agent-catalog-parent-watch").start()
    if os.getppid() != parent:  # it was gone before the worker could ask to follow it
        os._exit(1)


# A worker's young generation is collected every this many objects, not every 700: it makes
# pages by the hundred, and little of what it makes outlives one (3% of a render worker's time
# went to 100 collections of 1,000 agent pages, 1% to 6 of them).
WORKER_GC_THRESHOLD = 10_000


def _start_worker(parent: int) -> None:
    import gc
    import signal

    # The parent's handlers (``catalog.cli.main.stop_as_on_ctrl_c``) are the parent's: a
    # worker ends at once, as its default action says.
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and callable(signal.getsignal(number)):
            signal.signal(number, signal.SIG_DFL)
    _die_with(parent)
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])


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
    """
    jobs = jobs if jobs is not None else min(os.cpu_count() or 1, 8)
    # One job is this process: no workers.
    with forked_results(task, items, at_least=at_least, workers=jobs if jobs > 1 else 0) as results:
        if meanwhile is not None:
            meanwhile()
        return list(results)


def forks(items: int, *, at_least: int, workers: int) -> bool:
    """Whether ``forked_results`` over this many items runs them in workers (else in this
    process, one after the other)."""
    alone = (os.cpu_count() or 1) < 2 or threading.active_count() > 1 or os.name != "posix"
    return workers >= 1 and items >= at_least and not alone


@contextmanager
def forked_results(
    task: Callable[[T], R], items: Sequence[T], *, at_least: int, workers: int, chunk: int = 64
) -> Iterator[Iterator[R]]:
    """The results of ``task`` over ``items``, in order, as ``workers`` forked processes deliver
    them (``chunk`` items at a time at most): the work starts on entering, and this process is
    free until it reads a result not yet there.

    With fewer than ``at_least`` items, one core, a second thread in this process (forking is
    only safe while it runs one: not inside ``mkdocs serve``) or not on POSIX, each result is
    computed here when it is read. The workers inherit ``task`` through the fork, so it may
    be a closure. Leaving the block stops the workers.
    """
    global _task
    if not forks(len(items), at_least=at_least, workers=workers):
        yield (task(item) for item in items)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _task = task
    # What the workers inherit is out of the collector's reach meanwhile: a worker's full
    # collection does not walk (and so copy, page by page) the whole heap of this process.
    try:
        with frozen_heap():
            context = multiprocessing.get_context("fork")
            pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),))
            with pool:
                # Submits everything now; the forks happen here, before this process starts a
                # thread of its own. Chunks small enough that the first results come soon, and
                # that the last one keeps one worker busy alone only briefly (16 or more chunks
                # a worker).
                try:
                    yield pool.map(_run, items, chunksize=max(1, min(chunk, len(items) // (workers * 16))))
                finally:
                    pool.shutdown(wait=True, cancel_futures=True)
    finally:
        _task = None


_FROZEN = [0]  # frozen_heap blocks entered and not left


@contextmanager
def frozen_heap() -> Iterator[None]:
    """What this process holds now is out of the garbage collector's reach until the block is
    left (``gc.freeze``): a collection walks only what is made meanwhile, not a heap of a
    whole catalog and its pages again and again (a full one took 0.1 s of MkDocs' one
    process, between the build's rounds of workers). Nothing held is lost: it is collected
    as before once the last of these blocks is left (they nest)."""
    import gc

    gc.freeze()
    _FROZEN[0] += 1
    try:
        yield
    finally:
        _FROZEN[0] -= 1
        if not _FROZEN[0]:
            gc.unfreeze()
