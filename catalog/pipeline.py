"""The one place the stages are wired: discover -> read/parse -> model -> a Catalog."""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import pickle
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog import variants
from catalog.discover import Discovery, find_agent_files
from catalog.lint import page_findings as findings_on_pages
from catalog.names import MAX_SLUG, NAMED_IN_GROUP, Numbering, one_spelling, slugify, some_of
from catalog.parallel import map_forked
from catalog.types import Agent, AgentSource, Catalog, Finding, RawDocument

if TYPE_CHECKING:
    from catalog.incremental import AgentCache, FileStat, SpliceIndex
    from catalog.layout import RenderOptions
    from catalog.mkdocs_build import Progress, SiteConfig
    from catalog.site import WriteResult

# Below this many files a process pool costs more than it saves.
_PARALLEL_FROM = 150
# Read findings after which a file has no text to parse.
_UNREAD = frozenset({"AC101", "AC102"})


def scan_catalog(
    paths: Sequence[str],
    exclude: Iterable[Path] = (),
    jobs: int | None = None,
    meanwhile: Callable[[], None] | None = None,
    sections: bool = True,
    loaded: Loaded | None = None,
) -> Catalog:
    """Scan ``paths`` and return every agent (with a unique slug) and every finding.

    ``meanwhile``: work for this process while forked workers read the files.
    ``sections=False``: agents without their sections (see ``catalog.model.with_sections``).
    ``loaded``: what earlier scans read, by file; a file whose stat and place did not change
    is not read again. Updated in place (live preview keeps it between builds).
    """
    discovery = find_agent_files(paths, exclude)
    if loaded is None:
        return _assemble(discovery, _load_all(discovery.sources, jobs, meanwhile, sections))
    return _assemble(discovery, _load_changed(discovery.sources, loaded, jobs, sections))


# What a file gave when it was read, by ``cache_id``: its stat and source then, and the result.
Loaded = dict[str, tuple[tuple[object, ...], tuple[Agent | None, list[Finding]]]]


def _load_changed(
    sources: Sequence[AgentSource], loaded: Loaded, jobs: int | None, sections: bool
) -> list[tuple[Agent | None, list[Finding]]]:
    def state(source: AgentSource) -> tuple[object, ...]:
        files: list[str | Path] = [source.path, *source.companions]
        stats: list[tuple[int, int, int, int] | None] = []
        for path in files:
            try:
                found = os.stat(path)
                stats.append((found.st_mtime_ns, found.st_ctime_ns, found.st_size, found.st_ino))
            except OSError:
                stats.append(None)
        return (source, *stats)

    states = {cache_id(source): state(source) for source in sources}
    fresh = [s for s in sources if loaded.get(cache_id(s), ((),))[0] != states[cache_id(s)]]
    for source, result in zip(fresh, _load_all(fresh, jobs, sections=sections), strict=True):
        loaded[cache_id(source)] = (states[cache_id(source)], result)
    for gone in set(loaded) - set(states):
        del loaded[gone]
    return [loaded[cache_id(source)][1] for source in sources]


def _assemble(discovery: Discovery, results: Sequence[tuple[Agent | None, list[Finding]]]) -> Catalog:
    agents = one_category_spelling([agent for agent, _ in results if agent is not None])
    # One entry per agent, however many tools define it: entries get their slugs as agents
    # always did, the other definitions theirs after their entry's (catalog.variants).
    groups = variants.group_definitions(agents)
    entries, collisions = _assign_slugs([agents[group[0]] for group in groups])
    for group, entry in zip(groups, entries, strict=True):
        agents[group[0]] = entry
    agents = variants.with_entries(variants.definition_slugs(agents, groups), groups)
    findings = [*discovery.findings, *(f for _, found in results for f in found), *collisions]
    findings.sort(key=Finding.sort_key)
    return Catalog(tuple(sorted(agents, key=lambda a: a.slug)), tuple(findings), discovery.skipped, discovery.notes)


