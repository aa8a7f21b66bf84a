"""The docs folder's manifest: what this tool wrote there (path and digest), so that it only
ever removes or rewrites its own, unedited files; and the journal a run writes before it
rewrites any, so that a run interrupted among its writes leaves files still known for ours.
"""

from __future__ import annotations

import mmap
import os
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple

import xxhash

from catalog.layout import MANIFEST as MANIFEST

# What a run is about to write, written before it starts: a run interrupted among its writes
# leaves files whose new digests only the journal knows.
JOURNAL = ".agent-catalog-manifest.journal.json"


class FileStat(NamedTuple):
    """What says a file is the one seen before. The change time is in it because nobody can
    set it back: an edit that keeps the size and puts the modification time back (``touch -d``,
    a tool that restores it), or a ``chmod`` that makes the file unreadable, moves it on. (The
    blind spot left: an edit within the clock tick of the stat, on a file system whose clock
    ticks in milliseconds.)"""

    mtime_ns: int
    size: int
    inode: int
    ctime_ns: int


MISSING = FileStat(-1, -1, -1, -1)


def file_stat(path: str) -> FileStat:
    try:
        info = os.stat(path)
    except OSError:
        return MISSING
    return FileStat(info.st_mtime_ns, info.st_size, info.st_ino, info.st_ctime_ns)


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
class Manifest:
    # relative path -> digest of what we wrote. A path has two digests, old and new, in the
    # journal written before a run rewrites it: interrupted, the file holds one of the two.
    # None until asked for when the manifest is the one this tool last wrote: its lines are
    # then looked up (``get``), not 30,000 of them parsed for the few a run writes.
    parsed: dict[str, tuple[str, ...]] | None = field(default_factory=dict)
    journal: bool = False  # an interrupted run's journal was there (and is merged into files)
    text: str | None = None  # the manifest file as read, when no journal was merged in
    stat: FileStat = MISSING  # of the manifest file, taken after reading it

    @property
    def files(self) -> dict[str, tuple[str, ...]]:
        if self.parsed is None:
            self.parsed = _parsed(self.text, checked=True)
        return self.parsed

    def get(self, rel: str) -> tuple[str, ...] | None:
        """``rel``'s digests, or None when the manifest does not list it."""
        if self.parsed is None and self.text is not None:
            line = _line_of(self.text, rel)
            if line is not False:
                return None if line is None else (line[2],)
        return self.files.get(rel)

    def owns(self, rel: str, data: bytes) -> bool:
        """Whether ``data`` at ``rel`` is what this tool wrote there (not edited since)."""
        recorded = self.get(rel) or ()
        return not _digests_of(data, recorded).isdisjoint(recorded)


def _line_of(text: str, rel: str) -> re.Match[str] | Literal[False] | None:
    """``rel``'s line in a manifest's text, found by a binary search of its lines (sorted by
    path, as ``manifest_json`` writes them): None when it is not listed, False when a line
    looked at is not a plain path with one digest (then the manifest is parsed)."""
    lo, hi = 1, len(text)  # where the line of ``rel`` may start
    while lo < hi:
        mid = (lo + hi) // 2
        start = text.find("\n", mid - 1) + 1  # the first line that starts at ``mid`` or after
        if not start or start >= hi:
            hi = mid
            continue
        line = _LINE.match(text, start)
        if line is None:
            if text.startswith("}", start):  # the last line
                hi = mid
                continue
            return False
        if line[1] == rel:
            return line
        if line[1] < rel:
            lo = start + 1
        else:
            hi = mid
    return None


def manifest_json(files: Mapping[str, tuple[str, ...]]) -> str:
    """``json.dumps(..., indent=1, sort_keys=True)`` of the manifest, one entry per line, with
    the C encoder: the indenting encoder is Python and took 30 ms for 2,000 files."""
    import json  # here: a run where nothing changed reads no manifest

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


def manifest_text(
    files: Mapping[str, tuple[str, ...]], was: Manifest | None = None, changed: Collection[str] | None = None
) -> str:
    """The manifest file of ``files``: ``manifest_json`` and a line break. ``was``, when given,
    is the manifest as a run wrote it (its stat says so): when the same paths have other
    digests, as after an edit (a few of thousands), the text read is patched where they are.
    ``changed``: the only paths whose digests may be others than ``was``'s (else any)."""
    if was is not None and was.text is not None and files.keys() == was.files.keys():
        rels = files.keys() if changed is None else set(changed) & files.keys()
        patched = patched_text(was.text, {rel: files[rel] for rel in rels if files[rel] != was.files[rel]})
        if patched is not None:
            return patched
    return manifest_json(files) + "\n"


