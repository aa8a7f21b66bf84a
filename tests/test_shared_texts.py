"""A file many agents read as part of them (a Kiro or opencode prompt file, Roo Code rules
linked from several modes' folders) is copied onto each of their pages: 2 MB that 200
definitions of 80 bytes name made 936 MB of docs (h-hostile2). Past the catalog's budget of
copies an agent does not read it, and AC119 says so; the cached run decides as a fresh one."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from catalog.discover import shared_texts
from catalog.discover.find import find_agent_files
from catalog.layout import RenderOptions
from catalog.pipeline import generate_docs
from tests.test_incremental_prompt_files import repoint, write

PROMPT = "You review code, and say why.\n" * 100  # 3,000 bytes


def kiro(root: Path, name: str, prompt: str = "file://./prompts/shared.md") -> None:
    agent = {"name": name, "description": f"Does {name}.", "prompt": prompt}
    write(root, f".kiro/agents/{name}.json", json.dumps(agent))


def shared_catalog(root: Path, kiro_agents: int = 6, opencode_agents: int = 4) -> None:
    write(root, ".kiro/agents/prompts/shared.md", PROMPT)
    for index in range(kiro_agents):
        kiro(root, f"k{index}")
    prompt = "{file:./prompts/shared.md}"
    agents = {f"o{i}": {"description": f"O {i}.", "prompt": prompt} for i in range(opencode_agents)}
    write(root, "tool/opencode.json", json.dumps({"agent": agents}))
    write(root, "tool/prompts/shared.md", PROMPT)


@pytest.fixture
def small_budget(monkeypatch: pytest.MonkeyPatch) -> int:
    budget = 4 * len(PROMPT) + 10  # four copies, whichever files they are of
    monkeypatch.setattr(shared_texts, "SHARED_TEXT_BYTES", budget)
    return budget


def test_past_the_budget_agents_do_not_read_a_shared_file_and_say_so(tmp_path: Path, small_budget: int) -> None:
    shared_catalog(tmp_path)
    discovery = find_agent_files([str(tmp_path)])
    reading = [s.rel_path for s in discovery.sources if s.companions]
    # Each file's first reader reads it free (it is input as much as theirs); then four copies.
    kiro_readers = [f".kiro/agents/k{i}.json" for i in range(5)]
    assert reading == [*kiro_readers, "tool/opencode.json#o0"]
    reading_after = [s.rel_path for s in discovery.sources if not s.companions]
    assert reading_after == [".kiro/agents/k5.json", *(f"tool/opencode.json#o{i}" for i in (1, 2, 3))]
    unread = {f.path: f for f in discovery.findings if f.code == "AC119"}
    assert sorted(unread) == sorted(f"{tmp_path}/{rel}" for rel in reading_after)
    assert all("other agents read it too" in f.message and f.severity == "warning" for f in unread.values())
    copies = sum(len(PROMPT) for s in discovery.sources for _ in s.companions) - 2 * len(PROMPT)
    assert copies <= small_budget


def test_the_docs_of_a_shared_file_are_bounded_whatever_the_number_of_agents(tmp_path: Path, small_budget: int) -> None:
    def docs_bytes(agents: int) -> int:
        root, docs = tmp_path / f"repo-{agents}", tmp_path / f"docs-{agents}"
        shared_catalog(root, kiro_agents=agents, opencode_agents=0)
        generate_docs([str(root)], docs, RenderOptions(), cache=False)
        return sum(p.stat().st_size for p in docs.rglob("*") if p.is_file() and PROMPT[:30] in p.read_text("utf-8"))

    # The pages, records and downloads that hold the prompt: as many with 40 agents as with 10.
    assert docs_bytes(40) == docs_bytes(10)


@pytest.mark.parametrize(
    "change",
    [
        "the shared file grows",
        "the shared file shrinks",
        "an earlier reader goes",
        "an earlier reader names another file",
        "a reader names another file of a name as long",
        "an opencode reader but the first names another file",
        "the shared file's link re-pointed",
        "a reader joins",
    ],
)
def test_a_cached_run_shares_out_the_budget_as_a_fresh_one(tmp_path: Path, small_budget: int, change: str) -> None:
    root, docs, fresh = tmp_path / "repo", tmp_path / "docs", tmp_path / "fresh"
    shared_catalog(root)
    write(root, ".kiro/agents/prompts/own.md", "You do your own thing.\n")
    generate_docs([str(root)], docs, RenderOptions())
    if change == "the shared file grows":
        write(root, ".kiro/agents/prompts/shared.md", PROMPT * 2)
    elif change == "the shared file shrinks":
        write(root, ".kiro/agents/prompts/shared.md", PROMPT[:100])
    elif change == "a reader names another file of a name as long":  # the JSON's size unchanged
        kiro(root, "k1", "file://./prompts/shaRed.md")
        write(root, ".kiro/agents/prompts/shaRed.md", "Another prompt.\n")
    elif change == "an opencode reader but the first names another file":
        agents = {f"o{i}": {"description": f"O {i}.", "prompt": "{file:./prompts/shared.md}"} for i in range(4)}
        agents["o2"]["prompt"] = "{file:./prompts/mine.md}"
        write(root, "tool/prompts/mine.md", "Mine.\n")
        write(root, "tool/opencode.json", json.dumps({"agent": agents}))
    elif change == "the shared file's link re-pointed":
        repoint(root, ".kiro/agents/prompts/shared.md", "own.md")
    elif change == "an earlier reader goes":
        (root / ".kiro/agents/k1.json").unlink()
    elif change == "an earlier reader names another file":
        kiro(root, "k1", "file://./prompts/own.md")
    else:
        kiro(root, "a0")
    generate_docs([str(root)], docs, RenderOptions())
    generate_docs([str(root)], fresh, RenderOptions(), cache=False)
    pages = sorted(p.relative_to(fresh).as_posix() for p in fresh.rglob("*") if p.is_file())
    assert sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*") if p.is_file()) == pages
    for page in pages:
        assert (docs / page).read_bytes() == (fresh / page).read_bytes(), page


def test_an_agent_reads_its_own_part_whatever_the_budget(tmp_path: Path, small_budget: int) -> None:
    # builder.md names builder.json's agent: it is read as part of it, not as an agent of its own
    # (kiro-dev-team's layout). Other agents reading it first spend the budget: builder.json
    # still reads it, or its text was on no page at all.
    write(tmp_path, ".kiro/agents/builder.md", f"---\nname: builder\ndescription: Builds.\n---\n{PROMPT}")
    for index in range(6):
        kiro(tmp_path, f"a{index}", "file://./builder.md")
    kiro(tmp_path, "builder", "file://./builder.md")
    discovery = find_agent_files([str(tmp_path)])
    assert [s.reason for s in discovery.skipped if s.rel_path == ".kiro/agents/builder.md"] == [
        f"read as part of {tmp_path}/.kiro/agents/builder.json, not as an agent of its own"
    ]
    builder = next(s for s in discovery.sources if s.rel_path == ".kiro/agents/builder.json")
    assert builder.companions == (str(tmp_path / ".kiro/agents/builder.md"),)
    assert [s.rel_path for s in discovery.sources if s.companions] == [
        *(f".kiro/agents/a{i}.json" for i in range(4)),  # the first, and three copies of its 3,045 bytes
        ".kiro/agents/builder.json",
    ]
    assert f"{tmp_path}/.kiro/agents/builder.json" not in {f.path for f in discovery.findings}


def test_hard_links_to_one_file_are_one_shared_text(tmp_path: Path, small_budget: int) -> None:
    # The same text under many names (hard links, as a tar archive keeps them): each name's
    # first reader read it free, 2 MB a page for a file of 2 MB on disk.
    write(tmp_path, ".kiro/agents/prompts/shared.md", PROMPT)
    for index in range(8):
        if index:
            os.link(tmp_path / ".kiro/agents/prompts/shared.md", tmp_path / f".kiro/agents/prompts/s{index}.md")
        kiro(tmp_path, f"k{index}", f"file://./prompts/{'shared' if not index else f's{index}'}.md")
    discovery = find_agent_files([str(tmp_path)])
    assert [s.rel_path for s in discovery.sources if s.companions] == [f".kiro/agents/k{i}.json" for i in range(5)]
