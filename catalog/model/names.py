"""Names for display and for files: titles from agent names, slugs that are safe file names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

import xxhash

_ACRONYMS = {
    w.lower(): w
    for w in (
        "API AI ML LLM SQL UI UX CI CD QA SRE SEO AWS GCP DBA DevOps GraphQL iOS JSON HTML CSS JS TS PHP "
        "MCP SDK CLI HTTP REST gRPC NoSQL ETL IoT AR VR PR MLOps DX K8s"
    ).split()
}
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)
MAX_SLUG = 80


def titleize(name: str) -> str:
    """'backend-api-specialist' -> 'Backend API Specialist', 'subagents/system-builder' ->
    'Subagents / System Builder'; display names stay as written."""
    if " " in name or any(c.isupper() for c in name):
        return name
    parts = [[w for w in re.split(r"[-_.\s]+", part) if w] for part in name.split("/")]
    titled = [" ".join(_ACRONYMS.get(w.lower(), w[:1].upper() + w[1:]) for w in words) for words in parts]
    return " / ".join(t for t in titled if t) or name


# Latin letters that have no decomposition into ASCII: spelt as they are transliterated.
_LATIN = str.maketrans(
    dict(zip("øØđĐłŁðÐıßæÆœŒþÞ", [*"oOdDlLdDi", "ss", "ae", "AE", "oe", "OE", "th", "Th"], strict=True))
)
# The length of the digest that stands for the letters of other scripts (Chinese, Cyrillic, ...).
_DIGEST = 8


def _letters(decomposed: str) -> str:
    """The letters, digits and marks of a decomposed text, casefolded, anything else a space.
    A mark on a Latin letter is dropped, as the ASCII part drops it (``é`` is ``e``); one on
    another script's letter is a letter of its own (``й`` is not ``и``, ``バ`` not ``ハ``,
    Thai's tone marks tell words apart): else two names would be one page, two categories one."""
    kept, after_ascii = [], True
    for char in decomposed:
        if not unicodedata.combining(char):
            after_ascii = ord(char) < 128
        elif after_ascii:
            continue
        kept.append(char)
    return "".join(c if unicodedata.category(c)[0] in "LMN" else " " for c in "".join(kept).casefold())


def slugify(text: str) -> str:
    """A file name that is safe on every OS: lowercase ASCII letters, digits and hyphens.

    Letters that have no ASCII spelling (``李林``, ``Проверка кода``) are not dropped, or every
    name written in another script would be the same page (``agent``, ``agent-2``, ...,
    numbered in path order) and two categories one: they add a digest of the text, the same
    for spellings that differ only in case, accents or separators, as the ASCII part is."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LATIN))
    folded = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    # C++ and C# must not both become "c": keep what the symbols say.
    folded = folded.replace("++", "pp").replace("+", " plus ").replace("#", "sharp")
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if any(ord(c) > 127 and unicodedata.category(c)[0] in "LN" for c in decomposed):
        key = "-".join(_letters(decomposed).split())
        digest = xxhash.xxh3_64_hexdigest(key.encode("utf-8"))[:_DIGEST]
        slug = "-".join(part for part in (slug[: MAX_SLUG - _DIGEST - 1].strip("-"), digest) if part)
    slug = slug[:MAX_SLUG].strip("-") or "agent"
    return f"{slug}-agent" if slug in _WINDOWS_RESERVED else slug


# How many members of a group a message about the group names: the rest are counted.
NAMED_IN_GROUP = 3


def some_of(first: Sequence[str], total: int) -> str:
    """A group of ``total`` things named by its first few (``first``, at least NAMED_IN_GROUP
    of them when there are that many): "a, b and c", or "a, b, c and 997 more". A message
    about a group stays the same size however large the group (10,000 agents of one name)."""
    shown = list(first[:NAMED_IN_GROUP])
    if total > len(shown):
        return f"{', '.join(shown)} and {total - len(shown):,} more"
    return ", ".join(shown)


class Numbering:
    """``base``, ``base-2``, ``base-3``... each name not taken yet.

    Remembers the last number given for each base: the names taken only grow, so the next
    free one is never below it, and n names of one base cost n steps, not n²/2."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self._last: dict[str, int] = {}

    def next(self, base: str, stem: str | None = None) -> str:
        """The first of ``base``, ``{stem}-2``, ``{stem}-3``... not taken (``stem``: ``base``)."""
        number = self._last.get(base, 1)
        slug = base if number == 1 else f"{stem or base}-{number}"
        while slug in self.taken:
            number += 1
            slug = f"{stem or base}-{number}"
        self._last[base] = number
        self.taken.add(slug)
        return slug


def unique_slugs(values: Iterable[str], reserved: Iterable[str] = ()) -> dict[str, str]:
    """A slug for each distinct value, unique among them and unlike ``reserved``: values that
    slugify alike ("Development", "development") get ``-2``, ``-3``... in sorted order."""
    numbering = Numbering()
    numbering.taken.update(reserved)
    return {value: numbering.next(slugify(value)) for value in sorted(set(values))}


def one_spelling(values: Iterable[str]) -> dict[str, str]:
    """Each value -> the one spelling of the values that differ from it only in case,
    accents or separators (that slugify alike: ``Development``, ``development``,
    ``data_ai``, ``Data AI``): the most used, then one a person wrote for display (with
    a capital or a space), then the first in sorted order."""
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    best: dict[str, str] = {}
    for value in sorted(counts, key=lambda v: (-counts[v], v == v.lower() and " " not in v, v)):
        best.setdefault(slugify(value), value)
    return {value: best[slugify(value)] for value in counts}


def reading_order(values: Iterable[str]) -> list[str]:
    """Distinct values in the order a reader looks for them: alphabetical whatever the case
    (``data``, ``Development``, ``development``, ``testing``)."""
    return sorted(set(values), key=lambda value: (value.casefold(), value))
