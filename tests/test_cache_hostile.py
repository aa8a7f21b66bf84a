"""`generate` with a cache that is damaged, foreign or not the cache folder's kind of thing, and
inputs changed in ways a stat may miss: each run writes what `generate --no-cache` writes into
a copy of the same docs folder, never stops on the cache, and writes or deletes nothing outside
the docs folder and the cache folder."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from catalog.incremental import files as cache_files
from catalog.incremental import records as cache_records
from catalog.incremental.run import GenerateResult
from catalog.output.docs_folder import JOURNAL, MANIFEST
from tests.hostile_support import NOBODY, read_tree, run_as_nobody, run_cli, text_of
from tests.test_incremental_equivalence import SRC, Spec, contents, describe_differences, generate, render

AGENTS = [f"team/agents/a{index}.md" for index in range(5)]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Five agents and a cached `generate` of them into ``docs``, their entries and fragments
    kept in blocks of two (not 500), so that an edit leaves some parts as they are."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cache_records, "BLOCK", 2)
    for index, rel in enumerate(AGENTS):
        path = tmp_path / SRC / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(Spec(f"a{index}", f"Does task {index}.")), encoding="utf-8")
    assert generate("--docs-dir", "docs").exit_code == 0
    return tmp_path


def cache_of(project: Path) -> Path:
    folder = cache_files.cache_dir(project / "docs")
    assert folder is not None
    return folder


def edit(project: Path, index: int, words: str = "Also more.") -> None:
    """An edit of agent ``index``'s description (its size changes)."""
    path = project / SRC / AGENTS[index]
    path.write_text(path.read_text(encoding="utf-8").replace(f"task {index}.", f"task {index}. {words}"), "utf-8")


def same_as_without_the_cache(project: Path) -> Result:
    """The cached run in ``docs`` writes what a run without the cache writes into a copy of
    ``docs`` taken before it, and reports the same findings with the same exit code."""
    fresh = project / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(project / "docs", fresh, symlinks=True)
    cached = generate("--docs-dir", "docs", "-v")
    assert cached.exception is None or isinstance(cached.exception, SystemExit), cached.output
    without = generate("--docs-dir", "fresh", "--no-cache")
    mine, theirs = contents(project / "docs"), contents(fresh)
    assert mine == theirs, describe_differences(mine, theirs)
    assert (cached.exit_code, findings(cached)) == (without.exit_code, findings(without))
    return cached


def findings(result: Result) -> list[str]:
    """What a run reported but its notes, the files it left alone (an incremental run names
    only those it would have written), its counts and how it went (``-v``)."""
    return [line for line in result.stderr.splitlines() if not _NOT_A_FINDING.search(line)]


_NOT_A_FINDING = re.compile(r": left alone: |^warning: |^\d+ agents?: |^(incremental|full run): ")


def how(result: Result) -> str:
    """How a run with ``-v`` went: incremental or a full run, and what it read and rendered."""
    return result.stderr.splitlines()[-1]


def notes(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("warning: ")]


# --- what a stat of modification time, size and inode misses --------------------------------------


def _put_back(path: Path, change: Callable[[], None]) -> None:
    """``change``, then the modification time of ``path`` as it was (``touch -d``)."""
    before = path.stat()
    change()
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def agent_edited_same_size(project: Path) -> None:
    path = project / SRC / AGENTS[1]
    text = path.read_text(encoding="utf-8")
    _put_back(path, lambda: path.write_text(text.replace("task 1.", "task 7."), encoding="utf-8"))


def agent_added_folder_time_put_back(project: Path) -> None:
    folder = project / SRC / "team/agents"
    _put_back(folder, lambda: (folder / "new.md").write_text(render(Spec("new", "Does new.")), encoding="utf-8"))


def shared_page_hand_edited_same_size_then_its_agent(project: Path) -> None:
    page = project / "docs/index.md"  # a shared page: its stat says whether it is as written
    text = page.read_text(encoding="utf-8")
    _put_back(page, lambda: page.write_text(text.replace("task 2.", "TASK 2."), encoding="utf-8"))
    edit(project, 2)