def patched_text(text: str, changes: Mapping[str, tuple[str, ...]]) -> str | None:
    """A manifest's text (``manifest_json``'s) with other digests for some of the paths it
    lists; None unless each is a plain path with one digest, then and now."""
    spans: list[tuple[int, int, str]] = []
    for rel, digests in changes.items():
        line = _line_of(text, rel)
        if not line or len(digests) != 1 or not _HEX.fullmatch(digests[0]):
            return None
        spans.append((line.start(2), line.end(2), digests[0]))
    pieces, end = [], 0
    for start, stop, digest_now in sorted(spans):
        pieces += [text[end:start], digest_now]
        end = stop
    return "".join([*pieces, text[end:]])


def read_manifest(docs_dir: Path, written: FileStat | None = None) -> Manifest:
    """The manifest, with the journal of an interrupted run merged in. ``written``: the stat
    the manifest had when this tool last wrote it; when it still has it, its paths are the
    ones that run checked, and it is parsed only when asked for (``Manifest.get``)."""
    text = _read_text(docs_dir / MANIFEST)
    stat = file_stat(str(docs_dir / MANIFEST))
    checked = written is not None and written != MISSING and stat == written
    interrupted = os.path.lexists(docs_dir / JOURNAL)
    if checked and not interrupted and text is not None:
        return Manifest(None, False, text, stat)
    files = _parsed(text, checked)
    for rel, digests in (read_digests(docs_dir / JOURNAL) if interrupted else {}).items():
        files[rel] = tuple(dict.fromkeys([*files.get(rel, ()), *digests]))
    return Manifest(files, interrupted, None if interrupted else text, stat)


def read_digests(path: Path) -> dict[str, tuple[str, ...]]:
    return _parsed(_read_text(path), checked=False)


# The most this tool reads of a file in the docs folder: more than any manifest, journal or
# page it writes. A larger one (a 4 GiB sparse file) is no file of ours, and is not read whole.
MAX_READ_BYTES = 256 * 1024 * 1024


def read_regular(path: Path, limit: int = MAX_READ_BYTES) -> bytes | None:
    """A regular file's bytes, reached through no symlink at its name; None for anything else
    (missing, a symlink, a FIFO, which is never waited on, unreadable, over ``limit``)."""
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) <= limit else None


def _read_text(path: Path) -> str | None:
    data = read_regular(path)
    try:
        return data.decode("utf-8") if data is not None else None
    except ValueError:
        return None


def _parsed(text: str | None, checked: bool) -> dict[str, tuple[str, ...]]:
    import json

    try:
        data = json.loads(text) if text is not None else None
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    # The usual manifest, checked in a few calls in C: every path plain, every value one digest.
    one_each = set(map(type, data.values())) <= {str}
    if one_each and (checked or _plain_paths(data)):
        return dict(zip(data.keys(), zip(data.values()), strict=True))  # a tuple of one each, made in C
    plain = _PLAIN_PATH.fullmatch
    return {
        rel: (digests,)
        if isinstance(digests, str)
        else tuple(str(d) for d in digests)
        if isinstance(digests, list)
        else (str(digests),)
        for rel, digests in data.items()
        if plain(rel) or is_safe_relative(rel)
    }


# Paths that are safe relative paths on sight (no segment starts with a dot): checked by one
# regular expression each, at 30,000 entries in a manifest.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")
_PLAIN_PATHS = re.compile(rf"(?:{_PLAIN_PATH.pattern})(?:\n(?:{_PLAIN_PATH.pattern}))*")
_HEX = re.compile(r"[0-9a-f]+")
# A line of the manifest as ``manifest_json`` writes a plain path with one digest.
_LINE = re.compile(rf' "({_PLAIN_PATH.pattern})": "([0-9a-f]+)"')


def _plain_paths(paths: Collection[str]) -> bool:
    """Whether every path is plain (``_PLAIN_PATH``), checked in a few calls in C."""
    joined = "\n".join(paths)  # no path may hold a line break: the count says so
    return joined.count("\n") == len(paths) - 1 and bool(_PLAIN_PATHS.fullmatch(joined))


def is_safe_relative(rel: str) -> bool:
    # String checks, not PurePosixPath: this runs for every file of a large manifest.
    return bool(rel) and not rel.startswith("/") and ".." not in rel.split("/") and "\\" not in rel and "\0" not in rel
