"""The pre-commit case: agents edited in place, and the docs brought in step in O(edit).

When the last run's stamp says that only agent files changed (none added, removed or moved,
no manifest and no generated file touched), and each edited agent kept what other pages take
from it (``incremental.identity``: its name, place, category, collection, models and facets),
an edit changes only the agent's page and download, its piece of each shared page, the
overview's figures and catalog.json's findings. Those are made again; every other byte of the
shared pages is copied by the kernel from the files as they are (``catalog.splice``), and the
manifest is edited, not rewritten from scratch.

Anything else, or anything unexpected (a generated file edited by hand, a cache that does not
match the docs folder): ``quick_update`` returns None before it wrote anything, and the full
incremental run (``catalog.pipeline``) does the work.
"""

from __future__ import annotations

import contextlib
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from catalog import incremental
from catalog.discover import entries_of, still_an_agent
from catalog.incremental import AgentFacts, FileStat, SpliceIndex, Stamp
from catalog.layout import RenderOptions
from catalog.types import Agent, Catalog, Finding

if TYPE_CHECKING:
    from catalog.render import Overview
    from catalog.splice import Composite


@dataclass(frozen=True, slots=True)
class QuickResult:
    agents: int
    findings: tuple[Finding, ...]
    written: tuple[str, ...]
    unchanged: int


@dataclass(frozen=True, slots=True)
class _Edit:
    """One edited agent file, read again."""

    path: str
    index: int  # in catalog order
    facts: AgentFacts
    agent: Agent
    read: tuple[Finding, ...]
    stat: FileStat  # taken before reading


def quick_update(
    docs_dir: Path,
    options: RenderOptions,
    folder: Path,
    key: str,
    stamp: Stamp,
    changed: Sequence[str],
) -> QuickResult | None:
    """Bring ``docs_dir`` in step after ``changed`` (paths of the stamp that changed), or None."""
    from catalog.site import MANIFEST

    index = incremental.load_splice(folder, key)
    if index is None or not stamp.token or index.base != stamp.token or stamp.summary[2]:
        return None
    folders = [path for path in changed if path in index.folders]
    if any(entries_of(path) != index.folders[path] for path in folders):
        return None  # files came or went: discovery must walk again
    edits = _read_edits(index, stamp, [path for path in changed if path not in index.folders])
    if edits is None:
        return None
    findings = _findings_after(index.findings, edits)
    pending = _render(docs_dir, options, folder, index, edits, findings)
    if pending is None:
        return None
    files, composites, facts, overview = pending
    from catalog.site import replace_files, spliced_manifest

    manifest = spliced_manifest(docs_dir, {rel: new for rel, (_, new) in files.items()})
    if manifest is None:
        _discard(files)
        return None
    data, before = manifest
    stats = replace_files(docs_dir, {rel: (tmp, before[rel], new) for rel, (tmp, new) in files.items()}, data)
    # The caches, splice index first: a stamp never names a state the index does not describe.
    for edit in edits:
        page, download = _agent_paths(edit.facts.slug)
        outputs = (stats.get(page, edit.facts.outputs[0]), stats.get(download, edit.facts.outputs[1]))
        facts[edit.index] = pickle.dumps(
            edit.facts.evolve(
                stat=edit.stat,
                examples=len(edit.agent.examples),
                read_findings=edit.read,
                page_findings=tuple(f for f in findings if f.path == edit.agent.display_path),
                outputs=outputs,
            ),
            protocol=5,
        )
    index.facts = facts
    index.overview = overview
    index.composites = {**index.composites, **composites}
    index.outputs = {**index.outputs, **{rel: stat for rel, stat in stats.items() if rel in index.composites}}
    index.findings = findings
    incremental.save_splice(folder, index)
    entries = dict(stamp.entries)
    entries.update((edit.path, edit.stat) for edit in edits)
    touched = {str((docs_dir / rel).parent) for rel in stats} | {str(docs_dir), str(docs_dir / MANIFEST)}
    entries.update((path, incremental.file_stat(path)) for path in [*folders, *touched] if path in entries)
    summary = (len(index.order), findings, ())
    incremental.save_stamp(folder, key, (), summary, seen=entries, token=stamp.token)
    written = tuple(sorted(files))
    return QuickResult(len(index.order), findings, written, index.file_count - len(written))


