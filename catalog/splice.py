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


@dataclass(frozen=True, slots=True)
class Composite(FastPickle):
    """A generated file as its skeleton and the lengths of its parts and pieces."""

    skeleton: bytes
    # Lengths in the file, alternating: part 0, piece 0, part 1, ..., last part (array "q").
    layout: bytes


def split(skeleton: bytes) -> tuple[list[bytes], list[Slot]]:
    """The skeleton's fixed parts (one more than its slots) and its slots, in order."""
    found = _MARK.split(skeleton)
    slots = [(kind, int(index)) for kind, index in zip(found[1::3], found[2::3], strict=True)]
    return found[0::3], slots


def located(composite: Composite) -> list[tuple[bytes, int, int, int]]:
    """Each slot's kind, agent index, and [start, end) in the file written."""
    _, slots = split(composite.skeleton)
    layout = array("q")
    layout.frombytes(composite.layout)
    offsets = [0, *itertools.accumulate(layout)]
    return [(kind, index, offsets[2 * n + 1], offsets[2 * n + 2]) for n, (kind, index) in enumerate(slots)]


def compose(skeleton: bytes, piece: Callable[[bytes, int], bytes]) -> tuple[bytes, Composite]:
    """The skeleton filled with ``piece(kind, index)`` for each slot, and its Composite."""
    parts, slots = split(skeleton)
    out: list[bytes] = [parts[0]]
    layout = array("q", [len(parts[0])])
    for (kind, index), part in zip(slots, parts[1:], strict=True):
        data = piece(kind, index)
        out += (data, part)
        layout += array("q", (len(data), len(part)))
    return b"".join(out), Composite(skeleton, layout.tobytes())


def splice(
    old: Composite, skeleton: bytes, changed: Mapping[int, Callable[[bytes], bytes]]
) -> tuple[list[Piece], Composite] | None:
    """The new file as pieces of the old one and new bytes, and its Composite.

    ``skeleton``: the new skeleton. ``changed``: agent index -> its new piece of each kind;
    every other agent's piece is taken from the old file. None when the slots differ (agents
    added, removed or reordered): the file must be made whole.
    """
    layout = array("q")
    layout.frombytes(old.layout)
    dirty: dict[int, bytes] = {}  # position in the layout -> its new bytes
    if skeleton == old.skeleton:
        for index in changed:
            for kind, position in _slots_of(skeleton, index):
                dirty[position] = changed[index](kind)
    else:
        new_parts, new_slots = split(skeleton)
        old_parts, old_slots = split(old.skeleton)
        if new_slots != old_slots or len(layout) != 2 * len(new_slots) + 1:
            return None
        for number, (new, was) in enumerate(zip(new_parts, old_parts, strict=True)):
            if new != was:
                dirty[2 * number] = new
        for number, (kind, index) in enumerate(new_slots):
            if index in changed:
                dirty[2 * number + 1] = changed[index](kind)
    offsets = [0, *itertools.accumulate(layout)]
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


def _slots_of(skeleton: bytes, index: int) -> Iterable[tuple[bytes, int]]:
    """Each slot of agent ``index`` in the skeleton: its kind and its position in the layout."""
    for match in re.finditer(rb"\x02([a-z])" + str(index).encode() + rb"\x03", skeleton):
        yield match.group(1), 2 * skeleton.count(b"\x02", 0, match.start()) + 1


def unchanged(pieces: list[Piece], size: int) -> bool:
    """Whether ``pieces`` are the old file of ``size`` bytes, whole."""
    return pieces == [(0, size)] or (size == 0 and not pieces)


def write_pieces(tmp: Path, old: Path, pieces: Iterable[Piece]) -> None:
    """Write ``pieces`` into the new file ``tmp``, ranges copied from ``old`` in the kernel."""
    source = os.open(old, os.O_RDONLY)
    try:
        target = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            for piece in pieces:
                if isinstance(piece, bytes):
                    _write_all(target, piece)
                else:
                    _copy_range(source, target, *piece)
        finally:
            os.close(target)
    finally:
        os.close(source)
    os.chmod(tmp, 0o644)  # whatever the umask: as the other generated files


def _copy_range(source: int, target: int, start: int, end: int) -> None:
    offset = start
    while offset < end:
        copied = 0
        with contextlib.suppress(OSError, AttributeError):  # no copy_file_range here
            copied = os.copy_file_range(source, target, end - offset, offset)
        if copied <= 0:
            data = os.pread(source, min(end - offset, 1 << 24), offset)
            if not data:
                raise OSError(f"the old file ended at {offset}, before {end}")
            _write_all(target, data)
            copied = len(data)
        offset += copied


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
