"""``generate``'s one path, with or without a cache: what the last run saw, so this one does only
what changed. The stages know nothing of it: this layer calls them.

Two records in the user's cache folder (never in the repository), per docs folder:

- the *stamp*: the stat of every folder walked, agent file, manifest and docs folder the last
  run saw, and its findings. When none of them changed, the run stops there, having loaded no
  fragment and imported no template code (the pre-commit case).
- the *state*: each agent file's stat with what reading it gave (its findings, and the agent
  without its text), and each agent's fragments of the shared pages (``shared_pages.Listing``).
  After an edit, only the edited files are read and only their agents rendered; the shared
  pages are joined from the fragments again. When the edited agents kept what other pages take
  from them (``identity``) and no file came or went, the catalog is not assembled again.

Besides, one file per agent with the whole Agent, read only when an unchanged agent's page has
to be rendered again (a page name or a page's findings changed, or its files were deleted).
With ``folder`` None (``--no-cache``, ``--check``), the same path renders everything.
"""

from __future__ import annotations

import os
import pickle
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import xxhash

from catalog import cache_files
from catalog.cache_files import FileStat, file_stat
from catalog.types import Agent, AgentSource, Catalog, FastPickle, Finding, Format

if TYPE_CHECKING:
    from catalog.discover import Discovery
    from catalog.layout import RenderOptions
    from catalog.render import Groups
    from catalog.shared_pages import Listing
    from catalog.site import WriteResult

SourceKey = tuple[object, ...]  # an AgentSource as plain values: unpickling 10,000 Paths costs
_STAMP, _STATE = "stamp.pickle", "state.pickle"


@dataclass(frozen=True, slots=True)
class Stamp(FastPickle):
    """Every path the last run saw, with its stat then, and what the run found."""

    key: str  # the run's key (``cache_files.run_key``): another key, another run
    paths: tuple[str, ...]
    stats: bytes  # array "q": mtime_ns, size, inode of each path in turn
    agents: int
    findings: tuple[Finding, ...]
    kept: tuple[tuple[str, str], ...]  # generated files left alone, and why

    def changed(self) -> list[str]:
        """Every path whose stat is not the one seen."""
        flat = memoryview(self.stats).cast("q")
        seen = zip(flat[0::3], flat[1::3], flat[2::3], strict=True)
        return [path for path, was in zip(self.paths, seen, strict=True) if file_stat(path) != was]


class Placement(NamedTuple):
    """What assembling the catalog decided of an agent (``assemble``)."""

    slug: str
    category: str | None
    available_as: tuple[tuple[Format, str], ...]


@dataclass(frozen=True, slots=True)
class AgentEntry(FastPickle):
    """One agent as the last run read it from its file, and placed it in the catalog."""

    source: SourceKey  # where and how discovery found it (``source_key``)
    stat: FileStat  # of its file, taken before reading it
    identity: bytes  # what other pages take from it (``identity``)
    read: tuple[Finding, ...]  # the findings of reading it
    # The Agent as read, without its text (``light``), pickled: loaded only when the catalog
    # is assembled again.
    light: bytes
    placed: Placement


@dataclass(frozen=True, slots=True)
class State(FastPickle):
    """What the last run made of the agents, for the next run to start from."""

    key: str
    discovery: Discovery  # without its sources and folder listings (``entries`` holds the sources)
    folders: dict[str, str]  # each folder walked -> ``folder_key`` of what discovery saw in it
    entries: dict[str, AgentEntry]  # cache id (``cache_id``) -> its entry, in discovery order
    order: tuple[str, ...]  # each agent's display path, in catalog order
    slugs: tuple[str, ...]  # each one's page name, in the same order
    assembly: tuple[Finding, ...]  # the findings not of reading a file (discovery's, page names')
    context: tuple[str, ...]  # what every agent page depends on (``render.page_context``)
    groups: Groups
    listings: dict[str, Listing]  # display path -> its fragments of the shared pages
    page_findings: dict[str, tuple[Finding, ...]]  # display path -> its page's findings, when any
    outputs: dict[str, FileStat] = field(default_factory=dict)  # generated file -> its stat as written


