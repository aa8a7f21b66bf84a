"""`agent-catalog generate`: --check (what CI runs), --fail-on-change (the hook) and the cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from catalog import load
from catalog.cli.main import main
from catalog.output.docs_folder import MANIFEST

AGENTS = {
    "reviewer.md": "---\nname: reviewer\ndescription: Reviews diffs before they are merged.\nmodel: sonnet\n---\n"
    "## Focus\nCorrectness first, then clarity.\n",
    "planner.md": "---\nname: planner\ndescription: Plans work in small steps.\ntools: Read, Grep\n---\n"
    "## Method\nSmall steps.\n",
    "writer.md": "---\nname: writer\ndescription: Writes the docs.\n---\nPlain words.\n",
}


def generate(*args: str) -> Result:
    return CliRunner().invoke(main, ["generate", "agents", *args])


def tree(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and modification time: what 'writes nothing' must leave alone."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def contents(folder: Path) -> dict[str, bytes]:
    return {rel: data for rel, (data, _) in tree(folder).items()}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three agents and their generated docs folder, as the current folder."""
    (tmp_path / "agents").mkdir()
    for name, text in AGENTS.items():
        (tmp_path / "agents" / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = generate()
    assert result.exit_code == 0, result.output
    assert (tmp_path / "docs/agents/reviewer.md").is_file()
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    # The new text differs in length too, so a stat cache sees the edit even within one clock tick.
    text = path.read_text(encoding="utf-8")
    assert old in text and len(old) != len(new)
    path.write_text(text.replace(old, new), encoding="utf-8")


# --check


def test_check_on_up_to_date_docs_exits_0_and_writes_nothing(project: Path) -> None:
    before = tree(project / "docs")
    result = generate("--check")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert tree(project / "docs") == before


def test_check_after_an_edit_lists_the_stale_page_with_a_diff(project: Path) -> None:
    edit(project / "agents/reviewer.md", "Correctness first", "Security first, correctness second")
    before = tree(project / "docs")
    result = generate("--check")
    assert result.exit_code == 1
    assert tree(project / "docs") == before
    stale = [line for line in result.stdout.splitlines() if line.startswith("stale: ")]
    assert "stale: docs/agents/reviewer.md" in stale
    assert not any("planner" in line or "writer" in line for line in stale)
    page_diff = result.stdout.split("stale: docs/agents/reviewer.md\n", 1)[1].split("stale: ", 1)[0]
    lines = page_diff.splitlines()
    assert lines[:2] == ["--- agents/reviewer.md (committed)", "+++ agents/reviewer.md (generated)"]
    assert any(line.startswith("-") and "Correctness first" in line for line in lines[2:])
    assert any(line.startswith("+") and "Security first" in line for line in lines[2:])
    assert len(lines) <= 13  # short: at most 12 diff lines and a "... more" line
    assert all(len(line) <= 160 for line in lines)
    assert "out of step with the agents: run agent-catalog generate" in result.stderr


def test_check_after_a_deletion_lists_the_removed_page(project: Path) -> None:
    (project / "agents/writer.md").unlink()
    before = tree(project / "docs")
    result = generate("--check")
    assert result.exit_code == 1
    assert tree(project / "docs") == before
    assert "stale: docs/agents/writer.md\n--- agents/writer.md\n+++ (removed: its agent is gone)\n" in result.stdout
    assert "stale: docs/agents/reviewer.md" not in result.stdout


def test_check_lists_a_missing_page(project: Path) -> None:
    (project / "docs/agents/planner.md").unlink()
    result = generate("--check")
    assert result.exit_code == 1
    assert "stale: docs/agents/planner.md\n--- agents/planner.md (missing)\n+++ agents/planner.md\n" in result.stdout
    assert not (project / "docs/agents/planner.md").exists()


def test_check_after_a_new_agent(project: Path) -> None:
    (project / "agents/tester.md").write_text("---\nname: tester\ndescription: Tests.\n---\nTests.\n", "utf-8")
    result = generate("--check")
    assert result.exit_code == 1
    assert "stale: docs/agents/tester.md" in result.stdout
    assert not (project / "docs/agents/tester.md").exists()


def test_check_fails_on_a_hand_edited_page_and_leaves_it_alone(project: Path) -> None:
    # generate never overwrites a page edited by hand, but the committed page no longer
    # matches its agent: --check fails on it, with the diff, and writes nothing.
    page = project / "docs/agents/writer.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nhand edit\n", encoding="utf-8")
    before = tree(project / "docs")
    result = generate("--check")
    assert result.exit_code == 1
    assert "stale: docs/agents/writer.md\n" in result.stdout
    assert "-hand edit" in result.stdout
    assert "docs/agents/writer.md: left alone: edited since generated\n" in result.stderr
    assert tree(project / "docs") == before


