"""A Markdown text made a document of its own before another is appended to it: the code
fence it leaves open closed (``parse.structured`` joins a Roo Code mode's prompt so)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any


def closed_fence(text: str) -> str:
    """``text`` with the code fence it leaves open closed: each file a prompt appends is a
    Markdown document of its own. Open, a fence in the role definition took every rules file
    after it, their titles and headings, into its code block. Only a fence at the top level
    runs on (one in a list or a quote ends with it), as CommonMark reads it (pulldown-cmark)."""
    import pyromark

    data = text.encode("utf-8")
    depth, last = 0, None  # the last top-level block, when it is a fenced code block: its span
    events: Iterable[tuple[Any, Any]] = pyromark.events_with_range(text)  # typed too narrowly to index
    for event, span in events:
        kind = next(iter(event)) if isinstance(event, dict) else event
        if kind == "Start":
            if depth == 0:
                fenced = isinstance(event["Start"], dict) and "CodeBlock" in event["Start"]
                last = span if fenced and "Fenced" in event["Start"]["CodeBlock"] else None
            depth += 1
        elif kind == "End":
            depth -= 1
    if last is None:
        return text
    # The block to its span's end: its closing fence, when it has one, is its last line (the
    # blank lines after it are none of it: read as its last line, they had a fence appended).
    block = data[last["start"] : last["end"]].decode("utf-8", "replace")
    opening = _FENCE_LINE.match(block)
    if opening is None:  # pragma: no cover - pulldown-cmark's fenced blocks start so
        return text
    marker = opening.group(1)
    lines = block.rstrip("\n").split("\n")
    closing = _FENCE_LINE.fullmatch(lines[-1]) if len(lines) > 1 else None
    if closing and closing.group(1)[0] == marker[0] and len(closing.group(1)) >= len(marker):
        return text
    return f"{text.rstrip(chr(10))}\n{marker}"


# A fence's line: up to three spaces, then three backticks or tildes or more.
_FENCE_LINE = re.compile(r"[ ]{0,3}(`{3,}|~{3,})[ \t]*")
