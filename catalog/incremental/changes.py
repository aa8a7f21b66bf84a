"""What changed since the run the cache remembers: which agent files to read (``Found``), and
the catalog they make (``Made``): the last run's when each edited agent kept its identity and
no file came or went, else assembled again from every agent. Called by ``catalog.incremental.run``.
"""

from __future__ import annotations

import os
import pickle
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from catalog.frozen import frozen
from catalog.incremental.records import (
    AgentEntry,
    Placement,
    SourceKey,
    State,
    cache_id,
    folder_key,
    identity,
    source_key,
    source_of,
)
from catalog.output.manifest import FileStat, file_stat
from catalog.types import Agent, AgentSource, Catalog, Finding

if TYPE_CHECKING:
    from catalog.types import Discovery

Loaded = dict[str, tuple[Agent | None, list[Finding]]]  # cache id -> what reading its file gave


@frozen
class Found:
    """This run's agent files, by cache id, and which of them to read."""

    discovery: Discovery
    ids: tuple[str, ...]  # every cache id, in discovery order
    fresh: dict[str, AgentSource]  # the files to read: new, or changed since the last run
    stats: dict[str, FileStat]  # of the files read (taken before reading), or of every file
    keys: dict[str, SourceKey]  # the same
    kept: Mapping[str, bytes]  # the last run's entries (of the files read again too: not asked for)
    reused: bool  # discovery's result is the last run's (only agent files changed)
    folders: dict[str, str]  # each folder walked -> ``folder_key`` of what discovery saw in it
    several: dict[str, tuple[str, ...]]  # a file of several agents -> their cache ids
    read: dict[str, tuple[Finding, ...]]  # the last run's findings of reading each file, when any

    def entry(self, cid: str) -> AgentEntry:
        found: AgentEntry = pickle.loads(self.kept[cid])
        return found

    @staticmethod
    def of(
        paths: Sequence[str], exclude: list[Path], state: State | None, changed: list[str] | None, docs_dir: str
    ) -> Found:
        reuse = state is not None and changed is not None and only_agents_changed(state, changed, docs_dir)
        if reuse and state is not None and changed is not None:
            edited = [cid for path in changed for cid in ids_of(state, path)]
            entries = {cid: entry for cid in edited if (entry := entry_of(state.entries[cid])) is not None}
            fresh = {cid: source_of(entry.source) for cid, entry in entries.items()}
            stats = {cid: file_stat(str(source.path)) for cid, source in fresh.items()}
            keys = {cid: entry.source for cid, entry in entries.items()}
            was = state.entries
            return Found(
                state.discovery, was.ids, fresh, stats, keys, was, True, state.folders, state.several, state.read
            )
        from catalog.discover.find import find_agent_files  # here: a run after an edit walks no folder

        discovery = find_agent_files(paths, exclude)
        ids = tuple(cache_id(source) for source in discovery.sources)
        fresh, stats, keys = {}, {}, {}
        several: dict[str, tuple[str, ...]] = {}
        old: Mapping[str, bytes] = state.entries if state is not None else {}
        for cid, source in zip(ids, discovery.sources, strict=True):
            keys[cid], stats[cid] = source_key(source), file_stat(str(source.path))
            packed = old.get(cid)
            entry = entry_of(packed) if packed is not None else None
            if entry is None or (entry.stat, entry.source) != (stats[cid], keys[cid]):
                fresh[cid] = source
            if source.entry is not None:
                several[str(source.path)] = (*several.get(str(source.path), ()), cid)
        folders = {path: folder_key(seen) for path, seen in discovery.listings.items()}
        read = state.read if state is not None else {}
        return Found(discovery, ids, fresh, stats, keys, old, False, folders, several, read)


def entry_of(packed: bytes) -> AgentEntry | None:
    entry = pickle.loads(packed)
    return entry if isinstance(entry, AgentEntry) else None


