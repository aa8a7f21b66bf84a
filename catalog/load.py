"""Stage 2-3 for one file: read, parse and model it, under a guard that makes any failure a
finding for that file; and every file of a discovery, in forked workers when there are many."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from catalog.parallel import map_forked
from catalog.types import Agent, AgentSource, Finding, RawDocument, at_most_per_code

# Below this many files a process pool costs more than it saves.
_PARALLEL_FROM = 150
# Read findings after which a file has no text to parse.
_UNREAD = frozenset({"AC101", "AC102"})


def load_agent(source: AgentSource, sections: bool = True) -> tuple[Agent, list[Finding]]:
    """Read, parse and model one file; every problem is a finding, never an exception."""
    from catalog.model.agent import build_agent
    from catalog.model.tool_scope import for_its_tool
    from catalog.parse.document import read_agent_file
    from catalog.parse.structured import parse_document

    text, findings = read_agent_file(source.path, source.display_path)
    if any(f.code in _UNREAD for f in findings):
        # Not read (too large, not a regular file, no permission): nothing to parse, and
        # "file is empty" or "no frontmatter" would be wrong about it.
        raw = RawDocument({}, "", 1, False, False)
    else:
        raw = parse_document(text, source)
    agent, more = build_agent(source, raw, sections=sections)
    return agent, at_most_per_code(for_its_tool([*findings, *raw.findings, *more], agent.format))


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


def load_all(
    sources: Sequence[AgentSource],
    jobs: int | None,
    meanwhile: Callable[[], None] | None = None,
    sections: bool = True,
) -> list[tuple[Agent | None, list[Finding]]]:
    task = guarded_load if sections else functools.partial(guarded_load, sections=False)
    return map_forked(task, sources, at_least=_PARALLEL_FROM, jobs=jobs, meanwhile=meanwhile)


# What a file gave when it was read, by file (and entry in a file of several): its stat and
# source then, and the result.
Loaded = dict[str, tuple[tuple[object, ...], tuple[Agent | None, list[Finding]]]]


def load_changed(
    sources: Sequence[AgentSource], loaded: Loaded, jobs: int | None, sections: bool
) -> list[tuple[Agent | None, list[Finding]]]:
    """``load_all`` of the files whose stat or place changed since ``loaded`` saw them (live
    preview keeps it between builds); ``loaded`` is updated in place."""

    def cache_id(source: AgentSource) -> str:
        return str(source.path) if source.entry is None else f"{source.path}#{source.entry}"

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
    for source, result in zip(fresh, load_all(fresh, jobs, sections=sections), strict=True):
        loaded[cache_id(source)] = (states[cache_id(source)], result)
    for gone in set(loaded) - set(states):
        del loaded[gone]
    return [loaded[cache_id(source)][1] for source in sources]