UNSEEN_BY_MTIME = [
    agent_edited_same_size,
    agent_added_folder_time_put_back,
    shared_page_hand_edited_same_size_then_its_agent,
]


@pytest.mark.parametrize("change", UNSEEN_BY_MTIME)
def test_a_change_that_keeps_size_and_modification_time_is_seen(project: Path, change: Callable[[Path], None]) -> None:
    """The change time moves on whatever the modification time says: an agent edited, a file
    added to a folder, a page hand-edited (then left alone, as ``--no-cache`` leaves it)."""
    change(project)
    same_as_without_the_cache(project)
    edit(project, 4)  # and the run after it, on the cache that run left
    same_as_without_the_cache(project)


# --- the cache folder ------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["the cache folder", "tmp", "parts", "full", "templates"])
def test_a_cache_folder_or_a_folder_in_it_that_is_a_symlink_is_not_used(project: Path, where: str) -> None:
    """A symlink where the cache folder, or one of the folders in it, should be: the run goes
    without the cache, says so, and neither writes nor prunes a file where the link leads."""
    elsewhere = project / "elsewhere"
    for name in ("full", "parts", "templates", "tmp"):
        (elsewhere / name).mkdir(parents=True)
        (elsewhere / name / "mine.txt").write_text(f"a file of mine in {name}\n", encoding="utf-8")
    before = read_tree(elsewhere)
    link = cache_of(project) / (where if where != "the cache folder" else "")
    shutil.rmtree(link)
    link.symlink_to(elsewhere)
    for index in (0, 1):  # the run that finds the link, and the next one
        edit(project, index)
        result = same_as_without_the_cache(project)
        assert notes(result) == [f"warning: the cache folder {cache_of(project)} {_symlink_why(where, elsewhere)}"]
    assert read_tree(elsewhere) == before


def _symlink_why(where: str, target: Path) -> str:
    if where == "the cache folder":
        return f"is a symlink (to {target}): running without the cache"
    return f"has {where} in it as a symlink (to {target}): running without the cache"


@pytest.mark.parametrize("inside", ["docs", "docs/.cache"])
def test_a_cache_folder_inside_the_docs_folder_is_not_used(
    project: Path, monkeypatch: pytest.MonkeyPatch, inside: str
) -> None:
    """``AGENT_CATALOG_CACHE_DIR`` in the docs folder: the pickles would be published with the
    site. The run goes without the cache, says so, and writes nothing of it there."""
    monkeypatch.setenv("AGENT_CATALOG_CACHE_DIR", str(project / inside))
    folder = cache_of(project)
    for index in (0, 1):
        edit(project, index)
        result = same_as_without_the_cache(project)
        assert notes(result) == [
            f"warning: the cache folder {folder} is inside the docs folder docs: running without the cache"
        ]
        assert not (project / inside / "agent-catalog").exists()


def _emptied(path: Path) -> None:
    path.write_bytes(b"")


def _garbled(path: Path) -> None:
    """Another byte at each end, the same size: only its digest, or unpickling, can tell."""
    data = bytearray(path.read_bytes())
    data[0] ^= 0xFF
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


def _a_folder(path: Path) -> None:
    path.unlink()
    (path / "inside").mkdir(parents=True)


def _writable_by_others(path: Path) -> None:
    path.chmod(0o666)


def _a_file(path: Path) -> None:
    shutil.rmtree(path)
    path.write_text("not a folder\n", encoding="utf-8")


FILE_DAMAGE = [_emptied, _garbled, _a_folder, _writable_by_others]
DAMAGED = [
    *((name, damage) for name in ("stamp.pickle", "state.pickle", "parts/*", "full/*") for damage in FILE_DAMAGE),
    *((name, _a_file) for name in ("parts", "full", "templates", "tmp")),
]


