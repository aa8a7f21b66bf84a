"""A file an agent reads as part of it (a prompt file, a rules file), added, mended or emptied
after a run: the cached run writes what a fresh run writes. Such a file is often where no walk
looks (prompts/ is no agents folder) and is no companion while it is missing or empty, so the
cache has to watch where discovery looked, not only what it found."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from catalog.layout import RenderOptions
from catalog.pipeline import generate_docs

OPENCODE = {"agent": {"reviewer": {"description": "Reviews code.", "prompt": "{file:./prompts/reviewer.txt}"}}}
INLINE = {"agent": {"reviewer": {"description": "Reviews code.", "prompt": "Inline prompt."}}}
KIRO = {"name": "k", "description": "Does k.", "prompt": "file://./prompts/k.md"}
TWO = json.dumps({"agent": {"a": INLINE["agent"]["reviewer"], **OPENCODE["agent"]}})  # inline, then a file
ROOMODES = "customModes:\n  - slug: code\n    name: Code\n    roleDefinition: You code.\n    groups: [read]\n"


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    for changed in (path, path.parent):  # seen by its stat, whatever the clock's grain
        stat = os.stat(changed)
        os.utime(changed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))


Case = tuple[dict[str, str], Callable[[Path], None]]
CASES: dict[str, Case] = {
    "opencode prompt file added": (
        {"opencode.json": json.dumps(OPENCODE), "prompts/other.txt": "Other.\n"},
        lambda root: write(root, "prompts/reviewer.txt", "You review code.\n"),
    ),
    "opencode.json mended": (
        {"opencode.json": json.dumps(OPENCODE)[:-1], "prompts/reviewer.txt": "You review code.\n"},
        lambda root: write(root, "opencode.json", json.dumps(OPENCODE)),
    ),
    "opencode prompt made a file": (
        {"opencode.json": json.dumps(INLINE), "prompts/reviewer.txt": "You review code.\n"},
        lambda root: write(root, "opencode.json", json.dumps(OPENCODE)),
    ),
    "opencode prompt made inline": (
        {"opencode.json": json.dumps(OPENCODE), "prompts/reviewer.txt": "You review code.\n"},
        lambda root: write(root, "opencode.json", json.dumps(INLINE)),
    ),
    "Kiro prompt made a file": (
        {".kiro/agents/k.json": json.dumps({**KIRO, "prompt": "Inline."}), ".kiro/agents/prompts/k.md": "You do k.\n"},
        lambda root: write(root, ".kiro/agents/k.json", json.dumps(KIRO)),
    ),
    "Kiro prompt file renamed": (
        {
            ".kiro/agents/k.json": json.dumps(KIRO),
            ".kiro/agents/prompts/k.md": "K.\n",
            ".kiro/agents/prompts/j.md": "J.\n",
        },
        lambda root: write(root, ".kiro/agents/k.json", json.dumps({**KIRO, "prompt": "file://./prompts/j.md"})),
    ),
    "Kiro prompt file added": (
        {".kiro/agents/k.json": json.dumps(KIRO), ".kiro/agents/prompts/other.txt": "Other.\n"},
        lambda root: write(root, ".kiro/agents/prompts/k.md", "You do k.\n"),
    ),
    # What discovery says of a prompt file it does not read (AC119) is the text's: an edit of
    # the text alone says it anew (a cached run kept the last run's finding).
    "opencode missing prompt file made inline": (
        {"opencode.json": json.dumps(OPENCODE)},
        lambda root: write(root, "opencode.json", json.dumps(INLINE)),
    ),
    "opencode inline prompt made a missing file": (
        {"opencode.json": json.dumps(INLINE)},
        lambda root: write(root, "opencode.json", json.dumps(OPENCODE)),
    ),
    "opencode missing prompt file named another": (
        {"opencode.json": json.dumps(OPENCODE)},
        lambda root: write(root, "opencode.json", json.dumps(OPENCODE).replace("reviewer.txt", "other.txt")),
    ),
    "opencode agent with a missing prompt file moved down": (
        {"opencode.json": json.dumps(OPENCODE)},
        lambda root: write(root, "opencode.json", json.dumps(OPENCODE, indent=2)),
    ),
    "Kiro missing prompt file made inline": (
        {".kiro/agents/k.json": json.dumps(KIRO)},
        lambda root: write(root, ".kiro/agents/k.json", json.dumps({**KIRO, "prompt": "Inline."})),
    ),
    "Kiro inline prompt made a missing file": (
        {".kiro/agents/k.json": json.dumps({**KIRO, "prompt": "Inline."})},
        lambda root: write(root, ".kiro/agents/k.json", json.dumps(KIRO)),
    ),
    "Kiro missing prompt file named another": (
        {".kiro/agents/k.json": json.dumps(KIRO)},
        lambda root: write(root, ".kiro/agents/k.json", json.dumps({**KIRO, "prompt": "file://./prompts/j.md"})),
    ),
    # A prompt file without frontmatter beside the agent: no AC110 while the agent names it.
    "Kiro bare prompt file beside it no longer named": (
        {".kiro/agents/k.json": json.dumps({**KIRO, "prompt": "file://./k.md"}), ".kiro/agents/k.md": "You do k.\n"},
        lambda root: write(root, ".kiro/agents/k.json", json.dumps({**KIRO, "prompt": "Inline."})),
    ),
    "Kiro bare file beside it named as its prompt": (
        {".kiro/agents/k.json": json.dumps({**KIRO, "prompt": "Inline."}), ".kiro/agents/k.md": "You do k.\n"},
        lambda root: write(root, ".kiro/agents/k.json", json.dumps({**KIRO, "prompt": "file://./k.md"})),
    ),
    # Each agent of a file of several is asked, not only its first.
    "opencode second agent's prompt file renamed": (
        {"opencode.json": TWO, "prompts/reviewer.txt": "You review code.\n", "prompts/other.txt": "Other.\n"},
        lambda root: write(root, "opencode.json", TWO.replace("reviewer.txt", "other.txt")),
    ),
    "Roo rules file no longer empty": (
        {".roomodes": ROOMODES, ".roorules-code": "\n", ".clinerules-code": "Cline rules.\n"},
        lambda root: write(root, ".roorules-code", "Roo rules, longer.\n"),
    ),
    "Roo rules file added": (
        {".roomodes": ROOMODES, ".clinerules-code": "Cline rules.\n"},
        lambda root: write(root, ".roorules-code", "Roo rules.\n"),
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_part_of_an_agent_added_or_mended_writes_what_a_fresh_run_writes(tmp_path: Path, case: Case) -> None:
    files, change = case
    root = tmp_path / "repo"
    for rel, text in files.items():
        write(root, rel, text)
    docs, fresh = tmp_path / "docs", tmp_path / "fresh"
    generate_docs([str(root)], docs, RenderOptions())
    change(root)
    generate_docs([str(root)], docs, RenderOptions())
    generate_docs([str(root)], fresh, RenderOptions(), cache=False)
    pages = sorted(p.relative_to(fresh).as_posix() for p in fresh.rglob("*.md"))
    assert sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.md")) == pages
    for page in [*pages, "catalog.json"]:
        assert (docs / page).read_text(encoding="utf-8") == (fresh / page).read_text(encoding="utf-8"), page


def repoint(root: Path, rel: str, target: str) -> None:
    """Make ``rel`` a symlink to ``target`` (relative to its folder), as ``ln -sfn`` does: a new
    link renamed over the old one. The folder's mtime moves on, whatever the clock's grain."""
    link = root / rel
    link.parent.mkdir(parents=True, exist_ok=True)
    new = link.with_name(link.name + ".new")
    os.symlink(target, new)
    os.replace(new, link)
    stat = os.stat(link.parent)
    os.utime(link.parent, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))


# A symlink an agent's part is read through, re-pointed: the same name, another target. Each row:
# the files, the link, its first target and its next one.
LINKS = {
    "Roo rules folder": (
        {".roomodes": ROOMODES, ".roo/a/x.md": "Rule A.\n", ".roo/b/y.md": "Rule B.\n"},
        ".roo/rules-code",
        "a",
        "b",
    ),
    "Roo rules subfolder": (
        {".roomodes": ROOMODES, ".roo/rules-code/r.md": "R.\n", ".roo/a/x.md": "Rule A.\n", ".roo/b/x.md": "B!\n"},
        ".roo/rules-code/sub",
        "../a",
        "../b",
    ),
    "Roo rules file": (
        {".roomodes": ROOMODES, "rules/one.txt": "One.\n", "rules/two.txt": "Two!\n"},
        ".roorules-code",
        "rules/one.txt",
        "rules/two.txt",
    ),
    "Kiro prompt file": (
        {".kiro/agents/k.json": json.dumps(KIRO), "texts/one.md": "You do one.\n", "texts/two.md": "You do 2.\n"},
        ".kiro/agents/prompts/k.md",
        "../../../texts/one.md",
        "../../../texts/two.md",
    ),
    "opencode prompt file": (
        {"opencode.json": json.dumps(OPENCODE), "texts/one.md": "You review.\n", "texts/two.md": "You judge.\n"},
        "prompts/reviewer.txt",
        "../texts/one.md",
        "../texts/two.md",
    ),
}


@pytest.mark.parametrize("case", LINKS)
def test_a_symlink_to_a_part_of_an_agent_re_pointed_writes_what_a_fresh_run_writes(tmp_path: Path, case: str) -> None:
    files, link, first, then = LINKS[case]
    root = tmp_path / "repo"
    for rel, text in files.items():
        write(root, rel, text)
    repoint(root, link, first)
    docs, fresh = tmp_path / "docs", tmp_path / "fresh"
    generate_docs([str(root)], docs, RenderOptions())
    before = {p.relative_to(docs).as_posix(): p.read_bytes() for p in docs.rglob("agents/*.md")}
    repoint(root, link, then)
    generate_docs([str(root)], docs, RenderOptions())
    generate_docs([str(root)], fresh, RenderOptions(), cache=False)
    assert {p.relative_to(fresh).as_posix(): p.read_bytes() for p in fresh.rglob("agents/*.md")} != before
    for page in [*sorted(p.relative_to(fresh).as_posix() for p in fresh.rglob("*.md")), "catalog.json"]:
        assert (docs / page).read_text(encoding="utf-8") == (fresh / page).read_text(encoding="utf-8"), page
