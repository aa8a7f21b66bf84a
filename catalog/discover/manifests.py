"""The manifests that group agent files: a plugin marketplace (``marketplace.json``), a plugin's
``plugin.json``, opencode category JSON, awesome-copilot's ``*.collection.yml``. Each is read
under the agent files' limits (size, depth, never through a symlink out of the scanned folder),
and whatever goes wrong is a finding (AC130, AC132): the walk goes on without it.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import field
from typing import Any

from catalog.frozen import frozen
from catalog.types import Finding, Format, Severity, Skipped

# Manifests get the agent files' limits: a few kilobytes in practice, a few levels deep.
MAX_MANIFEST_BYTES = 2 * 1024 * 1024
MAX_MANIFEST_DEPTH = 64
# A name a manifest gives a group of agents (a marketplace, a plugin, a category) is held by
# each agent of it, on its page and in its record: a marketplace name of 200 KB and its 1,000
# agents made 600 MB of docs. Past this many characters it is cut (AC130).
MAX_GROUP_NAME = 200


@frozen
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
    # Below an agents folder its tool reads flat (Dialect.install_dir_flat): that tool's label.
    unread_by: str | None = None
    groups: Mapping[str, str] = field(default_factory=dict)  # real agent path -> category a manifest gives


class _ManifestReader:
    """Discovery's manifest reading; the walker (``discover._Walker``) holds the state."""

    skipped: list[Skipped]
    findings: list[Finding]
    manifests: list[str]
    root: str
    prefix: str
    name_lines: _NameLines

    def problem(self, rel: str, code: str, severity: Severity, message: str) -> None:
        """Something a user should see: skipped with a reason, and a finding."""
        self.skipped.append(Skipped(rel, message))
        self.findings.append(Finding(f"{self.prefix}{rel}", 1, 1, code, severity, message))

    def shown(self, rel: str, name: str) -> str:
        """How findings name a file ``name`` in the folder ``rel``."""
        # At the scanned root (prefix and rel both empty) there is no folder part to join.
        return "/".join(part for part in (self.prefix.rstrip("/"), rel, name) if part)

    def group_name(self, value: object, rel: str, name: str) -> str:
        """A name manifest ``name`` in ``rel`` gives a group of agents, at most ``MAX_GROUP_NAME``
        characters (a finding says when it is cut)."""
        text = str(value)
        if len(text) <= MAX_GROUP_NAME:
            return text
        message = f"a name of {len(text):,} characters, cut to {MAX_GROUP_NAME} (each agent of the group holds it)"
        shown = self.shown(rel, name)
        self.findings.append(Finding(shown, self.name_lines.line(shown, text), 1, "AC130", "warning", message))
        return cut_group_name(text)

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
        self.name_lines.files[shown] = (real, parse is _yaml)  # read again only to find a line
        data: Any = None
        with self.guard(rel, name):
            data = _load_manifest(real, parse)
        return data if isinstance(data, dict) else None

    def plugins(
        self, root: str, rel: str, name: str, marketplace: Mapping[str, Any]
    ) -> dict[str, tuple[str, str | None]]:
        """The plugins a marketplace lists: real folder -> their name, and category if it gives one."""
        plugins: dict[str, tuple[str, str | None]] = {}
        for entry in marketplace.get("plugins") or []:
            if isinstance(entry, dict) and isinstance(entry.get("source"), str) and entry.get("name"):
                folder = os.path.realpath(os.path.join(root, entry["source"]))
                category = entry.get("category") if isinstance(entry.get("category"), str) else None
                named = self.group_name(entry["name"], rel, name)
                plugins[folder] = (named, category and self.group_name(category, rel, name))
        return plugins

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
            # Cut as the walk cut it, which said so.
            category = cut_group_name(
                entry["category"] if isinstance(entry.get("category"), str) else str(entry["name"])
            )
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
            given = loaded["id"] if isinstance(loaded.get("id"), str) else name[: -len(".collection.yml")]
            category = self.group_name(given, f"{rel}/collections" if rel else "collections", name)
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
                return self.group_name(data["name"], rel, name)
        return None


def cut_group_name(text: str) -> str:
    return text if len(text) <= MAX_GROUP_NAME else text[: MAX_GROUP_NAME - 1] + "…"


class _NameLines:
    """Where a manifest writes each name cut past ``MAX_GROUP_NAME`` characters, so that AC130
    points at its line (a marketplace lists its plugins a few lines each); the same name written
    twice (a category several plugins share) is found at each of its lines in turn."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, bool]] = {}  # a manifest as findings name it -> real path, YAML
        self.lines: dict[str, dict[str, list[int]]] = {}  # ... -> a long string it holds -> its lines
        self.told: dict[tuple[str, str], int] = {}  # (manifest, name) -> how many findings gave its line

    def line(self, shown: str, name: str) -> int:
        """The 1-based line of the next finding about ``name`` in ``shown`` (1 when not found)."""
        if shown not in self.lines:
            real, is_yaml = self.files.get(shown, ("", False))
            try:  # the file as read; changed since, or not found: its first line
                self.lines[shown] = _long_strings(_manifest_text(real), is_yaml) if real else {}
            except Exception:
                self.lines[shown] = {}
        lines = self.lines[shown].get(name)
        if not lines:
            return 1
        told = self.told.get((shown, name), 0)
        self.told[(shown, name)] = told + 1
        return lines[min(told, len(lines) - 1)]


def _long_strings(text: str, is_yaml: bool) -> dict[str, list[int]]:
    """Each string of a manifest longer than ``MAX_GROUP_NAME`` characters (as read: escapes
    decoded) -> the 1-based lines it is written on, in one pass."""
    found: dict[str, list[int]] = {}
    if is_yaml:
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        stack, seen = [yaml.compose(text, Loader=loader)], set()
        while stack:
            node = stack.pop()
            if node is None or id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, yaml.ScalarNode) and len(node.value) > MAX_GROUP_NAME:
                found.setdefault(_clean_text(node.value), []).append(node.start_mark.line + 1)
            elif isinstance(node, yaml.MappingNode):
                stack.extend(part for pair in reversed(node.value) for part in reversed(pair))
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(reversed(node.value))
        return {name: sorted(lines) for name, lines in found.items()}
    json.loads(text)  # valid JSON: each quote outside a string opens one, so the scan is linear
    at, line, start = 0, 1, text.find('"')
    while start >= 0:
        value, end = json.decoder.scanstring(text, start + 1)  # type: ignore[attr-defined]
        if len(value) > MAX_GROUP_NAME:
            line += text.count("\n", at, start)
            at = start
            found.setdefault(_clean_text(value), []).append(line)
        start = text.find('"', end)
    return found


class _ManifestRefused(Exception):
    """A manifest read refuses: the message says why."""


def _load_manifest(path: str, parse: Callable[[str], Any] = json.loads) -> Any:
    """The JSON (or what ``parse`` reads) in ``path``, refused (``_ManifestRefused``) when it
    breaks a limit."""
    try:
        data = parse(_manifest_text(path))
    except RecursionError:
        raise _ManifestRefused(f"nested more than {MAX_MANIFEST_DEPTH} levels deep; not read") from None
    return _clean_json(data, 0)


def _manifest_text(path: str) -> str:
    """The text of the manifest at ``path``, refused (``_ManifestRefused``) when it breaks a limit."""
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
    return raw.decode("utf-8-sig")


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
