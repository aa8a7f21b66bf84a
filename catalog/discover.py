"""Stage 1: find the agent files under the given paths, in every layout people use.

The walk is sorted by name (the same on every OS), never follows a symlink out of the
scanned root, never enters a loop, and only yields regular files. Manifests met on the way
(a Claude plugin marketplace, a plugin's ``plugin.json``, opencode category JSON) say which
collection, plugin and category an agent belongs to.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from catalog.dialects import DIALECTS, format_and_certainty, format_from_keys
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
_NOT_AGENT_DIRS = frozenset({"docs", "doc", "commands", "skills", "prompts", "instructions", "rules"})
_HIDDEN_AGENT_DIRS = frozenset(
    {".claude", ".github", ".opencode", ".gemini", ".claude-plugin", ".cursor", ".codex", ".kiro", ".qwen", ".factory"}
)
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
    ".opencode": frozenset({"command", "plugin", "plugins", "tool", "tools", "themes", "mode"}),
}
# Files other than Markdown that are agents: where their tool reads them.
_KIRO_AGENT = (".kiro", "agents")
_EXTENSION_MANIFESTS = tuple((d.extension_manifest, d.format) for d in DIALECTS.values() if d.extension_manifest)
_CODEX_INSTRUCTIONS = re.compile(rb"^[ \t]*developer_instructions[ \t]*=", re.MULTILINE)
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
        "issue_template.md",
        "pull_request_template.md",
    }
)
_NOT_AGENT_SUFFIXES = (".prompt.md", ".instructions.md", ".collection.md")
_LAYOUT_DIRS = frozenset(
    {"agents", "agent", "subagents", "chatmodes", "droids", "categories", "plugins", *_HIDDEN_AGENT_DIRS}
)
_NUMBERED_CATEGORY = re.compile(r"\d+[-_](.+)")
_FRONTMATTER_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*---[ \t]*\r?\n")
# Manifests get the agent files' limits: a few kilobytes in practice, a few levels deep.
MAX_MANIFEST_BYTES = 2 * 1024 * 1024
MAX_MANIFEST_DEPTH = 64


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
    notes: tuple[Skipped, ...] = ()  # files whose content, not their path, decided their format


@dataclass(frozen=True, slots=True)
class _Context:
    collection: str | None = None
    marketplace: str | None = None
    plugins: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # real root -> name, category
    plugin: str | None = None
    plugin_files: frozenset[str] | None = None  # real paths a plugin.json lists, when it lists any
    category: str | None = None
    in_agent_dir: bool = False
    format: Format | None = None  # what a manifest above says (a Gemini CLI extension)
    tool_dir: str | None = None  # the tool folder (.claude, .github, ...) this is in, if any
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
        tuple(walker.notes),
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
        self.notes: list[Skipped] = []
        self.plain: dict[str, list[str]] = {}  # folder -> Markdown files without frontmatter in it

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
        self.walk(real, "", self.enter(real, "", _Context()), {real})

    def enter(self, real: str, rel: str, ctx: _Context) -> _Context:
        """Read the manifests a folder holds and return the context for what is below it."""
        name = readable_name(os.path.basename(real))
        where = ".claude-plugin/marketplace.json"
        marketplace = self.read_json(real, where, rel)
        if not marketplace:
            where = ".github/plugin/marketplace.json"
            marketplace = self.read_json(real, where, rel)
        if marketplace and isinstance(marketplace.get("name"), str):
            with self.guard(rel, where):  # whatever the entries hold, they cost only this manifest
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
            with self.guard(rel, ".claude-plugin/plugin.json"):
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
        for manifest, extended in _EXTENSION_MANIFESTS:
            if os.path.isfile(os.path.join(real, manifest)):
                # An extension (Gemini CLI's): its agents/ folder holds agents of its format.
                self.manifests.append(os.path.join(real, manifest))
                ctx = replace(ctx, format=extended)
        if name.lower() in _HIDDEN_AGENT_DIRS:
            ctx = replace(ctx, tool_dir=name.lower())
        parent = os.path.basename(os.path.dirname(real)).lower()
        numbered = _NUMBERED_CATEGORY.fullmatch(name)
        if parent == "categories" and numbered:
            ctx = replace(ctx, category=numbered.group(1), in_agent_dir=True)
        lowered = name.lower()
        if (
            lowered in ("agents", "chatmodes")
            or (parent == ".opencode" and lowered == "agent")
            or (parent == ".factory" and lowered == "droids")
        ):
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
        before = len(self.sources)
        self.plain[real] = []
        for entry in entries:
            child_rel = f"{rel}{readable_name(entry.name)}"
            try:
                self.visit(entry, child_rel, ctx, active)
            except OSError as exc:
                self.problem(child_rel, "AC131", "error", f"cannot read: {exc.strerror or exc}")
        # Markdown without frontmatter beside agents: its tool ignores it, and says nothing.
        beside_agents = any(os.path.dirname(str(s.path)) == real for s in self.sources[before:])
        for child_rel in self.plain.pop(real):
            if beside_agents:
                self.no_frontmatter(child_rel)
            else:
                self.skipped.append(Skipped(child_rel, "no frontmatter, and not in an agent folder"))

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
            reason = self.dir_skip_reason(entry.name, ctx)
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
            if entry.name.lower().endswith((".md", ".roomodes")) or format_and_certainty(posix)[1]:
                self.problem(rel, "AC101", "error", "not a regular file (a FIFO, socket or device); not read")
        else:
            self.check_name(entry.name, rel)
            self.add_file(real, readable_name(entry.name), rel, ctx, explicit=False)

    def check_name(self, name: str, rel: str) -> None:
        """A name that is not UTF-8 is read, shown with its bad bytes as ``\\xNN``, and reported."""
        if readable_name(name) != name:
            message = "name is not valid UTF-8: shown with \\x escapes; give it a UTF-8 name"
            self.findings.append(Finding(f"{self.prefix}{rel}", 1, 1, "AC133", "warning", message))

    @staticmethod
    def dir_skip_reason(name: str, ctx: _Context) -> str | None:
        lowered = name.lower()
        if ctx.tool_dir and lowered in _NOT_AGENT_DIRS_OF.get(ctx.tool_dir, ()):
            return f"{ctx.tool_dir}/{name} holds no agents"
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
        posix = real if os.sep == "/" else Path(real).as_posix()
        fmt, certain = format_and_certainty(posix)
        if not lowered.endswith(".md"):
            self.add_config_file(real, rel, posix, ctx, fmt, explicit)
            return
        # A plugin.json "agents" entry names a file or a folder of agent files ("./agents").
        listed = ctx.plugin_files is not None and any(_within(real, entry) for entry in ctx.plugin_files)
        head = _head(real)
        has_frontmatter = head is None or _opens_frontmatter(head)
        reason = None
        if not certain and ctx.format is not None and ctx.in_agent_dir:
            fmt, certain = ctx.format, True
            extension = DIALECTS[fmt]
            reason = f"read as {extension.label}: an agents folder beside a {extension.extension_manifest}"
        if not certain and has_frontmatter and head is not None:
            told = format_from_keys(_frontmatter_keys(head))
            if told is not None:
                fmt, reason = told
        known = explicit or ctx.in_agent_dir or listed or certain
        if not has_frontmatter:
            if known:
                self.no_frontmatter(rel, explicit, empty=head is not None and not head.strip())
            else:
                self.plain.setdefault(os.path.dirname(real), []).append(rel)
            self.passed_over.append(real)
            return
        self.seen.add(real)
        self.add_source(real, rel, ctx, fmt, explicit, listed, format_reason=reason)

    def add_source(
        self,
        real: str,
        rel: str,
        ctx: _Context,
        fmt: Format,
        explicit: bool,
        listed: bool = False,
        entry: str | None = None,
        companions: tuple[str, ...] = (),
        format_reason: str | None = None,
    ) -> None:
        in_plugin = ctx.plugin is not None and (ctx.plugin_files is None or listed)
        shown = self.prefix if explicit else f"{self.prefix}{rel}"
        self.sources.append(
            AgentSource(
                path=Path(real),
                rel_path=rel if entry is None else f"{rel}#{entry}",
                display_path=shown if entry is None else f"{shown}#{entry}",
                format=fmt,
                collection=ctx.collection,
                marketplace=ctx.marketplace if in_plugin else None,
                plugin=ctx.plugin if in_plugin else None,
                category=ctx.category or ctx.groups.get(real),
                explicit=explicit or ctx.in_agent_dir or listed,
                entry=entry,
                companions=companions,
                format_reason=format_reason,
            )
        )
        if format_reason:
            self.notes.append(Skipped(rel, format_reason))

    def no_frontmatter(self, rel: str, explicit: bool = False, empty: bool = False) -> None:
        """A Markdown file where agents are, without frontmatter: its tool ignores it."""
        message = "no frontmatter: its tool ignores this file (an agent file starts with a '---' line)"
        if empty:
            message = "file is empty: its tool ignores it"
        self.skipped.append(Skipped(rel, message))
        self.findings.append(
            Finding(self.prefix if explicit else f"{self.prefix}{rel}", 1, 1, "AC110", "error", message)
        )

    def add_config_file(self, real: str, rel: str, posix: str, ctx: _Context, fmt: Format, explicit: bool) -> None:
        """A Codex TOML, a Kiro JSON or a Roo Code .roomodes file, when it is one."""
        parts = [p.lower() for p in posix.split("/")]
        name = parts[-1]
        if name == ".roomodes":
            self.add_roo_modes(real, rel, ctx, fmt, explicit)
        elif name.endswith(".toml"):
            in_codex = tuple(parts[-3:-1]) == (".codex", "agents")
            if not in_codex and not _CODEX_INSTRUCTIONS.search(_head(real, 1 << 20) or b""):
                return
            self.seen.add(real)
            config = (
                os.path.realpath(os.path.join(os.path.dirname(os.path.dirname(real)), "config.toml"))
                if in_codex
                else ""
            )
            companions = (config,) if config and os.path.isfile(config) and _within(config, self.root) else ()
            self.manifests.extend(companions)
            self.add_source(real, rel, ctx, fmt, explicit, companions=companions)  # a .toml: Codex's
        elif name.endswith(".json") and DIALECTS[fmt].syntax == "json" and tuple(parts[-3:-1]) == _KIRO_AGENT:
            self.seen.add(real)
            self.add_source(real, rel, ctx, fmt, explicit, companions=self.kiro_prompt(real, rel))

    def add_roo_modes(self, real: str, rel: str, ctx: _Context, fmt: Format, explicit: bool) -> None:
        from catalog.structured import roo_modes

        self.seen.add(real)
        try:
            text = (_head(real, 2 * 1024 * 1024) or b"").decode("utf-8", errors="replace")
            modes = roo_modes(text)
        except ValueError:
            self.add_source(real, rel, ctx, fmt, explicit)  # read as one agent, which says why
            return
        for entry, _, _ in modes:
            self.add_source(real, rel, ctx, fmt, explicit, entry=entry)

    def kiro_prompt(self, real: str, rel: str) -> tuple[str, ...]:
        """The prompt file a Kiro agent names (``file://`` relative to the JSON file), when it is
        inside the scanned folder; a finding says why it is not read otherwise."""
        try:
            data = json.loads(_head(real, 2 * 1024 * 1024) or b"")
        except (ValueError, RecursionError):
            return ()
        prompt = data.get("prompt") if isinstance(data, dict) else None
        if not isinstance(prompt, str) or not prompt.startswith("file://"):
            return ()
        target = prompt.removeprefix("file://")
        path = os.path.realpath(
            os.path.join(os.path.dirname(real), os.path.expanduser(target))
            if not target.startswith("~")
            else os.path.expanduser(target)
        )
        if not _within(path, self.root):
            self.problem(rel, "AC119", "warning", f"prompt file {target!r} is outside the scanned folder; not read")
            return ()
        if not os.path.isfile(path):
            what = "is not a regular file; not read" if os.path.exists(path) else "does not exist"
            self.problem(rel, "AC119", "warning", f"prompt file {target!r} {what}")
            return ()
        self.manifests.append(path)
        return (path,)

    def problem(self, rel: str, code: str, severity: Severity, message: str) -> None:
        """Something a user should see: skipped with a reason, and a finding."""
        self.skipped.append(Skipped(rel, message))
        self.findings.append(Finding(f"{self.prefix}{rel}", 1, 1, code, severity, message))

    def shown(self, rel: str, name: str) -> str:
        """How findings name a file ``name`` in the folder ``rel``."""
        # At the scanned root (prefix and rel both empty) there is no folder part to join.
        return "/".join(part for part in (self.prefix.rstrip("/"), rel, name) if part)

    @contextlib.contextmanager
    def guard(self, rel: str, name: str) -> Iterator[None]:
        """Whatever goes wrong using a manifest is a finding for it: the walk goes on."""
        try:
            yield
        except Exception as exc:
            line, text = getattr(exc, "lineno", 1), " ".join(str(exc).split())[:200]
            if isinstance(exc, OSError):
                message = f"manifest not read: {exc.strerror or text}"
            elif isinstance(exc, _ManifestRefused | ValueError):  # JSON and UTF-8 errors are ValueErrors
                message = f"manifest not read: {text}"
            else:
                message = f"manifest not used: {type(exc).__name__}: {text}"
            self.findings.append(Finding(self.shown(rel, name), line, 1, "AC130", "warning", message))

    def read_json(
        self, folder: str, name: str, rel: str, parse: Callable[[str], Any] = json.loads
    ) -> dict[str, Any] | None:
        """A manifest's JSON object, read under the agent files' rules: never through a symlink
        out of the scanned folder, never a FIFO, at most ``MAX_MANIFEST_BYTES`` and
        ``MAX_MANIFEST_DEPTH`` levels; its text made valid UTF-8. None (and a finding) otherwise."""
        path = os.path.join(folder, name)
        if not os.path.lexists(path):
            return None
        shown = self.shown(rel, name)
        real = os.path.realpath(path)
        if not os.path.exists(real):
            self.findings.append(Finding(shown, 1, 1, "AC132", "warning", "dangling or looping symlink; not read"))
            return None
        if os.path.isdir(real):
            return None
        self.manifests.append(path)
        if not _within(real, self.root):
            message = "symlink leads outside the scanned folder; not read"
            self.findings.append(Finding(shown, 1, 1, "AC132", "warning", message))
            return None
        data: Any = None
        with self.guard(rel, name):
            data = _load_manifest(real, parse)
        return data if isinstance(data, dict) else None

    def groupings(self, root: str, rel: str, marketplace: Mapping[str, Any]) -> dict[str, str]:
        """Agent files a marketplace's plugins list (in their own folders or, as awesome-copilot
        ships them, relative to the marketplace's folder), and those the collection manifests
        beside it list (``collections/*.collection.yml``), by real path -> the category they
        give: the plugin's category or name, the collection's id. The smallest group that lists
        a file names it (ties: by name)."""
        groups: list[tuple[int, str, list[str]]] = []  # (size, category, the paths it lists, as they may be read)
        folders: set[str] = set()  # each plugin's manifest read once, however often it is listed
        for entry in marketplace.get("plugins") or []:
            if not (isinstance(entry, dict) and isinstance(entry.get("source"), str) and entry.get("name")):
                continue
            folder = os.path.realpath(os.path.join(root, entry["source"]))
            if not _within(folder, root) or folder in folders:
                continue
            folders.add(folder)
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
            loaded = self.read_json(collections, name, f"{rel}/collections" if rel else "collections", _yaml) or {}
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


def readable_name(name: str) -> str:
    """A file name as text that is valid UTF-8: bytes that are not (which Python keeps as lone
    surrogates) written as ``\\xNN``. A name that is UTF-8 is returned as it is."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    return name


class _ManifestRefused(Exception):
    """A manifest read refuses: the message says why."""


def _load_manifest(path: str, parse: Callable[[str], Any] = json.loads) -> Any:
    """The JSON (or what ``parse`` reads) in ``path``, refused (``_ManifestRefused``) when it
    breaks a limit."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _ManifestRefused("not a regular file (a FIFO, socket or device); not read")
        if info.st_size > MAX_MANIFEST_BYTES:
            raise _ManifestRefused(f"{info.st_size:,} bytes, over the {MAX_MANIFEST_BYTES:,}-byte limit; not read")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(MAX_MANIFEST_BYTES + 1)
    finally:
        os.close(fd)
    if len(raw) > MAX_MANIFEST_BYTES:
        raise _ManifestRefused(f"over the {MAX_MANIFEST_BYTES:,}-byte limit; not read")
    try:
        data = parse(raw.decode("utf-8-sig"))
    except RecursionError:
        raise _ManifestRefused(f"nested more than {MAX_MANIFEST_DEPTH} levels deep; not read") from None
    return _clean_json(data, 0)


def _yaml(text: str) -> Any:
    """A YAML manifest (awesome-copilot's ``*.collection.yml``), without aliases: one alias may
    stand for a whole tree, so a few lines could stand for billions of entries."""
    import yaml

    try:
        from yaml import CSafeLoader as Loader
    except ImportError:  # pragma: no cover - PyYAML without libyaml
        from yaml import SafeLoader as Loader  # type: ignore[assignment]
    try:
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=Loader)):
            raise _ManifestRefused("YAML aliases are not read in a manifest; not read")
        return yaml.load(text, Loader=Loader)  # a safe loader (CSafeLoader or SafeLoader)
    except yaml.YAMLError as exc:
        raise _ManifestRefused(" ".join(str(exc).split())[:200]) from None


def _clean_json(value: Any, depth: int) -> Any:
    """``value`` with every string valid UTF-8 without NUL (JSON's ``\\udc80`` escapes give
    lone surrogates, which no page can be written with); refused when nested too deeply."""
    if depth > MAX_MANIFEST_DEPTH:
        raise _ManifestRefused(f"nested more than {MAX_MANIFEST_DEPTH} levels deep; not read")
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, dict):
        return {_clean_text(k): _clean_json(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_json(v, depth + 1) for v in value]
    return value


def _clean_text(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text.replace("\0", "\ufffd") if "\0" in text else text


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
        elif _maybe_agent(entry.name):
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
    # Markdown is an agent only with frontmatter, wherever it is; TOML, JSON and .roomodes
    # files were taken for where they are or what they say.
    return not source.path.name.lower().endswith(".md") or _starts_with_frontmatter(str(source.path))


def _opens_frontmatter(head: bytes) -> bool:
    # UTF-16 is decoded (and reported) by the parse stage; its '---' is not these bytes.
    return head[:2] in (b"\xff\xfe", b"\xfe\xff") or bool(_FRONTMATTER_START.match(head))


def _maybe_agent(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith((".md", ".toml", ".json")) or lowered == ".roomodes"


def _head(path: str, size: int = 4096) -> bytes | None:
    """The first bytes of a file; None when it cannot be read (parse reports why)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except OSError:
        return None


_KEY = re.compile(rb"^([A-Za-z_$][\w.$-]*)[ \t]*:", re.MULTILINE)


def _frontmatter_keys(head: bytes) -> list[str]:
    """The top-level keys of the frontmatter at the start of ``head`` (unindented ``key:``)."""
    start = _FRONTMATTER_START.match(head)
    if not start:
        return []
    end = re.search(rb"^(?:---|\.\.\.)[ \t]*$", head[start.end() :], re.MULTILINE)
    block = head[start.end() : start.end() + end.start()] if end else head[start.end() :]
    keys = [m.group(1).decode("ascii", "replace") for m in _KEY.finditer(block)]
    # opencode's tools are a map of true / false, which no other tool writes.
    return [*keys, "tools{}"] if _TOOLS_MAP.search(block) else keys


_TOOLS_MAP = re.compile(rb"^tools:[ \t]*\r?\n[ \t]+[\w*-]+:[ \t]*(?:true|false)[ \t]*\r?$", re.MULTILINE)


def _starts_with_frontmatter(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return _opens_frontmatter(handle.read(512))
    except OSError:
        return True  # let the parse stage report why it cannot be read