# --fail-on-change


def test_fail_on_change_fails_when_it_rewrote_pages_then_passes(project: Path) -> None:
    page = project / "docs/agents/planner.md"
    old = page.read_bytes()
    edit(project / "agents/planner.md", "Small steps.", "Small, reversible steps.")
    first = generate("--fail-on-change")
    assert first.exit_code == 1, first.output
    assert page.read_bytes() != old
    assert b"Small, reversible steps." in page.read_bytes()
    assert "written" in first.stderr
    second = generate("--fail-on-change")
    assert second.exit_code == 0, second.output
    assert generate("--check").exit_code == 0


def test_fail_on_change_passes_when_nothing_changed(project: Path) -> None:
    assert generate("--fail-on-change").exit_code == 0
    assert generate("--fail-on-change", "--no-cache").exit_code == 0


def test_fail_on_change_fails_when_it_removed_a_page(project: Path) -> None:
    (project / "agents/writer.md").unlink()
    result = generate("--fail-on-change")
    assert result.exit_code == 1
    assert not (project / "docs/agents/writer.md").exists()
    assert "3 removed" in result.stderr  # its page, its download and its record
    assert generate("--fail-on-change").exit_code == 0


# The incremental cache


def test_a_second_run_changes_nothing(project: Path) -> None:
    before = tree(project / "docs")
    result = generate()
    assert result.exit_code == 0
    assert result.stderr == "3 agents: nothing changed since the last run in docs\n"
    assert tree(project / "docs") == before


def test_an_edit_is_picked_up(project: Path) -> None:
    page = project / "docs/agents/writer.md"
    untouched = tree(project / "docs")["agents/reviewer.md"]
    edit(project / "agents/writer.md", "Writes the docs.", "Writes and edits the docs.")
    result = generate()
    assert result.exit_code == 0
    assert "nothing changed" not in result.stderr
    assert "Writes and edits the docs." in page.read_text(encoding="utf-8")
    assert tree(project / "docs")["agents/reviewer.md"] == untouched  # other pages are not rewritten
    assert "nothing changed since the last run" in generate().stderr


@pytest.mark.parametrize("rel", ["agents/reviewer.md", "downloads/reviewer.md.txt", "index.md"])
def test_a_deleted_generated_page_is_restored(project: Path, rel: str) -> None:
    page = project / "docs" / rel
    old = page.read_bytes()
    page.unlink()
    result = generate()
    assert result.exit_code == 0
    assert "nothing changed" not in result.stderr
    assert page.read_bytes() == old


def test_a_new_agent_gets_a_page(project: Path) -> None:
    (project / "agents/tester.md").write_text("---\nname: tester\ndescription: Tests.\n---\nTests.\n", "utf-8")
    assert generate().exit_code == 0
    assert (project / "docs/agents/tester.md").is_file()
    assert "tester" in (project / "docs/index.md").read_text(encoding="utf-8")


