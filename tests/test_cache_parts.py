"""catalog.incremental.files.Part: the generate cache's state is saved in parts (issue 17: at 10,000
agents it was one 62 MB pickle, written again whole after every edit). A run that changed a
few agents writes the parts that hold them; a part missing or not ours is no cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.cli.main import main
from catalog.incremental import files as cache_files
from catalog.incremental import records as cache_records
from catalog.incremental.files import Part
from catalog.incremental.records import Stamp
from catalog.output.manifest import FileStat, file_stat
from catalog.render import blocks, facets, shared_pages


def parts_of(folder: Path) -> dict[str, int]:
    """Each part file with its inode: a file written again is a new one (written, renamed)."""
    return {entry.name: entry.inode() for entry in os.scandir(folder / "parts")}


def test_saving_again_writes_the_parts_that_changed_and_removes_those_gone(tmp_path: Path) -> None:
    pieces = [Part.of({f"agent {i}": bytes(100) * i}) for i in range(8)]
    assert cache_files.save(tmp_path, "state.pickle", ("small", tuple(pieces)))
    first = parts_of(tmp_path)
    assert len(first) == 8
    small, loaded = cache_files.load(tmp_path, "state.pickle")  # type: ignore[misc]
    assert small == "small" and [part.value for part in loaded] == [part.value for part in pieces]
    assert all(part.name in first for part in loaded)
    edited = (*loaded[:3], Part.of({"agent 3": b"edited"}), *loaded[4:])
    assert cache_files.save(tmp_path, "state.pickle", ("small", edited))
    second = parts_of(tmp_path)
    assert len(second) == 8
    assert [name for name in second if first.get(name) != second[name]] == [n for n in second if n not in first]
    assert len(set(second) - set(first)) == 1  # the edited part, and nothing else written
    _, again = cache_files.load(tmp_path, "state.pickle")  # type: ignore[misc]
    assert [part.value for part in again] == [part.value for part in edited]


@pytest.mark.parametrize("damage", ["removed", "writable by others", "not a pickle"])
def test_a_part_missing_or_not_ours_is_no_cache(tmp_path: Path, damage: str) -> None:
    """Parts are read when their value is asked for: one that cannot be read then is lost."""
    assert cache_files.save(tmp_path, "state.pickle", (Part.of("one"), Part.of("two")))
    victim = tmp_path / "parts" / sorted(parts_of(tmp_path))[0]
    if damage == "removed":
        victim.unlink()
    elif damage == "writable by others":
        victim.chmod(0o666)
    else:
        victim.write_bytes(b"\x80\x05not a pickle")
    loaded = cache_files.load(tmp_path, "state.pickle")
    assert isinstance(loaded, tuple) and all("value" not in part.__dict__ for part in loaded)
    lost = next(part for part in loaded if part.name == victim.name)
    with pytest.raises(cache_files.PartLost):
        lost.value  # noqa: B018
    assert [part.value for part in loaded if part is not lost] in (["one"], ["two"])


def test_an_edit_rewrites_one_part_of_each_kind_of_the_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries and fragments are kept in blocks of agents (here of 8, not 500), each block of
    fragments with its summary, whose texts are parts too: an edit writes the parts of its
    block whose content changed (and the state's small fields), whatever the catalog's size."""
    monkeypatch.setattr(cache_records, "BLOCK", 8)
    for index in range(40):
        folder = tmp_path / "agents" / f"team{index % 4}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"agent{index}.md").write_text(
            f"---\nname: agent{index}\ndescription: Does task {index}.\n---\nBody {index}.\n", encoding="utf-8"
        )
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["generate", "agents"]).exit_code in (0, 1)
    folder = cache_files.cache_dir(tmp_path / "docs")
    assert folder is not None
    before = parts_of(folder)
    # 40 agents: 5 blocks of entries, 5 of fragments, and 5 summaries of 7 texts each (the
    # catalog.json entries, the filter's rows, the overview's stretch and 4 categories').
    assert len(before) == 5 + 5 + 5 * 7
    edited = tmp_path / "agents/team1/agent5.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Does task", "Now does task"), encoding="utf-8")
    assert CliRunner().invoke(main, ["generate", "agents"]).exit_code in (0, 1)
    after = parts_of(folder)
    # Its entries and fragments; its entry, row, overview item and team1 item in its summary.
    assert len(set(after) - set(before)) == 2 + 4
    assert len(after) == len(before)


