"""The one place the stages are wired: discover -> read/parse -> model -> a Catalog."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from catalog.dialects import DIALECTS
from catalog.discover import find_agent_files
from catalog.model import build_agent, slugify
from catalog.parse import parse_agent_text, read_agent_file
from catalog.types import Agent, AgentSource, Catalog, Finding

if TYPE_CHECKING:
    from catalog.render import RenderOptions
    from catalog.site import WriteResult

# Below this many files a process pool costs more than it saves.
_PARALLEL_FROM = 150


def scan_catalog(paths: Sequence[str], exclude: Iterable[Path] = (), jobs: int | None = None) -> Catalog:
    """Scan ``paths`` and return every agent (with a unique slug) and every finding."""
    discovery = find_agent_files(paths, exclude)
    results = _load_all(discovery.sources, jobs)
    agents = assign_slugs([agent for agent, _ in results])
    findings = [*discovery.findings, *(f for _, found in results for f in found)]
    findings.sort(key=lambda f: (f.path, f.line, f.col, f.code, f.message))
    return Catalog(tuple(sorted(agents, key=lambda a: a.slug)), tuple(findings), discovery.skipped)


def load_agent(source: AgentSource) -> tuple[Agent, list[Finding]]:
    """Read, parse and model one file; every problem is a finding, never an exception."""
    text, findings = read_agent_file(source.path, source.display_path)
    raw = parse_agent_text(text, source.display_path, DIALECTS[source.format].known_keys)
    agent, more = build_agent(source, raw)
    return agent, [*findings, *raw.findings, *more]


def assign_slugs(agents: list[Agent]) -> list[Agent]:
    """Make slugs unique: collection, then category, take part where names collide."""
    result = list(agents)
    for attempt in range(3):
        groups: dict[str, list[int]] = defaultdict(list)
        for index, agent in enumerate(result):
            groups[agent.slug.casefold()].append(index)
        clashes = [indexes for indexes in groups.values() if len(indexes) > 1]
        if not clashes:
            return result
        for indexes in clashes:
            for index in indexes:
                agent = result[index]
                if attempt == 0 and agent.collection:
                    result[index] = replace(agent, slug=slugify(f"{agent.collection}-{agent.name}"))
                elif attempt == 1 and agent.category:
                    parts = [agent.collection or "", agent.category, agent.name]
                    result[index] = replace(agent, slug=slugify("-".join(p for p in parts if p)))
    # Still clashing (same name in the same place): number them in path order.
    taken: set[str] = set()
    for index in sorted(range(len(result)), key=lambda i: result[i].path):
        agent, slug, number = result[index], result[index].slug, 1
        while slug in taken:
            number += 1
            slug = f"{agent.slug[:70]}-{number}"
        taken.add(slug)
        result[index] = replace(agent, slug=slug)
    return result


def _load_all(sources: Sequence[AgentSource], jobs: int | None) -> list[tuple[Agent, list[Finding]]]:
    workers = jobs if jobs is not None else min(os.cpu_count() or 1, 8)
    # Forking is only safe while this process runs a single thread (not inside `mkdocs serve`).
    if workers > 1 and len(sources) >= _PARALLEL_FROM and threading.active_count() == 1 and os.name == "posix":
        context = multiprocessing.get_context("fork")
        chunk = max(1, len(sources) // (workers * 4))
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            return list(pool.map(load_agent, sources, chunksize=chunk))
    return [load_agent(source) for source in sources]


def generate_docs(
    paths: Sequence[str], docs_dir: Path, options: RenderOptions, *, check: bool = False, exclude: Iterable[Path] = ()
) -> tuple[Catalog, WriteResult]:
    """Scan, render and write (or with ``check``, compare) the catalog's pages in ``docs_dir``."""
    from catalog.render import render_catalog
    from catalog.site import check_output_dir, write_docs

    check_output_dir(docs_dir, paths, "docs")
    catalog = scan_catalog(paths, exclude=[docs_dir, *exclude])
    return catalog, write_docs(render_catalog(catalog, options), docs_dir, check=check)
