"""catalog.model.sections: a system prompt split into titled, nested sections."""

from __future__ import annotations

from catalog.model.sections import section_titles, split_sections
from catalog.types import Section


def outline(body: str) -> list[tuple[int, str]]:
    return section_titles(split_sections(body))


def test_markdown_headings_nest_by_level() -> None:
    body = "# Role\nYou review.\n## Checks\n### Security\n- secrets\n- injection\n## Output\nA list.\n# Limits\n"
    sections = split_sections(body, first_line=7)
    assert section_titles(sections) == [(0, "Role"), (1, "Checks"), (2, "Security"), (1, "Output"), (0, "Limits")]
    role, limits = sections
    assert (role.level, role.line, role.text) == (1, 7, "You review.")
    security = role.children[0].children[0]
    assert security == Section("Security", 3, 10, "", ("secrets", "injection"))
    assert role.children[1].text == "A list."
    assert limits.line == 15


def test_skipped_heading_levels_still_nest() -> None:
    assert outline("# A\n### deep\n## mid\n") == [(0, "A"), (1, "deep"), (1, "mid")]


def test_text_before_the_first_title_is_not_a_section() -> None:
    assert outline("You are helpful.\n\nBe brief.\n") == []


def test_bold_lines_are_headings() -> None:
    body = "**Core Expertise:**\n\nYou know things.\n\n**Decision Framework**:\n\n1. Measure\n2. Fix\n"
    sections = split_sections(body)
    assert [(s.title, s.level, s.line) for s in sections] == [
        ("Core Expertise", 1, 1),
        ("Decision Framework", 1, 5),
    ]
    assert sections[0].text == "You know things."
    assert sections[1].items == ("Measure", "Fix")


def test_bold_lines_sit_below_the_markdown_heading_in_force() -> None:
    assert outline("## Guide\n\n**Step one**\n\ntext\n\n## Next\n") == [(0, "Guide"), (1, "Step one"), (0, "Next")]


def test_bold_words_inside_a_sentence_are_not_headings() -> None:
    assert outline("Use **care** with this.\n") == []


def test_uppercase_label_lines() -> None:
    body = "ROLE:\n\nYou are a reviewer.\n\nWHY THIS MATTERS:\n- wrong patterns\n- broken builds\n"
    sections = split_sections(body)
    assert [(s.title, s.text, s.items) for s in sections] == [
        ("ROLE", "You are a reviewer.", ()),
        ("WHY THIS MATTERS", "", ("wrong patterns", "broken builds")),
    ]


def test_lead_in_line_and_its_list_form_a_group() -> None:
    body = (
        "**Core Expertise:**\n\n"
        "You know Next.js including:\n- API routes\n- Middleware\n\n"
        "Your Prisma expertise encompasses:\n- Schemas\n- Migrations\n\n"
        "**Operational Principles:**\n\nBe pragmatic.\n"
    )
    sections = split_sections(body)
    assert section_titles(sections) == [
        (0, "Core Expertise"),
        (1, "You know Next.js including"),
        (1, "Your Prisma expertise encompasses"),
        (0, "Operational Principles"),
    ]
    core = sections[0]
    assert core.children[0].items == ("API routes", "Middleware")
    assert core.children[1].items == ("Schemas", "Migrations")
    assert sections[1].text == "Be pragmatic."


def test_lead_in_after_a_sentence_keeps_the_sentence_as_text() -> None:
    [group] = split_sections("You are pragmatic. You prioritize:\n- speed\n- safety\n")
    assert (group.title, group.text, group.items) == ("You prioritize", "You are pragmatic.", ("speed", "safety"))


def test_text_after_a_lead_in_group_returns_to_the_section() -> None:
    [section] = split_sections("## Rules\n\nFollow these:\n- one\n\nAnd then finish.\n")
    assert section.text == "And then finish."
    assert [c.title for c in section.children] == ["Follow these"]


def test_code_fences_stay_in_the_text_and_hide_headings() -> None:
    body = "## Example\n\n```python\n# not a heading\nx = 1\n```\n\nafter\n"
    [section] = split_sections(body)
    assert section.text == "```python\n# not a heading\nx = 1\n```\n\nafter"
    assert section.children == ()


def test_nested_list_items_follow_their_parent() -> None:
    [section] = split_sections("## Steps\n1. first\n   - detail\n2. second\n")
    assert section.items == ("first", "detail", "second")


def test_tables_and_quotes_are_text() -> None:
    [section] = split_sections("## Data\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> note\n")
    assert section.text == "| a | b |\n|---|---|\n| 1 | 2 |\n\n> note"


def test_setext_headings() -> None:
    assert outline("Title\n=====\n\nSub\n---\n") == [(0, "Title"), (1, "Sub")]