@pytest.mark.parametrize(("name", "damage"), DAMAGED, ids=[f"{name}-{d.__name__[1:]}" for name, d in DAMAGED])
def test_a_cache_file_damaged_or_not_of_its_kind_is_written_anew(
    project: Path, name: str, damage: Callable[[Path], None]
) -> None:
    """Every file of one kind (the stamp, the state, the parts, the agents kept whole) emptied,
    garbled, made a folder or writable by others, or a folder of the cache made a file: the
    run writes what a run without the cache writes, and writes that cache file anew, so that
    the next edit is read alone again (a damaged file left in place would be skipped as
    "already saved", and each run after it would be a full run)."""
    folder = cache_of(project)
    (folder / "tmp").mkdir(exist_ok=True)
    victims = sorted(folder.glob(name))
    assert victims, name
    for victim in victims:
        damage(victim)
    edit(project, 0)
    result = same_as_without_the_cache(project)
    if how(result).startswith("full run"):  # the cache not used: the run says why
        damaged = r"(stamp[.]pickle|state[.]pickle|parts/[0-9a-f]{32})"
        why = "[(]damaged, not this user's or of another version[)]: a full run$"
        said = f"warning: the cache in {re.escape(str(folder))} could not read {damaged} {why}"
        assert len(notes(result)) == 1 and re.match(said, notes(result)[0]), notes(result)
    for index in (1, 2):
        edit(project, index)
        assert how(same_as_without_the_cache(project)) == "incremental: 1 agent file read, 1 agent page rendered"


# --- the docs folder ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [MANIFEST, JOURNAL])
def test_a_folder_where_the_manifest_or_its_journal_goes_is_refused_before_any_write(project: Path, name: str) -> None:
    """A rename cannot put the manifest (or the journal) in place of a folder: the run said
    "Is a directory" of a scratch file, after writing pages it could then not record (and
    again at every run). It refuses up front, naming the folder, and touches nothing."""
    (project / "docs" / name).unlink(missing_ok=True)
    (project / "docs" / name).mkdir()
    (project / "docs" / name / "notes.txt").write_text("mine\n", encoding="utf-8")
    edit(project, 0)
    before = read_tree(project / "docs")
    result = generate("--docs-dir", "docs")
    assert result.exit_code == 2, result.output
    assert f"docs/{name} is a folder, where agent-catalog writes a file of its own: remove it" in result.stderr
    assert read_tree(project / "docs") == before


# --- as a user who cannot write the cache, or read an agent --------------------------------------

Run = Callable[..., tuple[int, str]]


@pytest.fixture
def unprivileged() -> Iterator[tuple[Path, Run]]:
    """A folder to work in and ``run(*args)``, the CLI there: as nobody when this is root (in a
    tree outside pytest's tmp folder, which only root may enter), else as this user."""
    base = Path(tempfile.mkdtemp(prefix="agent-catalog-cache-"))
    base.chmod(0o755)
    work, home = base / "work", base / "home"
    for folder in (work, home):
        folder.mkdir()
        if os.geteuid() == 0:
            os.chown(folder, NOBODY, NOBODY)
    env = {"HOME": str(home), "AGENT_CATALOG_CACHE_DIR": str(home / "cache"), "XDG_CACHE_HOME": str(home)}

    def run(*args: str) -> tuple[int, str]:
        if os.geteuid() == 0:
            return run_as_nobody(args, work, env)
        result = run_cli(args, work, env=env)
        return result.returncode, text_of(result)

    try:
        yield work, run
    finally:
        for folder, dirs, _ in os.walk(base):
            for name in dirs:
                os.chmod(os.path.join(folder, name), 0o755)
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.parametrize("what", ["a read-only cache folder", "an agent made unreadable"])
def test_as_an_unprivileged_user(unprivileged: tuple[Path, Run], what: str) -> None:
    """A cache folder the user cannot write (its compiled templates' folder not made yet):
    the run goes on, writes the docs a run without the cache writes, and says the cache could
    not be written. An agent file made unreadable (``chmod 000``: its change time moves, not
    its modification time) is reported as a run without the cache reports it."""
    work, run = unprivileged
    for index, rel in enumerate(AGENTS):
        path = work / SRC / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(Spec(f"a{index}", f"Does task {index}.")), encoding="utf-8")
        path.chmod(0o644)
    for folder in (work / SRC, *(work / SRC).rglob("*")):
        folder.chmod(folder.stat().st_mode | 0o555)
    assert run("generate", SRC, "--docs-dir", "docs")[0] == 0
    cache = next((work.parent / "home/cache/agent-catalog").iterdir())
    if what == "a read-only cache folder":
        shutil.rmtree(cache / "templates")
        cache.chmod(0o500)
        edit(work, 1)
    else:
        (work / SRC / AGENTS[1]).chmod(0)
    cached = run("generate", SRC, "--docs-dir", "docs")
    without = run("generate", SRC, "--docs-dir", "fresh", "--no-cache")
    assert cached[0] == without[0], (cached, without)
    assert contents(work / "docs") == contents(work / "fresh")
    if what == "a read-only cache folder":
        assert (
            f"warning: the cache in {cache} could not be written: the next run cannot start from this one" in cached[1]
        )
    else:
        assert "AC101 cannot read file" in cached[1]


