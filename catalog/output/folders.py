"""The output folders: which ones may be written to, one run at a time in each, and a site
built into a fresh folder beside the old one that replaces it only once the build succeeded.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

SITE_MARKER = ".agent-catalog-site"


class OutputRefused(Exception):
    """An output folder that must not be written to (``/``, the agents, a user's folder)."""


def home_folder() -> Path | None:
    """The user's home folder, or None when there is none to know: ``HOME`` unset and a user
    id with no entry in the password database (a container run with ``--user 12345``), or
    ``HOME`` set to a relative path (empty, say), which would be wherever the command runs."""
    try:
        home = Path.home()
    except (RuntimeError, KeyError, OSError):  # RuntimeError: "Could not determine home directory"
        return None
    return home if home.is_absolute() else None


def check_output_dir(output: Path, sources: Sequence[str], what: str) -> Path:
    """Refuse ``/``, the home folder, an agents folder or any folder that contains one."""
    resolved = resolved_folder(output, what)
    home = home_folder()
    if resolved == Path(resolved.anchor) or (home is not None and resolved == home.resolve()):
        raise OutputRefused(f"refusing to use {output} as the {what} folder")
    for source in sources:
        agents = Path(source).resolve()
        if resolved == agents or resolved in agents.parents:
            raise OutputRefused(f"the {what} folder {output} holds the agents in {source}: choose another")
    return resolved


def resolved_folder(folder: Path, what: str) -> Path:
    """``folder`` with its symlinks followed; a loop of them is refused (Python 3.11 and 3.12
    raise RuntimeError for one, later versions OSError)."""
    try:
        return folder.resolve()
    except (RuntimeError, OSError) as exc:
        raise OutputRefused(f"the {what} folder {folder} cannot be used: {exc}") from None


def check_named_by_project(folder: Path, roots: Sequence[Path], what: str, option: str) -> None:
    """Refuse a folder the project names (the default ``docs/`` or ``site/``, mkdocs.yml's
    ``docs_dir`` or ``site_dir``) that leads outside it: the project may be a stranger's pull
    request, run by a pre-commit hook, whose ``docs`` is a symlink to ``~/.config`` or whose
    mkdocs.yml says ``docs_dir: /etc``. Inside the current folder or mkdocs.yml's is fine; a
    folder the user names with ``option`` is the user's choice."""
    resolved = resolved_folder(folder, what)
    for root in roots:
        inside = root.resolve()
        if resolved == inside or inside in resolved.parents:
            return
    raise OutputRefused(
        f"the {what} folder {folder} leads outside this project (to {resolved}): name it with {option} to write there"
    )


def prepare_site_dir(site_dir: Path) -> None:
    """Refuse a site folder that holds anything but a site this tool built."""
    if site_dir.exists() and any(site_dir.iterdir()) and not (site_dir / SITE_MARKER).exists():
        raise OutputRefused(
            f"{site_dir} is not empty and was not built by agent-catalog: refusing to replace it "
            "(remove it or choose another --site-dir)"
        )


@contextlib.contextmanager
def staged_site(site_dir: Path) -> Iterator[Path]:
    """A fresh build folder beside the site; it replaces the site only if the block succeeds.

    Call it holding :func:`output_lock` on the site's parent folder.
    """
    import shutil
    import tempfile

    site_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(site_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.building-", dir=site_dir.parent))
    try:
        # mkdtemp makes a private (0700) folder; the site is for a web server to read.
        os.chmod(staging, created_mode(directory=True))
        yield staging
        (staging / SITE_MARKER).write_text("built by agent-catalog\n", encoding="utf-8")
        _swap(staging, site_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def created_mode(directory: bool = False) -> int:
    """The mode a new file or folder gets from the user's umask."""
    return (0o777 if directory else 0o666) & ~_umask()


def _umask() -> int:
    try:  # Linux says it without changing it (os.umask would, for every thread at once)
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def remove_stale_staging(site_dir: Path) -> None:
    """Remove the staging folders of builds that died without cleaning up (SIGKILL, a power cut).

    Every build of a site holds the lock on the site's parent folder from before it makes its
    staging folder until after it removed it; so, holding that lock, any of our folders there
    that is older than this moment belongs to a build that is gone. Only folders named as
    :func:`staged_site` and :func:`_swap` name them, beside this site, are touched.
    """
    import shutil
    import time

    prefixes = (f".{site_dir.name}.building-", f".{site_dir.name}.old-")
    now = time.time()
    try:
        entries = list(os.scandir(site_dir.parent))
    except OSError:
        return
    for entry in entries:
        try:
            if (
                entry.name.startswith(prefixes)
                and entry.is_dir(follow_symlinks=False)
                and entry.stat(follow_symlinks=False).st_mtime <= now
            ):
                shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:
            continue


def _swap(new: Path, site_dir: Path) -> None:
    """Put the new site in place: atomically where the OS can exchange two paths."""
    import shutil

    if site_dir.exists() and _exchange(new, site_dir):
        shutil.rmtree(new, ignore_errors=True)  # ``new`` now holds the old site
        return
    old = site_dir.with_name(f".{site_dir.name}.old-{os.getpid()}")
    if site_dir.exists():
        os.rename(site_dir, old)
    try:
        os.rename(new, site_dir)
    except BaseException:
        if old.exists() and not site_dir.exists():
            os.rename(old, site_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): swap two folders in one step, so no moment is without a site."""
    import ctypes

    if sys.platform != "linux":
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange)
    return bool(result == 0)


@contextlib.contextmanager
def output_lock(folder: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (no file is created): one run at a time writes there."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