STAT = st.builds(
    FileStat, st.integers(-1, 2**62), st.integers(-1, 2**40), st.integers(-1, 2**40), st.integers(-1, 2**62)
)


@given(st.dictionaries(st.text(max_size=6), STAT, max_size=20), st.dictionaries(st.text(max_size=6), STAT, max_size=6))
def test_a_stamp_restamped_holds_every_path_with_its_latest_stat(
    seen: dict[str, FileStat], now: dict[str, FileStat]
) -> None:
    """After an edit the stamp is the last one with the stats taken now (of the edited files
    and the outputs), patched into its array rather than made again from 10,000 stats."""
    stamp = Stamp("key").restamped(seen, 3, (), ())
    again = stamp.restamped(now, 4, (), (("a", "b"),))
    flat = memoryview(again.stats).cast("q")
    stats = {path: FileStat(*flat[4 * i : 4 * i + 4]) for i, path in enumerate(again.paths)}
    assert len(again.paths) == len(stats)
    assert stats == seen | now
    assert (again.key, again.agents, again.kept) == ("key", 4, (("a", "b"),))


MOVES = ["keep", "edit", "grow", "delete", "create", "replace", "rewrite", "chmod"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(MOVES), min_size=1, max_size=8))
def test_a_stamp_names_every_path_whose_stat_changed_and_only_those(
    tmp_path_factory: pytest.TempPathFactory, moves: list[str]
) -> None:
    """``Stamp.changed`` compares each path's stat field by field: a file edited, grown,
    deleted, made where there was none, replaced by another (a new inode), rewritten in place
    with its size and modification time put back, or its permissions changed (the last two by
    the change time) is named; a file left alone, or still missing, is not. The same answer as
    comparing ``file_stat``s."""
    folder = tmp_path_factory.mktemp("stamped")
    paths = [str(folder / f"f{index}") for index in range(len(moves))]
    for path, move in zip(paths, moves, strict=True):
        if move != "create":
            Path(path).write_text("x", encoding="utf-8")
    stamp = Stamp("key").restamped({path: file_stat(path) for path in [*paths, str(folder / "never")]}, 1, (), ())
    for path, move in zip(paths, moves, strict=True):
        if move == "edit":
            os.utime(path, ns=(1, 1))
        elif move == "grow":
            Path(path).write_text("xy", encoding="utf-8")
        elif move == "delete":
            os.unlink(path)
        elif move == "create":
            Path(path).write_text("x", encoding="utf-8")
        elif move == "replace":
            Path(path + ".new").write_text("x", encoding="utf-8")
            os.utime(path + ".new", ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns))
            os.replace(path + ".new", path)
        elif move == "rewrite":
            before = os.stat(path)
            Path(path).write_text("y", encoding="utf-8")
            os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        elif move == "chmod":
            os.chmod(path, 0o600)
    expected = [path for path, move in zip(paths, moves, strict=True) if move != "keep"]
    assert stamp.changed() == expected
    assert expected == [p for p in stamp.paths if file_stat(p) != FileStat(*_stat_of(stamp, p))]


def _stat_of(stamp: Stamp, path: str) -> tuple[int, ...]:
    index = stamp.paths.index(path)
    return tuple(memoryview(stamp.stats).cast("q")[4 * index : 4 * index + 4])


