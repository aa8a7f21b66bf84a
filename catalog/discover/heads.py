"""What the first bytes of a file say, read before anything is parsed: whether it opens
frontmatter, its top-level keys and tools (which tell a format), and whether that frontmatter
is a document's (a slide deck's, a steering file's) rather than an agent's."""

from __future__ import annotations

import json
import os
import re

from catalog.model.dialect_of import (
    AGENT_KEYS,
    DEFAULT_FORMAT,
    DESCRIPTION_KEYS,
    DOCUMENT_KEYS,
    IDENTITY_KEYS,
    NAME_KEYS,
    format_from_keys,
)
from catalog.model.dialects import MODES_FILES
from catalog.types import Format

# The most of a file of several agents (or a Kiro agent's JSON) discovery reads: one agent
# file's limit (catalog.parse.document.MAX_FILE_BYTES, not imported: discovery stays light).
SEVERAL_BYTES = 2 * 1024 * 1024
# Documentation names that are an agent's in an agent folder, with a name or a description.
_AGENT_OR_DOCUMENT = frozenset({"security.md", "support.md", "changelog.md"})
_FRONTMATTER_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*---[ \t]*\r?\n")


def _opens_frontmatter(head: bytes) -> bool:
    # UTF-16 is decoded (and reported) by the parse stage; its '---' is not these bytes.
    return head[:2] in (b"\xff\xfe", b"\xfe\xff") or bool(_FRONTMATTER_START.match(head))