def load_agent(source: AgentSource, sections: bool = True) -> tuple[Agent, list[Finding]]:
    """Read, parse and model one file; every problem is a finding, never an exception."""
    from catalog.model import build_agent
    from catalog.parse import read_agent_file
    from catalog.structured import parse_document
    from catalog.tool_scope import for_its_tool

    text, findings = read_agent_file(source.path, source.display_path)
    if any(f.code in _UNREAD for f in findings):
        # Not read (too large, not a regular file, no permission): nothing to parse, and
        # "file is empty" or "no frontmatter" would be wrong about it.
        raw = RawDocument({}, "", 1, False, False)
    else:
        raw = parse_document(text, source)
    agent, more = build_agent(source, raw, sections=sections)
    return agent, for_its_tool([*findings, *raw.findings, *more], agent.format)


def guarded_load(source: AgentSource, sections: bool = True) -> tuple[Agent | None, list[Finding]]:
    """``load_agent`` under the guard every file is read under: whatever goes wrong with one
    file (a bug of ours its bytes found) is a finding for that file, and no agent; the rest
    of the catalog is built."""
    try:
        return load_agent(source, sections)
    except Exception as exc:
        return None, [failure_finding(source.display_path, exc)]


def failure_finding(display_path: str, exc: BaseException) -> Finding:
    """The finding for a file whose reading raised ``exc``."""
    text = " ".join(str(exc).split())
    text = f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__
    message = f"this file could not be read ({text}); it is left out. This is a bug in agent-catalog: please report it"
    return Finding(display_path, 1, 1, "AC109", "error", message)


def _without_failed(
    discovery: Discovery, results: Sequence[tuple[Agent | None, list[Finding]]]
) -> tuple[Discovery, list[tuple[Agent, list[Finding]]]]:
    """The files that gave an agent, and the findings of those that did not, as discovery's."""
    lost = [found for agent, found in results if agent is None]
    if not lost:
        return discovery, [(agent, found) for agent, found in results if agent is not None]
    kept = [(s, r) for s, r in zip(discovery.sources, results, strict=True) if r[0] is not None]
    discovery = replace(
        discovery,
        sources=tuple(s for s, _ in kept),
        findings=(*discovery.findings, *(f for found in lost for f in found)),
    )
    return discovery, [(agent, found) for _, (agent, found) in kept if agent is not None]


def one_category_spelling(agents: list[Agent]) -> list[Agent]:
    """Categories that differ only in case or separators (``Development``, ``development``)
    are one category, spelt one way (``names.one_spelling``) by every agent in it."""
    spelling = one_spelling(agent.category for agent in agents if agent.category)
    return [
        replace(agent, category=spelling[agent.category])
        if agent.category and spelling[agent.category] != agent.category
        else agent
        for agent in agents
    ]


def assign_slugs(agents: list[Agent]) -> list[Agent]:
    """Make slugs unique: collection, then category, take part where names collide."""
    return _assign_slugs(agents)[0]


def _assign_slugs(agents: list[Agent]) -> tuple[list[Agent], list[Finding]]:
    """Unique slugs, and an AC140 finding for each agent whose page had to be numbered."""
    result = list(agents)
    for attempt in range(4):
        groups: dict[str, list[int]] = defaultdict(list)
        for index, agent in enumerate(result):
            groups[agent.slug.casefold()].append(index)
        clashes = [indexes for indexes in groups.values() if len(indexes) > 1]
        if not clashes:
            return result, []
        for indexes in clashes:
            formats = len({result[i].format for i in indexes}) if attempt == 2 else 0  # once a group: n, not n²
            for index in indexes:
                agent = result[index]
                if attempt == 0 and agent.collection:
                    result[index] = replace(agent, slug=slugify(f"{agent.collection}-{agent.name}"))
                elif attempt == 1 and agent.category:
                    parts = [agent.collection or "", agent.category, agent.name]
                    result[index] = replace(agent, slug=slugify("-".join(p for p in parts if p)))
                elif attempt == 2 and formats > 1:
                    # A Copilot agent and chat mode of one name: the format tells them apart.
                    # Kept whole at the end of a slug cut to length, or it would tell nothing apart.
                    head = agent.slug[: MAX_SLUG - len(agent.format.value) - 1].rstrip("-")
                    result[index] = replace(agent, slug=slugify(f"{head}-{agent.format.value}"))
    # Still clashing (same name in the same place): number them in path order.
    numbering = Numbering()
    wanted: dict[str, list[int]] = defaultdict(list)  # the slug before numbering -> its agents
    for index in sorted(range(len(result)), key=lambda i: (result[i].path, result[i].display_path)):
        agent = result[index]
        wanted[agent.slug].append(index)
        result[index] = replace(agent, slug=numbering.next(agent.slug, agent.slug[:70].rstrip("-")))
    return result, list(_numbered_pages(result, wanted.values()))


