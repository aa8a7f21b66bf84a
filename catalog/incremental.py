"""What the last ``generate`` saw, so the next one does only what changed.

Two files in the user's cache folder (never in the repository), per docs folder:

- the *stamp*: the run's key (tool code, templates, options) and the stat of every folder
  walked, agent file and manifest read, and of the docs folders. When all of them are
  unchanged, nothing can have changed: ``generate`` stops there without importing Jinja2,
  the Markdown parsers or MkDocs (the pre-commit case).
- the *agents*: each file's stat with the Agent and findings built from it, so that after an
  edit only the edited files are parsed again and only their pages are rendered again.

A cache that cannot be read is ignored; one that cannot be written is skipped.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.types import AgentSource, Finding

FileStat = tuple[int, int, int]  # mtime_ns, size, inode
Summary = tuple[int, tuple[Finding, ...], tuple[tuple[str, str], ...]]  # agents, findings, kept files
_FORMAT = 2


@dataclass
class Stamp:
    key: str
    entries: dict[str, FileStat] = field(default_factory=dict)
    summary: Summary = (0, (), ())  # agents, findings and files left alone in that run


@dataclass
class AgentCache:
    key: str
    # file -> its stat, where it was found, and its (Agent, findings) pickled on their own
    agents: dict[str, tuple[FileStat, AgentSource, bytes]] = field(default_factory=dict)
    slugs: dict[str, str] = field(default_factory=dict)  # display path -> slug the page was written under
    context: tuple[str, ...] = ()  # what every agent page depends on (the collections)


def cache_dir(docs_dir: Path) -> Path | None:
    """This docs folder's cache folder, or None when caching is switched off."""
    if os.environ.get("AGENT_CATALOG_NO_CACHE"):
        return None
    base = os.environ.get("AGENT_CATALOG_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    digest = hashlib.sha256(str(docs_dir.resolve()).encode()).hexdigest()[:20]
    return root / "agent-catalog" / digest


def run_key(parts: Iterable[object], code_folders: Sequence[Path]) -> str:
    """Everything besides the agents that output depends on: options, our code, templates."""
    digest = hashlib.sha256(repr((_FORMAT, *parts)).encode())
    for folder in code_folders:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                if name.endswith((".py", ".j2", ".css", ".js")):
                    digest.update(repr((os.path.join(root, name), file_stat(os.path.join(root, name)))).encode())
    return digest.hexdigest()


def file_stat(path: str) -> FileStat:
    try:
        info = os.stat(path)
    except OSError:
        return (-1, -1, -1)
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def stamp_summary(folder: Path | None, key: str) -> Summary | None:
    """The last run's agents and findings when nothing it saw has changed since, else None."""
    stamp = _load(folder, "stamp")
    if not isinstance(stamp, Stamp) or stamp.key != key:
        return None
    if all(file_stat(path) == seen for path, seen in stamp.entries.items()):
        return stamp.summary
    return None


def save_stamp(folder: Path | None, key: str, paths: Iterable[str], summary: Summary) -> None:
    _save(folder, "stamp", Stamp(key, {path: file_stat(path) for path in paths}, summary))


def load_agents(folder: Path | None, key: str) -> AgentCache:
    cache = _load(folder, "agents")
    return cache if isinstance(cache, AgentCache) and cache.key == key else AgentCache(key)


def save_agents(folder: Path | None, cache: AgentCache) -> None:
    _save(folder, "agents", cache)


def _load(folder: Path | None, name: str) -> Any:
    if folder is None:
        return None
    try:
        with open(folder / f"{name}.pickle", "rb") as handle:
            return pickle.load(handle)
    except Exception:
        return None


def _save(folder: Path | None, name: str, value: object) -> None:
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        with open(tmp, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / f"{name}.pickle")
    except OSError:
        return
