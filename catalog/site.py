"""Stage 6: write generated pages into a docs folder, and build the site with MkDocs.

Writing keeps a manifest of what this tool wrote (path and hash), so that it only ever
removes or rewrites its own, unedited files: a user's pages in the same folder are never
touched. Building goes into a fresh folder beside the site and replaces the old site only
once the build succeeded.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import mmap
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import xxhash

from catalog.cache_files import FileStat, file_stat
from catalog.layout import is_generated_path

MANIFEST = ".agent-catalog-manifest.json"
# What a run is about to write, written before it starts: a run interrupted among its writes
# leaves files whose new digests only the journal knows.
JOURNAL = ".agent-catalog-manifest.journal.json"
# Every file a run writes is made here first, then renamed into place: a run killed on the way
# leaves its temporary files in this one folder, which the next run removes whole before it
# starts (``sweep_scratch``). MkDocs leaves folders whose name starts with a dot out of a site.
SCRATCH = ".agent-catalog-tmp"
SITE_MARKER = ".agent-catalog-site"


class OutputRefused(Exception):
    """An output folder that must not be written to (``/``, the agents, a user's folder)."""


@dataclass(frozen=True, slots=True)
class WriteResult:
    written: tuple[str, ...] = ()
    unchanged: int = 0
    removed: tuple[str, ...] = ()
    kept: tuple[tuple[str, str], ...] = ()  # (path, why) files we did not touch
    stale: tuple[str, ...] = ()  # with check=True: what a write would change
    diffs: tuple[str, ...] = ()  # with check=True: a short unified diff per stale file
    folders: tuple[str, ...] = ()  # every folder (relative) that holds a generated file
    # The stat of each file of ``pages`` that holds what was generated, as it is now: given
    # back to the next run as ``known``.
    stats: Mapping[str, FileStat] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed or self.stale)


def digest(data: bytes | memoryview | mmap.mmap) -> str:
    """The manifest's fingerprint of a file's bytes: XXH3, 128 bits (32 hex digits).

    Not a defence against anyone who can write to the docs folder: it tells a page a person
    edited from the one generated, at 10 GB/s (sha256, which manifests before it used, 1.8).
    """
    return str(xxhash.xxh3_128_hexdigest(data))


def _digests_of(data: bytes, recorded: Sequence[str]) -> set[str]:
    """``data``'s digests in the forms ``recorded`` uses (a sha256 from an older manifest)."""
    found = {digest(data)}
    if any(len(d) == 64 for d in recorded):
        import hashlib

        found.add(hashlib.sha256(data).hexdigest())
    return found


@dataclass
class _Manifest:
    # relative path -> digest of what we wrote. A path has two digests, old and new, in the
    # journal written before a run rewrites it: interrupted, the file holds one of the two.
    files: dict[str, tuple[str, ...]] = field(default_factory=dict)
    journal: bool = False  # an interrupted run's journal was there (and is merged into files)

    def owns(self, rel: str, data: bytes) -> bool:
        """Whether ``data`` at ``rel`` is what this tool wrote there (not edited since)."""
        recorded = self.files.get(rel, ())
        return not _digests_of(data, recorded).isdisjoint(recorded)


def check_output_dir(output: Path, sources: Sequence[str], what: str) -> Path:
    """Refuse ``/``, the home folder, an agents folder or any folder that contains one."""
    resolved = output.resolve()
    if resolved == Path(resolved.anchor) or resolved == Path.home().resolve():
        raise OutputRefused(f"refusing to use {output} as the {what} folder")
    for source in sources:
        agents = Path(source).resolve()
        if resolved == agents or resolved in agents.parents:
            raise OutputRefused(f"the {what} folder {output} holds the agents in {source}: choose another")
    return resolved


