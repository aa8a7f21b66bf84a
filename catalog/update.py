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
import dataclasses
import functools
import os
import pickle
import threading
from collections.abc import Callable, Mapping, Sequence
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
    from catalog.splice import Composite, Piece


@dataclass(frozen=True, slots=True)
class QuickResult:
    agents: int
    findings: tuple[Finding, ...]
    written: tuple[str, ...]
    unchanged: int
    read: int = 0  # agent files read again (and their pages rendered)


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
    from catalog.site import JOURNAL, MANIFEST, replace_files

    if os.path.lexists(docs_dir / JOURNAL):
        return None  # a run was interrupted: its journal is merged into the manifest by write_docs
    index = incremental.load_splice(folder, key)
    if index is None or not stamp.token or index.base != stamp.token or stamp.summary[2]:
        return None
    folders = [path for path in changed if path in index.folders]
    if any(incremental.folder_key(entries_of(path)) != index.folders[path] for path in folders):
        return None  # files came or went: discovery must walk again
    files = [path for path in changed if path not in index.folders]
    if not all(path in index.files for path in files) or "catalog.json" not in index.composites:
        return None  # not agent files: a manifest, the docs
    if not files:  # an editor saved a file by renaming, and put back what it replaced
        restat = {path: incremental.file_stat(path) for path in folders}
        incremental.save_stamp_parts(folder, incremental.stamp_body(stamp), stamp.restat(restat))
        return QuickResult(len(index.order), stamp.summary[1], (), index.file_count)
    staged = _Staged(docs_dir, incremental.spares_dir(folder))
    saves: list[incremental.PendingSave] = []  # the splice index's, then the stamp's
    try:
        prepared = _prepare(docs_dir, options, folder, index, stamp, files, staged, saves)
    except BaseException:
        _drop(staged, saves)
        raise
    if prepared is None:
        _drop(staged, saves)
        return None
    edits, findings, stamp, (manifest, before) = prepared
    try:
        replaced = {rel: (tmp, before[rel], new) for rel, (tmp, new) in staged.files.items()}
        stats = replace_files(docs_dir, replaced, manifest, staged.spares)
    except BaseException:
        for save in saves:
            save.abandon()
        raise
    # The caches, splice index first: a stamp never names a state the index does not describe.
    index.outputs = {**index.outputs, **{rel: stat for rel, stat in stats.items() if rel in index.composites}}
    saves[0].finish(pickle.dumps(index.outputs, protocol=pickle.HIGHEST_PROTOCOL))
    touched = {str((docs_dir / rel).parent) for rel in stats} | {str(docs_dir), str(docs_dir / MANIFEST)}
    seen = {path: incremental.file_stat(path) for path in [*folders, *touched] if path in stamp.paths}
    seen.update((edit.path, edit.stat) for edit in edits)
    saves[1].finish(pickle.dumps(stamp.restat(seen), protocol=pickle.HIGHEST_PROTOCOL))
    written = tuple(sorted(staged.files))
    return QuickResult(len(index.order), findings, written, index.file_count - len(written), len(edits))


_Prepared = tuple[list["_Edit"], tuple[Finding, ...], Stamp, tuple[bytes, dict[str, str]]]


def _prepare(
    docs_dir: Path,
    options: RenderOptions,
    folder: Path,
    index: SpliceIndex,
    stamp: Stamp,
    files: Sequence[str],
    staged: _Staged,
    saves: list[incremental.PendingSave],
) -> _Prepared | None:
    """Everything but putting the files in place: the edits read, the new files and the
    caches' bulk written beside the old ones, and the manifest as it will be. None when the
    quick update gives way to the full run."""
    from catalog.site import spliced_manifest

    # Most of an edit's cost at 10,000 agents is copying catalog.json (130 MB): start with
    # what comes before the first edited agent's object, before the edits are even read.
    with _EarlyCopy(staged, "catalog.json", index, [index.files[path] for path in files]) as early:
        edits = _read_edits(index, stamp, files)
        findings = _findings_after(stamp.summary[1], edits) if edits else None
        if not edits or findings is None:
            return None
        made = _stage(docs_dir, options, folder, index, edits, findings, staged, early)
        if made is None:
            return None
        # While the shared pages are still being written:
        saves.append(incremental.PendingSave(folder, "splice", _next_index(index, edits, findings, made, staged)))
        stamp = dataclasses.replace(stamp, summary=(len(index.order), findings, ()))
        saves.append(incremental.PendingSave(folder, "stamp", incremental.stamp_body(stamp)))
        staged.wait()
    manifest = spliced_manifest(docs_dir, staged.digests())
    return None if manifest is None else (edits, findings, stamp, manifest)


