"""Example dialogues: every ``<example>`` block becomes context, turns and commentary."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from typing import Literal, cast

from catalog.types import Example, Finding, Turn

CLOSE_TAG = "</example>"
# Examples read from one text at most: a page shows each as a dialogue, and a file of nothing
# but tags (1 MB of them) made a 66 MB page that MkDocs took minutes over. What follows stays
# text of the system prompt, as headings past sections' limit do.
MAX_EXAMPLES = 100
MAX_TURNS = 50  # in one example: a bubble each, the same way

# An opening tag may carry attributes: <example name="Create Landing Page">.
_TAGS = re.compile(r"<example(?:\s[^<>]*)?>|</example>")
_COMMENTARY = re.compile(r"<commentary>(.*?)(?:</commentary>|$)", re.S)
# XML-style sub-tags some authors use instead of "user:" lines.
_SUBTAG = re.compile(r"<(/?)(context|user|assistant)>", re.I)
_ROLE = r"(context|user|human|assistant)"
# At the start of a line, "Agent:" is the assistant's turn too ("**User**: ... **Agent**: ...");
# within a sentence ("Use the reviewer agent: it ...") it is not.
_LINE_MARKER = re.compile(
    r"^[ \t]*(?:[-*][ \t]+)?(?:\*\*)?(context|user|human|assistant|agent)(?:\*\*)?[ \t]*:(?:\*\*)?[ \t]*", re.I | re.M
)
_INLINE_MARKER = re.compile(rf"(?:^|(?<=\s)){_ROLE}[ \t]*:[ \t]*", re.I)
_SYNONYMS = {"human": "user", "agent": "assistant"}
# Markdown code, where a tag is text: fenced blocks (to their closing fence, or the end) and
# code spans on one line (``_code_spans``). A fence's opening run is atomic: given back one
# character at a time, each retried to the end of the line, a 2 MB line of backticks took
# hours. A backtick fence's info string holds no backtick (CommonMark).
_FENCE = re.compile(r"^[ \t]*((?>`{3,})(?=[^`\n]*\n)|(?>~{3,}))[^\n]*\n(?:.*?^[ \t]*\1[`~]*[ \t]*$|.*\Z)", re.M | re.S)
_RUN_OR_BREAK = re.compile(r"`+|\n")
_EXAMPLES_WORD = re.compile(r"\bexamples?\b", re.I)
_SENTENCE_END = re.compile(r"[.!?\n]")


def extract_examples(
    text: str, first_line: int, rel_path: str, *, count_lines: bool = True, markdown: bool = False
) -> tuple[list[Example], list[Finding]]:
    """Every ``<example>`` in ``text`` gives one example, closed or not.

    ``count_lines=False`` gives every example ``first_line``: for a frontmatter value whose
    line breaks were unescaped, lines in ``text`` do not match lines in the file.
    ``markdown``: ``text`` is Markdown (a system prompt), whose code shows tags, not uses them:
    an example opened in code is shown, not given, and so is its closing tag, in code or not
    (a fenced block nested in another ends both, as Markdown reads it).
    """
    examples: list[Example] = []
    findings: list[Finding] = []
    opened: int | None = None
    shown = False  # an example opened in code is waiting for its closing tag
    code = _without_code(text) if markdown else text

    counted = [0, first_line]  # a position and its line: positions are asked for in order

    def line_of(pos: int) -> int:
        if not count_lines:
            return first_line
        start, line = counted if pos >= counted[0] else (0, first_line)
        counted[:] = pos, line + text.count("\n", start, pos)
        return counted[1]

    def close(end: int) -> None:
        assert opened is not None
        start = text.index(">", opened) + 1
        examples.append(_parse_block(text[start:end], line_of(opened)))

    for match in _TAGS.finditer(text):
        opening, in_code = match.group() != CLOSE_TAG, code[match.start()] != "<"
        if in_code or (not opening and opened is None and shown):
            if opened is None:
                shown = opening and in_code  # a tag in code opens or closes a shown example
            continue
        if opening:
            shown = False
            if opened is not None:
                findings.append(_unclosed(rel_path, line_of(opened)))
                close(match.start())
                opened = None
            if len(examples) == MAX_EXAMPLES:
                break
            opened = match.start()
        elif opened is None:
            findings.append(
                Finding(
                    rel_path,
                    line_of(match.start()),
                    1,
                    "AC121",
                    "warning",
                    "'</example>' without an opening '<example>'",
                )
            )
        else:
            close(match.start())
            opened = None
    if opened is not None:
        findings.append(_unclosed(rel_path, line_of(opened)))
        close(len(text))
    return examples, findings


def summarize(description: str) -> str:
    """The description before its first example, without a trailing 'Examples:'."""
    match = _TAGS.search(description)
    head = (description[: match.start()] if match else description).rstrip()
    if not head.endswith(":"):
        return head
    # The last clause ("Examples:", "Here are some examples of when to use it:") goes.
    boundary = max((m.end() for m in _SENTENCE_END.finditer(head, max(0, len(head) - 400))), default=0)
    if _EXAMPLES_WORD.search(head, boundary):
        return head[:boundary].rstrip()
    return head


def _without_code(text: str) -> str:
    """``text`` with its Markdown code blanked out, every offset and line break kept."""
    if "`" not in text and "~~~" not in text:
        return text
    text = _FENCE.sub(lambda match: re.sub(r"[^\n]", " ", match.group()), text)
    parts: list[str] = []
    taken = 0
    for start, end in _code_spans(text):
        parts += (text[taken:start], " " * (end - start))
        taken = end
    parts.append(text[taken:])
    return "".join(parts)


def _code_spans(text: str) -> Iterator[tuple[int, int]]:
    """[start, end) of each code span within a line, paired as CommonMark pairs backtick runs:
    a run opens a span that the next run of the same length closes, or is text. In one pass:
    a regular expression that searched for each run's match took minutes on a hostile line."""
    runs: list[tuple[int, int]] = []
    for match in _RUN_OR_BREAK.finditer(text):
        if match.group() != "\n":
            runs.append(match.span())
            continue
        yield from _paired(runs)
        runs = []
    yield from _paired(runs)