def _maybe_agent(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith((".md", ".toml", ".json", ".jsonc")) or lowered in MODES_FILES


def _head(path: str, size: int = 4096) -> bytes | None:
    """The first bytes of a file; None when it cannot be read (parse reports why)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except OSError:
        return None


_KEY = re.compile(rb"^([A-Za-z_$][\w.$-]*)[ \t]*:", re.MULTILINE)


# The type of a Claude Code memory file (its memory/ folder's, "type: user | feedback | project | reference").
_MEMORY_TYPE = re.compile(rb"^type[ \t]*:[ \t]*[\"']?(?:user|feedback|project|reference)[\"']?[ \t]*\r?$", re.MULTILINE)
_TOOLS_LINE = re.compile(rb"^tools[ \t]*:[ \t]*([^\r\n]*)\r?$", re.MULTILINE)
_LIST_ITEM = re.compile(rb"[ \t]+-[ \t]+([^\r\n]*?)[ \t]*\r?$")


def _frontmatter_tools(head: bytes | None) -> list[str]:
    """The tool names of the frontmatter's ``tools``: a comma or flow list on its line, or a
    block list below it (what tells a format; the parse stage reads the value itself)."""
    start = _FRONTMATTER_START.match(head or b"")
    if start is None or head is None:
        return []
    end = _FRONTMATTER_END.search(head, start.end())
    block = head[start.end() : end.start()] if end else head[start.end() :]
    line = _TOOLS_LINE.search(block)
    if line is None:
        return []
    items = [line.group(1)]
    if not line.group(1).strip():
        items = []
        for text in block[line.end() + 1 :].split(b"\n"):
            item = _LIST_ITEM.fullmatch(text)
            if item is None:
                break
            items.append(item.group(1))
    names = re.split(r"[\s,\[\]\"']+", b" ".join(items).decode("utf-8", "replace"))
    return [name for name in names if name]


def _a_document(head: bytes | None, unclosed: bool = False, *, in_agent_folder: bool = False) -> bool:
    """Whether frontmatter is a document's, not an agent's: closed within ``head`` (so all its
    keys are seen; ``unclosed``: or not) with neither a name nor a description key (a slide
    deck's title, author, theme), or one of them and no other key an agent has (a character
    sheet's name; a documentation page's title and description). Outside agent folders no
    tool reads such a file as an agent. ``in_agent_folder`` (a security.md there): a
    description alone is a broken agent's, whose missing name lint reports."""
    start = _FRONTMATTER_START.match(head or b"")
    if start is None or head is None or not (unclosed or _FRONTMATTER_END.search(head, start.end())):
        return False
    # Keys, none of them an agent's, or one of a steering file's or a rule's: a list or a
    # single value is no document's, but a broken agent's (AC116 says so).
    keys = _frontmatter_keys(head)
    if not keys:
        return False
    # Claude Code's memory files: a name and a description, and their type (no other agent key).
    end = _FRONTMATTER_END.search(head, start.end())
    if _MEMORY_TYPE.search(head, start.end(), end.start() if end else len(head)) and not (
        (AGENT_KEYS - DESCRIPTION_KEYS).intersection(keys)
    ):
        return True
    # A name and a description, or either with another key only agents have (tools, a model).
    named = (in_agent_folder or NAME_KEYS.intersection(keys)) and DESCRIPTION_KEYS.intersection(keys)
    agent = named or (IDENTITY_KEYS.intersection(keys) and (AGENT_KEYS - DESCRIPTION_KEYS).intersection(keys))
    return not agent or bool(DOCUMENT_KEYS.intersection(keys))


def _frontmatter_keys(head: bytes) -> list[str]:
    """The top-level keys of the frontmatter at the start of ``head`` (unindented ``key:``)."""
    start = _FRONTMATTER_START.match(head)
    if not start:
        return []
    end = _FRONTMATTER_END.search(head, start.end())
    block = head[start.end() : end.start()] if end else head[start.end() :]
    keys = [m.group(1).decode("ascii", "replace") for m in _KEY.finditer(block)]
    # opencode's tools are a map of true / false, which no other tool writes.
    return [*keys, "tools{}"] if _TOOLS_MAP.search(block) else keys


# The closing line as the parse stage reads it (catalog.parse.document.CLOSER), CRLF or not.
_FRONTMATTER_END = re.compile(rb"^(?:-{3,}|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_TOOLS_MAP = re.compile(rb"^tools:[ \t]*\r?\n[ \t]+[\w*-]+:[ \t]*(?:true|false)[ \t]*\r?$", re.MULTILINE)


def _starts_with_frontmatter(path: str, known: bool = True, told: tuple[Format, str | None] | None = None) -> bool:
    """Whether a Markdown file is still an agent by its first bytes, as discovery took it: it
    opens frontmatter; outside agent folders (``known`` False), the frontmatter is not a
    document's, nor, for a documentation name (security.md), anywhere; and where its content
    said the format (``told``: the format and why), it still says the same (an edit of its
    keys or tools can make it another tool's)."""
    head = _head(path)
    if head is None:
        return True  # let the parse stage report why it cannot be read
    if not _opens_frontmatter(head) or not (known or not _a_document(head)):
        return False
    if os.path.basename(path).lower() in _AGENT_OR_DOCUMENT and _a_document(head, unclosed=True, in_agent_folder=True):
        return False
    if told is None:
        return True
    content = format_from_keys(_frontmatter_keys(head), _frontmatter_tools(head))
    return (content or (DEFAULT_FORMAT, None)) == told


def _kiro_prompt_path(real: str) -> tuple[str, str] | None:
    """The ``file://`` prompt a Kiro agent's JSON names: as written, and its real path."""
    from catalog.parse.config_agents import json_value

    try:  # its strings as the parse stage reads them: a NUL in a path is no traceback
        data = json_value(json.loads(_head(real, SEVERAL_BYTES) or b""))
    except (ValueError, RecursionError):
        return None
    prompt = data.get("prompt") if isinstance(data, dict) else None
    if not isinstance(prompt, str) or not prompt.startswith("file://"):
        return None
    target = prompt.removeprefix("file://")
    path = os.path.realpath(
        os.path.join(os.path.dirname(real), os.path.expanduser(target))
        if not target.startswith("~")
        else os.path.expanduser(target)
    )
    return target, path
