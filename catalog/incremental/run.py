"""``generate``'s one path, with a cache or without: each run does only what changed since the
run the cache remembers (``cache_records``). The stages know nothing of it: this layer calls them.

1. The stamp: when no path the last run saw changed, stop there, having loaded no fragment
   and imported no template code (the pre-commit case).
2. Discovery, unless only agent files changed in place (folders whose entries are the same).
3. Read the files that are new or changed. When each kept what other pages take from it
   (``identity``) and no file came or went, the catalog (order, page names) stays the last
   run's; else it is assembled again from every agent (the others' light copies).
4. Render the agents read, and those whose page name, page findings or context changed or
   whose files are gone; join again from the fragments each shared page whose figures or
   items changed (the others are left as the last run wrote them).
5. Write what changed, then the state and the stamp (a stamp never names an unsaved state).

With ``folder`` None (``--no-cache``, ``--check``) the same path reads and renders everything.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from catalog.findings import Finding
from catalog.frozen import frozen
from catalog.incremental import files as cache_files
from catalog.incremental.files import Part
from catalog.incremental.records import (
    AgentEntry,
    Entries,
    Stamp,
    State,
    identity,
    light,
    source_of,
    stored,
)
from catalog.output.manifest import file_stat

if TYPE_CHECKING:
    from catalog.incremental.changes import Found, Loaded, Made
    from catalog.layout import RenderOptions
    from catalog.output.docs_folder import WriteResult
    from catalog.render.shared_pages import Block, Fragments, Listing
    from catalog.types import Agent, Catalog

_STAMP, _STATE = "stamp.pickle", "state.pickle"


@frozen
class GenerateResult:
    agents: int
    findings: tuple[Finding, ...]
    write: WriteResult
    up_to_date: bool = False  # nothing changed since the last run, so nothing was read or rendered
    # None when up to date. Agents whose pages were not rendered again are light copies (no
    # text, no source path): enough for names, categories and collections.
    catalog: Catalog | None = None
    # How the run went ("incremental" or "full run"), how many agent files it read and how
    # many agents it rendered; None when up to date.
    how: tuple[str, int, int] | None = None
    notes: tuple[str, ...] = ()  # warnings about the run, not the agents (a cache not used)
    # The catalog entries among the agents (all but the other definitions of one), when known.
    entries: int | None = None


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
    """Scan, render and write (or with ``check``, compare) the catalog's pages in ``docs_dir``."""
    from catalog.output.docs_folder import WriteResult

    damaged: list[str] = []  # the cache's files found damaged or not ours (and removed)
    stamp = cache_files.load(folder, _STAMP, damaged)
    stamp = stamp if isinstance(stamp, Stamp) and stamp.key == key else None
    changed = stamp.changed() if stamp is not None else None
    if stamp is not None and not changed:
        kept = WriteResult(kept=stamp.kept)
        return GenerateResult(stamp.agents, stamp.findings, kept, up_to_date=True, entries=stamp.entries)
    state = cache_files.load(folder, _STATE, damaged) if stamp is not None else None
    state = state if isinstance(state, State) and state.key == key else None
    try:
        result = _run(paths, docs_dir, options, check, exclude, folder, key, want_catalog, stamp, changed, state)
    except cache_files.PartLost as lost:  # a part of the cache gone since the state was loaded: a run without it
        assert folder is not None
        (folder / _STAMP).unlink(missing_ok=True)
        damaged.append(f"parts/{lost}")
        result = generate(
            paths, docs_dir, options, check=check, exclude=exclude, folder=folder, key=key, want_catalog=want_catalog
        )
    if damaged:  # the cache was not used: say why
        files = ", ".join(damaged)
        why = (
            f"the cache in {folder} could not read {files} (damaged, not this user's or of another version): a full run"
        )
        return replace(result, notes=(why, *result.notes))
    return result


