"""The cache's records: frozen values, pickled into the user's cache folder (``cache_files``).

- ``Stamp``: every path the last run saw with its stat then, and what the run found; read
  first, and alone when nothing changed.
- ``State``: what the last run made of the agents: each file's ``AgentEntry`` (pickled on its
  own, loaded only when its file changed or the catalog is assembled again), the catalog's
  order and page names, and every agent's fragments of the shared pages.
"""

from __future__ import annotations

import functools
import os
from array import array
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import xxhash

from catalog.findings import Finding
from catalog.frozen import FastPickle, frozen
from catalog.incremental.files import Part
from catalog.output.manifest import MISSING, FileStat, file_stat

if TYPE_CHECKING:
    from catalog.render.blocks import Summary, Text
    from catalog.render.pages import Groups
    from catalog.render.shared_pages import Cut, Fragments
    from catalog.types import Agent, AgentSource, Discovery, Format


@frozen
class Stamp(FastPickle):
    """Every path the last run saw, with its stat then, and what the run found."""

    key: str  # the run's key (``cache_files.run_key``): another key, another run
    paths: tuple[str, ...] = ()
    stats: bytes = b""  # array "q": mtime_ns, size, inode, ctime_ns of each path in turn
    agents: int = 0
    findings: tuple[Finding, ...] = ()
    kept: tuple[tuple[str, str], ...] = ()  # generated files left alone, and why
    entries: int | None = None  # the catalog entries among the agents (``GenerateResult.entries``)

    def changed(self) -> list[str]:
        """Every path whose stat is not the one seen: ``file_stat``'s, compared field by field
        without making a ``FileStat`` of each (a third of the check at 10,000 agents)."""
        flat = memoryview(self.stats).cast("q")
        stat, found = os.stat, []
        seen = zip(self.paths, flat[0::4], flat[1::4], flat[2::4], flat[3::4], strict=True)
        for path, mtime_ns, size, inode, ctime_ns in seen:
            try:
                info = stat(path)
            except OSError:
                if (mtime_ns, size, inode, ctime_ns) != MISSING:
                    found.append(path)
                continue
            if (
                info.st_mtime_ns != mtime_ns
                or info.st_size != size
                or info.st_ino != inode
                or info.st_ctime_ns != ctime_ns
            ):
                found.append(path)
        return found

    def restamped(
        self,
        stats: Mapping[str, FileStat],
        agents: int,
        findings: tuple[Finding, ...],
        kept: tuple[tuple[str, str], ...],
        entries: int | None = None,
    ) -> Stamp:
        """This stamp with ``stats`` for some paths (new ones added) and another run's figures:
        the stats of every other path are copied as they are, not taken apart and made again.
        ``Stamp(key).restamped(...)`` is a stamp of ``stats`` alone."""
        flat, paths = array("q", self.stats), list(self.paths)
        position = {path: index for index, path in enumerate(paths)}
        for path, stat in stats.items():
            index = position.get(path)
            if index is None:
                paths.append(path)
                flat.extend(stat)
            else:
                flat[4 * index : 4 * index + 4] = array("q", stat)
        return Stamp(self.key, tuple(paths), flat.tobytes(), agents, findings, kept, entries)


class Placement(NamedTuple):
    """What assembling the catalog decided of an agent (``catalog.assemble``)."""

    slug: str
    category: str | None
    available_as: tuple[tuple[Format, str], ...]
    entry: str = ""  # the slug of the entry whose page shows it, when it is not its own (``variants``)


class SourceKey(NamedTuple):
    """Where and how discovery found an agent (an ``AgentSource``) as plain values, to compare
    with the last run's: an entry unpickled makes no Path."""

    path: str
    rel_path: str
    display_path: str
    format: str
    collection: str | None
    marketplace: str | None
    plugin: str | None
    category: str | None
    explicit: bool
    entry: str | None
    # A Codex config.toml or Kiro prompt file the agent is read from, with its stat: an edit to it is one.
    companions: tuple[tuple[str, FileStat], ...]


@frozen
class AgentEntry(FastPickle):
    """One agent as the last run read it from its file, and placed it in the catalog."""

    source: SourceKey  # where and how discovery found it (``source_key``)
    stat: FileStat  # of its file, taken before reading it
    identity: bytes  # what other pages take from it (``identity``)
    light: Agent  # the agent as read, without its text (``light``)
    placed: Placement