@dataclass(frozen=True, slots=True)
class GenerateResult:
    agents: int
    findings: tuple[Finding, ...]
    write: WriteResult
    up_to_date: bool = False  # nothing changed since the last run, so nothing was read or rendered
    # None when up to date. Agents whose pages were not rendered again are light copies (no
    # text, no source path): enough for names, categories and collections.
    catalog: Catalog | None = None
    # How many agent files the run read and how many agents it rendered; None when up to date.
    how: tuple[str, int, int] | None = None
    notes: tuple[str, ...] = ()  # warnings about the run, not the agents (a cache not used)


def generate(
    paths: Sequence[str],
    docs_dir: Path,
    options: RenderOptions,
    *,
    check: bool,
    exclude: list[Path],
    folder: Path | None,
    key: str,
    want_catalog: bool = False,
) -> GenerateResult:
    """Scan, render and write (or with ``check``, compare) the catalog's pages in ``docs_dir``,
    reading and rendering only what changed since the run ``folder`` remembers."""
    from catalog.render import page_context, page_groups, render_agents, render_context
    from catalog.shared_pages import shared_pages
    from catalog.site import write_docs

    stamp = cache_files.load(folder, _STAMP)
    stamp = stamp if isinstance(stamp, Stamp) and stamp.key == key else None
    changed = stamp.changed() if stamp is not None else None
    if stamp is not None and not changed:
        return GenerateResult(stamp.agents, stamp.findings, _kept(stamp.kept), up_to_date=True)
    state = cache_files.load(folder, _STATE)
    state = state if isinstance(state, State) and state.key == key and stamp is not None else None
    found = _Found.of(paths, exclude, state, changed, docs_dir)
    loaded = dict(zip(found.fresh, _load(list(found.fresh.values())), strict=True))
    made = _Made.again(found, loaded, state) if state is not None else None
    made = made or _Made.assembled(found, loaded, state)
    if made.catalog is not None:
        context, groups = page_context(made.catalog.agents), page_groups(made.catalog.agents)
    else:  # the same catalog, but what the edited files now say
        assert state is not None
        context, groups = state.context, state.groups
    page_findings: dict[str, tuple[Finding, ...]] = {}
    for finding in made.findings:
        page_findings[finding.path] = (*page_findings.get(finding.path, ()), finding)
    again = _render_again(made, state, context, page_findings, docs_dir, changed)
    agents = [_whole(made, path, found, folder) for path in made.order if path in again]
    bytecode = folder / "templates" if folder is not None else None
    if bytecode is not None:
        bytecode.mkdir(mode=0o700, parents=True, exist_ok=True)
    render = render_context(Catalog((), made.findings), options, bytecode, groups)
    pages, listings = render_agents(render, agents)
    if state is not None:
        listings = {path: listings.get(path) or state.listings[path] for path in made.order}
    pages.update(shared_pages(render, made.findings, [listings[path] for path in made.order]))
    keep = {rel for path, slug in zip(made.order, made.slugs, strict=True) if path not in again for rel in _files(slug)}
    known = state.outputs if state is not None else {}
    written = write_docs(pages, docs_dir, check=check, keep=keep, known=known)
    if folder is not None:  # None with --check
        outputs = {rel: stat for rel, stat in known.items() if rel in keep} | dict(written.stats)
        saved = State(
            key,
            replace(found.discovery, sources=(), listings={}),
            found.folders,
            _entries(folder, found, made, loaded),
            made.order,
            made.slugs,
            made.assembly,
            context,
            groups,
            listings,
            {path: found_in for path, found_in in page_findings.items() if found_in},
            outputs,
        )
        _save(folder, saved, found, made, docs_dir, written)
    how = ("incremental" if state is not None else "full run", len(found.fresh), len(again))
    catalog = made.catalog or (made.light_catalog(found) if want_catalog else None)
    return GenerateResult(len(made.order), made.findings, written, catalog=catalog, how=how)