def _run(
    paths: Sequence[str],
    docs_dir: Path,
    options: RenderOptions,
    check: bool,
    exclude: list[Path],
    folder: Path | None,
    key: str,
    want_catalog: bool,
    stamp: Stamp | None,
    changed: list[str] | None,
    state: State | None,
) -> GenerateResult:
    # Only now: a run where nothing changed imports no stage, nor template or Markdown code.
    from catalog.incremental.changes import Found, Made
    from catalog.load import load_all
    from catalog.model.variants import definitions_by_entry
    from catalog.output.docs_folder import MANIFEST, Listed, write_docs
    from catalog.render.pages import agents_files, page_context, page_groups, render_agents, render_context
    from catalog.render.shared_pages import Cuts, joined_pages
    from catalog.types import Catalog

    found = Found.of(paths, exclude, state, changed, str(docs_dir))
    loaded: Loaded = dict(zip(found.fresh, load_all(list(found.fresh.values()), None), strict=True))
    made = (Made.again(found, loaded, state) if state is not None else None) or Made.assembled(found, loaded)
    if made.catalog is not None:
        context, groups = page_context(made.catalog.agents), page_groups(made.catalog.agents)
    else:  # the last run's catalog, with what the edited files say now
        assert state is not None
        context, groups = state.context, state.groups
    # What pages show but rules of one agent: those rules find nothing new unless it changed.
    shown = tuple(sorted((*made.findings, *made.compared), key=Finding.sort_key))
    page_findings: dict[str, tuple[Finding, ...]] = {}
    for finding in shown:
        page_findings[finding.owner] = (*page_findings.get(finding.owner, ()), finding)
    again = _with_their_entries(made, found, _render_again(made, state, context, page_findings, docs_dir, changed))
    # Jinja's compiled templates: without them when the folder cannot be made (a cache folder
    # read-only, a file in the folder's place that cannot be removed).
    bytecode = cache_files.folder_in(folder, "templates") if folder is not None else None
    agents = [_whole(made, index, found, folder) for index in sorted(again)]
    # An entry is rendered with all its definitions (``_render_again``): its page shows them.
    render = render_context(Catalog((), shown), options, bytecode, groups, definitions_by_entry(agents))
    rendered, listings = render_agents(render, agents)
    blocks = _blocks(made, state, listings)
    # The cuts of the shared pages' templates hold while what they render with does.
    cuts = Cuts(state.cuts if state is not None and state.groups == groups else {})
    # A shared page the same as the last run's is left out when its file is as that run left it.
    known = state.outputs if state is not None and _as_state_left(state, docs_dir) else {}
    as_left = lambda path: path in known and file_stat(str(docs_dir / path)) == known[path]  # noqa: E731
    shared, summaries, left = joined_pages(render, made.findings, [block for block, _ in blocks], cuts, as_left)
    pages: dict[str, str | bytes] = {**rendered, **shared}
    kept = [slug for index, slug in enumerate(made.slugs) if index not in again]
    if made.catalog is None and state is not None and stamp is not None and not stamp.kept:
        # The last run's files (``agent_outputs``: three an agent, two a definition another's
        # page shows): the manifest it wrote lists them, and its shared pages, some gone now.
        leaving = state.outputs.keys() - pages.keys() - {MANIFEST, *left}
        listed = Listed(3 * len(kept) - len(made.definitions.intersection(kept)) + len(left), leaving)
        written = write_docs(pages, docs_dir, check=check, known=state.outputs, listed=listed)
    else:
        keep = agents_files(kept, made.definitions) | set(left)
        written = write_docs(pages, docs_dir, check=check, keep=keep, known=state.outputs if state else {})
    notes: tuple[str, ...] = ()
    if folder is not None:  # None with --check
        outputs = {rel: stat for rel, stat in written.stats.items() if not rel.startswith(("agents/", "downloads/"))}
        outputs |= {rel: known[rel] for rel in left}
        saved = State(
            key,
            replace(found.discovery, sources=(), listings={}),
            found.folders,
            _entries(folder, found, made, loaded, state),
            found.several,
            made.read,
            made.order,
            made.slugs,
            made.ids,
            made.assembly,
            context,
            groups,
            tuple(part or Part.of(block.fragments()) for block, part in blocks),
            tuple(map(stored, summaries)),
            cuts.now,
            {path: found_in for path, found_in in page_findings.items() if found_in},
            outputs,
            made.compared,
            made.definitions,
            made.tokens,
        )
        if not cache_files.save(folder, _STATE, saved, verify=state is None) or not _save_stamp(
            folder, key, stamp, found, made, docs_dir, written, changed
        ):
            notes = (f"the cache in {folder} could not be written: the next run cannot start from this one",)
    how = ("incremental" if state is not None else "full run", len(found.fresh), len(again))
    catalog = made.catalog or (made.light_catalog(found, state) if want_catalog and state else None)
    return GenerateResult(
        len(made.order), made.findings, written, catalog=catalog, how=how, notes=notes, entries=made.entries
    )