def write_docs(
    pages: Mapping[str, str | bytes],
    docs_dir: Path,
    *,
    check: bool = False,
    keep: Set[str] = frozenset(),
    known: Mapping[str, FileStat] | None = None,
) -> WriteResult:
    """Bring ``docs_dir`` in step with ``pages``; with ``check``, only say what is stale.

    ``keep``: generated files that are still current but were not rendered this time.
    ``known``: the last run's ``WriteResult.stats``. A file whose stat is the same still holds
    what the manifest says was written, so it is neither read nor hashed again.
    """
    _safe_folder.cache_clear()  # answers hold for one run only
    manifest = _read_manifest(docs_dir)
    known = known or {}
    written: list[str] = []
    writes: list[tuple[Path, bytes]] = []
    diffs: list[str] = []
    kept: list[tuple[str, str]] = []
    new_manifest: dict[str, tuple[str, ...]] = {}
    current_stats: dict[str, FileStat] = {}
    unchanged = 0
    for rel, text in sorted(pages.items()):
        target = docs_dir / _safe_relative(rel)
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        fingerprint = digest(data)
        if not _plain_file_or_absent(target, docs_dir):
            kept.append((rel, "is a symlink, a folder or leads outside the docs folder"))
            continue
        was = manifest.files.get(rel, ())
        if not check and len(was) == 1 and len(was[0]) == 32 and rel in known and file_stat(str(target)) == known[rel]:
            # Unchanged since this tool wrote it: ours, and what it holds has digest was[0]
            # (an XXH3 one: a sha256 from an older manifest cannot be compared with ``fingerprint``).
            new_manifest[rel] = (fingerprint,)
            if was[0] == fingerprint:
                unchanged += 1
                current_stats[rel] = known[rel]
            else:
                written.append(rel)
                writes.append((target, data))
            continue
        current = _read_bytes(target)
        if current == data:
            unchanged += 1
            new_manifest[rel] = (fingerprint,)
            current_stats[rel] = file_stat(str(target))
            continue
        ours = rel in manifest.files
        if current is not None and not manifest.owns(rel, current):
            kept.append((rel, "exists and was not written by agent-catalog" if not ours else "edited since generated"))
            if ours:
                new_manifest[rel] = manifest.files[rel]
                if check:  # a hand-edited page no longer matches its agent: CI should say so
                    written.append(rel)
                    diffs.append(short_diff(rel, current, data))
            continue
        written.append(rel)
        new_manifest[rel] = (fingerprint,)
        if check:
            diffs.append(short_diff(rel, current, data))
        else:
            writes.append((target, data))
    for rel in keep:
        if rel in manifest.files and rel not in pages:
            new_manifest[rel] = manifest.files[rel]
    removed: list[str] = []
    gone: list[str] = []  # no longer generated, and already deleted (by hand, or by a killed run)
    for rel in sorted(manifest.files):
        if rel in pages or rel in keep:
            continue
        # The manifest and the journal are input (committed, or left by anyone who can write
        # the docs folder): they remove only what generate could have written, where it writes.
        if not is_generated_path(rel):
            kept.append((rel, "the manifest lists it, but agent-catalog never generates such a file: left alone"))
            continue  # and left out of the manifest from now on
        target = docs_dir / _safe_relative(rel)
        if not _plain_file_or_absent(target, docs_dir):
            kept.append((rel, "is a symlink, a folder or leads outside the docs folder: not removed"))
            continue
        current = _read_bytes(target)
        if current is None:
            gone.append(rel)
            continue
        if not manifest.owns(rel, current):
            kept.append((rel, "generated for an agent that is gone, but edited since: left in place"))
            continue
        removed.append(rel)
        if check:
            diffs.append(f"--- {rel}\n+++ (removed: its agent is gone)\n")
    if check:
        return WriteResult((), unchanged, (), tuple(kept), tuple([*written, *removed]), tuple(diffs))
    rewrite_manifest = bool(written or removed or new_manifest != manifest.files)
    # Made once, when something is written: every file goes through it.
    scratch = _scratch(docs_dir) if writes or rewrite_manifest else docs_dir / SCRATCH
    if writes:
        # The journal first: a run interrupted among the writes leaves files that are still
        # ours, whichever content they hold, so the next run rewrites or removes them.
        journal = {rel: tuple(dict.fromkeys([*manifest.files.get(rel, ()), *new_manifest[rel]])) for rel in written}
        _write_journal(docs_dir, journal, scratch)
    for target, data in writes:
        _atomic_write(target, data, scratch)
        current_stats[target.relative_to(docs_dir).as_posix()] = file_stat(str(target))
    for rel in removed:
        target = docs_dir / _safe_relative(rel)
        target.unlink(missing_ok=True)
        _remove_empty_parents(target.parent, docs_dir)
    for rel in gone:  # its folder may be left empty: as if this run had removed the file
        _remove_empty_parents((docs_dir / _safe_relative(rel)).parent, docs_dir)
    if rewrite_manifest:
        _write_manifest(docs_dir, new_manifest, scratch)
    if writes or manifest.journal:
        (docs_dir / JOURNAL).unlink(missing_ok=True)
    drop_scratch(docs_dir)
    folders = sorted({rel.rpartition("/")[0] for rel in new_manifest} - {""})
    return WriteResult(
        tuple(written), unchanged + len(keep), tuple(removed), tuple(kept), folders=tuple(folders), stats=current_stats
    )