def ids_of(state: State, path: str) -> tuple[str, ...]:
    """The cache ids of the agents of one file (none when it is not an agent file)."""
    return state.several.get(path) or ((path,) if path in state.entries else ())


def only_agents_changed(state: State, changed: list[str], docs_dir: str) -> bool:
    """Whether discovery would find what it found last time: every changed path is an agent
    file still an agent, a folder whose entries are the same, or one of our outputs."""
    from catalog.discover.agent_files import named_parts, several_text, still_an_agent

    # What discovery said of an agent file (a prompt file it did not read, AC119) is of its text
    # then: quoted from it, at a line of it. An edit of that file needs discovery again.
    said = {finding.path for finding in state.discovery.findings}
    for path in changed:
        ids = ids_of(state, path)
        if ids:
            # A file of several agents: the ones it had (an added or renamed one needs discovery),
            # each with the prompt file it named (the second's may be the one that changed).
            others = [i.rsplit("#", 1)[1] for i in ids if "#" in i]
            entries = [entry_of(state.entries[cid]) for cid in ids]
            if any(entry is None or entry.source.display_path in said for entry in entries):
                return False
            sources = [source_of(entry.source) for entry in entries if entry is not None]
            if not still_an_agent(sources[0], others):
                return False
            text = several_text(path) if len(sources) > 1 else None  # read once for all its agents
            if any(named_parts(source, text) not in (None, source.companions) for source in sources[1:]):
                return False
        elif path in state.folders:
            from catalog.discover.find import entries_of  # here: an edit in place changes no folder

            if folder_key(entries_of(path)) != state.folders[path]:
                return False
        elif path != docs_dir and not path.startswith(docs_dir + os.sep):
            return False  # a manifest, a file passed over, a companion file
    return True