def _render_again(
    made: Made,
    state: State | None,
    context: tuple[str, ...],
    page_findings: dict[str, tuple[Finding, ...]],
    docs_dir: Path,
    changed: list[str] | None,
) -> set[int]:
    """The agents (by index in the catalog) whose files are rendered again: those read, and
    those whose page name, page findings or context changed, or whose files are gone."""
    from catalog.render.pages import agents_files

    if state is None or state.context != context:
        return set(range(len(made.order)))
    # A generated file deleted changes its folder, which the stamp watches.
    outputs_changed = changed is None or any(path.startswith(str(docs_dir)) for path in changed)
    if outputs_changed and not _as_state_left(state, docs_dir):
        return set(range(len(made.order)))
    present = _files_in(docs_dir) if outputs_changed else None
    if len(made.whole) < 64:  # an edit or a few: a scan in C each
        again = {made.ids.index(cid) for cid in made.whole}
    else:
        again = {index for index, cid in enumerate(made.ids) if cid in made.whole}
    if made.catalog is None and present is None:  # the last run's page names
        if made.compared is not state.compared:  # what pages show of the others' rules (AC602)
            was_shown, now = state.page_findings, page_findings
            differ = {path for path in was_shown.keys() | now.keys() if was_shown.get(path) != now.get(path)}
            again.update(index for index, path in enumerate(made.order) if path in differ)
        return again  # and the last run's findings, but the edited files' own
    was = dict(zip(state.order, state.slugs, strict=True))
    for index, (path, slug) in enumerate(zip(made.order, made.slugs, strict=True)):
        if (
            was.get(path) != slug
            or state.page_findings.get(path, ()) != page_findings.get(path, ())
            or (present is not None and not agents_files([slug], made.definitions) <= present)
        ):
            again.add(index)
    return again


def _as_state_left(state: State, docs_dir: Path) -> bool:
    """Whether the docs folder's manifest is the one the run that saved ``state`` wrote, with
    no journal beside it. Else a run killed before it saved its state (or a person) may have
    rewritten agents' files since: none is kept as that state left it."""
    from catalog.output.manifest import JOURNAL, MANIFEST

    manifest = state.outputs.get(MANIFEST)
    return (
        manifest is not None and file_stat(str(docs_dir / MANIFEST)) == manifest and not (docs_dir / JOURNAL).exists()
    )


def _with_their_entries(made: Made, found: Found, again: set[int]) -> set[int]:
    """``again`` with every definition of the catalog entries of the agents in it: an
    entry's page shows them all, so they are rendered together (``catalog.model.variants``)."""
    if not made.definitions or len(again) == len(made.order):
        return again  # no agent defined for several tools, or all rendered
    position = {slug: index for index, slug in enumerate(made.slugs)}
    grouped = set(again)
    for index in again:
        grouped.update(position[slug] for _, slug in made.placement(index, found).available_as if slug in position)
    return grouped


def _files_in(docs_dir: Path) -> set[str]:
    """The names of the files in the agents' folders of the docs folder, relative to it."""
    from catalog.render.pages import AGENT_FOLDERS

    found: set[str] = set()
    for folder in AGENT_FOLDERS:
        try:
            found.update(f"{folder}/{name}" for name in os.listdir(docs_dir / folder))
        except OSError:
            continue
    return found


def _whole(made: Made, index: int, found: Found, folder: Path | None) -> Agent:
    """Agent ``index`` whole, as the catalog has it: read now, kept in the cache, or read again."""
    from catalog.incremental.changes import placed
    from catalog.load import guarded_load
    from catalog.types import Agent

    cid = made.ids[index]
    agent = made.whole.get(cid)
    if agent is not None:
        return agent
    entry = found.entry(cid)
    # Kept by the run that read its file as the entry says: a run killed before it saved its
    # state may have read it since, found by another plugin or collection (its manifest edited).
    kept = cache_files.load(folder, _full_name(cid))
    whole = None
    if isinstance(kept, tuple) and len(kept) == 4 and kept[:3] == (cid, entry.stat, entry.source):
        whole = kept[3]
    if not isinstance(whole, Agent):
        whole = guarded_load(source_of(entry.source))[0] or entry.light
    return placed(whole, made.placement(index, found))