def _kept(kept: tuple[tuple[str, str], ...]) -> WriteResult:
    from catalog.site import WriteResult

    return WriteResult(kept=kept)


@dataclass(frozen=True, slots=True)
class _Found:
    """This run's agent files, by cache id in discovery order, and which of them to read."""

    discovery: Discovery
    keys: dict[str, SourceKey]
    stats: dict[str, FileStat]  # of each file, taken before reading it
    fresh: dict[str, AgentSource]  # the files to read: new, or changed since the last run
    entries: dict[str, AgentEntry]  # the last run's, of the files not read again
    reused: bool  # discovery's result is the last run's (only agent files changed)
    folders: dict[str, str]  # each folder walked -> ``folder_key`` of what discovery saw in it

    @staticmethod
    def of(
        paths: Sequence[str], exclude: list[Path], state: State | None, changed: list[str] | None, docs_dir: Path
    ) -> _Found:
        from catalog.discover import find_agent_files

        if state is not None and changed is not None and _only_agents_changed(state, changed, str(docs_dir)):
            edited = set(changed)
            keys = {cid: entry.source for cid, entry in state.entries.items()}
            fresh = {cid: source_of(keys[cid]) for cid in keys if keys[cid][0] in edited}
            stats = {cid: file_stat(str(keys[cid][0])) if cid in fresh else e.stat for cid, e in state.entries.items()}
            entries = {cid: e for cid, e in state.entries.items() if cid not in fresh}
            return _Found(state.discovery, keys, stats, fresh, entries, True, state.folders)
        discovery = find_agent_files(paths, exclude)
        keys, stats, fresh, entries = {}, {}, {}, {}
        old = state.entries if state is not None else {}
        for source in discovery.sources:
            cid = cache_id(source)
            keys[cid], stats[cid] = source_key(source), file_stat(str(source.path))
            entry = old.get(cid)
            if entry is not None and entry.stat == stats[cid] and entry.source == keys[cid]:
                entries[cid] = entry
            else:
                fresh[cid] = source
        folders = {path: folder_key(seen) for path, seen in discovery.listings.items()}
        return _Found(discovery, keys, stats, fresh, entries, False, folders)


def _only_agents_changed(state: State, changed: list[str], docs_dir: str) -> bool:
    """Whether discovery would find what it found last time: every changed path is an agent
    file still an agent, a folder whose entries are the same, or one of our outputs."""
    from catalog.discover import entries_of, still_an_agent

    files = {str(entry.source[0]): entry for entry in state.entries.values()}
    for path in changed:
        if path in files:
            if not still_an_agent(source_of(files[path].source)):
                return False
        elif path in state.folders:
            if folder_key(entries_of(path)) != state.folders[path]:
                return False
        elif path != docs_dir and not path.startswith(docs_dir + os.sep):
            return False  # a manifest, a file passed over, a companion file
    return True


def _load(sources: list[AgentSource]) -> list[tuple[Agent | None, list[Finding]]]:
    from catalog.load import load_all

    return load_all(sources, None) if sources else []