def _numbered_pages(agents: Sequence[Agent], groups: Iterable[list[int]]) -> Iterator[Finding]:
    """Agents whose names differ (in case, accents, punctuation, length) but not their pages get
    numbered pages: say so, naming a few of the other files and counting the rest. Same name
    exactly is a duplicate (AC301)."""
    for indexes in groups:
        names = Counter(agents[i].name for i in indexes)
        if len(names) < 2:
            continue
        # The first few files of each name, in order: the first few of any other name than
        # one agent's are among them, found in a few steps whatever the size of the group.
        seen: Counter[str] = Counter()
        firsts = []
        for i in indexes:
            seen[agents[i].name] += 1
            if seen[agents[i].name] <= NAMED_IN_GROUP:
                firsts.append(i)
        for index in indexes[1:]:
            agent = agents[index]
            others = list(
                itertools.islice(
                    (agents[i].display_path for i in firsts if agents[i].name != agent.name), NAMED_IN_GROUP
                )
            )
            if not others:
                continue
            yield Finding(
                agent.display_path,
                agent.key_lines.get("name", 1),
                1,
                "AC140",
                "warning",
                f"name {agent.name!r} gives the same page name as "
                f"{some_of(others, len(indexes) - names[agent.name])}: this page is {agent.slug}",
            )


def _load_all(
    sources: Sequence[AgentSource],
    jobs: int | None,
    meanwhile: Callable[[], None] | None = None,
    sections: bool = True,
) -> list[tuple[Agent | None, list[Finding]]]:
    task = guarded_load if sections else functools.partial(guarded_load, sections=False)
    return map_forked(task, sources, at_least=_PARALLEL_FROM, jobs=jobs, meanwhile=meanwhile)


@dataclass(frozen=True, slots=True)
class GenerateResult:
    agents: int
    findings: tuple[Finding, ...]
    write: WriteResult
    up_to_date: bool = False  # nothing changed since the last run, so nothing was read or rendered
    # None when up to date. Agents whose pages were not rendered again are light copies (no
    # text, no source path): enough for names, categories and collections.
    catalog: Catalog | None = None
    # How the run went about it: "quick update" (catalog.update) or "full run", with how
    # many agent files it read and how many agents' pages it rendered; None when up to date.
    how: tuple[str, int, int] | None = None
    notes: tuple[str, ...] = ()  # warnings about the run, not the agents (a cache not used)


def generate_docs(
    paths: Sequence[str],
    docs_dir: Path,
    options: RenderOptions,
    *,
    check: bool = False,
    exclude: Iterable[Path] = (),
    cache: bool = True,
    on_wait: Callable[[], None] | None = None,
) -> GenerateResult:
    """Scan, render and write (or with ``check``, compare) the catalog's pages in ``docs_dir``.

    With the cache, a run where nothing changed stops after a stat of every input, and a run
    after an edit parses and renders only what the edit touched.
    """
    from catalog.site import check_output_dir, output_lock

    check_output_dir(docs_dir, paths, "docs")
    # --check of a folder that is not there: nothing to lock, and --check creates nothing.
    unlocked = check and not docs_dir.is_dir()
    with contextlib.nullcontext() if unlocked else output_lock(docs_dir, on_wait):
        return _generate_locked(paths, docs_dir, options, check, list(exclude), cache)


