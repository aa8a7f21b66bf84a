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
# XML-style sub-tags some authors use instead of "user:" lines: <user>, <user_request>,
# <assistant_response>, <context>. Not <context_flow> or <stage_1_analyze>: their own markup.
_SUBTAG = re.compile(
    r"<(/?)(context|user|human|assistant|agent)"
    r"(?:[_-](?:request|message|query|input|prompt|question|response|reply|answer|output))?>",
    re.I,
)
_ROLE = r"(context|user|human|assistant)"
# A speaker at the start of a line: "user:", "**User**:", "- Assistant:", "Daisy:", "Product
# Manager:". Bounded words, so a hostile line costs one pass.
_LINE_LABEL = re.compile(
    r"^[ \t]*(?:[-*][ \t]+)?(?:\*\*)?([A-Za-z][\w'.-]{0,40}(?:[ \t][A-Za-z][\w'.-]{0,40}){0,2})(?:\*\*)?[ \t]*:"
    r"(?:\*\*)?[ \t]*",
    re.M,
)
_INLINE_MARKER = re.compile(rf"(?:^|(?<=\s)){_ROLE}[ \t]*:[ \t]*", re.I)
_USER_LABELS = frozenset({"user", "human"})
# "Agent:" is the assistant too ("**User**: ... **Agent**: ..."), unless "assistant:" speaks
# in the same example: then it is another speaker. Within a sentence ("Use the reviewer
# agent: it ...") it is no speaker at all, so it is only read at the start of a line.
_KNOWN_LABELS = _USER_LABELS | {"context", "assistant", "agent"}
# Any other name is a speaker when what follows it is quoted ('Daisy: "Can you ..."'), and is
# not one of the words that introduce a part of an example rather than a person.
_QUOTES = frozenset("\"'“‘«„")
_QUOTE_PAIRS = (('"', '"'), ("\u201c", "\u201d"))  # quotes around a whole turn are not its text
_NOT_SPEAKERS = frozenset(
    "example examples note notes commentary output input result results response request prompt query "
    "question answer expected actual task trigger scenario situation reason why action outcome "
    # samples a system prompt grades or shows ('Good: "Use const"', 'Title: "Fix login"')
    "good bad better worse best correct incorrect wrong right before after do don't avoid prefer instead "
    "original revised improved fixed yes no title description name summary subject body message commit "
    "text content value error warning command file path code".split()
)
# Markdown code, where a tag is text: fenced blocks (to their closing fence, or the end) and
# code spans on one line (``_code_spans``). A fence's opening run is atomic: given back one
# character at a time, each retried to the end of the line, a 2 MB line of backticks took
# hours. A backtick fence's info string holds no backtick (CommonMark).
_FENCE = re.compile(r"^[ \t]*((?>`{3,})(?=[^`\n]*\n)|(?>~{3,}))[^\n]*\n(?:.*?^[ \t]*\1[`~]*[ \t]*$|.*\Z)", re.M | re.S)
_RUN = re.compile(r"`+")
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
    """The description before its first example, without a trailing 'Examples:' or other
    short lead-in to them ('Specifically:')."""
    match = _TAGS.search(description)
    head = (description[: match.start()] if match else description).rstrip()
    if not head.endswith(":"):
        return head
    # The last clause ("Examples:", "Here are some examples of when to use it:") goes, and so
    # does a lead-in of a few words right before the examples ("Specifically:", "For instance:").
    boundary = max((m.end() for m in _SENTENCE_END.finditer(head, max(0, len(head) - 400))), default=0)
    lead_in = match is not None and len(head[boundary:].split()) <= 3 and head[:boundary].strip() != ""
    if lead_in or _EXAMPLES_WORD.search(head, boundary):
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
    a regular expression that searched for each run's match took minutes on a hostile line.
    Only the backtick runs are visited: a line break between two of them ends a line's runs."""
    runs: list[tuple[int, int]] = []
    find = text.find
    for match in _RUN.finditer(text):
        start, end = match.span()
        if runs and find("\n", runs[-1][1], start) >= 0:
            yield from _paired(runs)
            runs = []
        runs.append((start, end))
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
    asides: list[tuple[int, str]] = [(m.start(), m.group(1)) for m in _COMMENTARY.finditer(block)]
    # Blanked out, every offset kept: the speakers' markers are found in the same text.
    block = _COMMENTARY.sub(lambda m: "\n" + " " * (len(m.group()) - 1), block)
    context: list[str] = []
    turns: list[tuple[str, list[str]]] = []  # consecutive turns of one side make one bubble
    for role, start, text in _split(block, _markers(block)):
        if role == "context":
            context.append(text)
        elif role == "aside":  # after a closing </user_request>: narration, not the turn
            asides.append((start, text))
        elif role in ("user", "assistant") and text:
            if turns and turns[-1][0] == role:
                turns[-1][1].append(text)
            elif len(turns) == MAX_TURNS:
                break
            else:
                turns.append((role, [text]))
        elif turns and text:  # text after a turn but before the next marker belongs to it
            turns[-1][1].append(text)
        elif text:
            context.append(text)
    commentary = [text.strip() for _, text in sorted(asides) if text.strip()]
    return Example(
        context="\n\n".join(c for c in context if c) or None,
        turns=tuple(Turn(cast(Literal["user", "assistant"], role), "\n\n".join(parts)) for role, parts in turns),
        commentary="\n\n".join(commentary) or None,
        line=line,
    )


