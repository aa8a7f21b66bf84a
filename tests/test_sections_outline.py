"""What the outline shows of a system prompt, and that the page renders each line of it once.

A line ending in a colon that is a sentence ("Your SQL mastery includes:") leads in to its
list: it is no title in the outline or the table of contents. The page renders the prompt as
the text before the first section, then each top-level section's title and ``markdown``:
every line of the prompt once, whatever the prompt.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.model.sections import (
    MAX_TITLE_WORDS,
    is_sentence,
    outline_sections,
    prompt_parts,
    split_sections,
)
from catalog.pipeline import scan_catalog
from catalog.types import Agent, Catalog, Section


@pytest.fixture(scope="module")
def seed_agent(seed_file: Path) -> Agent:
    [agent] = scan_catalog([str(seed_file)]).agents
    return agent


def outline_titles(sections: tuple[Section, ...]) -> list[tuple[str, str]]:
    """(kind, title) of every section an outline shows, at any depth."""
    out: list[tuple[str, str]] = []
    for section in outline_sections(sections):
        out.append((section.kind, section.title))
        out += outline_titles(section.children)
    return out


def words(title: str) -> int:
    return sum(any(c.isalnum() for c in word) for word in title.split())


def test_lead_in_sentences_are_no_titles() -> None:
    body = (
        "**Core Expertise:**\n\n"
        "Your SQL mastery includes:\n- CTEs\n- window functions\n\n"
        "When invoked:\n1. read\n2. act\n\n"
        "Focus on:\n- speed\n\n"
        "Security checklist:\n- secrets\n- injection\n\n"
        "**BEFORE answering ANY question about a library, you MUST:**\n- check\n\n"
        "## When working with the framework, you should:\n\n- test\n"
    )
    assert outline_titles(split_sections(body)) == [("bold", "Core Expertise"), ("label", "Security checklist")]


def test_a_short_label_before_a_list_is_a_title() -> None:
    [section] = split_sections("Quality checks:\n- tests pass\n- lint clean\n")
    assert (section.kind, section.title, section.items) == ("label", "Quality checks", ("tests pass", "lint clean"))


def test_a_headings_title_keeps_its_underscores() -> None:
    [section] = split_sections("## Batch loading via `__resolveReference`\n\ntext\n")
    assert section.title == "Batch loading via __resolveReference"


def test_sentences() -> None:
    for sentence in ("Your Prisma expertise encompasses", "When invoked", "Focus on", "You prioritize",
                     "The article content inside the page MUST follow this order", "Provide"):  # fmt: skip
        assert is_sentence(sentence), sentence
    for title in ("Core Expertise", "Security checklist", "Process", "WCAG 2.2 additions", "When to use"[5:]):
        assert not is_sentence(title), title


def test_no_outline_title_of_the_corpus_is_a_lead_in(corpus_catalog: Catalog) -> None:
    """No title the outline shows ends with ':'; no pseudo-heading (a bold line, a label) is
    longer than a title is, or starts as a sentence addressed to the agent."""
    shown = 0
    for agent in corpus_catalog.agents:
        for kind, title in outline_titles(agent.sections):
            shown += 1
            assert not title.endswith(":"), (agent.display_path, title)
            if kind != "heading":  # a Markdown heading is its author's title ("## Your Process")
                assert title.split()[:1] not in (["You"], ["Your"], ["When"]), (agent.display_path, title)
                assert words(title) <= MAX_TITLE_WORDS, (agent.display_path, kind, title)
    assert shown > 10_000


def test_the_seeds_outline(seed_agent: Agent) -> None:
    titles = outline_titles(seed_agent.sections)
    assert [t for _, t in titles][:3] == ["Core Expertise", "Operational Principles", "Problem-Solving Approach"]
    assert not [t for _, t in titles if t.startswith("Your")]  # "Your SQL mastery includes:"


def nonblank(lines: list[str]) -> list[str]:
    return [line for line in lines if line.strip()]


def check_once(body: str, first: int = 5) -> None:
    """The page renders the text before the first title, then each title of the outline's two
    levels (as a heading of its own) and the text under it: together, every line of the body,
    once, in order (``prompt_parts``)."""
    parts = prompt_parts(body, first, split_sections(body, first))
    lines = body.split("\n")
    starts = [part.line - first for part in parts[1:]] + [len(lines)]
    assert parts[0].line == first and nonblank(parts[0].markdown.split("\n")) == nonblank(lines[: starts[0]])
    assert starts == sorted(starts)
    for part, start, end in zip(parts[1:], starts, starts[1:], strict=False):
        assert part.depth in (1, 2) and not part.title.endswith(":")
        whole, markdown = nonblank(lines[start:end]), nonblank(part.markdown.split("\n"))
        assert whole[len(whole) - len(markdown) :] == markdown, (part, whole)
        head = whole[: len(whole) - len(markdown)]  # one title line, or a setext title's and its underline
        assert len(head) == 1 or (len(head) > 1 and not head[-1].strip(" =-")), (part, head)
        letters = re.sub(r"[\W_]", "", part.title)  # the title is the head's text, without markup
        assert letters in re.sub(r"[\W_]", "", "".join(head)), (part, head)


# fmt: off
_LINE = st.one_of(
    st.sampled_from(
        ["# Role", "## Checks", "### Deep", "**Core Expertise:**", "ROLE:", "Your skills include:",
         "Security checklist:", "When invoked:", "- item", "- other item", "1. step", "You are kind.",
         "Be brief. You prioritize:", "```", "# in a fence?", "> quote", "", "", "| a | b |", "|---|---|"]
    ),
    st.text(alphabet="ab :*#-\n", max_size=12),
)
# fmt: on


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINE, max_size=25))
def test_every_line_of_a_prompt_is_rendered_once(lines: list[str]) -> None:
    check_once("\n".join(lines))


def test_every_line_of_the_corpus_prompts_is_rendered_once(corpus_catalog: Catalog) -> None:
    for agent in corpus_catalog.agents:
        check_once(agent.body, agent.body_line)


def test_every_line_of_the_seed_prompt_is_rendered_once(seed_agent: Agent) -> None:
    check_once(seed_agent.body, seed_agent.body_line)
