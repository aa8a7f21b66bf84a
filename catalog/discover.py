"""Stage 1: find the agent files under the given paths, in every layout people use.

The walk is sorted by name (the same on every OS), never follows a symlink out of the
scanned root, never enters a loop, and only yields regular files. Manifests met on the way
(a Claude plugin marketplace, a plugin's ``plugin.json``, opencode category JSON) say which
collection, plugin and category an agent belongs to.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from catalog.dialects import format_for_path
from catalog.types import AgentSource, Finding, Format, Severity, Skipped

_SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".cache",
    }
)
_NOT_AGENT_DIRS = frozenset({"docs", "doc", "commands", "skills", "prompts", "instructions"})
_HIDDEN_AGENT_DIRS = frozenset({".claude", ".github", ".opencode", ".gemini", ".claude-plugin"})
_NOT_AGENT_FILES = frozenset(
    {
        "readme.md",
        "contributing.md",
        "changelog.md",
        "license.md",
        "code_of_conduct.md",
        "security.md",
        "agents.md",
        "claude.md",
        "gemini.md",
        "skill.md",
        "support.md",
        "copilot-instructions.md",
    }
)
_NOT_AGENT_SUFFIXES = (".prompt.md", ".instructions.md", ".collection.md")
_LAYOUT_DIRS = frozenset(
    {"agents", "agent", "subagents", "chatmodes", "categories", "plugins", ".claude", ".github", ".opencode", ".gemini"}
)
_NUMBERED_CATEGORY = re.compile(r"\d+[-_](.+)")
_FRONTMATTER_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*---[ \t]*\r?\n")


@dataclass(frozen=True, slots=True)
class Discovery:
    sources: tuple[AgentSource, ...]
    skipped: tuple[Skipped, ...]
    findings: tuple[Finding, ...]
    folders: tuple[str, ...] = ()  # real paths of every folder walked
    manifests: tuple[str, ...] = ()  # every manifest file read
    # Markdown files read and passed over for want of frontmatter: an edit can make one an agent.
    passed_over: tuple[str, ...] = ()
    # Each folder walked -> the entries that decided what was found there (``entries_of``).
    listings: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Context:
    collection: str | None = None
    marketplace: str | None = None
    plugins: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # real root -> name, category
    plugin: str | None = None
    plugin_files: frozenset[str] | None = None  # real paths a plugin.json lists, when it lists any
    category: str | None = None
    in_agent_dir: bool = False
    groups: Mapping[str, str] = field(default_factory=dict)  # real agent path -> category a manifest gives


def find_agent_files(paths: Sequence[str], exclude: Iterable[Path] = ()) -> Discovery:
    """Every agent file under ``paths`` (files or folders), sorted, with what was skipped."""
    walker = _Walker({os.path.realpath(p) for p in exclude})
    for given in paths:
        walker.scan_root(given)
    return Discovery(
        tuple(walker.sources),
        tuple(walker.skipped),
        tuple(walker.findings),
        tuple(walker.folders),
        tuple(walker.manifests),
        tuple(walker.passed_over),
        walker.listings,
    )


class _Walker:
    def __init__(self, exclude: set[str]) -> None:
        self.exclude = exclude
        self.sources: list[AgentSource] = []
        self.skipped: list[Skipped] = []
        self.findings: list[Finding] = []
        self.seen: set[str] = set()
        self.root = ""
        self.prefix = ""
        self.folders: list[str] = []  # every folder walked: its mtime changes when entries come and go
        self.manifests: list[str] = []  # every manifest read
        self.listings: dict[str, tuple[tuple[str, ...], ...]] = {}
        self.passed_over: list[str] = []

    def scan_root(self, given: str) -> None:
        real = os.path.realpath(given)
        prefix = "" if os.path.normpath(given) == "." else PurePosixPath(Path(given).as_posix()).as_posix() + "/"
        if os.path.isfile(real):
            self.root, self.prefix = os.path.dirname(real), prefix.rstrip("/")
            self.add_file(real, os.path.basename(given), os.path.basename(given), _Context(), explicit=True)
            return
        if os.path.exists(real) and not os.path.isdir(real):
            # A FIFO, socket or device named on the command line: never opened (a FIFO would block).
            message = "not a regular file (a FIFO, socket or device); not read"
            self.findings.append(Finding(given, 1, 1, "AC101", "error", message))
            return
        if not os.path.isdir(real):
            self.findings.append(Finding(given, 1, 1, "AC100", "error", "no such file or folder"))
            return
        self.root, self.prefix = real, prefix
        self.walk(real, "", self.enter(real, "", _Context()), {real})

    def enter(self, real: str, rel: str, ctx: _Context) -> _Context:
        """Read the manifests a folder holds and return the context for what is below it."""
        name = os.path.basename(real)
        marketplace = self.read_json(real, ".claude-plugin/marketplace.json", rel) or self.read_json(
            real, ".github/plugin/marketplace.json", rel
        )
        if marketplace and isinstance(marketplace.get("name"), str):
            plugins: dict[str, tuple[str, str | None]] = {}
            for entry in marketplace.get("plugins") or []:
                if isinstance(entry, dict) and isinstance(entry.get("source"), str) and entry.get("name"):
                    root = os.path.realpath(os.path.join(real, entry["source"]))
                    category = entry.get("category") if isinstance(entry.get("category"), str) else None
                    plugins[root] = (str(entry["name"]), category)
            ctx = replace(ctx, collection=marketplace["name"], marketplace=marketplace["name"], plugins=plugins)
            ctx = replace(ctx, groups=self.groupings(real, rel, marketplace))
        elif (
            rel
            and "/" not in rel
            and name.lower() not in _LAYOUT_DIRS
            and ctx.collection is None
            and not ctx.in_agent_dir
        ):
            # A top folder is a collection, unless the scanned folder is itself an agents
            # folder: then its subfolders are categories.
            ctx = replace(ctx, collection=name)
        plugin_json = self.read_json(real, ".claude-plugin/plugin.json", rel)
        listed_name, listed_category = ctx.plugins.get(real, (None, None))
        if plugin_json is not None or listed_name:
            agents = (plugin_json or {}).get("agents")
            if isinstance(agents, str):  # Claude Code allows one path as well as a list
                agents = [agents]
            files = None
            if isinstance(agents, list):
                files = frozenset(os.path.realpath(os.path.join(real, a)) for a in agents if isinstance(a, str))
            plugin_name = (plugin_json or {}).get("name") or listed_name
            ctx = replace(
                ctx,
                plugin=str(plugin_name) if plugin_name else name,
                plugin_files=files,
                category=listed_category or ctx.category,
            )
        parent = os.path.basename(os.path.dirname(real)).lower()
        numbered = _NUMBERED_CATEGORY.fullmatch(name)
        if parent == "categories" and numbered:
            ctx = replace(ctx, category=numbered.group(1), in_agent_dir=True)
        lowered = name.lower()
        if lowered in ("agents", "chatmodes") or (parent == ".opencode" and lowered == "agent"):
            ctx = replace(ctx, in_agent_dir=True)
        if not rel and lowered in ("agents", "agent", "chatmodes", "subagents"):
            ctx = replace(ctx, in_agent_dir=True)  # the scanned folder is itself an agents folder
        elif ctx.in_agent_dir and parent != "categories" and lowered not in _LAYOUT_DIRS:
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
        for entry in entries:
            child_rel = f"{rel}{entry.name}"
            try:
                self.visit(entry, child_rel, ctx, active)
            except OSError as exc:
                self.problem(child_rel, "AC131", "error", f"cannot read: {exc.strerror or exc}")

    def visit(self, entry: os.DirEntry[str], rel: str, ctx: _Context, active: set[str]) -> None:
        # The folder being walked is a real path, so only a symlink needs resolving: this
        # keeps the walk to one system call per entry on a large catalog.
        if entry.is_symlink():
            real = os.path.realpath(entry.path)
            relevant = entry.name.lower().endswith(".md") or os.path.isdir(real)
            if not os.path.exists(real):
                if relevant or entry.name.lower().endswith(".md"):
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
            reason = self.dir_skip_reason(entry.name)
            if reason:
                self.skipped.append(Skipped(rel + "/", reason))
            elif real in active:
                self.problem(rel + "/", "AC132", "warning", "symlink loop; not followed")
            else:
                self.walk(real, rel + "/", self.enter(real, rel, ctx), active | {real})
        elif not entry.name.lower().endswith(".md"):
            return
        elif not is_file:
            self.problem(rel, "AC101", "error", "not a regular file (a FIFO, socket or device); not read")
        else:
            self.add_file(real, entry.name, rel, ctx, explicit=False)

    @staticmethod
    def dir_skip_reason(name: str) -> str | None:
        lowered = name.lower()
        if lowered in _SKIP_DIRS:
            return "tool or version-control folder"
        if lowered in _NOT_AGENT_DIRS:
            return f"a {lowered} folder holds no agents"
        if name.startswith(".") and lowered not in _HIDDEN_AGENT_DIRS:
            return "hidden folder"
        return None

    def add_file(self, real: str, name: str, rel: str, ctx: _Context, explicit: bool) -> None:
        lowered = name.lower()
        if lowered in _NOT_AGENT_FILES:
            self.skipped.append(Skipped(rel, f"{name} is documentation, not an agent"))
            return
        if lowered.endswith(_NOT_AGENT_SUFFIXES):
            self.skipped.append(Skipped(rel, "a Copilot prompt or instructions file, not an agent"))
            return
        if real in self.seen:
            self.skipped.append(Skipped(rel, "same file as one already found (symlink)"))
            return
        fmt = format_for_path(real if os.sep == "/" else Path(real).as_posix())
        # A plugin.json "agents" entry names a file or a folder of agent files ("./agents").
        listed = ctx.plugin_files is not None and any(_within(real, entry) for entry in ctx.plugin_files)
        known = explicit or ctx.in_agent_dir or listed or fmt is not Format.CLAUDE_CODE
        if not known and not _starts_with_frontmatter(real):
            self.skipped.append(Skipped(rel, "no frontmatter, and not in an agent folder"))
            self.passed_over.append(real)
            return
        self.seen.add(real)
        in_plugin = ctx.plugin is not None and (ctx.plugin_files is None or listed)
        self.sources.append(
            AgentSource(
                path=Path(real),
                rel_path=rel,
                display_path=self.prefix if explicit else f"{self.prefix}{rel}",
                format=fmt,
                collection=ctx.collection,
                marketplace=ctx.marketplace if in_plugin else None,
                plugin=ctx.plugin if in_plugin else None,
                category=ctx.category or ctx.groups.get(real),
                explicit=explicit or ctx.in_agent_dir or listed,
            )
        )

    def problem(self, rel: str, code: str, severity: Severity, message: str) -> None:
        """Something a user should see: skipped with a reason, and a finding."""
        self.skipped.append(Skipped(rel, message))
        self.findings.append(Finding(f"{self.prefix}{rel}", 1, 1, code, severity, message))

    def read_json(self, folder: str, name: str, rel: str) -> dict[str, Any] | None:
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            return None
        self.manifests.append(path)
        # At the scanned root (prefix and rel both empty) there is no folder part to join.
        shown = "/".join(part for part in (self.prefix.rstrip("/"), rel, name) if part)
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as exc:
            line = getattr(exc, "lineno", 1)
            self.findings.append(Finding(shown, line, 1, "AC130", "warning", f"manifest not read: {exc}"))
            return None
        return data if isinstance(data, dict) else None

    def groupings(self, root: str, rel: str, marketplace: Mapping[str, Any]) -> dict[str, str]:
        """Agent files a marketplace's plugins list (in their own folders or, as awesome-copilot
        ships them, relative to the marketplace's folder), and those the collection manifests
        beside it list (``collections/*.collection.yml``), by real path -> the category they
        give: the plugin's category or name, the collection's id. The smallest group that lists
        a file names it (ties: by name)."""
        groups: list[tuple[int, str, list[str]]] = []  # (size, category, the paths it lists, as they may be read)
        for entry in marketplace.get("plugins") or []:
            if not (isinstance(entry, dict) and isinstance(entry.get("source"), str) and entry.get("name")):
                continue
            folder = os.path.realpath(os.path.join(root, entry["source"]))
            if not _within(folder, root):
                continue
            manifest = self.read_json(folder, "plugin.json", f"{rel}/{entry['source']}" if rel else entry["source"])
            listed: Any = (manifest or {}).get("agents")
            extensions = (manifest or {}).get("extensions")
            for extension in extensions.values() if isinstance(extensions, dict) else ():
                if listed is None and isinstance(extension, dict):
                    listed = extension.get("agents")
            named = [p for p in listed if isinstance(p, str)] if isinstance(listed, list) else []
            category = entry["category"] if isinstance(entry.get("category"), str) else str(entry["name"])
            paths = [where for p in named for where in (os.path.join(folder, p), os.path.join(root, p))]
            groups.append((len(named), category, paths))
        collections = os.path.join(root, "collections")
        names = sorted(os.listdir(collections)) if os.path.isdir(collections) else []
        for name in (n for n in names if n.endswith(".collection.yml")):
            loaded = self.read_yaml(os.path.join(collections, name))
            items = loaded.get("items")
            paths = [
                os.path.join(root, i["path"])
                for i in (items[:10_000] if isinstance(items, list) else [])
                if isinstance(i, dict) and isinstance(i.get("path"), str)
            ]
            category = loaded["id"] if isinstance(loaded.get("id"), str) else name[: -len(".collection.yml")]
            groups.append((len(paths), category, paths))
        found: dict[str, str] = {}
        for _, category, paths in sorted(groups, key=lambda g: g[:2]):
            for path in paths:
                for candidate in _spellings(path):
                    real = os.path.realpath(candidate)
                    if _within(real, root) and os.path.isfile(real):
                        found.setdefault(real, category)
                        break
        return found

    def read_yaml(self, path: str) -> dict[str, Any]:
        """A small YAML manifest, or {} (too large, unreadable or not a mapping: it only names groups)."""
        import yaml

        try:
            if os.path.getsize(path) > 256_000:
                return {}
            self.manifests.append(path)
            with open(path, encoding="utf-8") as handle:
                data = yaml.safe_load(handle)
        except (OSError, ValueError, RecursionError, yaml.YAMLError):
            return {}
        return data if isinstance(data, dict) else {}

    def category_json(self, folder: str, rel: str) -> str | None:
        try:
            names = sorted(n for n in os.listdir(folder) if n.endswith(".json") and "category" in n.lower())
        except OSError:
            return None
        for name in names:
            data = self.read_json(folder, name, rel)
            if data and isinstance(data.get("name"), str):
                return str(data["name"])
        return None


def _spellings(path: str) -> tuple[str, ...]:
    """A file a plugin lists as it ships (``agents/x.md``), and as the source holds it
    (``agents/x.agent.md``: awesome-copilot renames its agents when it builds a plugin)."""
    if path.endswith(".md") and not path.endswith((".agent.md", ".chatmode.md")):
        return (path, path[: -len(".md")] + ".agent.md")
    return (path,)


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


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
        elif entry.name.lower().endswith((".md", ".json")):
            counted.append((entry.name,))
    return tuple(counted)


def still_an_agent(source: AgentSource) -> bool:
    """Whether discovery would take this file again as it did: still a regular file (never
    opened otherwise: a FIFO would block), and with frontmatter if that is what made it one."""
    try:
        if not stat.S_ISREG(os.lstat(source.path).st_mode):
            return False
    except OSError:
        return False
    known = source.explicit or source.format is not Format.CLAUDE_CODE
    return known or _starts_with_frontmatter(str(source.path))


def _starts_with_frontmatter(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return bool(_FRONTMATTER_START.match(handle.read(512)))
    except OSError:
        return True  # let the parse stage report why it cannot be read