# --- the run key: installed code is shared by hard links ---------------------------------------


def test_a_hard_link_to_installed_code_keeps_the_run_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """uv installs a package's files as hard links into its cache (the default on Linux): an
    environment made or removed elsewhere moves their change time, not their content. The run
    key stays, or any ``uv sync`` of another project would cost the next run its cache. A
    user's template folder is input: a same-size edit of it with its time put back is seen."""
    library, code, templates = tmp_path / "lib/renderer", tmp_path / "code", tmp_path / "templates"
    for folder in (library, code, templates):
        folder.mkdir(parents=True)
    (library / "__init__.py").write_text("VERSION = 1\n", encoding="utf-8")
    (code / "stage.py").write_text("STAGE = 1\n", encoding="utf-8")
    (templates / "agent.md.j2").write_text("{{ a }}\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "lib"))
    monkeypatch.setattr(cache_files, "_RENDERING_LIBRARIES", ("renderer",))

    def key() -> str:
        return cache_files.run_key(("options",), [code], [templates])

    before = key()
    os.link(library / "__init__.py", tmp_path / "other-env-init.py")
    os.link(code / "stage.py", tmp_path / "other-env-stage.py")
    assert key() == before
    template = templates / "agent.md.j2"
    _put_back(template, lambda: template.write_text("{{ b }}\n", encoding="utf-8"))
    assert key() != before


# --- an agent that could not be kept whole ----------------------------------------------------


@pytest.mark.parametrize("run", ["full run", "incremental"])
def test_an_agent_not_kept_whole_is_read_again_when_its_page_is_made_again(
    project: Path, monkeypatch: pytest.MonkeyPatch, run: str
) -> None:
    """Writing ``full/<agent>`` fails (a full disk, for a moment) and the state is saved all
    the same: the agent keeps its entry, and a later run that makes its page again (the page
    deleted) or hands ``build`` the catalog reads its file again; no KeyError."""
    from catalog.incremental import run as cache_run
    from catalog.layout import RenderOptions
    from catalog.pipeline import generate_docs

    def generate_cached(**kwargs: bool) -> GenerateResult:
        return generate_docs([SRC], project / "docs", RenderOptions(), **kwargs)

    generate_cached()
    lost, save = cache_run._full_name(str((project / SRC / AGENTS[1]).resolve())), cache_files.save
    monkeypatch.setattr(
        cache_files, "save", lambda folder, name, *rest, **kw: name != lost and save(folder, name, *rest, **kw)
    )
    if run == "full run":
        shutil.rmtree(cache_of(project))
    else:
        edit(project, 1)
    assert generate_cached().how == (run, 5 if run == "full run" else 1, 5 if run == "full run" else 1)
    monkeypatch.setattr(cache_files, "save", save)
    edit(project, 3)
    for page in (project / "docs/agents").glob("a1*"):
        page.unlink()
    result = generate_cached(want_catalog=True)
    assert result.catalog is not None and len(result.catalog.agents) == 5
    generate_docs([SRC], project / "fresh", RenderOptions(), cache=False)
    mine, theirs = contents(project / "docs"), contents(project / "fresh")
    assert mine == theirs, describe_differences(mine, theirs)