def _generate_locked(
    paths: Sequence[str], docs_dir: Path, options: RenderOptions, check: bool, exclude: list[Path], cache: bool
) -> GenerateResult:
    from catalog import incremental
    from catalog.layout import default_template_dir
    from catalog.site import WriteResult, sweep_scratch

    exclude = [docs_dir, *exclude]
    folder, distrust = incremental.trusted_cache_dir(docs_dir) if cache and not check else (None, None)
    if not check:  # what killed runs left: nothing else writes here while we hold the lock
        sweep_scratch(docs_dir)
        incremental.sweep(folder)
    code = [Path(__file__).parent, default_template_dir(), *([options.template_dir] if options.template_dir else [])]
    key = incremental.run_key((tuple(paths), tuple(map(str, exclude)), options, str(docs_dir.resolve())), code)
    if distrust is not None:
        return replace(_generate(paths, docs_dir, options, check, exclude, None, key), notes=(distrust,))
    last = incremental.changed_since(folder, key)
    if last is not None and folder is not None:
        stamp, changed = last
        if not changed:
            agents, findings, kept = stamp.summary
            return GenerateResult(agents, findings, WriteResult(kept=kept), up_to_date=True)
        from catalog.update import quick_update

        quick = quick_update(docs_dir, options, folder, key, stamp, changed)
        if quick is not None:
            written = WriteResult(written=quick.written, unchanged=quick.unchanged)
            how = ("quick update", quick.read, quick.read)
            return GenerateResult(quick.agents, quick.findings, written, how=how)
    return _generate(paths, docs_dir, options, check, exclude, folder, key)


def _generate(
    paths: Sequence[str],
    docs_dir: Path,
    options: RenderOptions,
    check: bool,
    exclude: list[Path],
    folder: Path | None,
    key: str,
) -> GenerateResult:
    from catalog import incremental
    from catalog.render import agent_outputs, page_context, render_catalog
    from catalog.site import MANIFEST, write_docs

    previous = incremental.load_agents(folder, key)
    spliced = incremental.load_splice(folder, key)
    if spliced is not None and previous.token and spliced.base == previous.token:
        previous.outputs.update(spliced.outputs)  # quick updates since rewrote these
    else:
        spliced = None
    discovery = find_agent_files(paths, exclude)
    stats = {str(s.path): incremental.file_stat(str(s.path)) for s in discovery.sources}
    reused: dict[int, tuple[Agent | None, list[Finding]]] = {}
    packed: dict[str, bytes] = {}  # each agent pickled on its own: saving re-pickles only what changed
    keys = {cache_id(s): incremental.source_key(s) for s in discovery.sources}
    for index, source in enumerate(discovery.sources):
        entry = previous.agents.get(cache_id(source))
        if entry is not None and entry[0] == stats[str(source.path)] and entry[1] == keys[cache_id(source)]:
            reused[index] = pickle.loads(entry[2])  # a light copy: no body, sections or examples
            packed[cache_id(source)] = entry[2]
    fresh = [s for i, s in enumerate(discovery.sources) if i not in reused]
    loaded = iter(_load_all(fresh, None))
    loaded_all = [reused[i] if i in reused else next(loaded) for i in range(len(discovery.sources))]
    # A file that could not be read is not cached: the next run reads it again.
    discovery, results = _without_failed(discovery, loaded_all)
    from_cache = {i for i, source in enumerate(discovery.sources) if cache_id(source) in packed}
    catalog = _assemble(discovery, results)

    context = page_context(catalog.agents)
    slugs = {a.display_path: a.slug for a in catalog.agents}
    page_findings: dict[str, tuple[Finding, ...]] = {}
    # What pages show but rules of one agent: those rules find nothing new unless it changed.
    for finding in sorted(findings_on_pages(catalog), key=Finding.sort_key):
        page_findings[finding.path] = (*page_findings.get(finding.path, ()), finding)
    listings = dict(previous.listings)
    only: set[str] | None = None
    if previous.slugs and previous.context == context and _restore_json(listings, previous, spliced, docs_dir):
        only = _render_again(catalog, previous, listings, page_findings, {s.display_path for s in fresh}, docs_dir)
    if from_cache:
        catalog = _with_whole_agents(catalog, folder, discovery.sources, from_cache, only, stats)
    keep = {p for a in catalog.agents if only is not None and a.slug not in only for p in agent_outputs(a)}
    bytecode = folder / "templates" if folder is not None else None
    if bytecode is not None:
        bytecode.mkdir(mode=0o700, parents=True, exist_ok=True)
    listings = listings if only is not None else {}
    composites: dict[str, Any] = {}  # kept for the quick update, so only with the cache
    pages = render_catalog(
        catalog,
        options,
        only=only,
        bytecode_dir=bytecode,
        listings=listings,
        composites=composites if folder is not None else None,
    )
    spares = incremental.spares_dir(folder) if folder is not None else None
    written = write_docs(pages, docs_dir, check=check, keep=keep, known=previous.outputs, spares=spares)

    if folder is not None:  # None with --check
        entries = {}
        for s, (agent, found) in zip(discovery.sources, results, strict=True):
            light = packed.get(cache_id(s))
            if light is None:
                packed_whole = pickle.dumps((agent, found), protocol=5)
                if not incremental.save_full(folder, cache_id(s), stats[str(s.path)], packed_whole):
                    continue  # not cached: the next run reads it again
                light = pickle.dumps((incremental.light(agent), found), protocol=5)
            entries[cache_id(s)] = (stats[str(s.path)], keys[cache_id(s)], light)
        if set(previous.agents) - set(entries) or not previous.agents:
            incremental.prune_full(folder, entries)
        generated = {rel: stat for rel, stat in previous.outputs.items() if rel in keep} | dict(written.stats)
        stored = {path: listing.evolve(json=b"") for path, listing in listings.items()}
        token = os.urandom(8).hex()
        cache = incremental.AgentCache(key, entries, slugs, context, stored, page_findings, generated, token)
        incremental.save_agents(folder, cache)
        if composites:  # with files left alone (edited by hand) the quick update gives way
            splice_index = _splice_index(
                key, token, catalog, discovery, results, stats, page_findings, listings, composites, generated
            )
            incremental.save_splice(folder, splice_index)
        outputs = {str(docs_dir / p) for p in written.folders} | {str(docs_dir), str(docs_dir / MANIFEST)}
        watched = [*discovery.folders, *discovery.manifests, *discovery.passed_over, *sorted(outputs)]
        summary = (len(catalog.agents), catalog.findings, written.kept)
        incremental.save_stamp(folder, key, watched, summary, seen=stats, token=token)
    rendered = len(catalog.agents) if only is None else len(only)
    how = ("full run", len(fresh), rendered)
    return GenerateResult(len(catalog.agents), catalog.findings, written, catalog=catalog, how=how)


