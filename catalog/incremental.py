"""What the last ``generate`` saw, so the next one does only what changed.

Two files in the user's cache folder (never in the repository), per docs folder:

- the *stamp*: the run's key (tool code, templates, options) and the stat of every folder
  walked, agent file and manifest read, and of the docs folders. When all of them are
  unchanged, nothing can have changed: ``generate`` stops there without importing Jinja2,
  the Markdown parsers or MkDocs (the pre-commit case).
- the *agents*: each file's stat with the findings and a light copy of the Agent built from
  it (no body, sections or examples: what assigning page names needs), and each agent's
  listing (its entries in the shared pages, so those are joined, not rendered again from
  every agent). So after an edit only the edited files are parsed and only their pages
  rendered again.
- one file per agent with the whole Agent, read only when an unchanged agent's page has to
  be rendered again (its name or its page changed).
- the *splice index*: what the quick update after an edit needs (``catalog.update``), small
  enough to load in a few milliseconds for 10,000 agents: each agent's facts, pickled on
  their own and read only for the edited ones, the overview's figures, and each shared
  page as a skeleton with the length of every agent's piece in it (``catalog.splice``).
  Both kinds of run keep it; the full run also takes catalog.json's pieces from it.

A cache that cannot be read is ignored; one that cannot be written is skipped. The cache is
pickles, which run code when loaded: a cache folder someone else can write is never read
(``trusted_cache_dir``), and each file is checked again when opened.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
import pickle
import stat as stat_mode
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xxhash

from catalog.types import Agent, AgentSource, FastPickle, Finding, Format

FileStat = tuple[int, int, int]  # mtime_ns, size, inode
SourceKey = tuple[object, ...]  # an AgentSource as plain values: unpickling 10,000 Paths costs
Summary = tuple[int, tuple[Finding, ...], tuple[tuple[str, str], ...]]  # agents, findings, kept files
_FORMAT = 10


@dataclass
class Stamp:
    key: str
    paths: list[str] = field(default_factory=list)  # every file and folder the run saw
    stats: bytes = b""  # their stats, as an array "q" of (mtime_ns, size, inode) per path
    summary: Summary = (0, (), ())  # agents, findings and files left alone in that run
    token: str = ""  # the AgentCache's and the SpliceIndex's it was saved with

    def changed(self) -> list[str]:
        """What changed since: every path whose stat is not the one seen."""
        flat = memoryview(self.stats).cast("q")
        seen = zip(flat[0::3], flat[1::3], flat[2::3], strict=True)
        return [path for path, was in zip(self.paths, seen, strict=True) if file_stat(path) != was]

    def seen_of(self, path: str) -> FileStat | None:
        """The stat seen of one path (a scan of the paths, in C: for a few paths only)."""
        try:
            position = 3 * self.paths.index(path)
        except ValueError:
            return None
        flat = memoryview(self.stats).cast("q")
        return (flat[position], flat[position + 1], flat[position + 2])

    def restat(self, stats: Mapping[str, FileStat]) -> bytes:
        """``stats`` with new stats for some of its paths."""
        flat = array("q")
        flat.frombytes(self.stats)
        for path, stat in stats.items():
            position = 3 * self.paths.index(path)
            flat[position : position + 3] = array("q", stat)
        return flat.tobytes()


@dataclass
class AgentCache:
    key: str
    # file -> its stat, where it was found, and its (light Agent, findings) pickled on their own
    agents: dict[str, tuple[FileStat, SourceKey, bytes]] = field(default_factory=dict)
    slugs: dict[str, str] = field(default_factory=dict)  # display path -> slug the page was written under
    context: tuple[str, ...] = ()  # what every agent page depends on (the collections)
    listings: dict[str, Any] = field(default_factory=dict)  # display path -> render.Listing
    findings: dict[str, tuple[Finding, ...]] = field(default_factory=dict)  # display path -> its page's findings
    outputs: dict[str, FileStat] = field(default_factory=dict)  # generated file -> its stat when last seen current
    # Tells which splice index goes with this cache. The listings are kept without their
    # catalog.json object, which can be most of a catalog's bytes: it is read back from
    # catalog.json, where the splice index says it lies.
    token: str = ""


@dataclass(frozen=True, slots=True)
class AgentFacts(FastPickle):
    """What the quick update needs of one agent file, as the last run left it."""

    source: SourceKey
    stat: FileStat  # of the file when it was read
    identity: bytes  # what other pages take from it (``identity``)
    slug: str  # the page name it was given
    examples: int
    read_findings: tuple[Finding, ...]  # from reading the file
    page_findings: tuple[Finding, ...]  # every finding its page shows (discovery's, page names)
    outputs: tuple[FileStat, FileStat]  # of its page and download as written


@dataclass
class SpliceIndex:
    key: str
    base: str  # the token of the AgentCache saved with it
    order: list[str]  # each agent's display path, in catalog order
    files: dict[str, int]  # agent file -> its index in ``order``
    folders: dict[str, str]  # each folder walked -> ``folder_key`` of what discovery saw in it
    facts: bytes  # each agent's AgentFacts, pickled, one after the other in catalog order
    fact_ends: bytes  # where each one ends in ``facts`` (array "q")
    overview: bytes  # render.Overview, pickled: loading the index imports no template code
    groups: Any  # render.Groups
    composites: dict[str, Any]  # shared page -> splice.Composite
    outputs: dict[str, FileStat]  # shared page -> its stat as written
    file_count: int  # how many files the docs folder holds of ours

    def fact(self, index: int) -> AgentFacts:
        ends = memoryview(self.fact_ends).cast("q")
        found: AgentFacts = pickle.loads(self.facts[ends[index - 1] if index else 0 : ends[index]])
        return found

    def set_facts(self, changes: Mapping[int, AgentFacts]) -> None:
        """Replace the facts of some agents (the others' bytes are joined as they are)."""
        ends = memoryview(self.fact_ends).cast("q")
        facts = memoryview(self.facts)
        self.facts, self.fact_ends = pack_facts(
            pickle.dumps(changes[index], protocol=5) if index in changes else facts[start:end]
            for index, (start, end) in enumerate(itertools.pairwise([0, *ends]))
        )


def pack_facts(facts: Iterable[bytes | memoryview]) -> tuple[bytes, bytes]:
    """``SpliceIndex.facts`` and ``fact_ends`` of pickled AgentFacts."""
    pieces = list(facts)
    return b"".join(pieces), array("q", itertools.accumulate(map(len, pieces))).tobytes()


def folder_key(entries: object) -> str:
    """What discovery saw in a folder (``discover.entries_of``), as a short digest."""
    return str(xxhash.xxh3_128_hexdigest(repr(entries).encode("utf-8", "surrogateescape")))


def cache_dir(docs_dir: Path) -> Path | None:
    """This docs folder's cache folder, or None when caching is switched off."""
    if os.environ.get("AGENT_CATALOG_NO_CACHE"):
        return None
    base = os.environ.get("AGENT_CATALOG_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    digest = xxhash.xxh3_128_hexdigest(str(docs_dir.resolve()).encode("utf-8", "surrogateescape"))[:20]
    return root / "agent-catalog" / digest


def trusted_cache_dir(docs_dir: Path) -> tuple[Path | None, str | None]:
    """This docs folder's cache folder, made (private) if it is not there, when only this user
    can write it: (folder, None); else (None, why), and the run goes without the cache.

    As ssh and git do: the folder is this user's and writable by nobody else, and each folder
    above it belongs to this user or root and is writable by nobody else, unless it is sticky
    (as /tmp is: nobody else can then rename or remove what is ours in it).
    """
    folder = cache_dir(docs_dir)
    if folder is None:
        return None, None
    try:
        _make_private(folder)
        why = _why_untrusted(folder)
    except OSError as exc:
        why = f"cannot use it: {exc.strerror or exc}"
    if why is None:
        return folder, None
    return None, f"the cache folder {folder} {why}: running without the cache"


def _make_private(folder: Path) -> None:
    """Make ``folder`` and whichever of its parents are missing, each readable by its owner only."""
    missing = [p for p in [folder, *folder.parents] if not os.path.lexists(p)]
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(path, 0o700)


def _why_untrusted(folder: Path) -> str | None:
    if not hasattr(os, "getuid"):  # pragma: no cover - Windows: no owner and mode to check
        return None
    me = os.getuid()
    real = Path(os.path.realpath(folder))
    # The folder, the folders in it (pickles, compiled templates, files moved into the docs),
    # and every folder above it.
    for path in [real / "full", real / "templates", real / "spares", real / "tmp", real, *real.parents]:
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            continue
        ours = path == real or real in path.parents
        if info.st_uid != me and (ours or info.st_uid != 0):
            return f"belongs to another user ({path} is uid {info.st_uid})"
        if info.st_mode & 0o022 and (ours or not info.st_mode & stat_mode.S_ISVTX):
            return f"can be written by others ({path} has mode {stat_mode.filemode(info.st_mode)})"
    return None


def _trusted(handle: Any) -> bool:
    """Whether an open cache file is this user's and writable by nobody else."""
    if not hasattr(os, "getuid"):  # pragma: no cover - Windows
        return True
    info = os.fstat(handle.fileno())
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "wb") as handle:
        handle.write(data)


def scratch_dir(folder: Path) -> Path:
    """Where the cache's files are written before they are renamed into place, made if needed:
    what a killed run left there, ``sweep`` removes."""
    scratch = folder / "tmp"
    scratch.mkdir(mode=0o700, parents=True, exist_ok=True)
    return scratch


def sweep(folder: Path | None) -> None:
    """Remove the temporary files of runs that were killed: the scratch folder, and those of
    Jinja's bytecode cache (``*.tmp`` beside its files). Call it holding the docs folder's lock."""
    import shutil

    if folder is None:
        return
    shutil.rmtree(folder / "tmp", ignore_errors=True)
    with contextlib.suppress(OSError), os.scandir(folder / "templates") as entries:
        for entry in entries:
            if entry.name.endswith(".tmp"):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def spares_dir(folder: Path) -> Path:
    """Where the cache keeps the large generated files the last run replaced, to be written
    over by the next one (``site.replace_files``)."""
    return folder / "spares"


# The libraries whose versions shape the pages: an upgrade must not pass for "nothing changed".
_RENDERING_LIBRARIES = ("jinja2", "markdown_it", "markdown_it_pyrs", "nh3", "pyromark", "yaml", "frontmatter")


def run_key(parts: Iterable[object], code_folders: Sequence[Path]) -> str:
    """Everything besides the agents that output depends on: options, our code, templates,
    and the installed rendering libraries (the stat of each one's module file; no import)."""
    import importlib.util

    # XXH3, not hashlib: importing hashlib (OpenSSL) was 3 ms of a run where nothing changed.
    digest = xxhash.xxh3_128(repr((_FORMAT, *parts)).encode("utf-8", "surrogateescape"))
    for name in _RENDERING_LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        digest.update(repr((name, origin, file_stat(origin) if origin else None)).encode())
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


def changed_since(folder: Path | None, key: str) -> tuple[Stamp, list[str]] | None:
    """The last run's stamp and what it saw that changed since (nothing: its summary holds),
    or None when there is no stamp of a run like this one."""
    parts = _load_parts(folder, "stamp")
    if len(parts) != 2 or not isinstance(parts[0], Stamp) or parts[0].key != key:
        return None
    stamp = parts[0]
    stamp.stats = parts[1]
    return stamp, stamp.changed()


def save_stamp(
    folder: Path | None,
    key: str,
    paths: Iterable[str],
    summary: Summary,
    seen: Mapping[str, FileStat],
    token: str,
) -> None:
    """``seen``: the stat of each file taken before it was read, so that a file saved again
    while the run read it is not taken for read; the other paths are stat-ed now.
    ``token``: the AgentCache's, which the splice index names too."""
    entries = {path: file_stat(path) for path in paths if path not in seen} | dict(seen)
    flat = array("q", itertools.chain.from_iterable(entries.values())).tobytes()
    save_stamp_parts(folder, stamp_body(Stamp(key, list(entries), b"", summary, token)), flat)


def stamp_body(stamp: Stamp) -> bytes:
    """The stamp but its stats, pickled: the quick update does it before its files are in place."""
    return pickle.dumps(dataclasses.replace(stamp, stats=b""), protocol=pickle.HIGHEST_PROTOCOL)


def save_stamp_parts(folder: Path | None, body: bytes, stats: bytes) -> None:
    PendingSave(folder, "stamp", body).finish(pickle.dumps(stats, protocol=pickle.HIGHEST_PROTOCOL))


def load_agents(folder: Path | None, key: str) -> AgentCache:
    cache = _load(folder, "agents")
    return cache if isinstance(cache, AgentCache) and cache.key == key else AgentCache(key)


def save_agents(folder: Path | None, cache: AgentCache) -> None:
    _save(folder, "agents", cache)


def load_splice(folder: Path | None, key: str) -> SpliceIndex | None:
    parts = _load_parts(folder, "splice")
    if len(parts) != 2 or not isinstance(parts[0], SpliceIndex) or parts[0].key != key:
        return None
    index = parts[0]
    index.outputs = parts[1]
    return index


def splice_body(index: SpliceIndex) -> bytes:
    """The splice index but its outputs' stats, pickled: the quick update does this while
    catalog.json is still being written, and ``save_splice`` adds the stats after."""
    return pickle.dumps(dataclasses.replace(index, outputs={}), protocol=pickle.HIGHEST_PROTOCOL)


def save_splice(folder: Path | None, index: SpliceIndex) -> None:
    PendingSave(folder, "splice", splice_body(index)).finish(pickle.dumps(index.outputs, protocol=5))


class PendingSave:
    """A cache file of two pickles, the first written now and the second (then the file
    renamed into place) later: the quick update writes the bulk of its caches while
    catalog.json is still being copied. A failure to write only loses the cache."""

    def __init__(self, folder: Path | None, name: str, body: bytes) -> None:
        self._target = folder / f"{name}.pickle" if folder is not None else None
        self._handle: Any = None
        if folder is None:
            return
        try:
            self._tmp = scratch_dir(folder) / f"{name}.{os.getpid()}.tmp"
            fd = os.open(self._tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            self._handle = open(fd, "wb")  # noqa: SIM115 - closed by finish or abandon
            self._handle.write(body)
        except OSError:
            self.abandon()

    def finish(self, tail: bytes) -> None:
        if self._handle is None or self._target is None:
            return
        try:
            self._handle.write(tail)
            self._handle.close()
            os.replace(self._tmp, self._target)
        except OSError:
            self.abandon()
        self._handle = None

    def abandon(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
                os.unlink(self._tmp)
        self._handle = None


def identity(agent: Agent) -> bytes:
    """What pages other than its own and its pieces of the shared pages take from an agent:
    its page name (name, format, place), its category and collection pages, and the counts
    and facets of the overview and the filters."""
    from catalog.facets import facet_pairs, models_of

    where = (agent.path, agent.display_path, agent.collection, agent.plugin, agent.marketplace, agent.category)
    values = (agent.name, agent.format.value, *where, tuple(models_of(agent)), facet_pairs(agent))
    return bytes(xxhash.xxh3_128_digest(repr(values).encode("utf-8", "surrogateescape")))


def source_key(source: AgentSource) -> SourceKey:
    """Where and how an agent file was found, as plain values to compare with the last run's."""
    return (
        str(source.path),
        source.rel_path,
        source.display_path,
        source.format.value,
        source.collection,
        source.marketplace,
        source.plugin,
        source.category,
        source.explicit,
        source.entry,
        # A Codex config.toml or Kiro prompt file the agent is read from: an edit to it is one.
        tuple((path, file_stat(path)) for path in source.companions),
    )


def source_of(key: SourceKey) -> AgentSource:
    """The AgentSource that ``source_key`` made ``key`` of."""
    path, rel_path, display_path, fmt, collection, marketplace, plugin, category, explicit, entry, companions = key

    def text(value: object) -> str | None:
        return None if value is None else str(value)

    return AgentSource(
        path=Path(str(path)),
        rel_path=str(rel_path),
        display_path=str(display_path),
        format=Format(str(fmt)),
        collection=text(collection),
        marketplace=text(marketplace),
        plugin=text(plugin),
        category=text(category),
        explicit=bool(explicit),
        entry=text(entry),
        companions=tuple(str(companion[0]) for companion in companions),  # type: ignore[attr-defined]
    )


def light(agent: Agent) -> Agent:
    """The agent without its text, and without its absolute path: enough to name its page and
    list its findings. Whoever renders its page gets the whole agent (``load_full``). The
    description stays: the rules comparing agents read it (AC602, the descriptions' total)."""
    return agent.evolve(description_raw=None, summary="", examples=(), extra={}, body="", sections=(), source=Path())


def save_full(folder: Path, path: str, seen: FileStat, packed: bytes) -> bool:
    """Keep one agent's whole (Agent, findings), pickled, for ``load_full``, under the key of
    the file it was read from (its path, and its stat then); False when it could not be
    written (then the agent must not be cached, or an older copy would serve)."""
    target = _full_path(folder, path)
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = scratch_dir(folder) / f"{target.name}.{os.getpid()}.tmp"
        _write_private(tmp, _full_key(path, seen) + packed)
        os.replace(tmp, target)
    except OSError:
        return False
    return True


def load_full(folder: Path | None, path: str, seen: FileStat) -> bytes | None:
    """What ``save_full`` kept for this agent file as it was when ``seen``, or None: an entry
    of another file (swapped, or a name that hashes alike) or of the file before an edit is
    never served."""
    if folder is None:
        return None
    key = _full_key(path, seen)
    try:
        with open(_full_path(folder, path), "rb") as handle:
            if not _trusted(handle) or handle.read(len(key)) != key:
                return None
            return handle.read()
    except OSError:
        return None


def _full_key(path: str, seen: FileStat) -> bytes:
    named = repr((path, seen)).encode("utf-8", "surrogateescape")
    return len(named).to_bytes(4, "big") + named


def prune_full(folder: Path, paths: Iterable[str]) -> None:
    """Forget the agents of files that are gone."""
    keep = {_full_path(folder, path).name for path in paths}
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder / "full"):
            if entry.name not in keep:
                os.unlink(entry.path)


def _full_path(folder: Path, path: str) -> Path:
    return folder / "full" / (xxhash.xxh3_128_hexdigest(path.encode("utf-8", "surrogateescape")) + ".pickle")


def _load(folder: Path | None, name: str) -> Any:
    if folder is None:
        return None
    try:
        with open(folder / f"{name}.pickle", "rb") as handle:
            return pickle.load(handle) if _trusted(handle) else None
    except Exception:
        return None


def _load_parts(folder: Path | None, name: str) -> list[Any]:
    """Every pickle in the file, one after the other (none when it cannot be read)."""
    if folder is None:
        return []
    parts = []
    try:
        with open(folder / f"{name}.pickle", "rb") as handle:
            if not _trusted(handle):
                return []
            size = os.fstat(handle.fileno()).st_size
            while handle.tell() < size:
                parts.append(pickle.load(handle))
    except Exception:
        return []
    return parts


def _save(folder: Path | None, name: str, value: object) -> None:
    PendingSave(folder, name, b"").finish(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
