"""catalog.incremental.run: after an edit in place, the last run's catalog is kept and only the
edited agents are read and rendered; anything else assembles the catalog again.

Every test here ends where a run without the cache ends: the same bytes in every file.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from catalog.cli.main import main
from catalog.incremental import changes
from catalog.output.docs_folder import JOURNAL, MANIFEST
from catalog.render import shared_pages
from catalog.types import Agent

AGENTS = {
    "backend/api.md": "---\nname: api\ndescription: Designs HTTP APIs. Second sentence.\nmodel: sonnet\n---\n"
    "## Method\nContract first.\n",
    "backend/db.md": "---\nname: db\ndescription: Tunes databases.\ntools: Read, Grep\n---\n## Focus\nPlans.\n",
    "writing/docs.md": "---\nname: docs\ndescription: Writes the docs.\ncolor: blue\n---\nPlain words.\n",
}


def generate(*args: str) -> Result:
    return CliRunner().invoke(main, ["generate", "agents", *args])


def contents(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for rel, text in AGENTS.items():
        (tmp_path / "agents" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "agents" / rel).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert generate().exit_code == 0
    return tmp_path


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """How each `generate` made its catalog: "kept" (the last run's, with the edited agents
    read again) or "assembled" (from every agent, after "gave up" when there was a last run)."""
    seen: list[str] = []
    real_again, real_assembled = changes.Made.again, changes.Made.assembled

    def again(*args: object) -> object:
        result = real_again(*args)  # type: ignore[arg-type]
        seen.append("kept" if result is not None else "gave up")
        return result

    def assembled(*args: object) -> object:
        seen.append("assembled")
        return real_assembled(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(changes.Made, "again", staticmethod(again))
    monkeypatch.setattr(changes.Made, "assembled", staticmethod(assembled))
    return seen


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def same_as_without_cache(project: Path) -> None:
    assert generate("--no-cache", "--docs-dir", "fresh").exit_code in (0, 1)
    docs, fresh = contents(project / "docs"), contents(project / "fresh")
    assert sorted(docs) == sorted(fresh)
    assert [rel for rel in docs if docs[rel] != fresh[rel]] == []
    for rel in fresh:
        (project / "fresh" / rel).unlink()


def test_a_description_edit_keeps_the_catalog(project: Path, runs: list[str]) -> None:
    edit(project / "agents/backend/api.md", "Designs HTTP APIs.", "Designs and reviews HTTP APIs.")
    result = generate()
    assert runs == ["kept"]
    assert result.exit_code == 0, result.output
    # Its page, download and record, its items in the overview and its category, its
    # catalog.json entry and its search row: what a full run writes too.
    assert result.stderr == "3 agents: 7 files written, 14 unchanged, 0 removed in docs\n"
    assert "Designs and reviews HTTP APIs." in (project / "docs/index.md").read_text(encoding="utf-8")
    assert not (project / "docs" / JOURNAL).exists()
    assert not [p for p in (project / "docs").rglob(".*") if p.name != MANIFEST]  # no file left behind
    same_as_without_cache(project)
    assert "nothing changed" in generate().stderr
    # What it wrote is known for its own: the next edits, of the same agent, keep it too.
    for old, new in (("Second sentence.", "Another sentence."), ("Another sentence.", "Third.")):
        edit(project / "agents/backend/api.md", old, new)
        assert generate().exit_code == 0
        assert runs[-1] == "kept"
    same_as_without_cache(project)


def test_a_body_edit_rewrites_what_shows_the_body(project: Path, runs: list[str]) -> None:
    edit(project / "agents/writing/docs.md", "Plain words.", "Plain words, short sentences.")
    result = generate()
    assert runs == ["kept"]
    # Its page, download and record: the shared pages do not show the body.
    assert result.stderr == "3 agents: 3 files written, 18 unchanged, 0 removed in docs\n"
    same_as_without_cache(project)


def test_the_incremental_and_the_full_run_report_the_same(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same edit in two copies of the project: one run with the cache, one without."""
    import shutil

    other = tmp_path_factory.mktemp("other")
    shutil.copytree(project, other, dirs_exist_ok=True)
    edit(project / "agents/backend/db.md", "Tunes databases.", "Tunes and migrates databases.")
    edit(other / "agents/backend/db.md", "Tunes databases.", "Tunes and migrates databases.")
    quick = generate()
    monkeypatch.chdir(other)
    full = generate("--no-cache")
    monkeypatch.chdir(project)
    assert quick.stderr.replace(" 0 removed", "") == full.stderr.replace(" 0 removed", "")
    assert contents(project / "docs") == contents(other / "docs")