def _splice_index(
    key: str,
    token: str,
    catalog: Catalog,
    discovery: Discovery,
    results: Sequence[tuple[Agent, list[Finding]]],
    stats: dict[str, FileStat],
    page_findings: dict[str, tuple[Finding, ...]],
    listings: dict[str, Any],
    composites: dict[str, Any],
    outputs: dict[str, FileStat],
) -> SpliceIndex:
    """What the quick update after an edit needs (catalog.update), from this run."""
    from catalog import incremental
    from catalog.render import agent_page_paths, overview_of, page_groups

    order = [agent.display_path for agent in catalog.agents]
    position = {path: index for index, path in enumerate(order)}
    facts: list[bytes] = [b""] * len(order)
    files: dict[str, int] = {}
    for source, (_, read) in zip(discovery.sources, results, strict=True):
        index = position[source.display_path]
        agent = catalog.agents[index]
        page, download = agent_page_paths(agent.slug)
        fact = incremental.AgentFacts(
            source=incremental.source_key(source),
            stat=stats[str(source.path)],
            identity=incremental.identity(agent),
            slug=agent.slug,
            examples=listings[source.display_path].examples,
            read_findings=tuple(read),
            page_findings=page_findings.get(source.display_path, ()),
            outputs=(outputs.get(page, (-1, -1, -1)), outputs.get(download, (-1, -1, -1))),
        )
        facts[index] = pickle.dumps(fact, protocol=5)
        files[str(source.path)] = index
    # A file of several agents (Roo Code modes), or of an agent other tools define too (its
    # page lists theirs): an edit to it takes a full run.
    several = {str(s.path) for s in discovery.sources if s.entry is not None}
    # By display path: an agent whose page was not rendered again is a light copy, no source.
    grouped = {a.display_path for a in catalog.agents if a.available_as}
    several |= {str(s.path) for s in discovery.sources if s.display_path in grouped}
    for path in several & set(files):
        del files[path]
    shared = {rel: stat for rel, stat in outputs.items() if rel in composites}
    packed, ends = incremental.pack_facts(facts)
    return incremental.SpliceIndex(
        key=key,
        base=token,
        order=order,
        files=files,
        folders={folder: incremental.folder_key(entries) for folder, entries in discovery.listings.items()},
        facts=packed,
        fact_ends=ends,
        overview=pickle.dumps(overview_of([listings[path] for path in order]), protocol=pickle.HIGHEST_PROTOCOL),
        groups=page_groups(catalog.agents),
        composites=composites,
        outputs=shared,
        file_count=len(outputs),
    )


