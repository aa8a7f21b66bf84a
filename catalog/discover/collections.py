"""What the data says about groups: which top folder of a scanned folder is a collection (a
repository, or agents laid out as a collection's), never any folder; and which file an agent
reads as part of it names that same agent."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import replace

from catalog.discover.heads import _head
from catalog.discover.manifests import _Context
from catalog.model.dialect_of import COLLECTION_AGENT_FOLDERS, LAYOUTS
from catalog.model.dialects import DIALECTS, MODES_FILES
from catalog.types import AgentSource, Finding, Skipped

# What makes a folder a collection of its own: a repository's files, or a layout that holds agents.
_REPOSITORY_FILES = re.compile(
    r"(?i)(?:readme|license|licence|copying)(?:[.-].*)?|\.git|\.claude-plugin|\.factory-plugin|package\.json|"
    r"pyproject\.toml|" + "|".join(re.escape(d.extension_manifest) for d in DIALECTS.values() if d.extension_manifest)
)
# Where a repository keeps its agents at its top: a tool's folder of agents, a .roomodes, agents/.
_AGENTS_AT_TOP = (
    *(f"{folder}/{child}" for folder, children, _ in LAYOUTS for child in children),
    *MODES_FILES,
    ".claude-plugin",
    ".factory-plugin",
    ".github/plugin",
)


# Files that make a folder a project of agents: a plugin manifest's folder, a tool's file of
# several agents (.roomodes, opencode.json).
_PROJECT_FILES = frozenset(
    {".factory-plugin", *MODES_FILES, *(name for d in DIALECTS.values() for name in d.config_files)}
)


def _a_repository(real: str) -> bool:
    """Whether the scanned folder is one repository (version-controlled, or with its agents in a
    tool's folder or an agents folder at its top), whose own folders are no collections."""
    try:
        names = {name.lower() for name in os.listdir(real)}
    except OSError:
        return False
    return bool(names & COLLECTION_AGENT_FOLDERS) or any(
        os.path.lexists(os.path.join(real, where)) for where in (".git", *_AGENTS_AT_TOP)
    )


def _a_collection(real: str, repository: bool, layout_dirs: frozenset[str]) -> bool:
    """Whether a top folder is a collection: its agents in a collection's layout (agents/,
    categories/, a tool's folder, a plugin manifest), or, where it may be one (``repository``),
    a repository's files (README, LICENSE, .git, package.json)."""
    try:
        names = os.listdir(real)
    except OSError:
        return False
    if any(n.lower() in layout_dirs or n.lower() in _PROJECT_FILES for n in names):
        return True
    return repository and any(_REPOSITORY_FILES.fullmatch(n) for n in names)


def _names_its_owner(part: AgentSource, owner: AgentSource) -> bool:
    """Whether a Markdown file an agent reads as part of it names that agent (its frontmatter
    ``name``, else its file name, is the owner's file name): kiro-dev-team's builder-prompt.md
    says ``name: builder`` for builder.json. Only of the same tool and collection: another
    tool's agent (Claude Code's, whose file a Kiro agent reuses as its prompt), or another
    repository's, is an agent its tool loads, whatever a stranger's prompt path says."""
    if (part.format, part.collection, part.plugin) != (owner.format, owner.collection, owner.plugin):
        return False
    head = _head(str(part.path)) or b""
    found = _NAME_LINE.search(head.split(b"\n---", 1)[0])
    name = found.group(1).decode("utf-8", "replace").strip().strip("\"'") if found else part.path.stem
    # One agent of a file of several (opencode.json#reviewer) is named by its entry.
    return name == (owner.entry if owner.entry is not None else owner.path.stem.rsplit(".", 1)[0])


def _bare_parts(
    bare: Collection[tuple[str, Skipped, Finding]],
    parts: Mapping[str, AgentSource],
    skipped: list[Skipped],
    findings: list[Finding],
) -> None:
    """Take back the AC110 of each Markdown file without frontmatter that an agent reads as part
    of it (``parts``): a prompt file (a Kiro agent's ``file://``, an opencode ``{file:}``) is
    written so, and is no agent file its tool ignores; jianquan008/chatbot's eight Kiro agents
    each failed lint for their own prompt file."""
    for real, skip, finding in bare:
        if real in parts:
            skipped.remove(skip)
            findings.remove(finding)
            owner = parts[real].display_path
            skipped.append(Skipped(skip.rel_path, f"read as part of {owner}, not as an agent of its own"))


_NAME_LINE = re.compile(rb"^name[ \t]*:[ \t]*([^\r\n#]+)", re.MULTILINE)


def _project(ctx: _Context, rel: str, folders: dict[str, set[str]], prefix: str) -> _Context:
    """The context of a file of several agents below the top (.roomodes, opencode.json): another
    project's, a collection named by its folder (noted in ``folders``, after the scanned
    folder's ``prefix``), as a tool folder there is."""
    parts = rel.split("/")
    if len(parts) < 3 or ctx.collection is not None or ctx.plugin is not None or ctx.in_agent_dir:
        return ctx
    folders.setdefault(parts[-2], set()).add(prefix + "/".join(parts[:-1]))
    return replace(ctx, collection=parts[-2])


def _distinct_collections(sources: list[AgentSource], folders: Mapping[str, set[str]]) -> list[AgentSource]:
    """Sources whose collection is named by a folder that another folder of the same name names
    too (two projects ``web/app`` and ``api/app``, or two scanned folders' ``app``): each
    collection then named by the end of its folder's path that no other has (``folders``: as
    display paths show them), instead of one collection of both."""
    names = {f: name for found in folders.values() if len(found) > 1 for f, name in _distinct_names(found).items()}
    if not names:
        return sources
    out = []
    for source in sources:
        # The nearest folder above the file that names a collection so (a project in a project).
        parent = source.display_path if source.entry is None else source.display_path[: -len(source.entry) - 1]
        while "/" in parent and (parent := parent.rpartition("/")[0]) not in names:
            pass
        if parent in names and source.collection == parent.rpartition("/")[2]:
            source = replace(source, collection=names[parent])
        out.append(source)
    return out


def _distinct_names(folders: Collection[str]) -> dict[str, str]:
    """Each folder (of one name) -> the fewest last parts of its path that end no other one:
    ``web/app`` for ``repo/web/app`` beside ``repo/api/app``; the whole path at worst."""
    names: dict[str, str] = {}
    deepest = max(folder.count("/") for folder in folders) + 1
    for count in range(2, deepest + 1):
        tails = {folder: "/".join(folder.split("/")[-count:]) for folder in folders if folder not in names}
        seen = Counter("/".join(folder.split("/")[-count:]) for folder in folders)
        names |= {folder: tail for folder, tail in tails.items() if seen[tail] == 1}
    return {folder: names.get(folder, folder) for folder in folders}
