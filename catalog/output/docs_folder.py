"""Stage 6: write generated pages into a docs folder.

The manifest (``catalog.output.manifest``) says what this tool wrote, so that it only ever
removes or rewrites its own, unedited files: a user's pages in the same folder are never
touched. Every file is written whole or not at all. (Building the site: ``catalog.output.folders``.)
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import stat
from collections.abc import Collection, Mapping, Set
from dataclasses import field
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from catalog.frozen import frozen
from catalog.layout import is_generated_path
from catalog.output.folders import OutputRefused
from catalog.output.manifest import (
    JOURNAL,
    MANIFEST,
    MAX_READ_BYTES,
    FileStat,
    digest,
    file_stat,
    is_safe_relative,
    manifest_json,
    patched_text,
    read_digests,
    read_manifest,
    read_regular,
)

__all__ = ["JOURNAL", "MANIFEST", "Listed", "WriteResult", "digest", "manifest_json", "short_diff", "write_docs"]

# Every file a run writes is made here first, then renamed into place: a run killed on the way
# leaves its temporary files in this one folder, which the next run removes whole before it
# starts (``sweep_scratch``). MkDocs leaves folders whose name starts with a dot out of a site.
SCRATCH = ".agent-catalog-tmp"


@frozen
class WriteResult:
    written: tuple[str, ...] = ()
    unchanged: int = 0
    removed: tuple[str, ...] = ()
    kept: tuple[tuple[str, str], ...] = ()  # (path, why) files we did not touch
    stale: tuple[str, ...] = ()  # with check=True: what a write would change
    diffs: tuple[str, ...] = ()  # with check=True: a short unified diff per stale file
    # Every folder (relative) that holds a generated file; with ``listed`` (the same files
    # listed), those this run wrote or removed a file in: the others are as they were.
    folders: tuple[str, ...] = ()
    # The stat of each file of ``pages`` that holds what was generated, as it is now: given
    # back to the next run as ``known``.
    stats: Mapping[str, FileStat] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed or self.stale)


class Listed(NamedTuple):
    """What a caller knows of the manifest the last run wrote (its stat in ``known``): besides
    ``pages``, it lists ``kept`` generated files still current, not rendered this time, and
    ``leaving``, no longer generated. The manifest is then not parsed (``Manifest.get``)."""

    kept: int
    leaving: Collection[str]


def write_docs(
    pages: Mapping[str, str | bytes],
    docs_dir: Path,
    *,
    check: bool = False,
    keep: Set[str] = frozenset(),
    known: Mapping[str, FileStat] | None = None,
    listed: Listed | None = None,
) -> WriteResult:
    """Bring ``docs_dir`` in step with ``pages``; with ``check``, only say what is stale.

    ``keep``: generated files that are still current but were not rendered this time.
    ``known``: the last run's ``WriteResult.stats``. A file whose stat is the same still holds
    what the manifest says was written, so it is neither read nor hashed again.
    ``listed``: instead of ``keep``, when the manifest is the one the last run wrote.
    """
    _safe_folder.cache_clear()  # answers hold for one run only
    for name in () if check else (MANIFEST, JOURNAL):  # a rename cannot put either in place
        if os.path.isdir(docs_dir / name) and not os.path.islink(docs_dir / name):
            where = docs_dir / name
            raise OutputRefused(f"{where} is a folder, where agent-catalog writes a file of its own: remove it")
    known = known or {}
    manifest = read_manifest(docs_dir, known.get(MANIFEST))
    if listed is None or manifest.parsed is not None:  # not the manifest the last run wrote
        listed = Listed(len(keep), manifest.files.keys() - pages.keys() - keep)
    leaving = sorted(listed.leaving)
    entries: dict[str, tuple[str, ...]] = {}  # the manifest's entries of ``pages`` now
    dropped = set(leaving)  # its entries to drop: what no longer is generated, or is left alone
    written: list[str] = []
    writes: list[tuple[Path, bytes]] = []
    diffs: list[str] = []
    kept: list[tuple[str, str]] = []
    current_stats: dict[str, FileStat] = {}
    unchanged = 0
    for rel, text in sorted(pages.items()):
        target = docs_dir / _safe_relative(rel)
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        fingerprint = digest(data)
        if not _plain_file_or_absent(target, docs_dir) or _too_large(target):
            kept.append((rel, "is a symlink, a folder, too large or leads outside the docs folder"))
            dropped.add(rel)
            continue
        was = manifest.get(rel)
        if (
            not check
            and was is not None
            and len(was) == 1
            and len(was[0]) == 32
            and rel in known
            and file_stat(str(target)) == known[rel]
        ):
            # Unchanged since this tool wrote it: ours, and what it holds has digest was[0]
            # (an XXH3 one: a sha256 from an older manifest cannot be compared with ``fingerprint``).
            entries[rel] = (fingerprint,)
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
            entries[rel] = (fingerprint,)
            current_stats[rel] = file_stat(str(target))
            continue
        if current is not None and not manifest.owns(rel, current):
            kept.append(
                (rel, "exists and was not written by agent-catalog" if was is None else "edited since generated")
            )
            if was is not None:
                entries[rel] = was
                if check:  # a hand-edited page no longer matches its agent: CI should say so
                    written.append(rel)
                    diffs.append(short_diff(rel, current, data))
            continue
        written.append(rel)
        entries[rel] = (fingerprint,)
        if check:
            diffs.append(short_diff(rel, current, data))
        else:
            writes.append((target, data))
    removed: list[str] = []
    gone: list[str] = []  # no longer generated, and already deleted (by hand, or by a killed run)
    for rel in leaving:
        # The manifest and the journal are input (committed, or left by anyone who can write
        # the docs folder): they remove only what generate could have written, where it writes.
        if not is_generated_path(rel):
            kept.append((rel, "the manifest lists it, but agent-catalog never generates such a file: left alone"))
            continue  # and left out of the manifest from now on
        target = docs_dir / _safe_relative(rel)
        if not _plain_file_or_absent(target, docs_dir) or _too_large(target):
            kept.append((rel, "is a symlink, a folder, too large or leads outside the docs folder: not removed"))
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
    changes = {rel: digests for rel, digests in entries.items() if manifest.get(rel) != digests}
    dropped = {rel for rel in dropped if manifest.get(rel) is not None}
    rewrite_manifest = bool(written or removed or changes or dropped)
    # Made once, when something is written: every file goes through it.
    scratch = _scratch(docs_dir) if writes or rewrite_manifest else docs_dir / SCRATCH
    if writes:
        # The journal first: a run interrupted among the writes leaves files that are still
        # ours, whichever content they hold, so the next run rewrites or removes them.
        journal = {rel: tuple(dict.fromkeys([*(manifest.get(rel) or ()), *entries[rel]])) for rel in written}
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
    # The manifest this tool wrote last, unchanged since, is patched where digests changed.
    trusted = manifest.text if MANIFEST in known and manifest.stat == known[MANIFEST] else None
    if rewrite_manifest:
        listing = patched_text(trusted, changes) if trusted is not None and not dropped else None
        if listing is None:
            files = {rel: digests for rel, digests in manifest.files.items() if rel not in dropped}
            listing = manifest_json(files | entries) + "\n"
        _atomic_write(docs_dir / MANIFEST, listing.encode(), scratch)
    current_stats[MANIFEST] = file_stat(str(docs_dir / MANIFEST)) if rewrite_manifest else manifest.stat
    if writes or manifest.journal:
        (docs_dir / JOURNAL).unlink(missing_ok=True)
    drop_scratch(docs_dir)
    if manifest.parsed is None:  # the same files listed: the folders this run changed
        folders = {rel[:at] for rel in [*written, *removed, *gone] for at in range(len(rel)) if rel[at] == "/"}
    else:
        folders = {rel.rpartition("/")[0] for rel in manifest.files.keys() - dropped | entries.keys()} - {""}
    return WriteResult(
        tuple(written),
        unchanged + listed.kept,
        tuple(removed),
        tuple(kept),
        folders=tuple(sorted(folders)),
        stats=current_stats,
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


def _write_journal(docs_dir: Path, files: Mapping[str, tuple[str, ...]], scratch: Path) -> None:
    """Before any file is rewritten: the digests each may hold, old and new, so that a run
    interrupted among the writes leaves files the next run still knows for its own.

    The journal only grows until a manifest is written: the journal of a run interrupted before
    this one names files that this run may not touch (unchanged since, or left for later), and
    they are ours all the same. A manifest written is what takes its place (then it is removed).
    """
    merged = read_digests(docs_dir / JOURNAL)
    for rel, digests in files.items():
        merged[rel] = tuple(dict.fromkeys([*merged.get(rel, ()), *digests]))
    _atomic_write(docs_dir / JOURNAL, (manifest_json(merged) + "\n").encode(), scratch)


def _safe_relative(rel: str) -> PurePosixPath:
    if not is_safe_relative(rel):
        raise OutputRefused(f"refusing to write outside the docs folder: {rel!r}")
    return PurePosixPath(rel)


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
    return read_regular(path)


def _too_large(path: Path) -> bool:
    """A file larger than any this tool writes: not ours, and not to be read whole."""
    try:
        return os.lstat(path).st_size > MAX_READ_BYTES
    except OSError:
        return False


def sweep_scratch(docs_dir: Path) -> None:
    """Remove what runs that were killed left in the docs folder's scratch folder (a symlink
    there is removed, never followed). Call it holding :func:`output_lock` on the docs folder:
    then no run of ours is writing there."""
    scratch = docs_dir / SCRATCH
    try:
        info = os.lstat(scratch)
    except OSError:
        return  # the usual case: one stat (and no import of shutil)
    if stat.S_ISDIR(info.st_mode):
        import shutil

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
