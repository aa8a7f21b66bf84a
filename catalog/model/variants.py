"""One agent defined for several tools is one catalog entry: the grouping of definitions.

Two definitions are one entry when they have the same name (whatever the case) and their
files are in tool folders of the same repository. The repository of a file is the folder
that holds the first tool folder of its path as scanned (the root as given, then the path):
``repo/.claude/agents/reviewer.md`` and ``repo/.cursor/agents/reviewer.md`` are in ``repo``;
``one/.claude/...`` and ``two/.cursor/...`` are not, and a file outside a tool folder
(``agents/``, ``plugins/x/agents/``) is an entry of its own, whatever its name. Tool folders
are the folders where the tools read agents (``.claude``, ``.github``, ``.cursor``...);
a Roo Code mode's file, ``.roomodes``, is in the folder that holds it.

An entry holds at most one definition of each format: a second one (``.claude/agents/a/x.md``
beside ``.claude/agents/b/x.md``) is an entry of its own, so an entry has at most one
definition per dialect and its page stays small whatever the catalog. Its primary definition,
the one that names the entry and gives its page, is the first in the dialect table's order
(Claude Code, Copilot agent, Copilot chat mode, opencode, Gemini CLI, Cursor, Codex CLI, ...);
the others are shown on that page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from catalog.model.dialect_of import TOOL_FOLDERS
from catalog.model.dialects import DIALECTS
from catalog.model.names import MAX_SLUG, Numbering
from catalog.types import Agent, Format

# Each dialect's own folders (``dialect_of.LAYOUTS``: .claude, .kilo and .kilocode, ...); or its
# own file (Roo Code's .roomodes, whose modes are "<file>#<slug>").
TOOL_FILES = frozenset(d.install_dir for d in DIALECTS.values() if "/" not in d.install_dir)
DIALECT_ORDER = {fmt: index for index, fmt in enumerate(DIALECTS)}


def repository_of(display_path: str) -> str | None:
    """The folder that holds the file's first tool folder, as scanned; None outside one."""
    parts = display_path.split("/")
    for index, part in enumerate(parts[:-1]):
        if part in TOOL_FOLDERS:
            return "/".join(parts[:index])
    if parts[-1].split("#", 1)[0] in TOOL_FILES:
        return "/".join(parts[:-1])
    return None


def group_definitions(agents: Sequence[Agent]) -> list[list[int]]:
    """The indexes of ``agents`` by catalog entry: each group in dialect order (its primary
    definition first), groups in the order of their first definition. Linear in the number
    of agents."""
    keyed: dict[tuple[str, str], dict[Format, int]] = defaultdict(dict)
    alone: set[int] = set()
    # Path order decides which of two definitions of one format joins the group.
    for index in sorted(range(len(agents)), key=lambda i: (agents[i].display_path, i)):
        agent = agents[index]
        repository = repository_of(agent.display_path)
        if repository is None:
            alone.add(index)
            continue
        # The first definition of each format joins; one of a format taken is an entry alone.
        if keyed[(repository, agent.name.casefold())].setdefault(agent.format, index) != index:
            alone.add(index)
    groups_of: dict[int, list[int]] = {index: [index] for index in alone}
    for members in keyed.values():
        ordered = [members[fmt] for fmt in sorted(members, key=DIALECT_ORDER.__getitem__)]
        groups_of[ordered[0]] = ordered
    # Groups in the order of the agents given, by their primary definition.
    return [groups_of[index] for index in range(len(agents)) if index in groups_of]


def definition_slugs(agents: Sequence[Agent], groups: Sequence[Sequence[int]]) -> list[Agent]:
    """The other definitions of each entry named after its primary's slug (unique already):
    ``<entry>-<format>``, numbered if an entry took that name. Only their downloads have it."""
    numbering = Numbering()
    numbering.taken.update(agents[group[0]].slug for group in groups)
    result = list(agents)
    for group in groups:
        primary = agents[group[0]].slug
        for index in group[1:]:
            fmt = agents[index].format.value
            base = f"{primary[: MAX_SLUG - len(fmt) - 1].rstrip('-')}-{fmt}"
            result[index] = agents[index].evolve(slug=numbering.next(base, base[:70].rstrip("-")))
    return result


def with_entries(agents: Sequence[Agent], groups: Sequence[Sequence[int]]) -> list[Agent]:
    """The agents with ``available_as`` (the other definitions of their entry, in dialect
    order) and ``entry`` (the primary's slug, for the other definitions) set from ``groups``."""
    result = list(agents)
    for group in groups:
        primary = agents[group[0]]
        for index in group:
            agent = agents[index]
            others = tuple((agents[i].format, agents[i].slug) for i in group if i != index)
            entry = primary.slug if index != group[0] else ""
            if agent.available_as != others or agent.entry != entry:
                result[index] = agent.evolve(available_as=others, entry=entry)
    return result


def formats_of(agent: Agent) -> tuple[Format, ...]:
    """The formats an entry is available in: its primary definition's, then the others'."""
    return (agent.format, *(fmt for fmt, _ in agent.available_as))


def definitions_by_entry(agents: Sequence[Agent]) -> dict[str, tuple[Agent, ...]]:
    """An entry's slug -> its other definitions, in dialect order (entries of one definition
    are left out)."""
    found: dict[str, list[Agent]] = defaultdict(list)
    for agent in agents:
        if agent.entry:
            found[agent.entry].append(agent)
    return {slug: tuple(sorted(others, key=lambda a: DIALECT_ORDER[a.format])) for slug, others in found.items()}