def _markers(block: str) -> list[tuple[int, int, str]]:
    """Where each turn starts in an example, as (start, end, role): its speakers' lines and
    sub-tags, or, when fewer than two lines start with a speaker, its inline role markers.
    A closing sub-tag of a turn starts an "aside": the turn it closes is over."""
    tags = [(m.start(), m.end(), _tag_role(m.group(2), closing=bool(m.group(1)))) for m in _SUBTAG.finditer(block)]
    speakers = [(m.start(), m.end(), m.group(1).lower()) for m in _LINE_LABEL.finditer(block) if _is_speaker(m, block)]
    if len(speakers) + sum(role != "aside" for _, _, role in tags) < 2:
        inline = [(m.start(), m.end(), _tag_role(m.group(1))) for m in _INLINE_MARKER.finditer(block)]
        return sorted(tags + inline)
    roles = _speaker_roles([label for _, _, label in speakers])
    return sorted(tags + [(start, end, roles[label]) for start, end, label in speakers])


def _is_speaker(match: re.Match[str], block: str) -> bool:
    label = match.group(1).lower()
    if label in _KNOWN_LABELS:
        return True
    return label not in _NOT_SPEAKERS and block[match.end() : match.end() + 1] in _QUOTES


def _tag_role(name: str, *, closing: bool = False) -> str:
    name = name.lower()
    if name == "context":
        return "context"
    return "aside" if closing else "user" if name in _USER_LABELS else "assistant"


def _speaker_roles(labels: list[str]) -> dict[str, str]:
    """Each speaker's side. The user's labels and the assistant's are taken at their word;
    the first other speaker is the user when no line says "user:"; the others are the
    assistant when nobody is named as the assistant, else the user's side."""
    named_assistant = {"assistant"} if "assistant" in labels else {"agent"}
    has_assistant = bool(named_assistant & set(labels))
    others = [label for label in dict.fromkeys(labels) if label not in _KNOWN_LABELS or label == "agent"]
    others = [label for label in others if label not in named_assistant]
    first_user = others[0] if others and not _USER_LABELS & set(labels) else None
    roles: dict[str, str] = {}
    for label in set(labels):
        if label == "context":
            roles[label] = "context"
        elif label in _USER_LABELS or label == first_user:
            roles[label] = "user"
        elif label in named_assistant or label == "agent":
            roles[label] = "assistant"
        else:
            roles[label] = "user" if has_assistant else "assistant"
    return roles


def _split(block: str, markers: list[tuple[int, int, str]]) -> Iterator[tuple[str, int, str]]:
    role, start, pos = "preamble", 0, 0
    for marker_start, marker_end, marker_role in markers:
        if marker_start < pos:  # overlaps the marker before it
            continue
        yield role, start, _clean(block[pos:marker_start])
        role, start, pos = marker_role, marker_start, marker_end
    yield role, start, _clean(block[pos:])


def _clean(text: str) -> str:
    # The lines after the marker's own keep the block's indentation (an example indented in a
    # system prompt): as Markdown, a list so indented would run into one paragraph.
    first, newline, rest = text.partition("\n")
    text = (first + newline + textwrap.dedent(rest)).strip()
    for opening, closing in _QUOTE_PAIRS:
        if len(text) >= 2 and text[0] == opening and text[-1] == closing and closing not in text[1:-1]:
            return text[1:-1].strip()
    return text
