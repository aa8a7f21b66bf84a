"""Where a line of an agent's prompt is: in the agent file, or in a file its prompt is read
from (``Origin``: a Roo Code rules file, a Kiro or opencode prompt file). Findings about the
prompt's text are made in the prompt's numbering (from ``body_line``); ``placed`` moves each
to the file and line the text is at, still the agent's finding (``Finding.agent_path``)."""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Iterable, Sequence

from catalog.model.dialects import DIALECTS
from catalog.types import Agent, AgentSource, Finding, Origin


def origin_of(line: int, origins: Sequence[Origin], key_lines: Collection[int] = ()) -> Origin | None:
    """The origin whose stretch holds ``line`` (its title's lines included), or None when the
    line is the agent file's own: before every stretch, or the line of one of its keys."""
    if line in key_lines:
        return None
    found = None
    for origin in origins:
        if line >= origin.line - (2 if origin.title else 0):
            found = origin
    return found


def placed(finding: Finding, origins: Sequence[Origin], key_lines: Collection[int] = ()) -> Finding:
    """``finding`` at the file and line its text is at, when that is another file's."""
    origin = origin_of(finding.line, origins, key_lines) if finding.path == finding.owner else None
    if origin is None:
        return finding
    line = max(1, origin.file_line + finding.line - origin.line)
    return finding.evolve(path=origin.path, line=line, agent_path=finding.owner)


def all_placed(
    findings: Iterable[Finding], origins: Sequence[Origin], key_lines: Collection[int] = ()
) -> list[Finding]:
    return [placed(f, origins, key_lines) for f in findings]


def located(agent: Agent, line: int, own: Collection[int] = ()) -> tuple[str | None, int]:
    """A line of the prompt's numbering as the file (relative to the scanned root; None for
    the agent file) and line its text is at; ``own`` are lines of the agent file's numbering."""
    found = origin_of(line, agent.origins, own)
    return (None, line) if found is None else (found.rel_path, max(1, found.file_line + line - found.line))


def description_lines(agent: Agent) -> frozenset[int]:
    """The lines of an agent's description keys in its own file: an example of the description
    is at its key's line (``extract_examples`` counts no line there), never a prompt's line."""
    return frozenset(agent.key_lines[k] for k in DIALECTS[agent.format].description_keys if k in agent.key_lines)


def prompt_start(agent: Agent) -> tuple[str, int]:
    """The file (relative to the scanned root) and line where an agent's prompt starts: its
    prompt file's, when the whole prompt is read from one (a Kiro ``file://`` prompt)."""
    first = agent.origins[0] if agent.origins else None
    if first is not None and first.line == agent.body_line and not first.title:
        return first.rel_path, first.file_line
    return agent.path, agent.body_line


def finding_place(finding: Finding, agent: Agent) -> str:
    """Where a finding is, as an agent's page lists it: ``line:col`` of the agent's file, or
    ``file:line:col`` when its text is in another (relative to the scanned root)."""
    other = next((o.rel_path for o in agent.origins if o.path == finding.path), None) if finding.agent_path else None
    return f"{other}:{finding.line}:{finding.col}" if other else f"{finding.line}:{finding.col}"


def origin(source: AgentSource, file: str, shown: str, line: int, file_line: int, title: str = "") -> Origin:
    """The origin of text read from ``file``, shown as ``shown`` (relative to the folder of
    ``source``'s file, as a page can show it)."""
    display, rel = (beside(p, source.entry, shown) for p in (source.display_path, source.rel_path))
    return Origin(line, display, file_line, title, rel, file)


def beside(display_path: str, entry: str | None, relative: str) -> str:
    """The display path of a file given relative to the folder of the agent file shown as
    ``display_path`` (one agent of a file of several, ``entry``, ends in ``#entry``)."""
    folder = posixpath.dirname(display_path.removesuffix(f"#{entry}") if entry is not None else display_path)
    return posixpath.normpath(posixpath.join(folder, relative)) if folder else posixpath.normpath(relative)
