"""Where each top-level key of a TOML or JSON agent file is: the line findings point to."""

from __future__ import annotations

import re

# A key's first part: ``tools.web_search = true`` is the key tools.
_TOML_PART = r"""(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)"""
_TOML_KEY = re.compile(rf"""[ \t]*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))(?:[ \t]*\.[ \t]*{_TOML_PART})*[ \t]*=""")
_TOML_TABLE = re.compile(r"""[ \t]*\[\[?[ \t]*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))?""")
_JSON_KEY = re.compile(r'[ \t]*"((?:[^"\\]|\\.)*)"[ \t]*:')


def toml_key_lines(text: str) -> dict[str, int]:
    """The line of each top-level key: a key before the first [table], or a table's own name
    (``[mcp_servers.github]`` is the key mcp_servers)."""
    lines: dict[str, int] = {}
    in_string = in_table = False
    for number, line in enumerate(text.split("\n"), 1):
        if in_string:
            in_string = line.count('"""') % 2 == 0 and line.count("'''") % 2 == 0
            continue
        table = _TOML_TABLE.match(line)
        if table:
            in_table = True
            name = next((group for group in table.groups() if group is not None), None)
            if name is not None:
                lines.setdefault(name, number)
            continue
        match = _TOML_KEY.match(line)
        if match:
            key = next(group for group in match.groups() if group is not None)
            if not in_table:
                lines.setdefault(key, number)
            rest = line[match.end() :]
            in_string = rest.count('"""') % 2 == 1 or rest.count("'''") % 2 == 1
    return lines


def json_key_lines(text: str) -> dict[str, int]:
    """The line of each top-level key: the first time it appears at the least indentation."""
    found: dict[str, tuple[int, int]] = {}
    for number, line in enumerate(text.split("\n"), 1):
        match = _JSON_KEY.match(line)
        if match:
            indent = len(line) - len(line.lstrip())
            key = match.group(1)
            if key not in found or indent < found[key][0]:
                found[key] = (indent, number)
    least = min((indent for indent, _ in found.values()), default=0)
    return {key: number for key, (indent, number) in found.items() if indent == least}