def short_diff(rel: str, current: bytes | None, new: bytes, limit: int = 12) -> str:
    """A few lines of unified diff, enough to see why a page is stale."""
    if current is None:
        return f"--- {rel} (missing)\n+++ {rel}\n"
    old_lines = current.decode("utf-8", "replace").splitlines(keepends=True)
    new_lines = new.decode("utf-8", "replace").splitlines(keepends=True)
    import difflib

    lines = list(difflib.unified_diff(old_lines, new_lines, f"{rel} (committed)", f"{rel} (generated)", n=1))
    if len(lines) > limit:
        lines = [*lines[:limit], f"... {len(lines) - limit} more diff lines\n"]
    cut = (line.rstrip("\n") for line in lines)
    return "".join((line if len(line) <= 160 else line[:157] + "...") + "\n" for line in cut)


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


def _write_journal(docs_dir: Path, files: Mapping[str, tuple[str, ...]], scratch: Path) -> None:
    """Before any file is rewritten: the digests each may hold, old and new, so that a run
    interrupted among the writes leaves files the next run still knows for its own.

    The journal only grows until a manifest is written: the journal of a run interrupted before
    this one names files that this run may not touch (unchanged since, or left for later), and
    they are ours all the same. A manifest written is what takes its place (then it is removed).
    """
    merged = _read_digests(docs_dir / JOURNAL)
    for rel, digests in files.items():
        merged[rel] = tuple(dict.fromkeys([*merged.get(rel, ()), *digests]))
    _atomic_write(docs_dir / JOURNAL, (manifest_json(merged) + "\n").encode(), scratch)


def _write_manifest(docs_dir: Path, files: Mapping[str, tuple[str, ...]], scratch: Path) -> None:
    _atomic_write(docs_dir / MANIFEST, (manifest_json(files) + "\n").encode(), scratch)


def manifest_json(files: Mapping[str, tuple[str, ...]]) -> str:
    """``json.dumps(..., indent=1, sort_keys=True)`` of the manifest, one entry per line, with
    the C encoder: the indenting encoder is Python and took 30 ms for 2,000 files."""
    if files and all(len(digests) == 1 for digests in files.values()):  # the usual case: one call
        flat = {rel: digests[0] for rel, digests in sorted(files.items())}
        return "{\n " + json.dumps(flat, separators=(",\n ", ": "))[1:-1] + "\n}"
    lines = []
    for rel in sorted(files):
        digests = files[rel]
        if len(digests) == 1:
            lines.append(f" {json.dumps(rel)}: {json.dumps(digests[0])}")
        elif not digests:
            lines.append(f" {json.dumps(rel)}: []")
        else:
            inner = ",\n".join(f"  {json.dumps(d)}" for d in digests)
            lines.append(f" {json.dumps(rel)}: [\n{inner}\n ]")
    return "{\n" + ",\n".join(lines) + "\n}" if lines else "{}"


def _read_manifest(docs_dir: Path) -> _Manifest:
    """The manifest, with the journal of an interrupted run merged in."""
    files = _read_digests(docs_dir / MANIFEST)
    interrupted = os.path.lexists(docs_dir / JOURNAL)
    for rel, digests in (_read_digests(docs_dir / JOURNAL) if interrupted else {}).items():
        files[rel] = tuple(dict.fromkeys([*files.get(rel, ()), *digests]))
    return _Manifest(files, journal=interrupted)