def test_with_and_without_cache_give_identical_trees(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    # The same history of edits, once with the cache and once with --no-cache into another folder.
    edit(project / "agents/planner.md", "Small steps.", "Tiny steps, one at a time.")
    (project / "agents/writer.md").unlink()
    (project / "agents/tester.md").write_text("---\nname: tester\ndescription: Tests.\n---\nTests.\n", "utf-8")
    assert generate().exit_code == 0
    assert generate("--no-cache", "--docs-dir", "fresh").exit_code == 0
    cached, fresh = contents(project / "docs"), contents(project / "fresh")
    assert sorted(cached) == sorted(fresh)
    assert cached == fresh
    assert generate("--no-cache").exit_code == 0
    assert contents(project / "docs") == cached


def test_an_unchanged_agent_whose_page_name_changes_is_rendered_whole(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache keeps a light copy of each agent; an unchanged agent whose page is rendered
    again (here its name now clashes) comes whole from the cache, or is read again."""
    import os

    clash = "---\nname: reviewer\ndescription: Another reviewer.\n---\nReviews too.\n"
    (project / "agents/a-reviewer.md").write_text(clash, "utf-8")
    assert generate().exit_code == 0
    assert generate("--no-cache", "--docs-dir", "fresh").exit_code == 0
    assert contents(project / "docs") == contents(project / "fresh")
    renamed = (project / "docs/agents/reviewer-2.md").read_text(encoding="utf-8")
    assert "Reviews diffs before they are merged." in renamed
    # Without the whole agents in the cache the file is read again (and only that one).
    cache = Path(os.environ["AGENT_CATALOG_CACHE_DIR"])
    kept = list(cache.rglob("full/*.pickle"))
    assert len(kept) == 4  # one whole agent per file
    for path in kept:
        path.unlink()
    (project / "agents/a-reviewer.md").unlink()
    read: list[str] = []
    real = load.load_agent
    monkeypatch.setattr(
        load, "load_agent", lambda source, *more: read.append(source.display_path) or real(source, *more)
    )
    assert generate().exit_code == 0
    assert read == ["agents/reviewer.md"]
    assert generate("--no-cache", "--docs-dir", "fresh2").exit_code == 0
    assert contents(project / "docs") == contents(project / "fresh2")


def test_no_cache_reads_everything(project: Path) -> None:
    result = generate("--no-cache")
    assert result.exit_code == 0
    assert result.stderr.startswith("3 agents: 0 files written, ")
    assert "nothing changed" not in result.stderr


@pytest.mark.parametrize("rel", ["index.md", "catalog.json"])
def test_a_hand_edited_shared_page_survives_later_runs(project: Path, rel: str) -> None:
    """The cache knows each generated file's stat after writing it; a file edited since is
    not taken for ours. The shared pages are joined from the cache's fragments, never from
    the files written: an edited one changes nothing else."""
    page = project / "docs" / rel
    page.write_text(page.read_text(encoding="utf-8") + "\n<!-- a note kept by hand -->\n", encoding="utf-8")
    mine = page.read_bytes()
    edit(project / "agents/planner.md", "Small steps.", "Tiny steps, one at a time.")
    result = generate()
    assert result.exit_code == 0, result.output
    assert page.read_bytes() == mine
    assert f"docs/{rel}: left alone: edited since generated" in result.stderr
    assert "Tiny steps, one at a time." in (project / "docs/agents/planner.md").read_text(encoding="utf-8")
    # Every other file is what a run without a cache writes (the manifest differs: it keeps
    # the digest of what was generated at the edited page).
    assert generate("--no-cache", "--docs-dir", "fresh").exit_code == 0
    cached, fresh = contents(project / "docs"), contents(project / "fresh")
    mine_or_manifest = {rel, MANIFEST}
    assert {k: v for k, v in cached.items() if k not in mine_or_manifest} == {
        k: v for k, v in fresh.items() if k not in mine_or_manifest
    }
    # And once the edit is undone, the page is ours again and kept up to date.
    page.unlink()
    edit(project / "agents/planner.md", "Tiny steps, one at a time.", "Small steps.")
    assert generate().exit_code == 0
    assert generate("--no-cache", "--docs-dir", "fresh2").exit_code == 0
    assert contents(project / "docs") == contents(project / "fresh2")


def test_a_category_spelt_another_way_renders_its_agents_again(project: Path) -> None:
    """`data_store` is one category with `DATA STORE` (issue 19), spelt as a person wrote it
    when as many agents use either: the unchanged agent of `data_store` then shows that name."""
    loader = "---\nname: loader\ndescription: Loads.\ncategory: data_store\n---\nx\n"
    (project / "agents/loader.md").write_text(loader, "utf-8")
    assert generate().exit_code == 0
    page = (project / "docs/agents/loader.md").read_text(encoding="utf-8")
    assert "../categories/data-store.html" in page and ">Data Store</a>" in page
    mover = "---\nname: mover\ndescription: Moves.\ncategory: DATA STORE\n---\ny\n"
    (project / "agents/mover.md").write_text(mover, "utf-8")
    assert generate().exit_code == 0
    page = (project / "docs/agents/loader.md").read_text(encoding="utf-8")
    assert "../categories/data-store.html" in page and ">DATA STORE</a>" in page
    assert not (project / "docs/categories/data-store-2.md").exists()
    assert generate("--no-cache", "--docs-dir", "fresh").exit_code == 0
    assert contents(project / "docs") == contents(project / "fresh")