def test_a_block_of_fragments_lost_after_the_state_was_loaded_makes_a_run_without_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blocks of fragments are read when a run needs them, after the state was loaded: when
    one is gone or damaged by then, the run goes on as a run without the cache would."""
    monkeypatch.setattr(cache_records, "BLOCK", 4)
    for index in range(12):
        (tmp_path / "agents").mkdir(exist_ok=True)
        (tmp_path / "agents" / f"agent{index}.md").write_text(
            f"---\nname: agent{index}\ndescription: Does task {index}.\n---\nBody {index}.\n", encoding="utf-8"
        )
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["generate", "agents"]).exit_code in (0, 1)
    loading = cache_files.load

    def load_then_lose(folder: Path | None, name: str, damaged: list[str] | None = None) -> object:
        found = loading(folder, name, damaged)
        if isinstance(found, cache_records.State):
            for number, part in enumerate(found.blocks):
                assert "value" not in part.__dict__  # not read yet
                path = part.folder / "parts" / part.name  # type: ignore[operator]
                path.unlink() if number % 2 else path.write_bytes(b"\x80\x05damaged")
        return found

    monkeypatch.setattr(cache_files, "load", load_then_lose)
    edited = tmp_path / "agents/agent5.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Does task", "Now does task"), encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", "agents", "-v"])
    assert result.exit_code in (0, 1), result.output
    assert "full run" in result.stderr, result.stderr
    monkeypatch.setattr(cache_files, "load", loading)
    fresh = CliRunner().invoke(main, ["generate", "agents", "--docs-dir", "fresh", "--no-cache"])
    assert fresh.exit_code in (0, 1)
    docs = {p.relative_to(tmp_path / "docs"): p.read_bytes() for p in (tmp_path / "docs").rglob("*") if p.is_file()}
    again = {p.relative_to(tmp_path / "fresh"): p.read_bytes() for p in (tmp_path / "fresh").rglob("*") if p.is_file()}
    assert docs == again and b"Now does task 5" in docs[Path("agents/agent5.md")]


@pytest.mark.parametrize("damage", ["truncated", "another file of the cache"])
def test_any_cache_file_damaged_or_swapped_gives_the_pages_of_a_run_without_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    """Each file of the cache in turn (stamp, state, every part, an agent kept whole) cut in
    half or holding another cache file's bytes, then an edit: the run goes on, and writes what
    a run without the cache writes."""
    monkeypatch.setattr(cache_records, "BLOCK", 4)
    (tmp_path / "agents").mkdir()
    for index in range(9):
        (tmp_path / "agents" / f"agent{index}.md").write_text(
            f"---\nname: agent{index}\ndescription: Does task {index}.\n---\nBody {index}.\n", encoding="utf-8"
        )
    monkeypatch.chdir(tmp_path)
    docs = tmp_path / "docs"
    assert CliRunner().invoke(main, ["generate", "agents"]).exit_code in (0, 1)
    folder = cache_files.cache_dir(docs)
    assert folder is not None
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.pickle") if p.is_file())
    names += sorted(f"parts/{name}" for name in parts_of(folder))
    # The stamp, the state, each agent whole; 3 blocks of entries and of fragments, and the 4
    # texts of each block's summary (catalog.json entries, filter rows, overview and category).
    assert len(names) == 2 + 9 + 3 + 3 + 3 * 4
    for turn, name in enumerate(names):
        assert CliRunner().invoke(main, ["generate", "agents"]).exit_code in (0, 1)  # the cache whole again
        victim = folder / name
        if not victim.is_file():
            continue  # a part of the last run, replaced since
        data = victim.read_bytes()
        other = next(p for p in sorted(folder.rglob("*")) if p.is_file() and p != victim and p.read_bytes() != data)
        victim.write_bytes(data[: len(data) // 2] if damage == "truncated" else other.read_bytes())
        edited = tmp_path / "agents" / f"agent{turn % 9}.md"
        edited.write_text(edited.read_text(encoding="utf-8") + f"Edit {turn}.\n", encoding="utf-8")
        result = CliRunner().invoke(main, ["generate", "agents"])
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        assert result.exit_code in (0, 1) and not crashed, (name, result.output)
        fresh = tmp_path / "fresh"
        assert CliRunner().invoke(main, ["generate", "agents", "--docs-dir", "fresh", "--no-cache"]).exit_code in (0, 1)
        mine = {p.relative_to(docs): p.read_bytes() for p in docs.rglob("*") if p.is_file()}
        theirs = {p.relative_to(fresh): p.read_bytes() for p in fresh.rglob("*") if p.is_file()}
        assert mine == theirs, name


def _generate_ten_agents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """agents/agent0.md ... agent9.md in ``tmp_path``, and a cached ``generate`` of them."""
    (tmp_path / "agents").mkdir()
    for index in range(10):
        (tmp_path / "agents" / f"agent{index}.md").write_text(
            f"---\nname: agent{index}\ndescription: Does task {index}.\n---\nBody {index}.\n", encoding="utf-8"
        )
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["generate", "agents"]).exit_code in (0, 1)


def test_the_state_reads_a_part_of_entries_when_one_of_its_entries_is_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entries of 10,000 agent files are 24 MB: loading the state reads none of their
    parts, and asking for one file's entry reads the one part that holds it."""
    monkeypatch.setattr(cache_records, "BLOCK", 4)
    _generate_ten_agents(tmp_path, monkeypatch)
    from catalog.incremental.changes import entry_of

    folder = cache_files.cache_dir(tmp_path / "docs")
    state = cache_files.load(folder, "state.pickle")
    assert isinstance(state, cache_records.State)
    entries = state.entries
    assert len(entries.parts) == 3 and not any("value" in part.__dict__ for part in entries.parts)
    cid = sorted(entries)[5]
    assert entry_of(entries[cid]) is not None
    read = [number for number, part in enumerate(entries.parts) if "value" in part.__dict__]
    assert read == [list(entries).index(cid) // 4]
    assert len(entries) == 10 and cid in entries and "elsewhere.md" not in entries


def test_an_edit_makes_the_part_of_the_filters_data_that_holds_its_agent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When each part of the filter's data is one block's rows (here 4 agents, not 500), an
    edit makes the part of its agent's block and leaves the others as the last run wrote
    them (not even read from the cache); the docs are those of a run without the cache."""
    monkeypatch.setattr(cache_records, "BLOCK", 4)
    monkeypatch.setattr(facets, "DATA_PART", 4)
    _generate_ten_agents(tmp_path, monkeypatch)
    data = sorted((tmp_path / "docs/assets").glob("catalog-data-*.js"))
    assert [path.name for path in data] == ["catalog-data-1.js", "catalog-data-2.js", "catalog-data-3.js"]
    before = {path.name: path.stat().st_ino for path in data}
    made: list[int] = []  # the rows of each part made
    real = shared_pages.data_scripts

    def spy(labels: dict[str, list[tuple[str, str]]], total: int, parts: list[bytes]) -> dict[str, bytes]:
        made.extend(part.count(b"Does task") for part in parts)
        return real(labels, total, parts)

    monkeypatch.setattr(shared_pages, "data_scripts", spy)
    edited = tmp_path / "agents/agent5.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Does task", "Now does task"), encoding="utf-8")
    assert CliRunner().invoke(main, ["generate", "agents"]).exit_code in (0, 1)
    assert made == [0, 3, 0]  # the second block's rows only (its fourth: "Now does task")
    after = {path.name: path.stat().st_ino for path in data}
    assert [name for name in after if after[name] != before[name]] == ["catalog-data-2.js"]
    fresh = CliRunner().invoke(main, ["generate", "agents", "--docs-dir", "fresh", "--no-cache"])
    assert fresh.exit_code in (0, 1)
    docs = {p.relative_to(tmp_path / "docs"): p.read_bytes() for p in (tmp_path / "docs").rglob("*") if p.is_file()}
    again = {p.relative_to(tmp_path / "fresh"): p.read_bytes() for p in (tmp_path / "fresh").rglob("*") if p.is_file()}
    assert docs == again


@pytest.mark.parametrize("change", ["added last", "removed first"])
def test_a_file_come_or_gone_makes_again_the_blocks_whose_agents_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """A block of fragments (here of 4 agents) that holds the agents the last run's block at
    its place held is kept with its summary, whichever way the run went (here the catalog
    assembled again): only the blocks from the first one that changed are summed up again;
    the docs are those of a run without the cache."""
    monkeypatch.setattr(cache_records, "BLOCK", 4)
    _generate_ten_agents(tmp_path, monkeypatch)
    summed: list[int] = []  # the agents of each block summed up
    real = blocks.Summary.of

    def spy(fragments: blocks.Fragments) -> blocks.Summary:
        summed.append(len(fragments))
        return real(fragments)

    monkeypatch.setattr(blocks.Summary, "of", staticmethod(spy))
    if change == "added last":  # agent9 < zed: the third block
        (tmp_path / "agents/zed.md").write_text("---\nname: zed\ndescription: Does more.\n---\nZ.\n", "utf-8")
    else:  # agent0: every block shifts
        (tmp_path / "agents/agent0.md").unlink()
    assert CliRunner().invoke(main, ["generate", "agents"]).exit_code in (0, 1)
    assert summed == ([3] if change == "added last" else [4, 4, 1])
    fresh = CliRunner().invoke(main, ["generate", "agents", "--docs-dir", "fresh", "--no-cache"])
    assert fresh.exit_code in (0, 1)
    docs = {p.relative_to(tmp_path / "docs"): p.read_bytes() for p in (tmp_path / "docs").rglob("*") if p.is_file()}
    again = {p.relative_to(tmp_path / "fresh"): p.read_bytes() for p in (tmp_path / "fresh").rglob("*") if p.is_file()}
    assert docs == again


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.sampled_from("abcdefghijk"), unique=True, max_size=11),
    st.lists(st.sampled_from("abcdefghijk"), unique=True, max_size=11),
    st.data(),
)
def test_entries_hold_the_changes_and_the_last_runs_keeping_its_parts_where_nothing_changed(
    was_ids: list[str], ids: list[str], data: st.DataObject
) -> None:
    """``Entries.of``, whichever way the run went: each id's entry is its change, else the last
    run's; a part is the last run's exactly where it holds the same ids, none changed."""
    block = cache_records.BLOCK = 3
    try:
        was = cache_records.Entries.of(tuple(was_ids), {cid: cid.encode() for cid in was_ids}, None)
        new = [cid for cid in ids if cid not in was_ids]
        changed = data.draw(st.lists(st.sampled_from(ids), unique=True)) if ids else []
        changes = {cid: b"new " + cid.encode() for cid in {*changed, *new}}
        entries = cache_records.Entries.of(tuple(ids), changes, was)
        assert dict(entries) == {cid: changes.get(cid) or cid.encode() for cid in ids}
    finally:
        cache_records.BLOCK = 500
    for number, part in enumerate(entries.parts):
        held = ids[number * block : (number + 1) * block]
        same = was_ids[number * block : (number + 1) * block] == held and not set(held) & set(changes)
        assert (number < len(was.parts) and part is was.parts[number]) == same


TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=8)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_a_source_key_gives_back_the_source_it_was_made_of(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    """``source_of(source_key(s)) == s`` for every kind of agent source, companions and all;
    and a companion's stat is part of the key (an edit to it is an edit)."""
    from catalog.types import AgentSource, Format

    folder = tmp_path_factory.mktemp("companions")
    companions = tuple(str(folder / name) for name in data.draw(st.lists(st.sampled_from("abc"), unique=True)))
    for path in companions:
        Path(path).write_text("x", encoding="utf-8")
    optional = st.none() | TEXT
    source = AgentSource(
        folder / data.draw(TEXT.filter(lambda name: name not in ("", ".", "..") and "/" not in name)),
        data.draw(TEXT),
        data.draw(TEXT),
        data.draw(st.sampled_from(list(Format))),
        *(data.draw(optional) for _ in range(4)),
        data.draw(st.booleans()),
        data.draw(optional),
        companions,
    )
    key = cache_records.source_key(source)
    assert cache_records.source_of(key) == source
    if companions:
        Path(companions[0]).write_text("xy", encoding="utf-8")
        assert cache_records.source_key(source) != key