@dataclass(frozen=True, eq=False)
class Entries(Mapping[str, bytes]):
    """Each agent file's ``AgentEntry`` pickled, by cache id in discovery order, kept in parts
    of ``BLOCK`` entries: a part is read when one of its entries is first asked for (an edit
    of one agent of 10,000 reads one part of 20), and made again only when one of its
    entries changed."""

    ids: tuple[str, ...]
    parts: tuple[Part[dict[str, bytes]], ...]

    @staticmethod
    def of(ids: tuple[str, ...], changes: Mapping[str, bytes], was: Entries | None) -> Entries:
        """The entries of ``ids``: ``changes``, and ``was``'s of the others; ``was``'s part
        where it holds the same ids, none of them changed."""
        old = was if was is not None else Entries((), ())
        parts = []
        for start in range(0, len(ids), BLOCK):
            block = ids[start : start + BLOCK]
            if old.ids[start : start + BLOCK] == block and changes.keys().isdisjoint(block):
                parts.append(old.parts[start // BLOCK])
            else:
                parts.append(Part.of({cid: changes.get(cid) or old[cid] for cid in block}))
        return Entries(ids, tuple(parts))

    @functools.cached_property
    def _position(self) -> dict[str, int]:
        return {cid: index for index, cid in enumerate(self.ids)}

    def __getitem__(self, cid: str) -> bytes:
        return self.parts[self._position[cid] // BLOCK].value[cid]

    def __contains__(self, cid: object) -> bool:
        return cid in self._position

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return Entries, (self.ids, self.parts)


@frozen
class State(FastPickle):
    """What the last run made of the agents, for the next run to start from."""

    key: str
    discovery: Discovery  # without its sources and folder listings (``entries`` holds the sources)
    folders: dict[str, str]  # each folder walked -> ``folder_key`` of what discovery saw in it
    entries: Entries  # cache id (``cache_id``) -> its AgentEntry pickled, in discovery order
    several: dict[str, tuple[str, ...]]  # a file of several agents -> their cache ids
    read: dict[str, tuple[Finding, ...]]  # cache id -> the findings of reading it, when any
    order: tuple[str, ...]  # each agent's display path, in catalog order
    slugs: tuple[str, ...]  # each one's page name, in the same order
    ids: tuple[str, ...]  # each one's cache id, in the same order
    assembly: tuple[Finding, ...]  # the findings not of reading a file (discovery's, page names')
    context: tuple[str, ...]  # what every agent page depends on (``render.page_context``)
    groups: Groups
    # Every agent's fragments of the shared pages, in catalog order, ``BLOCK`` agents a part,
    # and what the shared pages take from each block (``render.blocks.Summary``, ``stored``).
    blocks: tuple[Part[Fragments], ...]
    summaries: tuple[Summary, ...]
    cuts: dict[Hashable, Cut]  # the shared pages' templates cut around their items (``shared_pages.Cuts``)
    page_findings: dict[str, tuple[Finding, ...]]  # display path -> its page's findings, when any
    outputs: dict[str, FileStat]  # shared page -> its stat as written
    compared: tuple[Finding, ...]  # what the rules comparing agents found for the pages (``Made.compared``)
    definitions: frozenset[str]  # the slugs of the definitions another's page shows (``Agent.entry``)
    tokens: tuple[int, ...]  # each agent's description tokens, in catalog order (AC602's figures)


# Agents a block: as many as a part of the filter's data holds (``facets.DATA_PART``), so that
# each of its parts is one block's rows (when no agent is a definition another's page shows).
BLOCK = 500


def stored(summary: Summary) -> Summary:
    """A block's summary as the cache keeps it: each of its texts a part of its own, read when
    a page that changed needs it (an edit makes one block's pages again and leaves the others)."""

    def part(text: Text) -> Text:
        return text if isinstance(text, Part) else Part.of(text.value)

    stretches = {page: stretch.evolve(text=part(stretch.text)) for page, stretch in summary.stretches.items()}
    return summary.evolve(entries=part(summary.entries), rows=part(summary.rows), stretches=stretches)


def cache_id(source: AgentSource) -> str:
    """What the cache knows an agent by: its file, and its entry in a file of several."""
    return str(source.path) if source.entry is None else f"{source.path}#{source.entry}"


def folder_key(entries: object) -> str:
    """What discovery saw in a folder (``discover.entries_of``), as a short digest."""
    return str(xxhash.xxh3_128_hexdigest(repr(entries).encode("utf-8", "surrogateescape")))


def identity(agent: Agent) -> bytes:
    """What pages other than its own take from an agent: its page name (name, format, place,
    and the line of its name, which a finding about page names gives), its category and
    collection pages, and the counts and facets of the overview and the filters."""
    from catalog.render.facets import facet_pairs, models_of

    where = (agent.path, agent.display_path, agent.collection, agent.plugin, agent.marketplace, agent.category)
    named = (agent.name, agent.key_lines.get("name"), agent.format.value)
    values = (*named, *where, tuple(models_of(agent)), facet_pairs(agent))
    return bytes(xxhash.xxh3_128_digest(repr(values).encode("utf-8", "surrogateescape")))


def source_key(source: AgentSource) -> SourceKey:
    """Where and how an agent file was found, as plain values to compare with the last run's."""
    companions = tuple((path, file_stat(path)) for path in source.companions)
    where = (source.collection, source.marketplace, source.plugin, source.category, source.explicit, source.entry)
    return SourceKey(str(source.path), source.rel_path, source.display_path, source.format.value, *where, companions)


def source_of(key: SourceKey) -> AgentSource:
    """The AgentSource that ``source_key`` made ``key`` of."""
    from catalog.types import AgentSource, Format  # here: a run where nothing changed defines neither

    companions = tuple(path for path, _ in key.companions)
    return AgentSource(Path(key.path), key.rel_path, key.display_path, Format(key.format), *key[4:10], companions)


def light(agent: Agent) -> Agent:
    """The agent without its text, and without its absolute path: enough to name its page and
    list its findings. Whoever renders its page gets the whole agent (``_whole``). The
    description stays: the rules comparing agents read it (AC602, the descriptions' total)."""
    return agent.evolve(description_raw=None, summary="", examples=(), extra={}, body="", sections=(), source=Path())