def _render_again(
    catalog: Catalog,
    previous: AgentCache,
    listings: dict[str, Any],
    page_findings: dict[str, tuple[Finding, ...]],
    fresh: set[str],
    docs_dir: Path,
) -> set[str]:
    """The slugs of the agents whose pages are rendered again: those whose file, page name,
    listing or findings changed, or whose page files are gone; with all the definitions of
    their catalog entry (its page shows them all)."""
    from catalog.render import AGENT_FOLDERS, agent_outputs

    present = _files_in(docs_dir, AGENT_FOLDERS)
    again = set()
    for agent in catalog.agents:
        listing = listings.get(agent.display_path)
        if (
            agent.display_path in fresh
            or previous.slugs.get(agent.display_path) != agent.slug
            or not all(page in present for page in agent_outputs(agent))
            # Its entries in the shared pages were not kept, or its page's findings changed
            # (AC140 names the other files of its name).
            or listing is None
            or listing.slug != agent.slug
            or previous.findings.get(agent.display_path, ()) != page_findings.get(agent.display_path, ())
        ):
            again.add(agent.slug)
    entries = {agent.entry or agent.slug for agent in catalog.agents if agent.slug in again and agent.available_as}
    again.update(a.slug for a in catalog.agents if a.available_as and (a.entry or a.slug) in entries)
    return again


def _restore_json(listings: dict[str, Any], previous: AgentCache, spliced: SpliceIndex | None, docs_dir: Path) -> bool:
    """Give the kept listings back their catalog.json objects, from the catalog.json the last
    run wrote; False when that file changed since (then everything is rendered again)."""
    from catalog.incremental import file_stat
    from catalog.splice import located

    path = docs_dir / "catalog.json"
    composite = spliced.composites.get("catalog.json") if spliced is not None else None
    if composite is None or spliced is None or previous.outputs.get("catalog.json") != file_stat(str(path)):
        return False
    spans = {spliced.order[index]: (start, end) for kind, index, start, end in located(composite) if kind == b"j"}
    try:
        data = memoryview(path.read_bytes())  # slices that share the bytes, not copies
    except OSError:
        return False
    for display_path, listing in listings.items():
        span = spans.get(display_path)
        if span is None:
            return False
        listings[display_path] = listing.evolve(json=data[span[0] : span[1]])
    return True


def cache_id(source: AgentSource) -> str:
    """What the generate cache knows an agent by: its file, and its entry in a file of several."""
    return str(source.path) if source.entry is None else f"{source.path}#{source.entry}"


def _files_in(docs_dir: Path, folders: Iterable[str]) -> set[str]:
    """The names of the files in these folders of the docs folder, relative to it."""
    found: set[str] = set()
    for folder in folders:
        with contextlib.suppress(OSError):
            found.update(f"{folder}/{name}" for name in os.listdir(docs_dir / folder))
    return found


def _with_whole_agents(
    catalog: Catalog,
    folder: Path | None,
    sources: Sequence[AgentSource],
    reused: Set[int],
    only: set[str] | None,
    stats: Mapping[str, FileStat],
) -> Catalog:
    """The catalog with the whole Agent of each reused file whose page is rendered again
    (all of them when ``only`` is None), from the cache, or read again if it is not there."""
    from catalog import incremental

    by_path = {s.display_path: s for i, s in enumerate(sources) if i in reused}
    agents = list(catalog.agents)
    for index, agent in enumerate(agents):
        source = by_path.get(agent.display_path)
        if source is None or (only is not None and agent.slug not in only):
            continue
        whole: Agent | None = None
        data = incremental.load_full(folder, cache_id(source), stats[str(source.path)])
        if data is not None:
            with contextlib.suppress(Exception):
                whole = pickle.loads(data)[0]
        if whole is None:
            whole = guarded_load(source)[0] or agent
        # Spelt as the catalog spells its category; with the other tools' definitions.
        agents[index] = replace(
            whole, slug=agent.slug, category=agent.category, available_as=agent.available_as, entry=agent.entry
        )
    return replace(catalog, agents=tuple(agents))


