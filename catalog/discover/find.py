"""Stage 1: find the agent files under the given paths, in every layout people use.

The walk is sorted by name (the same on every OS), never follows a symlink out of the
scanned root, never enters a loop, and only yields regular files. Manifests met on the way
(a Claude plugin marketplace, a plugin's ``plugin.json``, opencode category JSON) say which
collection, plugin and category an agent belongs to (``catalog.discover.manifests`` reads them);
``catalog.discover.agent_files`` says which files are agents, and of which format.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath

from catalog.discover.agent_files import _AgentFiles
from catalog.discover.collections import (
    _a_collection,
    _a_repository,
    _bare_parts,
    _distinct_collections,
    _names_its_owner,
)
from catalog.discover.heads import _maybe_agent
from catalog.discover.manifests import _Context, _NameLines, _within
from catalog.discover.name_rules import _RULE_FILES, _RULES_DIRS
from catalog.discover.shared_texts import bounded_shared_texts
from catalog.layout import MANIFEST
from catalog.model.dialect_of import (
    AGENT_FOLDERS,
    COLLECTION_AGENT_FOLDERS,
    FLAT_FOLDERS,
    LAYOUTS,
    TOOL_AGENT_FOLDERS,
    TOOL_FOLDERS,
    format_and_certainty,
)
from catalog.model.dialects import DIALECTS, MODES_FILES
from catalog.types import AgentSource, Discovery, Finding, Format, Skipped

_SKIP_DIRS = frozenset(
    ".git .hg .svn node_modules __pycache__ .venv venv .tox .nox .mypy_cache .pytest_cache .ruff_cache .cache".split()
)
_NOT_AGENT_DIRS = frozenset({"docs", "doc", "commands", "skills", "prompts", "instructions", "rules"})
_HIDDEN_AGENT_DIRS = TOOL_FOLDERS | {".claude-plugin"}
# Folders of a tool's own folder that hold no agents, though their Markdown has frontmatter:
# rules, issue templates, steering, hooks, output styles (one line per tool folder).
_NOT_AGENT_DIRS_OF = {
    ".claude": frozenset({"rules", "hooks", "output-styles", "plans", "memory"}),
    ".github": frozenset({"issue_template", "pull_request_template", "workflows", "discussion_template", "hooks"}),
    ".cursor": frozenset({"rules", "plans"}),
    ".gemini": frozenset({"extensions", "policies"}),
    ".kiro": frozenset({"steering", "specs", "hooks", "settings"}),
    ".qwen": frozenset({"plans"}),
    ".factory": frozenset({"hooks"}),
    ".opencode": frozenset({"command", "plugin", "plugins", "tool", "tools", "themes"}),
}
# The folders of a tool's folder it reads agents from (.claude/agents/, .github/chatmodes/, ...).
_AGENT_DIRS_OF: dict[str, tuple[str, ...]] = {}
for _folder, _children, _ in LAYOUTS:
    _AGENT_DIRS_OF[_folder] = (*_AGENT_DIRS_OF.get(_folder, ()), *_children)
_EXTENSION_MANIFESTS = tuple((d.extension_manifest, d.format) for d in DIALECTS.values() if d.extension_manifest)
# Folders of an agents layout, never a collection's own name: the dialect table's (dialect_of).
# Files of agents wherever they are: Roo Code's modes, opencode's configuration.
_AGENT_FILE_NAMES = frozenset({*MODES_FILES, *(name for d in DIALECTS.values() for name in d.config_files)})
_LAYOUT_DIRS = COLLECTION_AGENT_FOLDERS | TOOL_AGENT_FOLDERS | {"plugins"} | _HIDDEN_AGENT_DIRS
# The agents folders a tool reads flat (Dialect.install_dir_flat), by (tool folder, folder) or
# (None, a folder name only that tool gives its agents) -> the tool's label.
_NUMBERED_CATEGORY = re.compile(r"\d+[-_](.+)")
# A plugin marketplace and a plugin's manifest: Claude Code's, awesome-copilot's, Factory's
# (docs.factory.ai, Building Plugins: .factory-plugin/plugin.json beside droids/).
_MARKETPLACES = (
    ".claude-plugin/marketplace.json",
    ".github/plugin/marketplace.json",
    ".factory-plugin/marketplace.json",
)
_PLUGIN_MANIFESTS = (".claude-plugin/plugin.json", ".factory-plugin/plugin.json")


def find_agent_files(paths: Sequence[str], exclude: Iterable[Path] = ()) -> Discovery:
    """Every agent file under ``paths`` (files or folders), sorted, with what was skipped."""
    walker = _Walker({os.path.realpath(p) for p in exclude})
    for given in paths:
        walker.scan_root(given)
    # A file an agent reads as part of it (a Kiro agent's prompt file) that names the same agent
    # is no agent of its own: it would be the same agent twice. One that names another agent
    # keeps its page (a stranger's prompt path cannot take it away).
    parts = {companion: source for source in walker.sources for companion in source.companions}
    owned = [s for s in walker.sources if str(s.path) in parts and _names_its_owner(s, parts[str(s.path)])]
    for source in owned:
        walker.sources.remove(source)
        owner = parts[str(source.path)].display_path
        walker.skipped.append(Skipped(source.rel_path, f"read as part of {owner}, not as an agent of its own"))
    _bare_parts(walker.bare, parts, walker.skipped, walker.findings)
    walker.sources[:] = _distinct_collections(walker.sources, walker.project_folders)
    # An owner reads its part whatever the budget: it is its text, on no page of its own.
    own = {(parts[str(s.path)].display_path, str(s.path)) for s in owned}
    walker.sources[:], unread = bounded_shared_texts(walker.sources, own)
    walker.findings.extend(unread)
    return Discovery(
        tuple(walker.sources),
        tuple(walker.skipped),
        tuple(walker.findings),
        tuple(walker.folders),
        tuple(walker.manifests),
        tuple(walker.passed_over),
        walker.listings,
        tuple(walker.notes),
    )


def _names_agents(name: str, rel: str, ctx: _Context) -> bool:
    """Whether an entry's name says it is or holds agents: an agent file (.md, .roomodes,
    opencode.json, .kiro/agents/x.json), a layout folder (agents/, .claude/, droids/, ...), or a
    subfolder of an agents folder (agents/design). Manifests report themselves (AC130, AC132)."""
    lowered = name.lower()
    if lowered.endswith(".md") or lowered in _AGENT_FILE_NAMES or lowered in _LAYOUT_DIRS:
        return True
    return ctx.in_agent_dir and ("." not in name or (_maybe_agent(name) and format_and_certainty(rel)[1]))


class _Walker(_AgentFiles):
    def __init__(self, exclude: set[str]) -> None:
        self.exclude = exclude
        self.sources: list[AgentSource] = []
        self.skipped: list[Skipped] = []
        self.findings: list[Finding] = []
        self.seen: set[str] = set()
        self.root = self.prefix = ""
        self.name_lines = _NameLines()  # where manifests write the names they give groups
        self.folders: list[str] = []  # every folder walked: its mtime changes when entries come and go
        self.manifests: list[str] = []  # every manifest read
        self.listings: dict[str, tuple[tuple[str, ...], ...]] = {}
        self.passed_over: list[str] = []
        self.notes: list[Skipped] = []
        self.plain: dict[str, list[tuple[str, str]]] = {}  # folder -> its Markdown without frontmatter
        self.bare: list[tuple[str, Skipped, Finding]] = []  # each AC110 by real path (no_frontmatter)
        self.rule_folders: dict[tuple[str, str, Format], tuple[str, ...]] = {}
        self.repositories_below = True  # whether the scanned folder's own folders may be repositories
        # A collection named by a folder -> the folders that name one so (as display paths show
        # them: with the scanned folder's name when several are scanned).
        self.project_folders: dict[str, set[str]] = {}

    def scan_root(self, given: str) -> None:
        real = os.path.realpath(given)
        shown = readable_name(given)
        prefix = "" if os.path.normpath(given) == "." else PurePosixPath(Path(shown).as_posix()).as_posix() + "/"
        if os.path.isfile(real):
            self.root, self.prefix = os.path.dirname(real), prefix.rstrip("/")
            name = readable_name(os.path.basename(given))
            self.add_file(real, name, name, _Context(), explicit=True)
            return
        if os.path.exists(real) and not os.path.isdir(real):
            # A FIFO, socket or device named on the command line: never opened (a FIFO would block).
            message = "not a regular file (a FIFO, socket or device); not read"
            self.findings.append(Finding(shown, 1, 1, "AC101", "error", message))
            return
        if not os.path.isdir(real):
            self.findings.append(Finding(shown, 1, 1, "AC100", "error", "no such file or folder"))
            return
        self.root, self.prefix = real, prefix
        # A repository's own folders (src/, examples/) are no collections, README or not; in a
        # folder of repositories, each one is.
        self.repositories_below = not _a_repository(real)
        self.walk(real, "", self.enter(real, "", _Context()), {real})

    def enter(self, real: str, rel: str, ctx: _Context) -> _Context:
        """Read the manifests a folder holds and return the context for what is below it."""
        name = readable_name(os.path.basename(real))
        marketplace = None
        for where in _MARKETPLACES:
            marketplace = self.read_json(real, where, rel)
            if marketplace:
                break
        if marketplace and isinstance(marketplace.get("name"), str):
            with self.guard(rel, where):  # whatever the entries hold, they cost only this manifest
                title, plugins = (
                    self.group_name(marketplace["name"], rel, where),
                    self.plugins(real, rel, where, marketplace),
                )
                ctx = replace(ctx, collection=title, marketplace=title, plugins=plugins)
                ctx = replace(ctx, groups=self.groupings(real, rel, marketplace))
        elif (
            rel
            and "/" not in rel
            and name.lower() not in _LAYOUT_DIRS
            and ctx.collection is None
            and not ctx.in_agent_dir
            and _a_collection(real, self.repositories_below, _LAYOUT_DIRS)
        ):
            # A top folder is a collection when its agents are laid out as a collection's (or,
            # in a folder of repositories, it is one), unless the scanned folder is itself an
            # agents folder: then its subfolders are categories.
            ctx = replace(ctx, collection=name)
            self.project_folders.setdefault(name, set()).add(self.prefix + rel)
        plugin_json, where = None, _PLUGIN_MANIFESTS[0]
        for where in _PLUGIN_MANIFESTS:
            plugin_json = self.read_json(real, where, rel)
            if plugin_json is not None:
                break
        listed_name, listed_category = ctx.plugins.get(real, (None, None))
        if plugin_json is not None or listed_name:
            with self.guard(rel, where):
                agents = (plugin_json or {}).get("agents")
                if isinstance(agents, str):  # Claude Code allows one path as well as a list
                    agents = [agents]
                files = None
                if isinstance(agents, list):
                    files = frozenset(os.path.realpath(os.path.join(real, a)) for a in agents if isinstance(a, str))
                plugin_name = (plugin_json or {}).get("name") or listed_name
                ctx = replace(
                    ctx,
                    plugin=self.group_name(plugin_name, rel, where) if plugin_name else name,
                    plugin_files=files,
                    category=listed_category or ctx.category,
                )
        for manifest, extended in _EXTENSION_MANIFESTS:
            if os.path.isfile(os.path.join(real, manifest)):
                # An extension (Gemini CLI's): its agents/ folder holds agents of its format.
                self.manifests.append(os.path.join(real, manifest))
                ctx = replace(ctx, format=extended)
        if name.lower() in _HIDDEN_AGENT_DIRS:  # below the top, another project's (a test fixture's) group
            nested = "/" in rel and ctx.collection is None and ctx.plugin is None and not ctx.in_agent_dir
            within = readable_name(os.path.basename(os.path.dirname(real))) if nested else ctx.collection
            if nested and within is not None:
                self.project_folders.setdefault(within, set()).add(self.prefix + rel.rsplit("/", 1)[0])
            ctx = replace(ctx, tool_dir=name.lower(), collection=within)
        parent = os.path.basename(os.path.dirname(real)).lower()
        numbered = _NUMBERED_CATEGORY.fullmatch(name)
        if parent == "categories" and numbered:
            ctx = replace(ctx, category=numbered.group(1), in_agent_dir=True)
        lowered, own = name.lower(), _AGENT_DIRS_OF.get(parent, ())  # a tool folder's: .opencode/mode/, ...
        if lowered in ("agents", "chatmodes") or lowered in own or lowered in AGENT_FOLDERS:
            ctx = replace(ctx, in_agent_dir=True)
        if not rel and lowered in ("agents", "agent", "chatmodes", "subagents"):
            ctx = replace(ctx, in_agent_dir=True)  # the scanned folder is itself an agents folder
        elif ctx.in_agent_dir and parent != "categories" and lowered not in {*_LAYOUT_DIRS, *own}:
            # In a tool's own folder, that tool's agents folders only (droids/ in .claude/agents/ is Claude Code's).
            flat = FLAT_FOLDERS.get((ctx.tool_dir, parent)) if ctx.tool_dir else FLAT_FOLDERS.get((None, parent))
            if flat is not None and ctx.unread_by is None:
                ctx = replace(ctx, unread_by=flat)  # an agent here is one its tool never loads (AC207)
            category_json = self.category_json(real, rel)
            ctx = replace(ctx, category=category_json or (ctx.category if ctx.category else name))
        return ctx

    def walk(self, real: str, rel: str, ctx: _Context, active: set[str]) -> None:
        self.folders.append(real)
        try:
            entries = sorted(os.scandir(real), key=lambda e: e.name)
        except OSError as exc:
            self.problem(rel or ".", "AC131", "error", f"cannot read folder: {exc.strerror or exc}")
            return
        self.listings[real] = _entries_that_count(entries)
        if rel and any(entry.name == MANIFEST and entry.is_file(follow_symlinks=False) for entry in entries):
            # Pages agent-catalog wrote (another docs folder than this run's, which is excluded):
            # their frontmatter has a description, and they would come back as agents.
            self.skipped.append(Skipped(rel, "a docs folder agent-catalog generated (it holds its manifest)"))
            return
        before = len(self.sources)
        self.plain[real] = []
        for entry in entries:
            child_rel = f"{rel}{readable_name(entry.name)}"
            try:
                self.visit(entry, child_rel, ctx, active)
            except OSError as exc:
                self.problem(child_rel, "AC131", "error", f"cannot read: {exc.strerror or exc}")
        # Markdown without frontmatter beside Markdown agents: its tool ignores it, and says
        # nothing. Beside a .roomodes, a Codex TOML or a Kiro JSON it is documentation: those
        # tools read no Markdown as an agent.
        beside_agents = any(
            os.path.dirname(str(s.path)) == real and s.path.name.lower().endswith(".md") for s in self.sources[before:]
        )
        for child_rel, child_real in self.plain.pop(real):
            if beside_agents:
                self.no_frontmatter(child_rel, child_real)
            else:
                self.skipped.append(Skipped(child_rel, "no frontmatter, and not in an agent folder"))

    def visit(self, entry: os.DirEntry[str], rel: str, ctx: _Context, active: set[str]) -> None:
        # The folder being walked is a real path, so only a symlink needs resolving: this
        # keeps the walk to one system call per entry on a large catalog.
        if entry.is_symlink():
            real = os.path.realpath(entry.path)
            # A folder, or what its name says holds agents: one that leads nowhere (a dangling
            # .claude/agents, .qwen/agents, .roomodes) leaves its tool with no agent either.
            relevant = _names_agents(entry.name, rel, ctx) or os.path.isdir(real)
            if not os.path.exists(real):
                if relevant:
                    self.problem(rel, "AC132", "warning", "dangling or looping symlink; not followed")
                return
            if not _within(real, self.root):
                if relevant:
                    self.problem(rel, "AC132", "warning", "symlink leads outside the scanned folder; not followed")
                return
            mode = os.stat(real).st_mode
            is_dir, is_file = stat.S_ISDIR(mode), stat.S_ISREG(mode)
        else:
            real = entry.path
            is_dir = entry.is_dir(follow_symlinks=False)
            is_file = not is_dir and entry.is_file(follow_symlinks=False)
        if real in self.exclude:
            self.skipped.append(Skipped(rel, "output folder of this tool"))
            return
        if is_dir:
            reason = self.dir_skip_reason(entry.name, ctx, os.path.basename(os.path.dirname(entry.path)))
            if reason:
                self.skipped.append(Skipped(rel + "/", reason))
            elif real in active:
                self.problem(rel + "/", "AC132", "warning", "symlink loop; not followed")
            else:
                self.check_name(entry.name, rel + "/")
                self.walk(real, rel + "/", self.enter(real, rel, ctx), active | {real})
        elif not _maybe_agent(entry.name):
            return
        elif not is_file:
            # A JSON or TOML file is an agent only where its path says so (.kiro/agents/, ...);
            # elsewhere it may be a manifest, which the manifest reader reports itself.
            posix = real if os.sep == "/" else Path(real).as_posix()
            if entry.name.lower().endswith((".md", *MODES_FILES)) or format_and_certainty(posix, rel)[1]:
                self.problem(rel, "AC101", "error", "not a regular file (a FIFO, socket or device); not read")
        else:
            self.check_name(entry.name, rel)
            self.add_file(real, readable_name(entry.name), rel, ctx, explicit=False)

    def check_name(self, name: str, rel: str) -> None:
        """A name whose bytes (not the locale's text) are not UTF-8 is read, shown as ``\\xNN``, reported."""
        try:
            os.fsencode(name).decode("utf-8")
        except UnicodeDecodeError:
            message = "name is not valid UTF-8: shown with \\x escapes; give it a UTF-8 name"
            self.findings.append(Finding(f"{self.prefix}{rel}", 1, 1, "AC133", "warning", message))

    @staticmethod
    def dir_skip_reason(name: str, ctx: _Context, parent: str = "") -> str | None:
        lowered = name.lower()
        if ctx.tool_dir and lowered in _NOT_AGENT_DIRS_OF.get(ctx.tool_dir, ()):
            return f"{ctx.tool_dir}/{name} holds no agents"
        if lowered in _SKIP_DIRS:
            return "tool or version-control folder"
        if lowered in _NOT_AGENT_DIRS:
            return f"a {lowered} folder holds no agents"
        if parent.lower() == ctx.tool_dir and lowered not in _AGENT_DIRS_OF.get(ctx.tool_dir, (lowered,)):
            # A tool reads agents from its agents folder only: its templates/, scripts/, specs/
            # hold its other files, whatever frontmatter they have.
            read = ", ".join(f"{ctx.tool_dir}/{child}/" for child in _AGENT_DIRS_OF[ctx.tool_dir])
            return f"{ctx.tool_dir}/{name} holds no agents (its agents are in {read})"
        if lowered in _RULES_DIRS and lowered not in _HIDDEN_AGENT_DIRS:  # .kilocode holds agents too
            return f"{_RULES_DIRS[lowered]} rules: read with the agents of the file that names them"
        if name.startswith(".") and lowered not in _HIDDEN_AGENT_DIRS:
            return "hidden folder"
        return None


def readable_name(name: str) -> str:
    """A file name as text that is valid UTF-8: bytes that are not (which Python keeps as lone
    surrogates) written as ``\\xNN``. A name that is UTF-8 is returned as it is."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    return name


def entries_of(folder: str) -> tuple[tuple[str, ...], ...] | None:
    """What in ``folder`` can change what discovery finds there: its Markdown and JSON files,
    folders and symlinks (with where they lead), not an editor's backup or swap files. A
    folder whose entries are these same ones needs no new walk after its mtime changed (an
    editor that saves by renaming a new file over the old one changes it)."""
    try:
        return _entries_that_count(sorted(os.scandir(folder), key=lambda e: e.name))
    except OSError:
        return None


def _entries_that_count(entries: Iterable[os.DirEntry[str]]) -> tuple[tuple[str, ...], ...]:
    counted: list[tuple[str, ...]] = []
    for entry in entries:
        if entry.is_symlink():
            try:
                counted.append((entry.name, "->", os.readlink(entry.path)))
            except OSError:
                counted.append((entry.name, "->"))
        elif entry.is_dir(follow_symlinks=False):
            counted.append((entry.name, "/"))
        elif _maybe_agent(entry.name) or entry.name.startswith(_RULE_FILES):
            counted.append((entry.name,))
    return tuple(counted)
