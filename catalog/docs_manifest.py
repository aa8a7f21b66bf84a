"""The docs folder's manifest: what this tool wrote there (path and digest), so that it only
ever removes or rewrites its own, unedited files; and the journal a run writes before it
rewrites any, so that a run interrupted among its writes leaves files still known for ours.
"""

from __future__ import annotations

import json
import mmap
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import xxhash

MANIFEST = ".agent-catalog-manifest.json"
# What a run is about to write, written before it starts: a run interrupted among its writes
# leaves files whose new digests only the journal knows.
JOURNAL = ".agent-catalog-manifest.journal.json"


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

    def owns(self, rel: str, data: bytes) -> bool:
        """Whether ``data`` at ``rel`` is what this tool wrote there (not edited since)."""
        recorded = self.files.get(rel, ())
        return not _digests_of(data, recorded).isdisjoint(recorded)


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


def read_manifest(docs_dir: Path) -> Manifest:
    """The manifest, with the journal of an interrupted run merged in."""
    files = read_digests(docs_dir / MANIFEST)
    interrupted = os.path.lexists(docs_dir / JOURNAL)
    for rel, digests in (read_digests(docs_dir / JOURNAL) if interrupted else {}).items():
        files[rel] = tuple(dict.fromkeys([*files.get(rel, ()), *digests]))
    return Manifest(files, journal=interrupted)


def read_digests(path: Path) -> dict[str, tuple[str, ...]]:
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
        if plain(rel) or is_safe_relative(rel)
    }


# Paths that are safe relative paths on sight (no segment starts with a dot): checked by one
# regular expression each, at 30,000 entries in a manifest.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")


def is_safe_relative(rel: str) -> bool:
    # String checks, not PurePosixPath: this runs for every file of a large manifest.
    return bool(rel) and not rel.startswith("/") and ".." not in rel.split("/") and "\\" not in rel and "\0" not in rel
