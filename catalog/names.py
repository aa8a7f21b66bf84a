"""Names for display and for files: titles from agent names, slugs that are safe file names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

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
    """'backend-api-specialist' -> 'Backend API Specialist'; display names stay as written."""
    if " " in name or any(c.isupper() for c in name):
        return name
    words = [w for w in re.split(r"[-_.\s]+", name) if w]
    return " ".join(_ACRONYMS.get(w.lower(), w[:1].upper() + w[1:]) for w in words) or name


def slugify(text: str) -> str:
    """A file name that is safe on every OS: lowercase ASCII letters, digits and hyphens."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    # C++ and C# must not both become "c": keep what the symbols say.
    folded = folded.replace("++", "pp").replace("+", " plus ").replace("#", "sharp")
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:MAX_SLUG].strip("-") or "agent"
    return f"{slug}-agent" if slug in _WINDOWS_RESERVED else slug


def unique_slugs(values: Iterable[str]) -> dict[str, str]:
    """A slug for each distinct value, unique among them: values that slugify alike
    ("Development", "development") get ``-2``, ``-3``... in sorted order."""
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for value in sorted(set(values)):
        base = slug = slugify(value)
        number = 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        taken.add(slug)
        slugs[value] = slug
    return slugs


def reading_order(values: Iterable[str]) -> list[str]:
    """Distinct values in the order a reader looks for them: alphabetical whatever the case
    (``data``, ``Development``, ``development``, ``testing``)."""
    return sorted(set(values), key=lambda value: (value.casefold(), value))
