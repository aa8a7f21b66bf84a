"""Expertise sections: the system prompt split into titled parts with a real Markdown parser.

Titles come from Markdown headings and from the pseudo-headings people write instead:
a bold line standing alone (``**Core Expertise:**``), an ``UPPERCASE LABEL:`` line, and a
short label alone on a line, ending in a colon, followed by a list (``Security checklist:``).
A line ending in a colon that is a sentence (``Your Prisma expertise encompasses:``) is a
lead-in, not a title: it groups its list (kind ``lead-in``) but no outline shows it, and a
heading or bold line written as such a sentence is no title either (``is_sentence``).
Only block structure is parsed (inline parsing would double the cost); a paragraph's
inline source is looked at only to recognize those pseudo-headings.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyromark

from catalog.frozen import frozen
from catalog.model.growth import out_of_proportion
from catalog.types import Origin, Section

_NEWLINE = re.compile(rb"\n")
_OPTIONS = pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_STRIKETHROUGH

# A bold line alone is a heading when it is short and not a sentence (no final . ! ?).
_BOLD_LINE = re.compile(r"(?:\*\*|__)([^*_\n]{1,80}?(?<![.!?]))(?:\*\*|__)[ \t]*:?[ \t]*")
_UPPER_LABEL = re.compile(r"([A-Z][A-Z0-9 &/()'+,-]{1,80}):[ \t]*")
_LEAD_IN = re.compile(r"[^\n]{3,300}:(?:\*\*|__)?[ \t]*")  # "**When to call it:**" too
_MAX_LEAD_IN_TITLE = 90  # a longer sentence is prose, not a group title
MAX_TITLE_WORDS = 8  # a pseudo-heading of more words is a sentence set in bold, not a title
# A title is a noun phrase ("Security checklist"); a line that opens with a pronoun or a
# subordinating word, or stops at a word that needs more after it, is a sentence leading in
# to what follows ("When invoked:", "Your SQL mastery includes:", "Focus on:").
_SENTENCE_OPENERS = frozenset(
    "you your you're yourself i i'm we we're our my they their it it's this these those when whenever "
    "if before after while once whether since because unless".split()
)
_OPEN_ENDINGS = frozenset(
    "include includes including encompass encompasses covers cover involves involve contains contain "
    "are is be been were was should must will can shall would could may might do does need needs "
    "you to of with by like as on in for from at into about that which following below these those "
    "this them it and or the a an via using such e.g i.e provide return ensure verify consider follow "
    "means require requires".split()
)
_PERSONS = frozenset("you your we our i".split())  # who a sentence speaks to or of; no title does
_WORD = re.compile(r"\w", re.UNICODE)
_MAX_SECTIONS = 500


@dataclass
class _Draft:
    title: str
    level: int  # nesting rank: headings use their level; pseudo-headings sit below them
    line: int
    lead_in: bool = False
    kind: str = "heading"
    content_start: int = 0  # index in the body's lines where the content under the title starts
    text: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    children: list[_Draft] = field(default_factory=list)

    def freeze(self, markdown: str = "") -> Section:
        return Section(
            title=self.title,
            level=self.level,
            line=self.line,
            text="\n\n".join(self.text),
            items=tuple(self.items),
            children=tuple(child.freeze() for child in self.children),
            markdown=markdown,
            kind=self.kind,
        )


def split_sections(body: str, first_line: int = 1, origins: Iterable[Origin] = ()) -> tuple[Section, ...]:
    """Split a system prompt into a tree of titled sections. Each file the prompt appends
    (``origins`` with a title: Roo Code's rules) is a top-level section (kind ``file``) titled
    by the line its tool puts before it, the file's own headings below it."""
    blocks = _top_level_blocks(body)
    lines = body.split("\n")
    # The line of each file's title, in the body's lines: the block there is that title.
    files = {origin.line - 2 - first_line: origin.title for origin in origins if origin.title}
    root = _Draft("", 0, first_line)  # a file's section is level 0 too, below every heading
    stack: list[_Draft] = [root]
    heading_level = 0  # level of the Markdown heading in force, for pseudo-headings below it
    count = 0

    def open_section(title: str, level: int, block: _Block, kind: str = "heading") -> None:
        nonlocal count
        count += 1
        lead_in = kind == "lead-in"
        while len(stack) > 1 and (stack[-1].level >= level or stack[-1].lead_in):
            stack.pop()
        content_start = block.start if lead_in else block.end
        # A heading's title is its text already (the parser's, without markup): `__init__` stays;
        # a file's title is the path as it is.
        clean = title if kind == "file" else _clean_title(title, markup=kind != "heading")
        draft = _Draft(clean, level, first_line + block.start, lead_in, kind, content_start)
        stack[-1].children.append(draft)
        stack.append(draft)

    for index, block in enumerate(blocks):
        following = blocks[index + 1].kind if index + 1 < len(blocks) else ""
        if block.start in files:
            heading_level = 0
            open_section(files[block.start], 0, block, "file")
            continue
        if block.kind == "heading" and count < _MAX_SECTIONS and not _is_lead_in_heading(block.title):
            heading_level = block.level
            open_section(block.title, heading_level, block)
            continue
        if block.kind == "paragraph" and count < _MAX_SECTIONS:
            content = block.source.strip()
            single_line = "\n" not in content
            bold = _BOLD_LINE.fullmatch(content) if single_line else None
            label = _UPPER_LABEL.fullmatch(content) if single_line else None
            flat = " ".join(content.split())
            title = (bold or label).group(1) if bold or label else ""  # type: ignore[union-attr]
            if title and not is_sentence(title):
                open_section(title, heading_level + 1, block, "bold" if bold else "label")
                continue
            if (
                following == "list"
                and _LEAD_IN.fullmatch(content.rsplit("\n", 1)[-1])
                and len(flat.rpartition(". ")[2]) <= _MAX_LEAD_IN_TITLE
            ):
                lead, _, title = flat.rpartition(". ")
                if not lead and single_line and not is_sentence(title):  # "Security checklist:" + list
                    open_section(title, heading_level + 1, block, "label")
                    continue
                open_section(title, stack[-1].level + 1, block, "lead-in")
                if lead:
                    stack[-1].text.append(lead + ".")
                continue
        if block.kind == "list":
            stack[-1].items.extend(block.items)
            if stack[-1].lead_in:
                stack.pop()
            continue
        if stack[-1].lead_in:
            stack.pop()
        text = block.source.strip("\n")
        if text.strip():
            stack[-1].text.append(text)
    # Each top-level section's source runs from below its title to the next one's title.
    # A body without any title has no sections: then `ends` is one longer, so no strict zip.
    ends = [child.line - first_line for child in root.children[1:]] + [len(lines)]
    frozen = []
    for child, end in zip(root.children, ends, strict=False):
        frozen.append(child.freeze("\n".join(lines[child.content_start : end]).strip("\n")))
    return tuple(frozen)


def _widen(bounds: list[int], span: Any) -> None:
    bounds[0] = min(bounds[0], span["start"])
    bounds[1] = max(bounds[1], span["end"])


@dataclass
class _Block:
    """One top-level Markdown block: its kind, lines [start, end) and what the split needs."""

    kind: str  # heading, paragraph, list or other
    start: int
    end: int
    source: str
    level: int = 0
    title: str = ""
    items: list[str] = field(default_factory=list)


_BLOCK_TAGS = frozenset(
    {"Paragraph", "Heading", "BlockQuote", "CodeBlock", "HtmlBlock", "List", "Item", "Table", "FootnoteDefinition",
     "MetadataBlock", "DefinitionList", "TableHead", "TableRow", "TableCell"}
)  # fmt: skip


def _tag_name(tag: object) -> str:
    return tag if isinstance(tag, str) else next(iter(tag)) if isinstance(tag, dict) else str(tag)


def _top_level_blocks(body: str) -> list[_Block]:
    """The body's top-level blocks, from pulldown-cmark's events (a CommonMark parser in Rust)."""
    data = body.encode("utf-8")
    line_starts = [0, *(m.end() for m in _NEWLINE.finditer(data))]

    def line_of(offset: int) -> int:
        return bisect_right(line_starts, offset) - 1

    blocks: list[_Block] = []
    depth = 0  # open block-level tags
    item_spans: list[list[int]] = []  # [first, last) byte of each open item's own inline text
    item_slots: list[int] = []  # where each open item's text goes in the current block's items
    code_depth = 0  # inside a code block or table in a list item: not part of the item's text
    # Text whose tables could fill in millions of cells is read without tables, as it is
    # rendered (``growth``): pyromark 0.9 lists every cell's events (480 MB for 14 KB of rows).
    options = _OPTIONS & ~pyromark.Options.ENABLE_TABLES if out_of_proportion(body) else _OPTIONS
    events: Iterable[tuple[Any, Any]] = pyromark.events_with_range(body, options=options)
    for event, span in events:
        kind = next(iter(event)) if isinstance(event, dict) else event
        if kind in ("Start", "End") and _tag_name(event[kind]) not in _BLOCK_TAGS:
            if item_spans:  # inline markup (bold, links) is part of the item's text
                _widen(item_spans[-1], span)
            continue
        if kind == "Start":
            tag = _tag_name(event["Start"])
            if depth == 0:
                start, end = span["start"], span["end"]
                first, last = line_of(start), line_of(max(start, end - 1)) + 1
                source = data[line_starts[first] : end].decode("utf-8", "replace")
                block_kind = {"Heading": "heading", "Paragraph": "paragraph", "List": "list"}.get(tag, "other")
                level = 0
                if tag == "Heading":
                    level = int(str(event["Start"]["Heading"]["level"])[1:])
                blocks.append(_Block(block_kind, first, last, source, level))
            depth += 1
            if item_spans and tag not in ("Item", "List", "Paragraph"):
                code_depth += 1
            if tag == "Item":
                item_slots.append(len(blocks[-1].items))
                blocks[-1].items.append("")
                item_spans.append([len(data), 0])
        elif kind == "End":
            tag = _tag_name(event["End"])
            depth -= 1
            if item_spans and tag not in ("Item", "List", "Paragraph"):
                code_depth -= 1
            if tag == "Item" and item_spans:
                first, last = item_spans.pop()
                text = data[first:last].decode("utf-8", "replace") if first < last else ""
                blocks[-1].items[item_slots.pop()] = " ".join(text.split())
        elif kind in ("Text", "Code", "InlineHtml", "InlineMath", "DisplayMath") and blocks and depth:
            if item_spans:
                if not code_depth:
                    _widen(item_spans[-1], span)
            elif blocks[-1].kind == "heading":
                blocks[-1].title += event[kind]
        elif kind == "Rule" and depth == 0:
            line = line_of(span["start"])
            blocks.append(_Block("other", line, line + 1, "---"))
    for block in blocks:
        block.items = [item for item in block.items if item]
    return blocks


def section_titles(sections: tuple[Section, ...]) -> list[tuple[int, str]]:
    """(depth, title) of every section, depth-first: the at-a-glance outline."""
    out: list[tuple[int, str]] = []

    def walk(items: tuple[Section, ...], depth: int) -> None:
        for section in items:
            out.append((depth, section.title))
            walk(section.children, depth + 1)

    walk(sections, 0)
    return out


def is_sentence(title: str) -> bool:
    """Whether a line that looks like a title reads as a sentence: too many words for a
    title, a sentence's first word (``You``, ``When``), a last word that needs more after
    it (``includes``, ``on``), or a person (``you``) anywhere. Such a line leads in to what
    follows; it titles nothing."""
    words = [word for word in _clean_title(title).split() if _WORD.search(word)]
    if not words:
        return False
    folded = [word.casefold().strip("*_`'\"()[],;:.!?") for word in words]
    return (
        len(words) > MAX_TITLE_WORDS
        or folded[0] in _SENTENCE_OPENERS
        or folded[-1] in _OPEN_ENDINGS
        or not _PERSONS.isdisjoint(folded)  # "For every change you review, you report:"
    )


def _is_lead_in_heading(title: str) -> bool:
    """A Markdown heading written as a lead-in sentence ("## When reviewing, you should:")."""
    return title.rstrip().endswith(":") and is_sentence(title)


def outline_sections(sections: tuple[Section, ...]) -> tuple[Section, ...]:
    """The sections an outline shows: every one but the lead-ins (their lists are content)."""
    return tuple(section for section in sections if section.kind != "lead-in")


@frozen
class PromptPart:
    """A part of the system prompt as its page renders it: a title (none before the first)
    at depth 1 (a top-level section) or 2 (a section in one), and the Markdown under it."""

    title: str
    depth: int
    markdown: str
    line: int  # the file line the part starts at (its title's)


_ATX = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")  # "#:" is no heading: a setext title's first line
_SETEXT_UNDERLINE = re.compile(r" {0,3}(?:=+|-+)[ \t]*")


def prompt_parts(body: str, first_line: int, sections: tuple[Section, ...]) -> list[PromptPart]:
    """The system prompt cut at the titles of the outline's first two levels: the text before
    the first title, then each title's text up to the next title. Every line of the prompt is
    in one part (a title's own lines become the part's title), so a page renders it once; a
    lead-in stays in its part's text. Two levels: a prompt whose one ``# Name`` heading holds
    everything still gets its sections in the table of contents."""
    lines = body.split("\n")
    titled = [
        (at, depth)
        for top in outline_sections(sections)
        for at, depth in ((top, 1), *((child, 2) for child in outline_sections(top.children)))
    ]
    starts = [section.line - first_line for section, _ in titled] + [len(lines)]
    parts = [PromptPart("", 0, "\n".join(lines[: starts[0]]).strip("\n"), first_line)]
    for (section, depth), start, end in zip(titled, starts, starts[1:], strict=False):
        content = start + 1
        if section.kind == "heading" and not _ATX.match(lines[start]):  # a setext heading
            underline = next((i for i in range(start + 1, end) if _SETEXT_UNDERLINE.fullmatch(lines[i])), start)
            content = underline + 1
        parts.append(PromptPart(section.title, depth, "\n".join(lines[content:end]).strip("\n"), section.line))
    return parts


def _clean_title(title: str, markup: bool = True) -> str:
    title = " ".join((title.replace("**", "").replace("__", "") if markup else title).split())
    title = title.strip("#").strip()
    return title.rstrip(": ")  # "Core Expertise:", "Notes::"