def _read_edits(index: SpliceIndex, stamp: Stamp, changed: Sequence[str]) -> list[_Edit] | None:
    """Each changed file read again, if all are agents that kept their identity."""
    from catalog.pipeline import load_agent

    edits = []
    for path in changed:
        position = index.files.get(path)
        if position is None:
            return None  # not an agent file: a folder, a manifest, the docs
        facts: AgentFacts = pickle.loads(index.facts[position])
        if facts.stat != stamp.entries.get(path) or any(f.code == "AC140" for f in facts.page_findings):
            return None  # the index is not the stamp's, or its page name names other files
        source = incremental.source_of(facts.source)
        stat = incremental.file_stat(path)
        if not still_an_agent(source):
            return None
        agent, read = load_agent(source)
        if incremental.identity(agent) != facts.identity:
            return None
        edits.append(_Edit(path, position, facts, agent.evolve(slug=facts.slug), tuple(read), stat))
    return edits


def _findings_after(findings: Sequence[Finding], edits: Sequence[_Edit]) -> tuple[Finding, ...]:
    """The catalog's findings with each edited file's findings from reading it replaced."""
    result = list(findings)
    for edit in edits:
        for finding in edit.facts.read_findings:
            result.remove(finding)
        result += edit.read
    return tuple(sorted(result, key=Finding.sort_key))


_Pending = tuple[
    dict[str, tuple[Path, str]],  # generated file -> its new file and digest
    dict[str, "Composite"],  # shared page -> its new Composite
    list[bytes],  # the index's facts
    "Overview",  # the overview's figures
]


def _render(
    docs_dir: Path,
    options: RenderOptions,
    folder: Path,
    index: SpliceIndex,
    edits: Sequence[_Edit],
    findings: tuple[Finding, ...],
) -> _Pending | None:
    """The new files, written beside the old ones, or None (and nothing left behind)."""
    from catalog.render import agent_files, figure_skeletons, piece_of, render_context
    from catalog.site import digest, file_digest, temporary_file
    from catalog.splice import splice, unchanged, write_pieces

    context = render_context(Catalog((), findings), options, folder / "templates", index.groups)
    overview = index.overview
    pieces_of = {}
    agent_pages: dict[str, bytes] = {}
    for edit in edits:
        (page, page_text), (download, raw), listing = agent_files(context, edit.agent)
        agent_pages[page] = page_text.encode("utf-8")
        agent_pages[download] = raw.encode("utf-8")
        if (incremental.file_stat(str(docs_dir / page)), incremental.file_stat(str(docs_dir / download))) != (
            edit.facts.outputs
        ):
            return None  # edited by hand, or gone: write_docs knows what to do
        pieces_of[edit.index] = lambda kind, _listing=listing: piece_of(_listing, kind)
        overview = overview.evolve_agent(edit.index, listing.examples, listing.tokens, edit.facts.examples)
    skeletons = figure_skeletons(context, overview, findings, len(index.order))
    plans = {}
    for rel, old in index.composites.items():
        planned = splice(old, skeletons.get(rel, old.skeleton), pieces_of)
        if planned is None:
            return None
        size = index.outputs.get(rel, (-1, -1, -1))[1]
        if unchanged(planned[0], size):
            continue
        if incremental.file_stat(str(docs_dir / rel)) != index.outputs.get(rel):
            return None
        plans[rel] = planned
    files: dict[str, tuple[Path, str]] = {}
    try:
        for rel, data in agent_pages.items():
            with contextlib.suppress(OSError):
                if (docs_dir / rel).read_bytes() == data:
                    continue
            tmp = temporary_file(docs_dir, rel)
            tmp.write_bytes(data)
            tmp.chmod(0o644)
            files[rel] = (tmp, digest(data))
        for rel, (pieces, _) in plans.items():
            tmp = temporary_file(docs_dir, rel)
            write_pieces(tmp, docs_dir / rel, pieces)
            files[rel] = (tmp, file_digest(tmp))
    except BaseException:
        _discard(files)
        raise
    composites = {rel: composite for rel, (_, composite) in plans.items()}
    return files, composites, list(index.facts), overview


def _agent_paths(slug: str) -> tuple[str, str]:
    from catalog.render import agent_page_paths

    return agent_page_paths(slug)


def _discard(files: dict[str, tuple[Path, str]]) -> None:
    for tmp, _ in files.values():
        with contextlib.suppress(OSError):
            tmp.unlink()
