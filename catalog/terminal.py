"""Text that reaches a terminal carries no escape, bell or bidi characters from agent files."""

from __future__ import annotations

import re

# C0/C1 controls (but tab), DEL, bidi embeddings/overrides/isolates, zero-width characters.
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def safe_text(text: str) -> str:
    """Replace characters that could move the cursor, ring, or reorder what a reader sees."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}" if m.group() != "\n" else " ", text)