def _drop(staged: _Staged, saves: list[incremental.PendingSave]) -> None:
    staged.discard()
    for save in saves:
        save.abandon()


def _next_index(
    index: SpliceIndex,
    edits: Sequence[_Edit],
    findings: tuple[Finding, ...],
    made: tuple[dict[str, Composite], Overview],
    staged: _Staged,
) -> bytes:
    """Update ``index`` for after the edits (but its outputs' stats) and pickle it."""
    from catalog.lint import CATALOG_RULE_CODES
    from catalog.render import agent_page_paths

    composites, overview = made
    facts = {}
    for edit in edits:
        # A new file's stat is the one it keeps once renamed into place.
        page, download = (
            incremental.file_stat(str(staged.files[rel][0])) if rel in staged.files else old
            for rel, old in zip(agent_page_paths(edit.facts.slug), edit.facts.outputs, strict=True)
        )
        facts[edit.index] = edit.facts.evolve(
            stat=edit.stat,
            examples=len(edit.agent.examples),
            read_findings=edit.read,
            page_findings=tuple(
                sorted(
                    (
                        *(f for f in findings if f.path == edit.agent.display_path),
                        *(f for f in edit.facts.page_findings if f.code in CATALOG_RULE_CODES),
                    ),
                    key=Finding.sort_key,
                )
            ),
            outputs=(page, download),
        )
    index.set_facts(facts)
    index.overview = pickle.dumps(overview, protocol=pickle.HIGHEST_PROTOCOL)
    index.composites = {**index.composites, **composites}
    return incremental.splice_body(index)


def _read_edits(index: SpliceIndex, stamp: Stamp, changed: Sequence[str]) -> list[_Edit] | None:
    """Each changed file read again, if all are agents that kept their identity."""
    from catalog.pipeline import guarded_load

    edits = []
    for path in changed:
        position = index.files[path]
        facts = index.fact(position)
        if facts.source[0] != path:
            return None  # the facts are another file's (a swapped or damaged index)
        if facts.stat != stamp.seen_of(path) or any(f.code == "AC140" for f in facts.page_findings):
            return None  # the index is not the stamp's, or its page name names other files
        source = incremental.source_of(facts.source)
        stat = incremental.file_stat(path)
        if not still_an_agent(source):
            return None
        agent, read = guarded_load(source)
        if agent is None or incremental.identity(agent) != facts.identity:
            return None
        edits.append(_Edit(path, position, facts, agent.evolve(slug=facts.slug), tuple(read), stat))
    return edits


def _findings_after(findings: Sequence[Finding], edits: Sequence[_Edit]) -> tuple[Finding, ...] | None:
    """The catalog's findings with each edited file's findings from reading it replaced; None
    when the stamp does not hold them (caches of two different runs)."""
    result = list(findings)
    for edit in edits:
        for finding in edit.facts.read_findings:
            if finding not in result:
                return None
            result.remove(finding)
        result += edit.read
    return tuple(sorted(result, key=Finding.sort_key))


