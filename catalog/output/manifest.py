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
from typing import NamedTuple

import xxhash

MANIFEST = ".agent-catalog-manifest.json"
# What a run is about to write, written before it starts: a run interrupted among its writes
# leaves files whose new digests only the journal knows.
JOURNAL = ".agent-catalog-manifest.journal.json"


class FileStat(NamedTuple):
    """What says a file is the one seen before (the blind spot: an edit that keeps all three)."""

    mtime_ns: int
    size: int
    inode: int


MISSING = FileStat(-1, -1, -1)


def file_stat(path: str) -> FileStat:
    try:
        info = os.stat(path)
    except OSError:
        return MISSING
    return FileStat(info.st_mtime_ns, info.st_size, info.st_ino)


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
    files: dict[str, tuple[str, ...]] = field(default_factory=dict)
    journal: bool = False  # an interrupted run's journal was there (and is merged into files)
    text: str | None = None  # the manifest file as read, when no journal was merged in
    stat: FileStat = MISSING  # of the manifest file, taken after reading it

    def owns(self, rel: str, data: bytes) -> bool:
        """Whether ``data`` at ``rel`` is what this tool wrote there (not edited since)."""
        recorded = self.files.get(rel, ())
        return not _digests_of(data, recorded).isdisjoint(recorded)


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
    if was is None or was.text is None:
        return manifest_json(files) + "\n"
    patched = _patched(files, was.files, was.text, files.keys() if changed is None else changed)
    return patched if patched is not None else manifest_json(files) + "\n"


def _patched(
    files: Mapping[str, tuple[str, ...]], old: Mapping[str, tuple[str, ...]], text: str, changed: Collection[str]
) -> str | None:
    if files.keys() != old.keys():
        return None
    spans: list[tuple[int, int, str]] = []
    for rel in set(changed):  # once each; the same paths in both: one not in ``files`` is in neither
        digests, was = files.get(rel, ()), old.get(rel, ())
        if was == digests:
            continue
        if not (len(digests) == len(was) == 1 and _PLAIN_PATH.fullmatch(rel) and _HEX.fullmatch(was[0] + digests[0])):
            return None
        line = f'\n "{rel}": "{was[0]}"'
        at = text.find(line)
        if at < 0:
            return None
        end = at + len(line) - 1  # the digest's closing quote
        spans.append((end - len(was[0]), end, digests[0]))
    pieces, end = [], 0
    for start, stop, digest_now in sorted(spans):
        pieces += [text[end:start], digest_now]
        end = stop
    return "".join([*pieces, text[end:]])


def read_manifest(docs_dir: Path, written: FileStat | None = None) -> Manifest:
    """The manifest, with the journal of an interrupted run merged in. ``written``: the stat
    the manifest had when this tool last wrote it; when it still has it, its paths are the
    ones that run checked, and are not checked again (8 ms of 30,000 paths)."""
    text = _read_text(docs_dir / MANIFEST)
    stat = file_stat(str(docs_dir / MANIFEST))
    files = _parsed(text, checked=written is not None and written != MISSING and stat == written)
    interrupted = os.path.lexists(docs_dir / JOURNAL)
    for rel, digests in (read_digests(docs_dir / JOURNAL) if interrupted else {}).items():
        files[rel] = tuple(dict.fromkeys([*files.get(rel, ()), *digests]))
    return Manifest(files, interrupted, None if interrupted else text, stat)


def read_digests(path: Path) -> dict[str, tuple[str, ...]]:
    return _parsed(_read_text(path), checked=False)


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8") if not path.is_symlink() else None
    except (OSError, ValueError):
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


def _plain_paths(paths: Collection[str]) -> bool:
    """Whether every path is plain (``_PLAIN_PATH``), checked in a few calls in C."""
    joined = "\n".join(paths)  # no path may hold a line break: the count says so
    return joined.count("\n") == len(paths) - 1 and bool(_PLAIN_PATHS.fullmatch(joined))


def is_safe_relative(rel: str) -> bool:
    # String checks, not PurePosixPath: this runs for every file of a large manifest.
    return bool(rel) and not rel.startswith("/") and ".." not in rel.split("/") and "\\" not in rel and "\0" not in rel
