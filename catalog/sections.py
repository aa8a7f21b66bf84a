"""Expertise sections: the system prompt split into titled parts with a real Markdown parser.

Titles come from Markdown headings and from the pseudo-headings people write instead:
a bold line standing alone (``**Core Expertise:**``), an ``UPPERCASE LABEL:`` line, and a
lead-in line ending in a colon followed by a list (``Your Prisma expertise encompasses:``).
Only block structure is parsed (inline parsing would double the cost); a paragraph's
inline source is looked at only to recognize those pseudo-headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from catalog.types import Section

_md = MarkdownIt("commonmark", {"maxNesting": 20}).enable("table")
_md.disable(["inline", "text_join"])

# A bold line alone is a heading when it is short and not a sentence (no final . ! ?).
_BOLD_LINE = re.compile(r"(?:\*\*|__)([^*_\n]{1,80}?(?<![.!?]))(?:\*\*|__)[ \t]*:?[ \t]*")
_UPPER_LABEL = re.compile(r"([A-Z][A-Z0-9 &/()'+,-]{1,80}):[ \t]*")
_LEAD_IN = re.compile(r"[^\n]{3,300}:[ \t]*")
_MAX_LEAD_IN_TITLE = 90  # a longer sentence is prose, not a group title
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


def split_sections(body: str, first_line: int = 1) -> tuple[Section, ...]:
    """Split a system prompt into a tree of titled sections."""
    tokens = _md.parse(body)
    lines = body.split("\n")
    root = _Draft("", 0, first_line)
    stack: list[_Draft] = [root]
    heading_level = 0  # level of the Markdown heading in force, for pseudo-headings below it
    count = 0

    def source(token: Token) -> str:
        start, end = token.map or (0, 0)
        return "\n".join(lines[start:end]).strip("\n")

    def open_section(title: str, level: int, token: Token, kind: str = "heading") -> None:
        lead_in = kind == "lead-in"
        nonlocal count
        count += 1
        while stack[-1].level >= level or stack[-1].lead_in:
            stack.pop()
        start, end = token.map or (0, 0)
        draft = _Draft(_clean_title(title), level, first_line + start, lead_in, kind, start if lead_in else end)
        stack[-1].children.append(draft)
        stack.append(draft)

    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.level != 0 or token.nesting == -1:
            index += 1
            continue
        if token.type == "heading_open" and count < _MAX_SECTIONS:
            heading_level = int(token.tag[1])
            open_section(tokens[index + 1].content, heading_level, token)
            index += 3
            continue
        if token.type == "paragraph_open":
            content = tokens[index + 1].content.strip()
            next_type = tokens[index + 3].type if index + 3 < len(tokens) else ""
            followed_by_list = next_type in ("bullet_list_open", "ordered_list_open")
            single_line = "\n" not in content
            bold = _BOLD_LINE.fullmatch(content) if single_line else None
            label = _UPPER_LABEL.fullmatch(content) if single_line else None
            if count >= _MAX_SECTIONS:
                pass
            elif bold or label:
                title = (bold or label).group(1)  # type: ignore[union-attr]
                open_section(title, heading_level + 1, token, "bold" if bold else "label")
                index += 3
                continue
            elif (
                followed_by_list
                and _LEAD_IN.fullmatch(content.rsplit("\n", 1)[-1])
                and len(" ".join(content.split()).rpartition(". ")[2]) <= _MAX_LEAD_IN_TITLE
            ):
                lead, _, title = " ".join(content.split()).rpartition(". ")
                open_section(title, stack[-1].level + 1, token, "lead-in")
                if lead:
                    stack[-1].text.append(lead + ".")
                index += 3
                continue
            if stack[-1].lead_in:
                stack.pop()
            stack[-1].text.append(source(token))
            index += 3
            continue
        if token.type in ("bullet_list_open", "ordered_list_open"):
            end = _matching_close(tokens, index)
            stack[-1].items.extend(_list_items(tokens[index:end], lines))
            if stack[-1].lead_in:
                stack.pop()
            index = end + 1
            continue
        if stack[-1].lead_in:
            stack.pop()
        text = source(token)
        if text:
            stack[-1].text.append(text)
        index = _matching_close(tokens, index) + 1 if token.nesting == 1 else index + 1
    # Each top-level section's source runs from below its title to the next one's title.
    # A body without any title has no sections: then `ends` is one longer, so no strict zip.
    ends = [child.line - first_line for child in root.children[1:]] + [len(lines)]
    frozen = []
    for child, end in zip(root.children, ends, strict=False):
        frozen.append(child.freeze("\n".join(lines[child.content_start : end]).strip("\n")))
    return tuple(frozen)


def section_titles(sections: tuple[Section, ...]) -> list[tuple[int, str]]:
    """(depth, title) of every section, depth-first: the at-a-glance outline."""
    out: list[tuple[int, str]] = []

    def walk(items: tuple[Section, ...], depth: int) -> None:
        for section in items:
            out.append((depth, section.title))
            walk(section.children, depth + 1)

    walk(sections, 0)
    return out


def _matching_close(tokens: list[Token], index: int) -> int:
    depth = 0
    for position in range(index, len(tokens)):
        depth += tokens[position].nesting
        if depth == 0:
            return position
    return len(tokens) - 1


def _list_items(tokens: list[Token], lines: list[str]) -> list[str]:
    """Every list item's own text, nested items after their parent, in order."""
    items: list[str] = []
    for token in tokens:
        if token.type == "inline" and token.level >= 2:
            items.append(" ".join(token.content.split()))
        elif token.type in ("fence", "code_block") and token.map:
            items.append("\n".join(lines[token.map[0] : token.map[1]]).strip())
    return [item for item in items if item]


def _clean_title(title: str) -> str:
    title = " ".join(title.replace("**", "").replace("__", "").split())
    title = title.strip("#").strip()
    return title[:-1].rstrip() if title.endswith(":") else title