class EmptyCatalog(Exception):
    """No agent was found: a misspelt path must not publish an empty catalog. The old site is
    left as it was."""

    def __init__(self, paths: Sequence[str], findings: Sequence[Finding]) -> None:
        super().__init__(f"no agents found in {', '.join(paths)}")
        self.paths, self.findings = tuple(paths), tuple(findings)


@dataclass(frozen=True, slots=True)
class BuildResult:
    agents: int
    findings: tuple[Finding, ...]
    pages: int
    warnings: tuple[str, ...]  # what MkDocs logged as warnings (our findings are in ``findings``)
    seconds: float
    notes: tuple[str, ...] = ()  # GenerateResult.notes


def build_site(
    paths: Sequence[str],
    site: SiteConfig,
    options: RenderOptions,
    *,
    on_wait: Callable[[Path], None] | None = None,
    progress: Progress | None = None,
    engine: str = "mkdocs",
) -> BuildResult:
    """Generate the pages and build the site with MkDocs, replacing the old site only on success.

    With the user's mkdocs.yml the pages go into its docs folder; otherwise MkDocs builds them
    from memory with the built-in configuration (other engines: from a temporary docs folder).
    One build at a time writes a given site.
    """
    import tempfile
    import time

    from catalog.site import OutputRefused, check_output_dir, output_lock, prepare_site_dir

    started = time.perf_counter()
    target = check_output_dir(site.site_dir, paths, "site")
    docs = site.docs_dir.resolve()
    if site.config_file is not None and (target == docs or docs in target.parents):
        # MkDocs refuses it too; and the docs folder's lock would wait for the site's forever.
        raise OutputRefused(f"the site folder {site.site_dir} is inside the docs folder {site.docs_dir}")
    with (
        tempfile.TemporaryDirectory(prefix="agent-catalog-") as scratch,
        output_lock(target.parent, (lambda: on_wait(target)) if on_wait else None),
    ):
        prepare_site_dir(target)
        if site.config_file is None and engine == "mkdocs":
            outcome, pages, warnings = _build_in_memory(paths, site, options, target, Path(scratch), progress)
        elif site.config_file is not None and site.has_plugin and engine == "mkdocs":
            outcome, pages, warnings = _build_with_plugin(site.config_file, target, progress)
        else:
            outcome, pages, warnings = _build_from_docs(
                paths, site, options, target, Path(scratch), progress, engine, on_wait
            )
    seconds = time.perf_counter() - started
    return BuildResult(outcome.agents, outcome.findings, pages, warnings, seconds, notes=outcome.notes)


def _build_in_memory(
    paths: Sequence[str],
    site: SiteConfig,
    options: RenderOptions,
    target: Path,
    scratch: Path,
    progress: Progress | None,
) -> tuple[GenerateResult, int, tuple[str, ...]]:
    """The built-in configuration: the agent-catalog plugin adds the pages in memory, as in
    a user's ``mkdocs build``, from the catalog scanned here (MkDocs imports itself while the
    workers read the agent files; the navigation needs the catalog's categories)."""
    from catalog.mkdocs_build import import_mkdocs, prepare_mkdocs
    from catalog.site import WriteResult, staged_site

    docs_dir = scratch / "docs"
    docs_dir.mkdir()
    catalog = scan_catalog(paths, exclude=[target], meanwhile=import_mkdocs)
    if not catalog.agents:
        raise EmptyCatalog(paths, catalog.findings)
    config = _write_default_config(site, docs_dir, scratch, catalog.agents, options)
    pages: list[int] = [0]

    def counted(what: str, total: int) -> Callable[[], None]:
        pages[0] = total
        return progress(what, total) if progress is not None else lambda: None

    with staged_site(target) as staging:
        run = prepare_mkdocs(config, staging, counted, catalog)()
    findings = (*catalog.findings, *not_built_findings(catalog.agents, run.not_built))
    return GenerateResult(len(catalog.agents), findings, WriteResult(), catalog=catalog), pages[0], run.warnings


