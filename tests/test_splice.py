"""catalog.splice: a file made from its skeleton and pieces, and spliced from its old version."""

from __future__ import annotations

from array import array
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.splice import (
    Composite,
    Piece,
    fills_to,
    located,
    marker,
    splice,
    split,
    unchanged,
    write_pieces,
)

KINDS = (b"t", b"j")


def skeleton_of(parts: list[str], slots: list[tuple[str, int]]) -> bytes:
    text = parts[0] + "".join(marker(kind, index) + part for (kind, index), part in zip(slots, parts[1:], strict=True))
    return text.encode()


def compose(skeleton: bytes, piece: Callable[[bytes, int], bytes]) -> tuple[bytes, Composite]:
    """The file made whole, the obvious way: the skeleton's parts with each piece between."""
    parts, slots = split(skeleton)
    data = parts[0] + b"".join(piece(kind, index) + part for (kind, index), part in zip(slots, parts[1:], strict=True))
    lengths = [len(parts[0])]
    for (kind, index), part in zip(slots, parts[1:], strict=True):
        lengths += (len(piece(kind, index)), len(part))
    return data, Composite(skeleton, array("q", lengths).tobytes())


def apply(old: bytes, pieces: list[Piece]) -> bytes:
    return b"".join(piece if isinstance(piece, bytes) else old[piece[0] : piece[1]] for piece in pieces)


text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x02\x03"), max_size=12)


@st.composite
def catalogs(draw: st.DrawFn) -> tuple[list[str], list[tuple[str, int]], dict[tuple[bytes, int], bytes]]:
    count = draw(st.integers(0, 8))
    slots = [(draw(st.sampled_from("tj")), index) for index in range(count) for _ in range(draw(st.integers(1, 2)))]
    parts = [draw(text) for _ in range(len(slots) + 1)]
    pieces = {(kind.encode(), index): draw(text).encode() for kind, index in slots}
    return parts, slots, pieces


@settings(max_examples=300, deadline=None)
@given(catalogs(), st.data())
def test_a_spliced_file_is_the_file_made_whole(
    catalog: tuple[list[str], list[tuple[str, int]], dict[tuple[bytes, int], bytes]], data: st.DataObject
) -> None:
    parts, slots, pieces = catalog
    old_file, old = compose(skeleton_of(parts, slots), lambda kind, index: pieces[kind, index])
    # Some fixed parts and some agents' pieces change; the slots stay.
    new_parts = [data.draw(text) if data.draw(st.booleans()) else part for part in parts]
    edited = data.draw(st.sets(st.sampled_from(sorted({index for _, index in slots})))) if slots else set()
    new_pieces = {key: (data.draw(text).encode() if key[1] in edited else value) for key, value in pieces.items()}
    skeleton = skeleton_of(new_parts, slots)
    expected, expected_composite = compose(skeleton, lambda kind, index: new_pieces[kind, index])
    changed = {index: (lambda kind, index=index: new_pieces[kind, index]) for index in edited}

    def read(start: int, end: int) -> bytes:
        return old_file[start:end]

    result = splice(old, skeleton, changed, read)
    assert result is not None
    planned, composite = result
    assert apply(old_file, planned) == expected
    assert composite == expected_composite
    assert fills_to(skeleton, lambda kind, index: new_pieces[kind, index], expected) == expected_composite
    assert fills_to(skeleton, lambda kind, index: new_pieces[kind, index], expected + b"x") is None
    assert unchanged(planned, len(old_file), read) == (expected == old_file)
    # Without reading the old file, an agent's piece that came out the same is written again.
    blind = splice(old, skeleton, changed)
    assert blind is not None and apply(old_file, blind[0]) == expected


