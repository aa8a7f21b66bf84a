"""How much larger than itself a piece of agent Markdown can render, known before rendering it.

Markdown is mostly linear: a character of text gives a few of HTML. Two constructs are not,
and a stranger's file can use them to make one page gigabytes long (and the run that renders
it run out of memory, costing every other agent its page):

- a link reference definition is copied into every link that uses it: one 500 KB URL and
  200,000 ``[a][r]`` of six bytes each would be 100 GB of HTML;
- a table row with fewer cells than the header is filled with empty ones: a header of 2,000
  columns and 2,000 rows of ``|x`` (14 KB) are 4,000,000 cells, 40 MB.

``out_of_proportion`` tells from the text alone (a pass over its lines, no parser) whether it
could: its estimates count every construct that might be one (in a code block too), so text it
passes renders within a constant factor of its size whatever parser renders it. Text it does
not pass is rendered without tables and reference links (``catalog.render.textsafe``), and
lint reports it (AC503).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter

# What rendered HTML may be, per character of text, before text counts as out of proportion.
# A cell of a table takes at least one character (its ``|``) and costs at most _TABLE_CELL
# bytes of HTML, so a table whose rows are full is always within it.
PER_CHARACTER = 48
SLACK = 64 * 1024

_TABLE_CELL = 40  # an aligned empty cell and its line feed: ``<td style="text-align:center"></td>&#10;``
# A definition ``[label]:`` at the start of a line, inside quotes and list items too.
_DEFINITION = re.compile(r"^[ \t>*+\-0-9.)]*\[((?:\\.|[^\\\[\]]){1,999})\]:", re.MULTILINE)
# Every bracketed label, as a use of a definition (a link's text counts too: an overestimate).
_BRACKETED = re.compile(r"\[((?:\\.|[^\\\[\]]){1,999})\]")
_BLANK_OR_DEFINITION = re.compile(r"\n[ \t>]*\n|\n(?=[ \t>*+\-0-9.)]*\[)")
_DELIMITER_CHARACTERS = frozenset("|-: \t")


def out_of_proportion(text: str) -> str | None:
    """What would make ``text`` render out of proportion to its size (``a table of 4,000,000
    cells``, ``links that copy 2,500 KB of reference definitions``), or None."""
    budget = PER_CHARACTER * len(text) + SLACK
    if "|" in text:
        cells = _table_cells(text)
        if cells * _TABLE_CELL > budget:
            return f"a table of {cells:,} cells, filled in"
    if "]:" in text:
        copied = _reference_copies(text)
        if copied > budget:
            return f"links that copy {copied // 1024:,} KB of reference definitions"
    return None


def _table_cells(text: str) -> int:
    """Cells tables may have, counting every row as full: for each line that could be a
    table's delimiter row (``|---|:--:|``), its columns times the lines up to a blank one."""
    lines = text.split("\n")
    cells = 0
    rows_left = 0  # lines of the table being counted
    columns = 0
    for line in lines:
        content = line.strip(" \t>")
        if not content:
            rows_left = 0
            continue
        if rows_left:
            cells += columns
        if "|" in content and "-" in content and _DELIMITER_CHARACTERS.issuperset(content):
            columns = len(re.findall("-+", content))
            cells += 2 * columns  # the header and the delimiter row themselves
            rows_left = 1
    return cells


def _reference_copies(text: str) -> int:
    """Bytes of definitions the links of ``text`` may copy: each definition's text (up to the
    next blank line or definition) times the bracketed labels that match it."""
    definitions: Counter[str] = Counter()
    ends = [m.start() for m in _BLANK_OR_DEFINITION.finditer(text)]
    for match in _DEFINITION.finditer(text):
        after = bisect.bisect_right(ends, match.end())
        end = ends[after] if after < len(ends) else len(text)
        definitions[_label(match.group(1))] += end - match.end()
    if not definitions:
        return 0
    uses = Counter(m.group(1) for m in _BRACKETED.finditer(text))
    copied: Counter[str] = Counter()
    for raw, count in uses.items():
        label = _label(raw)
        if label in definitions:
            copied[label] += count
    return sum(definitions[label] * count for label, count in copied.items())


def _label(raw: str) -> str:
    """A label as markdown-it matches them: whitespace collapsed, case folded."""
    return " ".join(raw.split()).lower().upper()