def _build_with_plugin(
    config_file: Path, target: Path, progress: Progress | None
) -> tuple[GenerateResult, int, tuple[str, ...]]:
    """The user's mkdocs.yml has the agent-catalog plugin: it adds the pages in memory, as in
    a plain ``mkdocs build``, so nothing is written into the docs folder (where every page
    would then be there twice)."""
    from catalog.mkdocs_build import prepare_mkdocs
    from catalog.site import WriteResult, staged_site

    pages: list[int] = [0]

    def counted(what: str, total: int) -> Callable[[], None]:
        pages[0] = total
        return progress(what, total) if progress is not None else lambda: None

    with staged_site(target) as staging:
        run = prepare_mkdocs(config_file, staging, counted)()
        catalog = run.catalog or Catalog((), (), ())
        if not catalog.agents:  # before the new site replaces the old one
            raise EmptyCatalog([str(config_file)], catalog.findings)
    findings = (*catalog.findings, *not_built_findings(catalog.agents, run.not_built))
    outcome = GenerateResult(len(catalog.agents), findings, WriteResult(), catalog=catalog)
    return outcome, pages[0], run.warnings


def _build_from_docs(
    paths: Sequence[str],
    site: SiteConfig,
    options: RenderOptions,
    target: Path,
    scratch: Path,
    progress: Progress | None,
    engine: str,
    on_wait: Callable[[Path], None] | None,
) -> tuple[GenerateResult, int, tuple[str, ...]]:
    """The user's mkdocs.yml (pages go into its docs folder), or another engine (which reads
    a docs folder): generate, then build."""
    from catalog.mkdocs_build import run_engine
    from catalog.site import staged_site

    docs_dir = site.docs_dir if site.config_file else scratch / "docs"
    if site.config_file is not None:
        # A misspelt path must not empty the user's docs folder of our pages either.
        found = find_agent_files(paths, [target, docs_dir])
        if not found.sources:
            raise EmptyCatalog(paths, found.findings)
    outcome = generate_docs(
        paths,
        docs_dir,
        options,
        exclude=[target],
        cache=site.config_file is not None,
        on_wait=(lambda: on_wait(docs_dir)) if on_wait else None,
    )
    if not outcome.agents:
        raise EmptyCatalog(paths, outcome.findings)
    config = site.config_file or _write_default_config(
        site, docs_dir, scratch, outcome.catalog.agents if outcome.catalog else ()
    )
    pages = sum(1 for _ in docs_dir.rglob("*.md"))
    with staged_site(target) as staging:
        run = run_engine(engine, config, staging, progress)
    agents = outcome.catalog.agents if outcome.catalog else ()
    outcome = replace(outcome, findings=(*outcome.findings, *not_built_findings(agents, run.not_built)))
    return outcome, pages, run.warnings


def not_built_findings(agents: Sequence[Agent], not_built: Iterable[tuple[str, str]]) -> list[Finding]:
    """An AC150 finding for each agent page MkDocs failed on (given by its path in the docs,
    under the plugin's ``path`` or not)."""
    from catalog.render import agent_page_paths

    paths = {agent_page_paths(agent.slug)[0]: agent.display_path for agent in agents}
    return [
        Finding(paths.get("/".join(page.split("/")[-2:]), page), 1, 1, "AC150", "error", f"MkDocs failed: {error}")
        for page, error in not_built
    ]


def _write_default_config(
    site: SiteConfig, docs_dir: Path, scratch: Path, agents: Sequence[Agent], options: RenderOptions | None = None
) -> Path:
    """The built-in mkdocs.yml for these agents, in the scratch folder: its navigation lists
    the category and collection pages the renderer makes (``page_groups``, the one derivation).
    With ``options``, the agent-catalog plugin in it renders them (``prepare_mkdocs`` hands it
    the catalog)."""
    from catalog.mkdocs_build import default_config
    from catalog.render import page_groups

    collections, categories, _, _ = page_groups(agents)  # of the entries only, as the pages are
    plugin = (
        None
        if options is None
        else {
            "sources": [],
            "path": "",
            "site_name": options.site_name,
            **({"templates": str(options.template_dir.resolve())} if options.template_dir else {}),
        }
    )
    config = scratch / "mkdocs.yml"
    config.write_text(
        default_config(docs_dir, site.site_name, categories, collections, config_dir=scratch, plugin=plugin),
        encoding="utf-8",
    )
    return config