def test_an_editor_that_saves_by_renaming_keeps_the_catalog(project: Path, runs: list[str]) -> None:
    target = project / "agents/backend/db.md"
    new = project / "agents/backend/.db.md.swp"
    new.write_text(target.read_text(encoding="utf-8").replace("Plans.", "Plans ahead."), encoding="utf-8")
    os.replace(new, target)
    assert generate().exit_code == 0
    assert runs == ["kept"]
    same_as_without_cache(project)


def test_two_edits_at_once(project: Path, runs: list[str]) -> None:
    edit(project / "agents/backend/api.md", "Contract first.", "Contract first, always.")
    edit(project / "agents/writing/docs.md", "Writes the docs.", "Writes docs.")
    assert generate().exit_code == 0
    assert runs == ["kept"]
    same_as_without_cache(project)


def test_findings_that_come_and_go(project: Path, runs: list[str]) -> None:
    edit(project / "agents/backend/db.md", "tools: Read, Grep", "tools: Read, Grep, LS")
    result = generate()
    assert runs == ["kept"]
    same_as_without_cache(project)
    edit(project / "agents/backend/db.md", "Plans.", "Plans: first\n- a list\n")
    assert generate().exit_code in (0, 1)
    same_as_without_cache(project)
    assert result.exit_code in (0, 1)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda p: edit(p / "agents/backend/api.md", "name: api", "name: api-designer"), "its page name"),
        (lambda p: edit(p / "agents/backend/api.md", "model: sonnet", "model: opus"), "the overview's counts"),
        (lambda p: edit(p / "agents/writing/docs.md", "color: blue", "color: red"), "the filters"),
        (lambda p: (p / "agents/writing/new.md").write_text("---\nname: new\ndescription: N.\n---\n"), "a new page"),
        (lambda p: (p / "agents/backend/db.md").unlink(), "a page less"),
    ],
)
def test_what_changes_other_pages_assembles_the_catalog_again(project: Path, runs: list[str], change, why) -> None:  # type: ignore[no-untyped-def]
    change(project)
    assert generate().exit_code in (0, 1)
    assert runs[-1] == "assembled", why
    same_as_without_cache(project)
    # and the next edit in place keeps the catalog again
    edit(project / "agents/writing/docs.md", "Plain words.", "Plainer words.")
    assert generate().exit_code in (0, 1)
    assert runs[-1] == "kept"
    same_as_without_cache(project)


def test_a_hand_edited_shared_page_is_left_alone_and_the_edit_still_goes_through(
    project: Path, runs: list[str]
) -> None:
    page = project / "docs/categories/backend.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nA note kept by hand.\n", encoding="utf-8")
    edit(project / "agents/backend/api.md", "Designs HTTP APIs.", "Designs HTTP APIs well.")
    result = generate()
    assert runs == ["kept"]
    assert "docs/categories/backend.md: left alone: edited since generated" in result.stderr
    assert page.read_text(encoding="utf-8").endswith("A note kept by hand.\n")
    assert "Designs HTTP APIs well." in (project / "docs/agents/api.md").read_text(encoding="utf-8")