@dataclass(frozen=True, slots=True)
class _Made:
    """The catalog of this run: its agents' order, page names and findings, and the agents read."""

    order: tuple[str, ...]  # display paths, in catalog order
    slugs: tuple[str, ...]
    findings: tuple[Finding, ...]
    assembly: tuple[Finding, ...]  # the findings not of reading a file
    whole: dict[str, Agent]  # display path -> the agents read, as the catalog has them
    ids: dict[str, str]  # display path -> cache id
    catalog: Catalog | None  # None when the catalog was not assembled again (``again``)
    placements: dict[str, Placement]  # display path -> its placement, when assembled again

    def placement(self, path: str, found: _Found) -> Placement:
        agent = self.whole.get(path)
        if agent is not None:
            return Placement(agent.slug, agent.category, agent.available_as)
        return self.placements.get(path) or found.entries[self.ids[path]].placed

    @staticmethod
    def again(found: _Found, loaded: dict[str, tuple[Agent | None, list[Finding]]], state: State) -> _Made | None:
        """The last run's catalog with the edited agents read again, when each kept its
        identity and no file came or went; else None."""
        if not found.reused:
            return None
        whole = {}
        for cid, (agent, _) in loaded.items():
            if agent is None or identity(agent) != state.entries[cid].identity:
                return None
            whole[agent.display_path] = placed(agent, state.entries[cid].placed)
        read = [f for entry in found.entries.values() for f in entry.read]
        read += [f for _, found_in_file in loaded.values() for f in found_in_file]
        findings = tuple(sorted([*state.assembly, *read], key=Finding.sort_key))
        ids = {str(entry.source[2]): cid for cid, entry in state.entries.items()}
        return _Made(state.order, state.slugs, findings, state.assembly, whole, ids, None, {})

    @staticmethod
    def assembled(found: _Found, loaded: dict[str, tuple[Agent | None, list[Finding]]], state: State | None) -> _Made:
        """The catalog assembled from every agent: those read now, and the others' light copies."""
        from catalog.assemble import assemble

        results: list[tuple[Agent, list[Finding]]] = []
        lost: list[Finding] = []  # of files that gave no agent (a bug of ours): discovery's findings
        ids = {}
        for cid in found.keys:
            if cid in loaded:
                agent, read = loaded[cid]
                if agent is None:
                    lost += read
                    continue
            else:
                agent, read = pickle.loads(found.entries[cid].light), list(found.entries[cid].read)
            results.append((agent, read))
            ids[agent.display_path] = cid
        discovery = replace(found.discovery, findings=(*found.discovery.findings, *lost))
        catalog = assemble(discovery, results)
        fresh = {cid for cid in loaded}
        whole = {a.display_path: a for a in catalog.agents if ids[a.display_path] in fresh}
        assembly = Counter(catalog.findings) - Counter(f for _, read in results for f in read)
        return _Made(
            tuple(a.display_path for a in catalog.agents),
            tuple(a.slug for a in catalog.agents),
            catalog.findings,
            tuple(sorted(assembly.elements(), key=Finding.sort_key)),
            whole,
            ids,
            catalog,
            {a.display_path: Placement(a.slug, a.category, a.available_as) for a in catalog.agents},
        )

    def light_catalog(self, found: _Found) -> Catalog:
        """The catalog, its agents light copies but those read (for ``build``'s navigation)."""
        agents = []
        for path in self.order:
            agent = self.whole.get(path)
            if agent is None:
                agent = placed(pickle.loads(found.entries[self.ids[path]].light), self.placement(path, found))
            agents.append(agent)
        return Catalog(tuple(agents), self.findings, found.discovery.skipped, found.discovery.notes)


def _render_again(
    made: _Made,
    state: State | None,
    context: tuple[str, ...],
    page_findings: dict[str, tuple[Finding, ...]],
    docs_dir: Path,
    changed: list[str] | None,
) -> set[str]:
    """The display paths of the agents whose files are rendered again: those read, and those
    whose page name, page findings or context changed, or whose files are gone."""
    if state is None or state.context != context:
        return set(made.order)
    # A generated file deleted changes its folder, which the stamp watches.
    outputs_changed = changed is None or any(path.startswith(str(docs_dir)) for path in changed)
    present = _files_in(docs_dir) if outputs_changed else None
    was = dict(zip(state.order, state.slugs, strict=True))
    again = set(made.whole)
    for path, slug in zip(made.order, made.slugs, strict=True):
        if (
            was.get(path) != slug
            or path not in state.listings
            or state.page_findings.get(path, ()) != page_findings.get(path, ())
            or (present is not None and not all(rel in present for rel in _files(slug)))
        ):
            again.add(path)
    return again


def _files(slug: str) -> tuple[str, ...]:
    from catalog.render import agent_page_paths

    return agent_page_paths(slug)


