"""Catalogs that are large in one direction (issue 15, section 6), for the tests (small sizes)
and benchmarks/bench_hostile.py (the issue's sizes): many categories, many collections, many
names that give one page name, many files of one name."""

from __future__ import annotations

import itertools
from pathlib import Path


def one_line_agent(name: str, category: str | None = None, description: str = "Does one thing.") -> str:
    category_line = f"category: {category}\n" if category is not None else ""
    return f"---\nname: {name}\ndescription: {description}\n{category_line}---\nBody.\n"


def write_categories(folder: Path, count: int, categories: int) -> None:
    """``count`` one-line agents spread over ``categories`` categories (as many as agents:
    each its own). Category names all have the same length, so an agent's page differs
    between two such catalogs only by what grows with the number of categories."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        text = one_line_agent(f"agent-{index:05d}", f"category-{index % categories:05d}")
        (folder / f"agent-{index:05d}.md").write_text(text, encoding="utf-8")


def write_collections(root: Path, count: int, name: str = "helper") -> None:
    """One agent named ``name`` in each of ``count`` collections (``col-N/agents/``)."""
    for index in range(count):
        folder = root / f"col-{index:05d}" / "agents"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.md").write_text(one_line_agent(name), encoding="utf-8")


def slug_alike_names(count: int) -> list[str]:
    """``count`` different names that all give the page name ``helper``: punctuation after it."""
    marks = "!?.,;~"
    names = []
    for length in itertools.count(1):
        for combination in itertools.product(marks, repeat=length):
            names.append("helper" + "".join(combination))
            if len(names) == count:
                return names
    raise AssertionError("unreachable")


def write_slug_alike(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for index, name in enumerate(slug_alike_names(count)):
        (folder / f"agent-{index:05d}.md").write_text(one_line_agent(f'"{name}"'), encoding="utf-8")


def write_same_name(folder: Path, count: int, name: str = "helper") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (folder / f"agent-{index:05d}.md").write_text(one_line_agent(name), encoding="utf-8")


def write_near_copies(folder: Path, count: int) -> None:
    """A tenth of ``count`` agents of one collection that differ by one word (AC303's worst
    case: their words used by a tenth of the catalog, the most that is not left out), and the
    rest with words of their own."""
    shared = " ".join(f"shared{k}word" for k in range(20))
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        description = f"{shared} own{index}word" if index < count // 10 else f"alone{index}word other{index}word"
        (folder / f"agent-{index:05d}.md").write_text(
            one_line_agent(f"agent-{index}", description=description), encoding="utf-8"
        )