class _Staged:
    """New files written beside the ones they replace, until ``replace_files`` puts them in place."""

    def __init__(self, docs_dir: Path, spares: Path) -> None:
        self.docs_dir = docs_dir
        self.spares = spares  # see ``site.replace_files``
        self.files: dict[str, tuple[Path, str]] = {}  # generated file -> its new file, digest
        self._thread: threading.Thread | None = None
        self._failed: list[BaseException] = []

    def write(self, rel: str, data: bytes) -> None:
        from catalog.site import created_mode, digest, temporary_file

        tmp = temporary_file(self.docs_dir, rel)  # written whole: a spare's pages would be freed
        self.files[rel] = (tmp, digest(data))
        tmp.write_bytes(data)
        tmp.chmod(created_mode())

    def write_in_background(self, planned: Sequence[tuple[str, list[Piece]]]) -> None:
        """Write files from their pieces in a thread (the kernel copies, the digest runs
        without the GIL) while this one goes on; ``wait`` for it."""
        from catalog.site import temporary_file

        if not planned:
            return
        for rel, _ in planned:
            self.files[rel] = (temporary_file(self.docs_dir, rel, self.spares), "")
        self._thread = threading.Thread(target=self._write_all, args=(planned,), name="agent-catalog-pages")
        self._thread.start()

    def _write_all(self, planned: Sequence[tuple[str, list[Piece]]]) -> None:
        from catalog.site import file_digest
        from catalog.splice import write_pieces

        try:
            for rel, pieces in planned:
                tmp = self.files[rel][0]
                write_pieces(tmp, self.docs_dir / rel, pieces)
                self.files[rel] = (tmp, file_digest(tmp))
        except BaseException as exc:
            self._failed.append(exc)

    def wait(self) -> None:
        """Until the files given to ``write_in_background`` are written; raises what that raised."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._failed:
            raise self._failed[0]

    def digests(self) -> dict[str, str]:
        return {rel: new for rel, (_, new) in self.files.items()}

    def discard(self) -> None:
        from catalog.site import drop_scratch

        with contextlib.suppress(BaseException):
            self.wait()
        for tmp, _ in self.files.values():
            with contextlib.suppress(OSError):
                tmp.unlink()
        drop_scratch(self.docs_dir)


def _stage(
    docs_dir: Path,
    options: RenderOptions,
    folder: Path,
    index: SpliceIndex,
    edits: Sequence[_Edit],
    findings: tuple[Finding, ...],
    staged: _Staged,
    early: _EarlyCopy,
) -> tuple[dict[str, Composite], Overview] | None:
    """Write the new files beside the old ones; None when the docs are not as the index says.

    ``early`` goes on writing catalog.json while this thread renders the edited agents'
    pages and the overview."""
    from catalog.config import MAX_TOTAL_DESCRIPTION_TOKENS
    from catalog.lint import CATALOG_RULE_CODES
    from catalog.render import (
        agent_files,
        agent_page_paths,
        json_piece,
        json_skeleton,
        overview_skeleton,
        piece_of,
        render_context,
    )
    from catalog.splice import splice, unchanged

    for edit in edits:
        paths = agent_page_paths(edit.facts.slug)
        if tuple(incremental.file_stat(str(docs_dir / rel)) for rel in paths) != edit.facts.outputs:
            return None  # edited by hand, or gone: write_docs knows what to do
    composites: dict[str, Composite] = {}

    def plan(rel: str, skeleton: bytes, pieces: Mapping[int, Callable[[bytes], bytes]]) -> list[Piece] | None:
        """The pieces of the new ``rel``, or None when it stays as it is."""
        if incremental.file_stat(str(docs_dir / rel)) != index.outputs.get(rel):
            raise _NotQuick  # edited by hand, or gone
        with open(docs_dir / rel, "rb") as handle:

            def read(start: int, end: int) -> bytes:
                handle.seek(start)
                return handle.read(end - start)

            planned = splice(index.composites[rel], skeleton, pieces, read)
            if planned is None:
                raise _NotQuick
            composites[rel] = planned[1]
            return None if unchanged(planned[0], index.outputs[rel][1], read) else planned[0]

    json_pieces = {edit.index: _always(json_piece(edit.agent)) for edit in edits}
    try:
        old_json = index.composites["catalog.json"].skeleton
        if not early.finish(plan("catalog.json", json_skeleton(findings, len(index.order), old_json), json_pieces)):
            return None
        # The edited pages keep what the rules comparing agents found: an edit that keeps an
        # agent's identity changes none of it, but the descriptions' total (AC602), checked below.
        compared = tuple(f for edit in edits for f in edit.facts.page_findings if f.code in CATALOG_RULE_CODES)
        context = render_context(Catalog((), (*findings, *compared)), options, folder / "templates", index.groups)
        overview: Overview = pickle.loads(index.overview)
        tokens_before = sum(overview.tokens)
        rendered: dict[int, Callable[[bytes], bytes]] = {}
        for edit in edits:
            (page, page_text), (download, raw), listing = agent_files(context, edit.agent)
            for rel, text in ((page, page_text), (download, raw)):
                data = text.encode("utf-8")
                with contextlib.suppress(OSError):
                    if (docs_dir / rel).read_bytes() == data:
                        continue
                staged.write(rel, data)
            rendered[edit.index] = functools.partial(piece_of, listing)
            overview = overview.evolve_agent(edit.index, listing.examples, listing.tokens, edit.facts.examples)
        if (
            sum(overview.tokens) != tokens_before
            and max(sum(overview.tokens), tokens_before) > MAX_TOTAL_DESCRIPTION_TOKENS
        ):
            return None  # AC602's figures, on another agent's page maybe: the full run
        skeletons = {"index.md": overview_skeleton(context, overview, len(index.order))}
        planned = [
            (rel, pieces)
            for rel, old in index.composites.items()
            if rel != "catalog.json" and (pieces := plan(rel, skeletons.get(rel, old.skeleton), rendered))
        ]
        staged.write_in_background(planned)
    except _NotQuick:
        return None
    return composites, overview


def _always(data: bytes) -> Callable[[bytes], bytes]:
    return lambda kind: data


class _NotQuick(Exception):
    """The docs folder is not as the splice index says: leave it to the full run."""


class _EarlyCopy:
    """One shared page's new file, written by a thread: from the start, the old file's bytes
    up to the first edited agent's piece; the rest once the caller knows it (``finish``);
    then its digest. Leaving the ``with`` block waits for the thread and raises what it
    raised. (A second thread hashing alongside only slowed the copy on two busy cores.)"""

    def __init__(self, staged: _Staged, rel: str, index: SpliceIndex, agents: Sequence[int]) -> None:
        from catalog.splice import first_slot

        self._staged, self._rel = staged, rel
        self._old = staged.docs_dir / rel
        ours = incremental.file_stat(str(self._old)) == index.outputs.get(rel)
        self._start = first_slot(index.composites[rel], agents) if ours else 0
        self._rest: list[Piece] | None = None
        self._given = threading.Event()
        self._failed: list[BaseException] = []
        self._digest = ""

    def _copy(self, tmp: Path) -> None:
        from catalog.site import file_digest
        from catalog.splice import PieceWriter

        try:
            with PieceWriter(tmp, self._old) as writer:
                writer.write([(0, self._start)] if self._start else [])
                self._given.wait()
                if self._rest is not None:
                    writer.write(self._rest)
            if self._rest is not None:
                self._digest = file_digest(tmp)
        except BaseException as exc:
            self._failed.append(exc)

    def finish(self, pieces: list[Piece] | None) -> bool:
        """The file's pieces (None: it stays as it is). False when they do not begin with
        what was copied already: then nothing more is written, and the caller gives up."""
        from catalog.splice import after

        self._rest = after(pieces, self._start) if pieces is not None else None
        self._given.set()
        return pieces is None or self._rest is not None

    def __enter__(self) -> _EarlyCopy:
        from catalog.site import temporary_file

        tmp = temporary_file(self._staged.docs_dir, self._rel, self._staged.spares)
        self._staged.files[self._rel] = (tmp, "")  # until it is written whole: discarded on failure
        self._thread = threading.Thread(target=self._copy, args=(tmp,), name="agent-catalog-copy")
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._given.set()  # when ``finish`` was not called, the thread stops after the first bytes
        self._thread.join()
        tmp, _ = self._staged.files[self._rel]
        if self._failed or self._rest is None:
            del self._staged.files[self._rel]
            with contextlib.suppress(OSError):
                tmp.unlink()
            if self._failed:
                raise self._failed[0]
        else:
            self._staged.files[self._rel] = (tmp, self._digest)