def test_an_edit_leaves_out_the_shared_pages_it_does_not_change(
    project: Path, runs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shared page of the last run's figures and items is not made again, when its file is
    as that run left it: an edit makes the pages its agent is on. One edited by hand since is
    made, and left alone, as a run without the cache leaves it."""
    made: list[str] = []
    real = shared_pages._group_page

    def spy(context: object, kind: str, name: str, path: str, *rest: object) -> bytes | None:
        page = real(context, kind, name, path, *rest)  # type: ignore[arg-type]
        made.extend([path] if page is not None else [])
        return page

    monkeypatch.setattr(shared_pages, "_group_page", spy)
    edit(project / "agents/writing/docs.md", "Writes the docs.", "Writes the docs well.")
    assert generate().exit_code == 0
    assert made == ["categories/writing.md"]
    same_as_without_cache(project)
    page = project / "docs/categories/backend.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nA note kept by hand.\n", encoding="utf-8")
    made.clear()
    edit(project / "agents/writing/docs.md", "the docs well.", "the docs better.")
    result = generate()
    assert made == ["categories/backend.md", "categories/writing.md"]
    assert "docs/categories/backend.md: left alone: edited since generated" in result.stderr
    assert runs == ["kept", "assembled", "kept"]  # the second: the run without the cache


def test_a_failure_while_writing_leaves_the_docs_as_they_were(
    project: Path, monkeypatch: pytest.MonkeyPatch, runs: list[str]
) -> None:
    from catalog.output import docs_folder as site

    before = contents(project / "docs")
    edit(project / "agents/backend/api.md", "Designs HTTP APIs.", "Designs HTTP APIs fast.")

    def broken(*args: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(site, "_atomic_write", broken)
        result = generate()
    assert result.exit_code == 2
    assert "Error: No space left on device" in result.stderr
    assert contents(project / "docs") == before  # no new file, no temporary file left
    assert generate().exit_code == 0
    same_as_without_cache(project)


def test_a_manifest_of_sha256_digests_still_says_which_files_are_ours(project: Path) -> None:
    """Manifests written before the digests were XXH3 hold sha256: those files are still ours."""
    import hashlib
    import json

    docs = project / "docs"
    old = {
        rel: hashlib.sha256((docs / rel).read_bytes()).hexdigest() for rel in json.loads((docs / MANIFEST).read_text())
    }
    (docs / MANIFEST).write_text(json.dumps(old, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    edit(project / "agents/backend/api.md", "Designs HTTP APIs.", "Designs HTTP APIs too.")
    result = generate("--no-cache")
    assert result.exit_code == 0
    assert "left alone" not in result.stderr
    same_as_without_cache(project)


def test_with_a_page_left_alone_an_edit_renders_that_agent_only(
    project: Path, runs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hand-edited page is reported by every run, and each still joins the shared pages from
    the fragments it keeps: it renders the edited agent only."""
    from catalog.render import pages as render

    page = project / "docs/categories/writing.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nA note kept by hand.\n", encoding="utf-8")
    edit(project / "agents/writing/docs.md", "Plain words.", "Plain words, kept.")
    assert "left alone" in generate().stderr
    rendered: list[str] = []
    real = render.agent_files

    def spy(context: object, agent: Agent) -> object:
        rendered.append(agent.name)
        return real(context, agent)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "agent_files", spy)
    edit(project / "agents/backend/db.md", "Plans.", "Plans well.")
    assert "left alone" in generate().stderr
    assert runs[-1] == "kept"
    assert rendered == ["db"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_an_agent_file_replaced_by_a_fifo_is_never_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a plain folder a Markdown file is an agent for its frontmatter, which discovery
    reads only from regular files. Replaced by a FIFO of the same name, the folder looks the
    same to the incremental run, which must not open it (it would wait for a writer forever)."""
    import signal

    (tmp_path / "notes").mkdir()
    for name in ("api", "db"):
        (tmp_path / "notes" / f"{name}.md").write_text(f"---\nname: {name}\ndescription: D.\n---\nx\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["generate", "notes"]).exit_code == 0

    def hung(*args: object) -> None:
        raise TimeoutError("generate opened the FIFO and waited for a writer")

    (tmp_path / "notes/db.md").unlink()
    os.mkfifo(tmp_path / "notes/db.md")
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    try:
        result = CliRunner().invoke(main, ["generate", "notes"])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "notes/db.md:1:1: AC101" in result.stderr
    assert not (tmp_path / "docs/agents/db.md").exists()


def test_stray_files_that_come_and_go_change_nothing(project: Path, runs: list[str]) -> None:
    stray = project / "agents/backend/.scratch.tmp"
    stray.write_text("x", encoding="utf-8")
    stray.unlink()
    result = generate()
    assert runs == ["kept"]
    assert result.stderr == "3 agents: 0 files written, 21 unchanged, 0 removed in docs\n"
    assert "nothing changed" in generate().stderr


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks here")
def test_a_symlink_that_leads_elsewhere_now_walks_the_folder_again(project: Path, runs: list[str]) -> None:
    store = project / "agents/.store"  # a hidden folder: not walked, but links may lead there
    store.mkdir()
    for name, text in (("one.md", "Reads one."), ("two.md", "Reads two.")):
        (store / name).write_text(f"---\nname: linked\ndescription: {text}\n---\nx\n", "utf-8")
    link = project / "agents/writing/linked.md"
    os.symlink(store / "one.md", link)
    assert generate().exit_code == 0
    assert "Reads one." in (project / "docs/agents/linked.md").read_text(encoding="utf-8")
    link.unlink()
    os.symlink(store / "two.md", link)  # the same names in the folder, one leads elsewhere
    assert generate().exit_code == 0
    assert runs[-1] == "assembled"
    assert "Reads two." in (project / "docs/agents/linked.md").read_text(encoding="utf-8")
    same_as_without_cache(project)


def test_a_plain_markdown_file_that_gains_frontmatter_in_place_becomes_an_agent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a plain folder a Markdown file without frontmatter is passed over; written in
    place (the folder's mtime stays), it must still be read again once it has some."""
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes/api.md").write_text("---\nname: api\ndescription: D.\n---\nx\n", "utf-8")
    (tmp_path / "notes/later.md").write_text("Just notes for now.\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    first = CliRunner().invoke(main, ["generate", "notes"])
    assert first.exit_code == 1 and "notes/later.md:1:1: AC110" in first.stderr  # beside an agent: a finding
    assert not (tmp_path / "docs/agents/later.md").exists()
    with open(tmp_path / "notes/later.md", "w", encoding="utf-8") as handle:  # in place, no rename
        handle.write("---\nname: later\ndescription: Now an agent.\n---\ny\n")
    result = CliRunner().invoke(main, ["generate", "notes"])
    assert "nothing changed" not in result.stderr
    assert "Now an agent." in (tmp_path / "docs/agents/later.md").read_text(encoding="utf-8")


def test_nothing_changed_imports_no_templates_markdown_or_mkdocs(project: Path) -> None:
    """The issue's requirement for the pre-commit case, in a fresh interpreter: nor any stage
    (discovery, reading, assembling), nor shutil (an import of bz2 and lzma)."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from catalog.cli.main import main\n"
        "try:\n"
        "    main(['generate', 'agents'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('jinja2', 'markdown_it', 'markdown_it_pyrs', 'pyromark', 'nh3', 'mkdocs', 'catalog.render.pages',\n"
        "    'catalog.discover.find', 'catalog.assemble', 'catalog.load', 'catalog.incremental.changes', 'shutil')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=project, capture_output=True, text=True, check=True)
    assert "nothing changed" in result.stderr
    assert result.stdout.strip() == "[]"


def test_an_update_interrupted_among_its_renames_is_mended_by_the_next_run(
    project: Path, monkeypatch: pytest.MonkeyPatch, runs: list[str]
) -> None:
    """The journal is written before the first file is put in place: the next run knows the
    half-replaced files for its own and brings them all in step."""
    from catalog.output import docs_folder as site

    edit(project / "agents/backend/api.md", "Designs HTTP APIs.", "Designs HTTP APIs, interrupted.")
    real, calls = os.replace, []

    def replace_then_die(source: object, target: object) -> None:
        calls.append(target)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real(source, target)  # type: ignore[arg-type]

    with monkeypatch.context() as patched:
        patched.setattr(site.os, "replace", replace_then_die)
        result = generate()
    assert result.exit_code == 1 and "Aborted" in result.output  # Click's answer to Ctrl-C
    assert (project / "docs" / JOURNAL).exists()
    cache = Path(os.environ["AGENT_CATALOG_CACHE_DIR"])
    assert not [p for p in cache.rglob("*.tmp")]  # the caches' half-written files are gone too
    docs = project / "docs"
    leftovers = [p.name for p in docs.rglob(".*") if p.name not in (MANIFEST, JOURNAL)]
    assert leftovers == []  # and the new files that were not yet in place
    result = generate()
    assert result.exit_code == 0, result.output
    assert "left alone" not in result.stderr
    assert not (project / "docs" / JOURNAL).exists()
    same_as_without_cache(project)


def test_a_manifest_of_sha256_digests_writes_no_file_again(project: Path) -> None:
    """The cache knows each file's stat, but a sha256 digest cannot vouch for the content the
    way an XXH3 one does: such a file is compared, not taken for changed and rewritten."""
    import hashlib
    import json

    docs = project / "docs"
    listed = json.loads((docs / MANIFEST).read_text(encoding="utf-8"))
    old = {rel: hashlib.sha256((docs / rel).read_bytes()).hexdigest() for rel in listed}
    (docs / MANIFEST).write_text(json.dumps(old, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    result = generate("--fail-on-change")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("3 agents: 0 files written, ")


def test_verbose_says_how_the_run_went(project: Path) -> None:
    edit(project / "agents/backend/db.md", "Plans.", "Plans carefully.")
    kept = generate("-v")
    assert kept.stderr.endswith("incremental: 1 agent file read, 1 agent page rendered\n")
    edit(project / "agents/backend/db.md", "name: db", "name: database")
    assembled = generate("-v")
    assert assembled.stderr.endswith("incremental: 1 agent file read, 1 agent page rendered\n")
    assert "incremental" not in generate("-v").stderr  # nothing changed: nothing more to say
    assert generate("-v", "--no-cache").stderr.endswith("full run: 3 agent files read, 3 agent pages rendered\n")


def test_nothing_changed_loads_no_state(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stamp alone answers a run where nothing changed: the state, with every agent's
    fragments, is not even read."""
    from catalog.incremental import files as cache_files

    loaded: list[str] = []
    real = cache_files.load

    def spy(folder: Path | None, name: str, damaged: list[str] | None = None) -> object:
        loaded.append(name)
        return real(folder, name, damaged)

    monkeypatch.setattr(cache_files, "load", spy)
    assert "nothing changed" in generate().stderr
    assert loaded == ["stamp.pickle"]


def test_an_edit_rewrites_only_its_record_of_the_records(project: Path) -> None:
    """agents/<slug>.json is written when its agent changes, and only then."""
    records = {p.name: p.stat().st_mtime_ns for p in (project / "docs/agents").glob("*.json")}
    assert sorted(records) == ["api.json", "db.json", "docs.json"]
    edit(project / "agents/writing/docs.md", "Plain words.", "Plain words, again.")
    assert generate().exit_code == 0
    after = {p.name: p.stat().st_mtime_ns for p in (project / "docs/agents").glob("*.json")}
    assert [name for name in records if records[name] != after[name]] == ["docs.json"]


def test_the_cache_holds_frozen_records() -> None:
    """Cache records are values: none of them can be changed once made."""
    import dataclasses

    from catalog.incremental import records as cache_records
    from catalog.render import shared_pages

    for record in (cache_records.Stamp, cache_records.AgentEntry, cache_records.State, shared_pages.Fragments):
        assert dataclasses.is_dataclass(record)
        assert record.__dataclass_params__.frozen, record  # type: ignore[attr-defined]


@pytest.mark.parametrize("change", ["touched", "journal"])
def test_an_edit_after_the_manifest_changed_removes_no_page_still_generated(
    project: Path, runs: list[str], change: str
) -> None:
    """The manifest no longer the one the last run wrote (touched, or an interrupted run's
    journal beside it): it is parsed, and the pages of the agents not read again are still
    generated. They were taken for gone (nothing kept them) and removed."""
    manifest = project / "docs" / MANIFEST
    if change == "touched":
        os.utime(manifest, ns=(manifest.stat().st_atime_ns, manifest.stat().st_mtime_ns + 10**9))
    else:
        (project / "docs" / JOURNAL).write_text("{}\n", encoding="utf-8")
    edit(project / "agents/writing/docs.md", "Plain words.", "Plain words, short sentences.")
    result = generate()
    assert result.exit_code == 0, result.output
    assert runs == ["kept"]
    assert "0 removed" in result.stderr
    same_as_without_cache(project)