def _paired(runs: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    following: list[int | None] = [None] * len(runs)  # the next run of the same length
    last: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index][1] - runs[index][0]
        following[index] = last.get(length)
        last[length] = index
    index = 0
    while index < len(runs):
        closing = following[index]
        if closing is None:
            index += 1
        else:
            yield runs[index][0], runs[closing][1]
            index = closing + 1


def _unclosed(rel_path: str, line: int) -> Finding:
    return Finding(rel_path, line, 1, "AC120", "warning", "'<example>' is not closed by '</example>'")


def _parse_block(block: str, line: int) -> Example:
    commentary = [c.strip() for c in _COMMENTARY.findall(block) if c.strip()]
    block = _COMMENTARY.sub("\n", block)
    block = _SUBTAG.sub(lambda m: "\n" if m.group(1) else f"\n{m.group(2)}: ", block)
    marker = _LINE_MARKER if len(_LINE_MARKER.findall(block)) >= 2 else _INLINE_MARKER
    context: list[str] = []
    turns: list[Turn] = []
    for role, text in _split(block, marker):
        if len(turns) == MAX_TURNS:
            break
        if role == "context":
            context.append(text)
        elif role in ("user", "assistant") and text:
            turns.append(Turn(cast(Literal["user", "assistant"], role), text))
        elif turns and text:  # text after a turn but before the next marker belongs to it
            turns[-1] = Turn(turns[-1].role, f"{turns[-1].text}\n\n{text}")
        elif text:
            context.append(text)
    return Example(
        context="\n\n".join(c for c in context if c) or None,
        turns=tuple(turns),
        commentary="\n\n".join(commentary) or None,
        line=line,
    )


def _split(block: str, marker: re.Pattern[str]) -> Iterator[tuple[str, str]]:
    role = "preamble"
    pos = 0
    for match in marker.finditer(block):
        yield role, _clean(block[pos : match.start()])
        found = match.group(1).lower()
        role = _SYNONYMS.get(found, found)
        pos = match.end()
    yield role, _clean(block[pos:])


def _clean(text: str) -> str:
    # The lines after the marker's own keep the block's indentation (an example indented in a
    # system prompt): as Markdown, a list so indented would run into one paragraph.
    first, newline, rest = text.partition("\n")
    text = (first + newline + textwrap.dedent(rest)).strip()
    if len(text) >= 2 and text[0] == text[-1] == '"' and '"' not in text[1:-1]:
        text = text[1:-1].strip()
    return text