def _files_in(docs_dir: Path) -> set[str]:
    """The names of the files in the agents' folders of the docs folder, relative to it."""
    from catalog.render import AGENT_FOLDERS

    found: set[str] = set()
    for folder in AGENT_FOLDERS:
        try:
            found.update(f"{folder}/{name}" for name in os.listdir(docs_dir / folder))
        except OSError:
            continue
    return found


def _whole(made: _Made, path: str, found: _Found, folder: Path | None) -> Agent:
    """The whole agent of this display path, as the catalog has it: read now, kept in the
    cache, or read again."""
    from catalog.load import guarded_load

    agent = made.whole.get(path)
    if agent is not None:
        return agent
    cid = made.ids[path]
    entry = found.entries[cid]
    kept = cache_files.load(folder, _full_name(cid))
    whole = kept[2] if isinstance(kept, tuple) and len(kept) == 3 and kept[:2] == (cid, entry.stat) else None
    if not isinstance(whole, Agent):
        whole = guarded_load(source_of(entry.source))[0] or pickle.loads(entry.light)
    return placed(whole, made.placement(path, found))


def placed(agent: Agent, placement: Placement) -> Agent:
    """The agent as the catalog has it: its page name, its category spelt as the catalog spells
    it, the other tools' definitions of it."""
    return replace(agent, slug=placement.slug, category=placement.category, available_as=placement.available_as)


def _entries(
    folder: Path, found: _Found, made: _Made, loaded: dict[str, tuple[Agent | None, list[Finding]]]
) -> dict[str, AgentEntry]:
    """Each agent file's entry for the next run; each agent read is kept whole besides."""
    entries = {}
    for cid, key in found.keys.items():
        path = str(key[2])
        if cid not in loaded:
            entry = found.entries[cid]
            placement = made.placement(path, found)
            entries[cid] = entry if entry.placed == placement else replace(entry, placed=placement)
            continue
        agent, read = loaded[cid]
        if agent is None or not cache_files.save(folder, _full_name(cid), (cid, found.stats[cid], agent)):
            continue  # not cached: the next run reads it again
        packed = pickle.dumps(light(agent), protocol=pickle.HIGHEST_PROTOCOL)
        placement = made.placement(path, found)
        entries[cid] = AgentEntry(key, found.stats[cid], identity(agent), tuple(read), packed, placement)
    if not found.reused:
        cache_files.keep_only(folder, "full", (_full_name(cid).split("/")[1] for cid in entries))
    return entries


def _save(folder: Path, state: State, found: _Found, made: _Made, docs_dir: Path, written: WriteResult) -> None:
    """The state, then the stamp: a stamp never names a state that was not saved."""
    from catalog.site import MANIFEST

    if not cache_files.save(folder, _STATE, state):
        return
    discovery = found.discovery
    companions = [str(path) for key in found.keys.values() for path, _ in key[10]]  # type: ignore[attr-defined]
    outputs = [str(docs_dir), str(docs_dir / MANIFEST), *(str(docs_dir / rel) for rel in written.folders)]
    seen = {str(key[0]): found.stats[cid] for cid, key in found.keys.items()}
    watched = [*discovery.folders, *discovery.manifests, *discovery.passed_over, *companions, *outputs]
    stats = {path: file_stat(path) for path in watched if path not in seen} | seen
    flat = array("q", (value for stat in stats.values() for value in stat)).tobytes()
    cache_files.save(folder, _STAMP, Stamp(state.key, tuple(stats), flat, len(made.order), made.findings, written.kept))


def _full_name(cid: str) -> str:
    return "full/" + xxhash.xxh3_128_hexdigest(cid.encode("utf-8", "surrogateescape"))


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
    from catalog.facets import facet_pairs, models_of

    where = (agent.path, agent.display_path, agent.collection, agent.plugin, agent.marketplace, agent.category)
    named = (agent.name, agent.key_lines.get("name"), agent.format.value)
    values = (*named, *where, tuple(models_of(agent)), facet_pairs(agent))
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
    list its findings. Whoever renders its page gets the whole agent (``_whole``)."""
    return agent.evolve(
        description="", description_raw=None, summary="", examples=(), extra={}, body="", sections=(), source=Path()
    )