def _blocks(
    made: Made, state: State | None, listings: dict[str, Listing]
) -> list[tuple[Block, Part[Fragments] | None]]:
    """Every agent's fragments in catalog order, in blocks of ``BLOCK``. A block of the agents
    the last run's held is its part and summary (the part not even unpickled unless a page
    needs its fragments), with the listings of those rendered now; another is made again."""
    from catalog.incremental.records import BLOCK
    from catalog.render.shared_pages import Block, Fragments

    old, was = (state.order, state.blocks) if state is not None else ((), ())
    where = {path: index for index, path in enumerate(old)} if old != made.order else {}
    blocks: list[tuple[Block, Part[Fragments] | None]] = []
    for start in range(0, len(made.order), BLOCK):
        paths, number = made.order[start : start + BLOCK], start // BLOCK
        changes = {index: listings[path] for index, path in enumerate(paths) if path in listings}
        if state is not None and old[start : start + BLOCK] == paths:
            part, summary = was[number], state.summaries[number]
            blocks.append(
                (Block.of(part.value.replaced(changes), summary), None)
                if changes
                else (Block(part.load, summary), part)
            )
        else:  # the listings rendered now, and the last run's
            kept = [
                listings.get(path) or was[where[path] // BLOCK].value.listing(where[path] % BLOCK) for path in paths
            ]
            blocks.append((Block.of(Fragments.of(kept)), None))
    return blocks


def _entries(folder: Path, found: Found, made: Made, loaded: Loaded, state: State | None) -> Entries:
    """Each agent file's entry for the next run; each agent read is kept whole besides."""
    position = {cid: index for index, cid in enumerate(made.ids)}
    changes, dropped = {}, set()
    for cid in found.ids if made.catalog is not None else ():  # assembled again: maybe placed otherwise
        if cid not in loaded and cid in position:
            entry = found.entry(cid)
            placement = made.placement(position[cid], found)
            if entry.placed != placement:
                changes[cid] = pickle.dumps(replace(entry, placed=placement), protocol=pickle.HIGHEST_PROTOCOL)
    for cid, (agent, _) in loaded.items():
        if agent is None:
            dropped.add(cid)  # in no catalog: the next run that finds its file reads it again
            continue
        # Not kept whole (a write failed): its entry stays all the same, as the catalog has
        # it, and a run that renders its page again reads its file again (``_whole``).
        cache_files.save(folder, _full_name(cid), (cid, found.stats[cid], found.keys[cid], agent))
        placement = made.placement(position[cid], found)
        entry = AgentEntry(found.keys[cid], found.stats[cid], identity(agent), light(agent), placement)
        changes[cid] = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
    ids = tuple(cid for cid in found.ids if cid not in dropped) if dropped else found.ids
    if not found.reused:
        cache_files.keep_only(folder, "full", (_full_name(cid).split("/")[1] for cid in ids))
    return Entries.of(ids, changes, state.entries if state is not None else None)


def _save_stamp(
    folder: Path,
    key: str,
    stamp: Stamp | None,
    found: Found,
    made: Made,
    docs_dir: Path,
    written: WriteResult,
    changed: list[str] | None,
) -> bool:
    """The stamp of this run: every path it saw with its stat (an agent file's taken before it
    was read, so that a file saved again meanwhile is not taken for read). False when it
    could not be written."""
    from catalog.output.docs_folder import MANIFEST

    outputs = [str(docs_dir), str(docs_dir / MANIFEST), *(str(docs_dir / rel) for rel in written.folders)]
    if found.reused and stamp is not None and changed is not None:  # the last stamp, what changed restamped
        base, watched = stamp, [*changed, *outputs]
    else:
        discovery = found.discovery
        companions = [path for key in found.keys.values() for path, _ in key.companions]
        base = Stamp(key)
        watched = [*discovery.folders, *discovery.manifests, *discovery.passed_over, *companions, *outputs]
    seen = {found.keys[cid].path: stat for cid, stat in found.stats.items()}
    stats = {path: file_stat(path) for path in watched if path not in seen} | seen
    return cache_files.save(
        folder, _STAMP, base.restamped(stats, len(made.order), made.findings, written.kept, made.entries)
    )


def _full_name(cid: str) -> str:
    import xxhash

    return "full/" + xxhash.xxh3_128_hexdigest(cid.encode("utf-8", "surrogateescape")) + ".pickle"
