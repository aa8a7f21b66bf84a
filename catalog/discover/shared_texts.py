"""Text several agents read from one file: a prompt file that Kiro agents (``file://``) or the
agents of an ``opencode.json`` (``{file:...}``) name, Roo Code rules that modes' rules folders
link to. Each agent's page shows it whole, so a file of 2 MB that 200 definitions of 80 bytes
name made 400 MB of pages (and a run that held them all ran out of memory). The first agent
that names a file reads it; the others, until the copies would pass ``SHARED_TEXT_BYTES``
for the catalog; past that, an agent does not read it (AC119 says so). Discovery decides, in
its sorted order: the same files give the same pages.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from dataclasses import replace

from catalog.model.dialects import DIALECTS
from catalog.types import AgentSource, Finding

# As much as the rules of one .roomodes may hold (``name_rules.MAX_RULES_BYTES_PER_FILE``).
SHARED_TEXT_BYTES = 16 * 1024 * 1024


def bounded_shared_texts(
    sources: Sequence[AgentSource], own: Collection[tuple[str, str]] = ()
) -> tuple[list[AgentSource], list[Finding]]:
    """``sources`` with the files they read as part of them, within the catalog's budget of
    copies; and a finding for each file an agent does not read past it. A file that is an
    agent's own part (``own``: its display path and the file, an agent file naming it) is read by
    it free, as a first reader."""
    read: set[object] = set()  # each file read, by its inode: a hard link is the same text
    room = SHARED_TEXT_BYTES
    bounded: list[AgentSource] = []
    findings: list[Finding] = []
    for source in sources:
        if not DIALECTS[source.format].companions_shown:  # Codex's config.toml: read for a description
            bounded.append(source)
            continue
        kept: list[str] = []
        for path in source.companions:
            size, identity = _size_and_identity(path)
            if identity not in read or (source.display_path, path) in own:
                read.add(identity)
            elif size <= room:
                room -= size
            else:
                name = os.path.basename(path)
                message = (
                    f"{name} not read: other agents read it too, and the copies of text agents share "
                    f"would be over {SHARED_TEXT_BYTES:,} bytes"
                )
                findings.append(Finding(source.display_path, 1, 1, "AC119", "warning", message))
                continue
            kept.append(path)
        bounded.append(source if len(kept) == len(source.companions) else replace(source, companions=tuple(kept)))
    return bounded, findings


def _size_and_identity(path: str) -> tuple[int, object]:
    try:
        found = os.stat(path)
    except OSError:
        return 0, path  # reading it says why
    return found.st_size, (found.st_dev, found.st_ino)