@frozen
class Made:
    """The catalog of this run: its agents' order, page names and findings, and the agents read."""

    order: tuple[str, ...]  # display paths, in catalog order
    slugs: tuple[str, ...]
    ids: tuple[str, ...]  # cache ids
    findings: tuple[Finding, ...]
    assembly: tuple[Finding, ...]  # the findings not of reading a file
    read: dict[str, tuple[Finding, ...]]  # cache id -> the findings of reading it, when any
    whole: dict[str, Agent]  # cache id -> an agent read, as the catalog has it
    catalog: Catalog | None  # None when the catalog was not assembled again (``again``)
    # What the rules comparing agents find, as the pages show it (``lint.page_findings``).
    compared: tuple[Finding, ...]
    definitions: frozenset[str]  # the slugs of the definitions another's page shows
    tokens: tuple[int, ...]  # each agent's description tokens, in catalog order (AC602's figures)

    @staticmethod
    def again(found: Found, loaded: Loaded, state: State) -> Made | None:
        """The last run's catalog with the edited agents read again, when each kept its
        identity and no file came or went; else None. What the rules comparing agents find
        stays the last run's (identity covers what AC301 and AC302 read), but AC602, made
        again from the descriptions' tokens when they changed."""
        from catalog.lint.rules import estimate_tokens

        if not found.reused:
            return None
        whole = {}
        read = dict(state.read)
        tokens = list(state.tokens)
        position = state.ids.index if len(loaded) < 64 else {cid: i for i, cid in enumerate(state.ids)}.__getitem__
        for cid, (agent, found_in_file) in loaded.items():
            was = entry_of(state.entries[cid])
            if agent is None or was is None or identity(agent) != was.identity:
                return None
            tokens[position(cid)] = estimate_tokens(agent.description)
            whole[cid] = placed(agent, was.placed)
            read.pop(cid, None)
            if found_in_file:
                read[cid] = tuple(found_in_file)
        compared = state.compared
        if tuple(tokens) != state.tokens:  # AC602's figures, on another agent's page maybe
            compared = _with_total_tokens(
                compared, tokens, lambda i: whole.get(state.ids[i]) or found.entry(state.ids[i]).light
            )
        findings = tuple(sorted([*state.assembly, *(f for fs in read.values() for f in fs)], key=Finding.sort_key))
        return Made(
            state.order,
            state.slugs,
            state.ids,
            findings,
            state.assembly,
            read,
            whole,
            None,
            compared,
            state.definitions,
            tuple(tokens),
        )

    @staticmethod
    def assembled(found: Found, loaded: Loaded) -> Made:
        """The catalog assembled from every agent: those read now, and the others' light copies."""
        from catalog.assemble import assemble
        from catalog.lint.check import NOT_ON_PAGES, catalog_rule_findings
        from catalog.lint.rules import estimate_tokens

        results: list[tuple[Agent, list[Finding]]] = []
        lost: list[Finding] = []  # of files that gave no agent (a bug of ours): discovery's findings
        ids, read = {}, {}
        for cid in found.ids:
            if cid in loaded:
                agent, found_in_file = loaded[cid]
                if agent is None:
                    lost += found_in_file
                    continue
            else:
                agent, found_in_file = found.entry(cid).light, list(found.read.get(cid, ()))
            results.append((agent, found_in_file))
            ids[agent.display_path] = cid
            if found_in_file:
                read[cid] = tuple(found_in_file)
        catalog = assemble(replace(found.discovery, findings=(*found.discovery.findings, *lost)), results)
        whole = {ids[a.display_path]: a for a in catalog.agents if ids[a.display_path] in loaded}
        assembly = Counter(catalog.findings) - Counter(f for fs in read.values() for f in fs)
        return Made(
            tuple(a.display_path for a in catalog.agents),
            tuple(a.slug for a in catalog.agents),
            tuple(ids[a.display_path] for a in catalog.agents),
            catalog.findings,
            tuple(sorted(assembly.elements(), key=Finding.sort_key)),
            read,
            whole,
            catalog,
            tuple(catalog_rule_findings(catalog.agents, skip=NOT_ON_PAGES)),
            frozenset(a.slug for a in catalog.agents if a.entry),
            tuple(estimate_tokens(a.description) for a in catalog.agents),
        )

    @property
    def entries(self) -> int:
        """The catalog entries: every agent but the definitions another's page shows."""
        return len(self.order) - len(self.definitions)

    def placement(self, index: int, found: Found) -> Placement:
        """Where agent ``index`` was placed: in the catalog assembled now, or by the last run."""
        agent = self.catalog.agents[index] if self.catalog is not None else self.whole.get(self.ids[index])
        if agent is None:
            return found.entry(self.ids[index]).placed
        return Placement(agent.slug, agent.category, agent.available_as, agent.entry)

    def light_catalog(self, found: Found, state: State) -> Catalog:
        """The catalog, its agents light copies but those read (for ``build``'s navigation)."""
        agents = []
        for index, cid in enumerate(self.ids):
            agent = self.whole.get(cid)
            agents.append(agent or placed(found.entry(cid).light, self.placement(index, found)))
        return Catalog(tuple(agents), self.findings, found.discovery.skipped, found.discovery.notes)


def _with_total_tokens(
    compared: tuple[Finding, ...], tokens: list[int], agent_of: Callable[[int], Agent]
) -> tuple[Finding, ...]:
    """``compared`` with AC602's finding made again from each agent's tokens."""
    from catalog.lint.check import total_tokens_finding

    def longest_of(indexes: list[int]) -> Agent:
        return max((agent_of(index) for index in indexes), key=lambda agent: agent.path)

    total = total_tokens_finding(tokens, longest_of)
    return (*(f for f in compared if f.code != "AC602"), *([total] if total is not None else []))


def placed(agent: Agent, placement: Placement) -> Agent:
    """The agent as the catalog has it: its page name, its category spelt as the catalog spells
    it, the other tools' definitions of it and the entry whose page shows it."""
    return replace(
        agent,
        slug=placement.slug,
        category=placement.category,
        available_as=placement.available_as,
        entry=placement.entry,
    )
