"""Stage 4, the catalog as a whole: one spelling per category, unique page names (slugs), and
one entry per agent defined for several tools (``catalog.model.variants``)."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

from catalog.model import variants
from catalog.model.names import MAX_SLUG, NAMED_IN_GROUP, Numbering, one_spelling, slugify, some_of
from catalog.types import Agent, Catalog, Discovery, Finding


def assemble(discovery: Discovery, results: Sequence[tuple[Agent | None, list[Finding]]]) -> Catalog:
    """The catalog of what the files gave: agents in slug order, every finding sorted."""
    agents = one_category_spelling([agent for agent, _ in results if agent is not None])
    # One entry per agent, however many tools define it: entries get their slugs as agents
    # always did, the other definitions theirs after their entry's (catalog.model.variants).
    groups = variants.group_definitions(agents)
    entries, collisions = _assign_slugs([agents[group[0]] for group in groups])
    for group, entry in zip(groups, entries, strict=True):
        agents[group[0]] = entry
    agents = variants.with_entries(variants.definition_slugs(agents, groups), groups)
    findings = [*discovery.findings, *(f for _, found in results for f in found), *collisions]
    findings.sort(key=Finding.sort_key)
    return Catalog(tuple(sorted(agents, key=lambda a: a.slug)), tuple(findings), discovery.skipped, discovery.notes)


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