def _read_digests(path: Path) -> dict[str, tuple[str, ...]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if not path.is_symlink() else None
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    plain = _PLAIN_PATH.fullmatch
    return {
        rel: (digests,)
        if isinstance(digests, str)
        else tuple(str(d) for d in digests)
        if isinstance(digests, list)
        else (str(digests),)
        for rel, digests in data.items()
        if plain(rel) or _is_safe_relative(rel)
    }


# Paths that are safe relative paths on sight (no segment starts with a dot): checked by one
# regular expression each, at 30,000 entries in a manifest.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")


def _safe_relative(rel: str) -> PurePosixPath:
    if not _is_safe_relative(rel):
        raise OutputRefused(f"refusing to write outside the docs folder: {rel!r}")
    return PurePosixPath(rel)


def _is_safe_relative(rel: str) -> bool:
    # String checks, not PurePosixPath: this runs for every file of a large manifest.
    return bool(rel) and not rel.startswith("/") and ".." not in rel.split("/") and "\\" not in rel and "\0" not in rel


def _plain_file_or_absent(target: Path, docs_dir: Path) -> bool:
    """Only regular files inside the docs folder, reached through no symlink, are ours to write."""
    # Check the nearest folder that exists: the rest is created by this run, inside it.
    folder = target.parent
    while not folder.exists() and folder != docs_dir and docs_dir in folder.parents:
        folder = folder.parent
    if folder.exists() and not _safe_folder(folder, docs_dir):
        return False
    return not (target.is_symlink() or (target.exists() and not target.is_file()))


@functools.lru_cache(maxsize=4096)
def _safe_folder(folder: Path, docs_dir: Path) -> bool:
    """No symlink between the docs folder and ``folder``, and it resolves inside the docs folder.

    Cached per folder: a catalog writes thousands of files into a handful of folders. A run
    checks before writing and creates folders itself, so an answer stays true for the run.
    """
    parent = folder
    while parent != docs_dir and docs_dir in parent.parents:
        if parent.is_symlink():
            return False
        parent = parent.parent
    root, resolved = docs_dir.resolve(), folder.resolve()
    return root == resolved or root in resolved.parents


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() and not path.is_symlink() else None
    except OSError:
        return None


def sweep_scratch(docs_dir: Path) -> None:
    """Remove what runs that were killed left in the docs folder's scratch folder (a symlink
    there is removed, never followed). Call it holding :func:`output_lock` on the docs folder:
    then no run of ours is writing there."""
    import shutil

    scratch = docs_dir / SCRATCH
    try:
        info = os.lstat(scratch)
    except OSError:
        return  # the usual case: one stat
    if stat.S_ISDIR(info.st_mode):
        shutil.rmtree(scratch, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            os.unlink(scratch)


def _scratch(docs_dir: Path) -> Path:
    """The docs folder's scratch folder, made if needed: a folder, never a symlink."""
    scratch = docs_dir / SCRATCH
    docs_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.mkdir(scratch, 0o755)
    if not stat.S_ISDIR(os.lstat(scratch).st_mode):
        raise OutputRefused(f"{scratch} is not a folder: remove it")
    return scratch


def drop_scratch(docs_dir: Path) -> None:
    """Remove the scratch folder once a run has put all its files in place (it is empty then)."""
    with contextlib.suppress(OSError):
        os.rmdir(docs_dir / SCRATCH)


_TEMPORARY_NUMBERS = itertools.count()


def _atomic_write(path: Path, data: bytes, scratch: Path) -> None:
    """Write ``path`` whole or not at all: the data goes into a new file in ``scratch`` (the
    docs folder's, from ``_scratch``), renamed over ``path`` once written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = scratch / f"{path.name}.{os.getpid()}.{next(_TEMPORARY_NUMBERS)}"
        try:  # the kernel applies the umask to 0o666, as to any file the user makes
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        drop_scratch(scratch.parent)
        raise


def _remove_empty_parents(folder: Path, stop: Path) -> None:
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
