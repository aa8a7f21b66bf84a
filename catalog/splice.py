"""Shared pages as a skeleton with a slot per agent, so that an edit rewrites byte ranges.

The overview, the category and collection pages, ``catalog.json`` and ``catalog-data.js``
each hold a piece of every agent. Rendered once with a marker in place of each piece (the
*skeleton*) and once for real, a page whose skeleton, filled with the pieces, is the real
page byte for byte is kept as a :class:`Composite`: its skeleton and the length of every
part and piece in the file written. After an edit, the page is its new skeleton filled
with the edited agents' new pieces and, for every other agent, the bytes of the file as it
was: ranges the kernel copies, never read into Python (``catalog.json`` of 10,000 agents is
130 MB).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from catalog.types import FastPickle

# A marker: STX, the kind of piece (a letter), the agent's index in catalog order, ETX.
# Control characters never reach a page from agent text (JSON escapes them, pages drop them);
# if one did, the skeleton would not fill to the real page and the page is not kept.
_MARK = re.compile(rb"\x02([a-z])(\d+)\x03")
Slot = tuple[bytes, int]  # the kind of piece, the agent's index
Piece = bytes | tuple[int, int]  # new bytes, or [start, end) of the file as it was


def marker(kind: str, index: int) -> str:
    """What stands for agent ``index``'s piece of this ``kind`` in a skeleton."""
    return f"\x02{kind}{index}\x03"


def markers(kind: str, count: int) -> list[str]:
    """``marker(kind, i)`` for the first ``count`` agents."""
    return [f"\x02{kind}{index}\x03" for index in range(count)]


@dataclass(frozen=True, slots=True)
class Composite(FastPickle):
    """A generated file as its skeleton and the lengths of its parts and pieces."""

    skeleton: bytes
    # Lengths in the file, alternating: part 0, piece 0, part 1, ..., last part (array "q").
    layout: bytes

    def offsets(self) -> list[int]:
        """Where each part and piece of ``layout`` starts in the file, and its size last."""
        layout = array("q")
        layout.frombytes(self.layout)
        return [0, *itertools.accumulate(layout)]


def split(skeleton: bytes) -> tuple[list[bytes], list[Slot]]:
    """The skeleton's fixed parts (one more than its slots) and its slots, in order.

    Raises ValueError when STX or ETX appear other than in markers: the parts must not hold
    them, or a stretch of the skeleton could not be told apart from its slots."""
    found = _MARK.split(skeleton)
    slots = [(kind, int(index)) for kind, index in zip(found[1::3], found[2::3], strict=True)]
    if not skeleton.count(b"\x02") == skeleton.count(b"\x03") == len(slots):
        raise ValueError("a control character in a skeleton, outside its markers")
    return found[0::3], slots


def located(composite: Composite) -> list[tuple[bytes, int, int, int]]:
    """Each slot's kind, agent index, and [start, end) in the file written."""
    _, slots = split(composite.skeleton)
    offsets = composite.offsets()
    return [(kind, index, offsets[2 * n + 1], offsets[2 * n + 2]) for n, (kind, index) in enumerate(slots)]


def first_slot(composite: Composite, indices: Iterable[int]) -> int:
    """Where the first piece of any of these agents starts in the file written (its size if none)."""
    offsets = composite.offsets()
    return min((offsets[p] for i in indices for _, p in _slots_of(composite.skeleton, i)), default=offsets[-1])


def fills_to(skeleton: bytes, piece: Callable[[bytes, int], bytes], page: bytes) -> Composite | None:
    """The Composite of ``page`` if it is ``skeleton`` with ``piece(kind, index)`` in each slot,
    else None: compared part by part in place, so a 130 MB catalog.json is not made a second
    time to be compared."""
    parts, slots = split(skeleton)
    layout = array("q", [len(parts[0])])
    position = len(parts[0])
    if not page.startswith(parts[0]):
        return None
    for (kind, index), part in zip(slots, parts[1:], strict=True):
        data = piece(kind, index)
        if not page.startswith(data, position) or not page.startswith(part, position + len(data)):
            return None
        position += len(data) + len(part)
        layout += array("q", (len(data), len(part)))
    return Composite(skeleton, layout.tobytes()) if position == len(page) else None


def splice(
    old: Composite,
    skeleton: bytes,
    changed: Mapping[int, Callable[[bytes], bytes]],
    read: Callable[[int, int], bytes] | None = None,
) -> tuple[list[Piece], Composite] | None:
    """The new file as pieces of the old one and new bytes, and its Composite.

    ``skeleton``: the new skeleton. ``changed``: agent index -> its new piece of each kind;
    every other agent's piece is taken from the old file. ``read(start, end)``: bytes of the
    old file, to tell a changed agent's piece that came out the same (then the file may be
    unchanged). None when the slots differ (agents added, removed or reordered): the file
    must be made whole.
    """
    layout = array("q")
    layout.frombytes(old.layout)
    dirty: dict[int, bytes] = {}  # position in the layout -> its new bytes
    if skeleton != old.skeleton:
        try:
            changed_parts = _changed_parts(old.skeleton, skeleton)
        except ValueError:
            return None
        if changed_parts is None or len(layout) != 2 * old.skeleton.count(b"\x02") + 1:
            return None
        dirty.update((2 * number, part) for number, part in changed_parts.items())
    offsets = old.offsets()
    for index in changed:
        for kind, position in _slots_of(skeleton, index):
            data = changed[index](kind)
            if read is None or read(offsets[position], offsets[position + 1]) != data:
                dirty[position] = data
    pieces: list[Piece] = []
    start = 0  # the old file's bytes not yet taken, from here
    for position in sorted(dirty):
        if offsets[position] > start:
            pieces.append((start, offsets[position]))
        data = dirty[position]
        if data:
            pieces.append(data)
        start = offsets[position + 1]
        layout[position] = len(data)
    if offsets[-1] > start:
        pieces.append((start, offsets[-1]))
    return pieces, Composite(skeleton, layout.tobytes())


