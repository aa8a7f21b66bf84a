"""Roo Code's and Kilo Code's files of modes (``.roomodes``, ``.kilocodemodes``): a
``customModes`` list in YAML (or JSON), one agent each mode, read once for all of them.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml

try:  # as catalog.parse.document loads YAML
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

from catalog.parse.yaml_limits import _check_size, _jsonable

_PLAIN_ENTRY = re.compile(r"[\w.-]{1,100}")
# What Roo Code and Kilo Code replace before they parse a file their YAML parser refuses as it
# is (CustomModesManager.cleanInvisibleCharacters): a no-break space, zero-width characters,
# typographic dashes and quotes, pasted from a web page or a word processor. No line moves.
_CLEANED = str.maketrans(
    {
        "\u00a0": " ",
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
    }
)


def roo_modes(text: str) -> list[tuple[str, dict[str, Any], dict[str, int]]]:
    """Each mode of a ``.roomodes`` file (YAML or JSON): its entry name (the slug, made unique),
    its keys, and the 1-based line of each key. ValueError when the file does not load. Read
    once for all the modes of one text (each mode is read on its own: reading the file again
    for each was quadratic)."""
    return [(entry, dict(mode), dict(lines)) for entry, mode, lines in _roo_modes(text)]


@functools.lru_cache(maxsize=2)
def _roo_modes(text: str) -> tuple[tuple[str, dict[str, Any], dict[str, int]], ...]:
    try:
        return _modes_of(text)
    except ValueError:
        cleaned = text.translate(_CLEANED)
        if cleaned == text:
            raise
        return _modes_of(cleaned)


def _modes_of(text: str) -> tuple[tuple[str, dict[str, Any], dict[str, int]], ...]:
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
            if node is None:
                return ()
            _check_size(node)
            data = loader.construct_document(node)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ValueError(f"line {mark.line + 1 if mark else 1}: {exc}") from None
        except RecursionError:
            raise ValueError("nested too deeply") from None
        except Exception as exc:  # _check_size's alias bomb and depth limits
            raise ValueError(str(getattr(exc, "message", exc))) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise ValueError("line 1: the file is not a mapping with a customModes list")
    listed = next((value for key, value in node.value if key.value == "customModes"), None)
    modes = data.get("customModes")
    if not isinstance(modes, list) or not isinstance(listed, yaml.SequenceNode):
        raise ValueError("line 1: no customModes list")
    found: list[tuple[str, dict[str, Any], dict[str, int]]] = []
    taken: set[str] = set()
    for index, (mode, mode_node) in enumerate(zip(modes, listed.value, strict=True), 1):
        if not isinstance(mode, dict) or not isinstance(mode_node, yaml.MappingNode):
            continue
        lines = {str(k.value): k.start_mark.line + 1 for k, _ in mode_node.value}
        lines.setdefault("", mode_node.start_mark.line + 1)
        slug = str(mode.get("slug") or "")
        # The entry ends the agent's path (".roomodes#slug"): a slug that is not a plain word
        # (spaces, slashes, control characters) gives way to the mode's place in the file.
        slug = slug if _PLAIN_ENTRY.fullmatch(slug) else f"mode-{index}"
        entry, number = slug, 1
        while entry in taken:
            number += 1
            entry = f"{slug}-{number}"
        taken.add(entry)
        found.append((entry, {str(k): _jsonable(v) for k, v in mode.items()}, lines))
    return tuple(found)


@functools.lru_cache(maxsize=2)
def _modes_by_entry(text: str) -> dict[str | None, tuple[dict[str, Any], dict[str, int]]]:
    """The modes of one text by entry: each agent of the file looks up its own (not copied:
    ``_document`` changes nothing)."""
    return {entry: (mode, lines) for entry, mode, lines in _roo_modes(text)}


def mode_text(text: str, entry: str) -> str | None:
    """One mode of a .roomodes file as a .roomodes file of its own (YAML), or None."""
    try:
        modes = roo_modes(text)
    except ValueError:
        return None
    for slug, mode, _ in modes:
        if slug == entry:
            return yaml.safe_dump({"customModes": [mode]}, allow_unicode=True, sort_keys=False, width=100)
    return None
