"""Text that reaches a terminal or a CI log carries no escape, bell or bidi characters from
agent files, and no workflow command a CI runner would obey."""

from __future__ import annotations

import re

# C0/C1 controls (but tab), DEL, bidi embeddings/overrides/isolates, zero-width characters.
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")

# GitHub's runner obeys a workflow command in any line of a step's output, stdout or stderr:
# a line that starts, after white space, with "::" (``::add-mask::``, ``::stop-commands::``),
# and, in the old form, "##[" anywhere in a line (``##[set-output name=x;]``). A file name, an
# agent's name or description put either into our output: the text shows them escaped.
_COMMAND_START = re.compile(r"\s*::")
OLD_COMMAND = "##["
OLD_COMMAND_SHOWN = "#\\u0023["  # as JSON writes it too: the same text, decoded


def safe_chars(text: str) -> str:
    """Replace characters that could move the cursor, ring, or reorder what a reader sees."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}" if m.group() != "\n" else " ", text)


def safe_text(text: str) -> str:
    """:func:`safe_chars`, and the marks of a workflow command escaped (at the start of
    ``text``, or anywhere for the old form). Not for the workflow commands we write
    (``lint --format github``): their values are escaped as such a command's."""
    text = safe_chars(text)
    if OLD_COMMAND in text:
        text = text.replace(OLD_COMMAND, OLD_COMMAND_SHOWN)
    start = _COMMAND_START.match(text)
    if start is not None:
        text = f"{text[: start.end() - 2]}\\u003a{text[start.end() - 1 :]}"
    return text


def inert_json(text: str) -> str:
    """JSON for a CI log: "##[" only occurs in its strings, where ``#\\u0023[`` is the same
    text to any JSON reader and no command to GitHub's runner. (No line of indented or
    compact JSON starts with "::".)"""
    return text.replace(OLD_COMMAND, OLD_COMMAND_SHOWN) if OLD_COMMAND in text else text