def _changed_parts(old: bytes, new: bytes) -> dict[int, bytes] | None:
    """The fixed parts that differ between two skeletons (number -> new part); None when
    their slots differ. Only the stretch between their common start and end is split."""
    same_start = _common_length(old, new, lambda data, n: data[:n])
    same_end = _common_length(old, new, lambda data, n: data[len(data) - n :], min(len(old), len(new)) - same_start)
    start = old.rfind(b"\x03", 0, same_start) + 1  # the start of the part it lies in
    old_end = old.find(b"\x02", len(old) - same_end)  # the end of the part it lies in
    old_end = len(old) if old_end < 0 else old_end
    new_end = len(new) - (len(old) - old_end)
    if not new.count(b"\x02") == new.count(b"\x03") == old.count(b"\x02"):
        raise ValueError("the new skeleton has other markers, or stray control characters")
    old_parts, old_slots = split(old[start:old_end])
    new_parts, new_slots = split(new[start:new_end])
    if old_slots != new_slots:
        return None
    first = old.count(b"\x02", 0, start)
    return {first + n: part for n, (part, was) in enumerate(zip(new_parts, old_parts, strict=True)) if part != was}


def _common_length(old: bytes, new: bytes, end: Callable[[bytes, int], bytes], most: int | None = None) -> int:
    """How many bytes the two have in common at one end (``end`` takes n bytes there)."""
    low, high = 0, min(len(old), len(new)) if most is None else most
    while low < high:  # binary search: each test is one memcmp (memoryviews compare item by item)
        middle = (low + high + 1) // 2
        if end(old, middle) == end(new, middle):
            low = middle
        else:
            high = middle - 1
    return low


def _slots_of(skeleton: bytes, index: int) -> Iterable[tuple[bytes, int]]:
    """Each slot of agent ``index`` in the skeleton: its kind and its position in the layout."""
    for match in re.finditer(rb"\x02([a-z])" + str(index).encode() + rb"\x03", skeleton):
        yield match.group(1), 2 * skeleton.count(b"\x02", 0, match.start()) + 1


def unchanged(pieces: list[Piece], size: int, read: Callable[[int, int], bytes]) -> bool:
    """Whether ``pieces`` make the old file of ``size`` bytes again (its own bytes in place,
    or new bytes equal to those they would replace: parts can trade places)."""
    position = 0
    for piece in pieces:
        if isinstance(piece, bytes):
            if read(position, position + len(piece)) != piece:
                return False
            position += len(piece)
        elif piece[0] != position:
            return False
        else:
            position = piece[1]
    return position == size


def write_pieces(tmp: Path, old: Path, pieces: Iterable[Piece]) -> None:
    """Write ``pieces`` into the new file ``tmp``, ranges copied from ``old`` in the kernel."""
    with PieceWriter(tmp, old) as writer:
        writer.write(pieces)


class PieceWriter:
    """A new file written from pieces, in as many calls as the pieces are known in.

    ``tmp`` is written over in place and cut to size at the end, not emptied first: it may be
    a spare (``site.temporary_file``), whose pages are written over faster than new ones."""

    def __init__(self, tmp: Path, old: Path) -> None:
        binary = getattr(os, "O_BINARY", 0)  # Windows
        self._source = os.open(old, os.O_RDONLY | binary)
        try:
            self._target = os.open(tmp, os.O_WRONLY | os.O_CREAT | binary, 0o666)
        except BaseException:
            os.close(self._source)
            raise
        from catalog.site import created_mode  # imported by the quick update already

        os.chmod(tmp, created_mode())  # a spare keeps its old mode: the umask's, as every docs file
        self._size = 0

    def write(self, pieces: Iterable[Piece]) -> None:
        for piece in pieces:
            if isinstance(piece, bytes):
                _write_all(self._target, piece)
                self._size += len(piece)
            else:
                _copy_range(self._source, self._target, *piece)
                self._size += piece[1] - piece[0]

    def close(self) -> None:
        try:
            os.ftruncate(self._target, self._size)
        finally:
            os.close(self._target)
            os.close(self._source)

    def __enter__(self) -> PieceWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def after(pieces: list[Piece], start: int) -> list[Piece] | None:
    """``pieces`` without the old file's first ``start`` bytes, already written; None when
    they do not begin with them."""
    if start == 0:
        return pieces
    if not pieces or isinstance(pieces[0], bytes) or pieces[0][0] != 0 or pieces[0][1] < start:
        return None
    first = pieces[0][1]
    return [*([(start, first)] if first > start else []), *pieces[1:]]


def _copy_range(source: int, target: int, start: int, end: int) -> None:
    offset = start
    while offset < end:
        copied = 0
        with contextlib.suppress(OSError, AttributeError):  # no copy_file_range here
            copied = os.copy_file_range(source, target, end - offset, offset)
        if copied <= 0:
            os.lseek(source, offset, os.SEEK_SET)  # not os.pread: Windows has none
            data = os.read(source, min(end - offset, 1 << 24))
            if not data:
                raise OSError(f"the old file ended at {offset}, before {end}")
            _write_all(target, data)
            copied = len(data)
        offset += copied


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