def test_pieces_of_the_old_file_are_ranges_not_copies() -> None:
    parts = ["<head>", "\n", "\n", "<tail>"]
    slots = [("t", 0), ("t", 1), ("t", 2)]
    pieces = {(b"t", 0): b"zero", (b"t", 1): b"one", (b"t", 2): b"two"}
    old_file, old = compose(skeleton_of(parts, slots), lambda kind, index: pieces[kind, index])
    result = splice(old, old.skeleton, {1: lambda kind: b"ONE!"})
    assert result is not None
    planned, _ = result
    assert planned == [(0, old_file.index(b"one")), b"ONE!", (old_file.index(b"one") + 3, len(old_file))]
    assert splice(old, old.skeleton, {}) == ([(0, len(old_file))], old)


def test_where_each_piece_lies() -> None:
    file, composite = compose(
        skeleton_of(["[", ",", "]"], [("j", 0), ("j", 1)]), lambda kind, index: b"x" * (index + 1)
    )
    assert file == b"[x,xx]"
    assert located(composite) == [(b"j", 0, 1, 2), (b"j", 1, 3, 5)]


def test_other_slots_mean_the_file_is_made_whole() -> None:
    _, old = compose(skeleton_of(["a", "b", "c"], [("t", 0), ("t", 1)]), lambda kind, index: b"x")
    assert splice(old, skeleton_of(["a", "c"], [("t", 0)]), {}) is None  # an agent less
    assert splice(old, skeleton_of(["a", "b", "c"], [("t", 1), ("t", 0)]), {}) is None  # reordered
    assert splice(old, skeleton_of(["a", "b", "c"], [("t", 0), ("j", 1)]), {}) is None  # another kind


def test_control_characters_outside_markers_are_refused() -> None:
    with pytest.raises(ValueError, match="control character"):
        split(b"a\x03b" + marker("t", 0).encode())
    _, old = compose(skeleton_of(["a", "b"], [("t", 0)]), lambda kind, index: b"x")
    assert splice(old, b"a\x02" + marker("t", 0).encode() + b"b", {}) is None


@pytest.mark.parametrize("kernel_copy", [True, False], ids=["copy_file_range", "read and write"])
def test_write_pieces_copies_ranges_from_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel_copy: bool
) -> None:
    import errno
    import os

    if not kernel_copy:  # another file system, an old kernel, macOS or Windows

        def refused(*args: object) -> int:
            raise OSError(errno.EXDEV, "Invalid cross-device link")

        monkeypatch.setattr(os, "copy_file_range", refused, raising=False)
    old = tmp_path / "old.json"
    old.write_bytes(bytes(range(256)) * 4096)  # 1 MB
    pieces: list[Piece] = [(10, 300_000), b"new bytes", (300_100, 1 << 20), b"", b"end"]
    target = tmp_path / "new.json"
    target.touch()
    write_pieces(target, old, pieces)
    assert target.read_bytes() == apply(old.read_bytes(), pieces)
    mask = os.umask(0o022)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask  # as any file the user makes


def test_a_composite_pickles_small() -> None:
    import pickle

    _, composite = compose(skeleton_of(["a", "b"], [("t", 0)]), lambda kind, index: b"x")
    assert pickle.loads(pickle.dumps(composite)) == composite
    assert isinstance(composite, Composite)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 12), st.data())
def test_the_splice_index_replaces_some_agents_facts(count: int, data: st.DataObject) -> None:
    from catalog.incremental import AgentFacts, SpliceIndex, pack_facts

    def facts(n: int) -> AgentFacts:
        return AgentFacts((f"/a/{n}.md",), (n, n, n), ("name", n), f"agent-{n}", n, (), (), ((0, 0, 0), (0, 0, 0)))

    import pickle

    before = [facts(n) for n in range(count)]
    packed, ends = pack_facts(pickle.dumps(f) for f in before)
    index = SpliceIndex("key", "base", [], {}, {}, packed, ends, None, None, {}, {}, 0)
    changes = {
        n: facts(n).evolve(slug="renamed-" * data.draw(st.integers(0, 3)) + str(n))
        for n in data.draw(st.sets(st.integers(0, count - 1)))
    }
    index.set_facts(changes)
    assert [index.fact(n) for n in range(count)] == [changes.get(n, before[n]) for n in range(count)]
