"""The files beside an agent file that hold more of its prompt, by the agent's name
(``Dialect.name_rules``): Roo Code's ``.roo/rules-<slug>/`` folders and ``.roorules-<slug>``
files. Read inside the scanned folder only, in the tool's order, within bounds."""

from __future__ import annotations

import contextlib
import os

from catalog.discover.manifests import _within
from catalog.model.dialect import Dialect
from catalog.model.dialects import DIALECTS
from catalog.types import Format, Skipped

# A rules folder holds a few files; a folder of thousands is no one's rules.
MAX_RULE_FILES = 100
MAX_RULE_FOLDERS = 100  # and the folders walked to find them
# The rules of all the modes of one file, together: eight agent files' worth. Each mode's are
# within one agent file's limit too (the parse stage's), but links can give every mode the same
# folder, and ten thousand modes a copy of it each.
MAX_RULES_BYTES_PER_FILE = 16 * 1024 * 1024

# Folders of rules a tool adds to the prompts of agents defined elsewhere (Roo Code's .roo/):
# read with those agents (``Dialect.name_rules``), never walked for agents. Named after the
# first tool that reads one: .roo/ is Roo Code's, which Kilo Code reads too.
_RULES_DIRS = {p.split("/")[0]: d.label for d in reversed(DIALECTS.values()) for p in d.name_rules if "/" in p}
# Files beside an agent file that hold more of its prompt (Roo Code's .roorules-<slug>): one
# added or removed changes what discovery finds.
_RULE_FILES = tuple(p.split("{name}")[0] for d in DIALECTS.values() for p in d.name_rules if not p.endswith("/"))


class _NameRules:
    """Discovery's reading of rules folders; the walker (``discover._Walker``) holds the state."""

    root: str
    skipped: list[Skipped]
    folders: list[str]
    manifests: list[str]
    listings: dict[str, tuple[tuple[str, ...], ...]]
    rule_folders: dict[tuple[str, str, Format], tuple[str, ...]]  # (real folder, root, format) -> its rules

    def name_rules(self, real: str, name: str, dialect: Dialect) -> tuple[str, ...]:
        """The files whose text the tool adds to the prompt of the agent ``name`` of the file
        ``real`` (``Dialect.name_rules``): the first place that has any, inside the scanned
        folder only; never more than ``MAX_RULE_FILES``."""
        workspace = os.path.dirname(real)
        for pattern in dialect.name_rules:
            where = os.path.join(workspace, pattern.format(name=name).rstrip("/"))
            if pattern.endswith("/"):
                files = self.rule_folder(where, dialect)
                if files:
                    return files
            elif _within(os.path.realpath(where), self.root):
                # Watched, as named too (a symlink re-pointed leads to another file): missing or
                # empty now, not later.
                self.manifests.extend(dict.fromkeys((os.path.realpath(where), os.path.normpath(where))))
                if _has_text(where):
                    return (os.path.realpath(where),)
        return ()

    def rule_folder(self, folder: str, dialect: Dialect) -> tuple[str, ...]:
        """The files of a rules folder and its subfolders, in the order the tool reads them (by
        file name, case aside), never through a symlink out of the scanned folder nor twice;
        a folder several modes' rules folders lead to is walked once."""
        parent = os.path.realpath(os.path.dirname(folder))
        if parent not in self.listings and _within(parent, self.root) and os.path.isdir(parent):
            # A new rules folder beside this one is a new part of another mode's prompt.
            self.folders.append(parent)
            with contextlib.suppress(OSError):
                self.listings[parent] = tuple((name,) for name in sorted(os.listdir(parent)))
        if os.path.islink(folder):
            self.manifests.append(folder)  # a symlink re-pointed leads to another folder (its stat says so)
        key = (os.path.realpath(folder), self.root, dialect.format)  # what is inside depends on the root
        if key not in self.rule_folders:
            self.rule_folders[key] = self._walk_rule_folder(folder, dialect)
        return self.rule_folders[key]

    def _walk_rule_folder(self, folder: str, dialect: Dialect) -> tuple[str, ...]:
        found: list[tuple[str, str]] = []
        pending, walked = [folder], set[str]()
        while pending and len(found) <= MAX_RULE_FILES and len(walked) < MAX_RULE_FOLDERS:
            here = os.path.realpath(pending.pop())
            if here in walked or not _within(here, self.root) or not os.path.isdir(here):
                continue
            walked.add(here)
            self.folders.append(here)
            try:
                entries = sorted(os.scandir(here), key=lambda e: e.name)
            except OSError:
                continue
            # Every name counts: a rules file of any ending added here is a new part of a prompt.
            self.listings[here] = tuple((e.name,) for e in entries)
            below: list[str] = []
            for entry in entries:
                target = os.path.realpath(entry.path)
                if not _within(target, self.root):
                    continue
                if os.path.isdir(target):
                    below.append(target)
                elif os.path.isfile(target) and not _ignored_rule(entry.name, dialect):
                    found.append((entry.name.lower(), target))
            pending.extend(reversed(below))  # depth first, in the order of the names
        return tuple(dict.fromkeys(path for _, path in sorted(found)[:MAX_RULE_FILES]))

    def unused_rules(self, real: str, rel: str, slugs: set[str], dialect: Dialect) -> None:
        """Rules folders beside the file for names it defines no agent of (a built-in mode's):
        ``scan -v`` says so, as they are on no page."""
        # The tool's own rules folder: Kilo Code's fallback to Roo Code's is Roo Code's to list.
        folder_rules = [p for p in dialect.name_rules if p.endswith("/")][:1]
        base = rel.rsplit("/", 1)[0] + "/" if "/" in rel else ""
        for pattern in folder_rules:
            parent, prefix = os.path.split(pattern.rstrip("/").split("{name}")[0])
            where = os.path.realpath(os.path.join(os.path.dirname(real), parent))
            try:  # never a folder outside the scanned one (a .roo symlink): its names are not ours to show
                names = sorted(os.listdir(where)) if _within(where, self.root) and os.path.isdir(where) else []
            except OSError:
                names = []
            for name in names:
                if name.startswith(prefix) and name[len(prefix) :] not in slugs:
                    message = f"{dialect.label} rules of {name[len(prefix) :]!r}, which the file defines no agent of"
                    self.skipped.append(Skipped(f"{base}{parent}/{name}/", message))


def _has_text(path: str) -> bool:
    """Whether a regular file holds more than white space (the tool skips one that does not)."""
    try:
        if not os.path.isfile(path):
            return False
        with open(path, "rb") as handle:
            return bool(handle.read(MAX_RULE_BYTES).strip())
    except OSError:
        return False


MAX_RULE_BYTES = 2 * 1024 * 1024


def _ignored_rule(name: str, dialect: Dialect) -> bool:
    return any(name.endswith(p[1:]) if p.startswith("*.") else name == p for p in dialect.rules_ignored)
