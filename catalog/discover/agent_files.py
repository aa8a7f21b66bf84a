"""Which files are agents, and of which format: what discovery does with each file it meets
(Markdown with frontmatter, a Codex TOML, a Kiro JSON, a Roo Code ``.roomodes``), and the few
bytes it reads to decide."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

from catalog.discover.collections import _project
from catalog.discover.heads import (
    _AGENT_OR_DOCUMENT,
    SEVERAL_BYTES,
    _a_document,
    _frontmatter_keys,
    _frontmatter_tools,
    _head,
    _kiro_prompt_path,
    _opens_frontmatter,
    _starts_with_frontmatter,
)
from catalog.discover.manifests import _Context, _ManifestReader, _within
from catalog.discover.name_rules import MAX_RULES_BYTES_PER_FILE, _NameRules
from catalog.model.dialect_of import format_and_certainty, format_from_keys
from catalog.model.dialects import DIALECTS, MODES_FILES, config_dialect
from catalog.types import AgentSource, Finding, Format, Skipped

# Files other than Markdown that are agents: where their tool reads them.
_KIRO_AGENT = (".kiro", "agents")
_CODEX_INSTRUCTIONS = re.compile(rb"^[ \t]*developer_instructions[ \t]*=", re.MULTILINE)
_NOT_AGENT_FILES = frozenset(
    {
        "readme.md",
        "contributing.md",
        "license.md",
        "code_of_conduct.md",
        "agents.md",
        "claude.md",
        "gemini.md",
        "skill.md",
        "power.md",
        "copilot-instructions.md",
        "issue_template.md",
        "pull_request_template.md",
    }
)
# Documentation names that are also agents' (a security reviewer, a support agent, a changelog
# writer): in a tool's agent folder, with a name or a description, they are agents, as the tool
# loads them; elsewhere they are documentation. Over a thousand repositories have a
# .claude/agents/security.md.
_NOT_AGENT_SUFFIXES = (".prompt.md", ".instructions.md", ".collection.md")
_NO_FRONTMATTER = "no frontmatter: its tool ignores this file (an agent file starts with a '---' line)"


class _AgentFiles(_ManifestReader, _NameRules):
    """Discovery's handling of one file; the walker (``discover._Walker``) holds the state."""

    sources: list[AgentSource]
    seen: set[str]
    passed_over: list[str]
    notes: list[Skipped]
    plain: dict[str, list[tuple[str, str]]]
    bare: list[tuple[str, Skipped, Finding]]
    project_folders: dict[str, set[str]]

    def add_file(self, real: str, name: str, rel: str, ctx: _Context, explicit: bool) -> None:
        lowered = name.lower()
        documentation = lowered in _AGENT_OR_DOCUMENT and not self.named_agent(real, rel, ctx, explicit)
        if lowered in _NOT_AGENT_FILES or documentation:
            self.skipped.append(Skipped(rel, f"{name} is documentation, not an agent"))
            return
        if lowered.endswith(_NOT_AGENT_SUFFIXES):
            self.skipped.append(Skipped(rel, "a Copilot prompt or instructions file, not an agent"))
            return
        if real in self.seen:
            self.skipped.append(Skipped(rel, "same file as one already found (symlink)"))
            return
        posix = real if os.sep == "/" else Path(real).as_posix()
        # A file named on the command line: the folders of the path as given are the user's.
        fmt, certain = format_and_certainty(posix, self.prefix if explicit else rel)
        if not lowered.endswith(".md"):
            self.add_config_file(real, rel, posix, ctx, fmt, explicit)
            return
        # A plugin.json "agents" entry names a file or a folder of agent files ("./agents").
        listed = ctx.plugin_files is not None and any(_within(real, entry) for entry in ctx.plugin_files)
        head = _head(real)
        has_frontmatter = head is None or _opens_frontmatter(head)
        blank = head is not None and not head.strip()
        reason = None
        if not certain and ctx.format is not None and ctx.in_agent_dir:
            fmt, certain = ctx.format, True
            extension = DIALECTS[fmt]
            reason = f"read as {extension.label}: an agents folder beside a {extension.extension_manifest}"
        keys = _frontmatter_keys(head) if has_frontmatter and head is not None else None
        if not certain and keys is not None:
            told = format_from_keys(keys, _frontmatter_tools(head))
            if told is not None:
                fmt, reason = told
        known = explicit or ctx.in_agent_dir or listed or certain
        if not known and _a_document(head):
            message = (
                "frontmatter of a document (a name or a description and no other agent key,"
                " or a steering file's, rule's, workflow's or memory file's key)"
            )
            self.skipped.append(Skipped(rel, f"{message}, not in an agent folder"))
            self.passed_over.append(real)
            return
        if not has_frontmatter:
            if ctx.unread_by:  # a template beside agents its tool never loads: no agent, no error
                self.skipped.append(Skipped(rel, f"not an agent: {ctx.unread_by} reads its agents folder's own files"))
            elif (explicit or ctx.in_agent_dir) and certain and not DIALECTS[fmt].frontmatter_required and not blank:
                self.seen.add(real)  # in an agents folder its tool loads it so (a Copilot agent in VS Code)
                self.add_source(real, rel, ctx, fmt, explicit, listed)
                return
            elif known:
                self.no_frontmatter(rel, real, explicit, empty=blank)
            else:
                self.plain.setdefault(os.path.dirname(real), []).append((rel, real))
            self.passed_over.append(real)
            return
        self.seen.add(real)
        self.add_source(real, rel, ctx, fmt, explicit, listed, format_reason=reason)

    @staticmethod
    def named_agent(real: str, rel: str, ctx: _Context, explicit: bool) -> bool:
        """Whether a file of a documentation name that is also an agent's (security.md) is an
        agent all the same: in a tool's agent folder (or named on the command line), with
        frontmatter that has a name or a description, as the tool loads it."""
        if not real.lower().endswith(".md"):
            return False
        posix = real if os.sep == "/" else Path(real).as_posix()
        if not (explicit or ctx.in_agent_dir or format_and_certainty(posix, rel)[1]):
            return False
        head = _head(real)
        return head is not None and _opens_frontmatter(head) and not _a_document(head, True, in_agent_folder=True)

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
                category=ctx.category or ctx.groups.get(real) or _group_folder(rel, ctx),
                explicit=explicit or ctx.in_agent_dir or listed,
                entry=entry,
                companions=companions,
                format_reason=format_reason,
            )
        )
        if format_reason:
            self.notes.append(Skipped(rel, format_reason))

    def no_frontmatter(self, rel: str, real: str, explicit: bool = False, empty: bool = False) -> None:
        """A Markdown file where agents are, without frontmatter: its tool ignores it (unless an agent
        reads it as part of it: ``bare``, taken back by ``find_agent_files``)."""
        message = "file is empty: its tool ignores it" if empty else _NO_FRONTMATTER
        shown = self.prefix if explicit else f"{self.prefix}{rel}"
        self.bare.append((real, Skipped(rel, message), Finding(shown, 1, 1, "AC110", "error", message)))
        self.skipped.append(self.bare[-1][1])
        self.findings.append(self.bare[-1][2])

    def add_config_file(self, real: str, rel: str, posix: str, ctx: _Context, fmt: Format, explicit: bool) -> None:
        """A Codex TOML, a Kiro JSON or a file of modes (.roomodes), when it is one."""
        parts = [p.lower() for p in posix.split("/")]
        name = parts[-1]
        if name in MODES_FILES:
            self.add_roo_modes(real, rel, ctx, fmt, explicit)
        elif name.endswith(".toml"):
            # Codex reads every .toml below .codex/agents/, subfolders too (agent_roles.rs,
            # collect_agent_role_files_recursive), and .codex/config.toml may describe it.
            at = next((i for i in range(len(parts) - 3, -1, -1) if parts[i : i + 2] == [".codex", "agents"]), None)
            if at is None and not _CODEX_INSTRUCTIONS.search(_head(real, 1 << 20) or b""):
                return
            self.seen.add(real)
            codex = real
            for _ in range(len(parts) - at - 1 if at is not None else 0):
                codex = os.path.dirname(codex)
            config = os.path.realpath(os.path.join(codex, "config.toml")) if at is not None else ""
            companions = (config,) if config and os.path.isfile(config) and _within(config, self.root) else ()
            self.manifests.extend(companions)
            self.add_source(real, rel, ctx, fmt, explicit, companions=companions)  # a .toml: Codex's
        elif config_dialect(name) is not None:
            self.add_config_agents(real, rel, ctx, explicit)
        elif name.endswith(".json") and DIALECTS[fmt].syntax == "json" and tuple(parts[-3:-1]) == _KIRO_AGENT:
            self.seen.add(real)
            self.add_source(real, rel, ctx, fmt, explicit, companions=self.kiro_prompt(real, rel))

    def add_config_agents(self, real: str, rel: str, ctx: _Context, explicit: bool) -> None:
        """The agents a configuration file defines (opencode.json's "agent" map), with their prompt files."""
        from catalog.parse.config_agents import config_agents, named_prompt_file, prompt_file

        ctx = _project(ctx, rel, self.project_folders, self.prefix)
        dialect = config_dialect(os.path.basename(real))
        assert dialect is not None
        self.seen.add(real)
        self.manifests.append(real)  # watched, loaded or not: an edit may add or mend agents
        shown = self.prefix if explicit else f"{self.prefix}{rel}"
        size = os.path.getsize(real)
        if size > SEVERAL_BYTES:  # as the parse stage refuses an agent file (AC102)
            message = f"file is {size:,} bytes, over the {SEVERAL_BYTES:,}-byte limit; not parsed"
            self.skipped.append(Skipped(rel, message))
            self.findings.append(Finding(shown, 1, 1, "AC102", "error", message))
            return
        try:
            agents = config_agents(several_text(real), dialect)
        except ValueError as exc:
            # The tool refuses the whole file: whatever agents it defines, none loads.
            message = f"not valid JSON: {' '.join(str(exc).split())[:300]}; {dialect.label} cannot load it"
            self.skipped.append(Skipped(rel, message))
            self.findings.append(Finding(shown, getattr(exc, "lineno", 1), 1, "AC108", "error", message))
            return
        for name, settings, line in agents:
            target = prompt_file(settings.get("prompt"), real)
            inside = target is not None and _within(target, self.root)
            if inside and target:
                # Watched (one missing now may come), and as named (a symlink there may be re-pointed).
                self.manifests.extend((target, named_prompt_file(settings.get("prompt"), real)))
            companions = (target,) if inside and target and os.path.isfile(target) else ()
            if target and not companions:  # the parse stage reads the prompt file discovery found
                message = f"prompt file of {settings['prompt']!r} is missing or outside the scanned folder; not read"
                self.findings.append(Finding(f"{shown}#{name}", line, 1, "AC119", "warning", message))
            self.add_source(real, rel, ctx, dialect.format, explicit, entry=name, companions=companions)

    def add_roo_modes(self, real: str, rel: str, ctx: _Context, fmt: Format, explicit: bool) -> None:
        from catalog.parse.modes import roo_modes

        ctx = _project(ctx, rel, self.project_folders, self.prefix)
        self.seen.add(real)
        try:
            modes = roo_modes(several_text(real))
        except ValueError:
            self.add_source(real, rel, ctx, fmt, explicit)  # read as one agent, which says why
            return
        dialect = DIALECTS[fmt]
        slugs = set()
        room = MAX_RULES_BYTES_PER_FILE  # for all the modes of the file: links can share one folder
        for entry, mode, _ in modes:
            slug = mode.get("slug")
            # A slug the tool refuses names no rules (and never a path: "../x" is no slug).
            named = isinstance(slug, str) and bool(re.fullmatch(dialect.name_pattern or r"[\w-]+", slug))
            rules = self.name_rules(real, str(slug), dialect) if named else ()
            # One over the file limit is refused on its own when read (AC119), and costs nothing.
            sizes = [0 if size > SEVERAL_BYTES else size for size in map(_size, rules)]
            limit = min(room, SEVERAL_BYTES)  # a mode's prompt: one agent file's limit
            kept = next((n for n in range(len(rules)) if sum(sizes[: n + 1]) > limit), len(rules))
            if kept < len(rules):
                whose = f"this mode's rules would be over {SEVERAL_BYTES:,}"
                if limit < SEVERAL_BYTES:
                    whose = f"the rules of this file's modes would be over {MAX_RULES_BYTES_PER_FILE:,}"
                message = f"rules from {os.path.basename(rules[kept])} on not read: {whose} bytes"
                self.problem(f"{rel}#{entry}", "AC119", "warning", message)
            room -= sum(sizes[:kept])
            slugs.add(str(slug))
            self.add_source(real, rel, ctx, fmt, explicit, entry=entry, companions=rules[:kept])
        self.unused_rules(real, rel, slugs, dialect)

    def kiro_prompt(self, real: str, rel: str) -> tuple[str, ...]:
        """The prompt file a Kiro agent names (``file://`` relative to the JSON file) inside the
        scanned folder (a finding says why not), watched as named too (a re-pointed symlink)."""
        named = _kiro_prompt_path(real)
        if named is None:
            return ()
        target, path = named
        self.manifests.append(os.path.normpath(os.path.join(os.path.dirname(real), os.path.expanduser(target))))
        if not _within(path, self.root):
            self.problem(rel, "AC119", "warning", f"prompt file {target!r} is outside the scanned folder; not read")
            return ()
        if not os.path.isfile(path):
            self.manifests.append(path)  # watched: one missing now may come
            what = "is not a regular file; not read" if os.path.exists(path) else "does not exist"
            self.problem(rel, "AC119", "warning", f"prompt file {target!r} {what}")
            return ()
        self.manifests.append(path)
        return (path,)


def named_parts(source: AgentSource, text: str | None = None) -> tuple[str, ...] | None:
    """The prompt file an agent's own text (``text``, when read) names (a Kiro ``file://``, an
    opencode ``{file:}``); None for agents whose text names no part. One discovery did not read
    (outside, missing, past the shared-text budget) is no companion: discovery runs again, and
    its AC119 says what the text says now. An edit of the text that changes it needs discovery again."""
    path = str(source.path)
    dialect = config_dialect(source.path.name)
    if dialect is not None and source.entry is not None:
        from catalog.parse.config_agents import config_agents, prompt_file  # not for a Markdown agent

        text = several_text(path) if text is None else text
        try:
            settings = [s for name, s, _ in config_agents(text, dialect) if name == source.entry]
        except ValueError:
            return ()
        target = prompt_file(settings[0].get("prompt"), path) if settings else None
    elif source.path.name.lower().endswith(".json") and DIALECTS[source.format].syntax == "json":
        named = _kiro_prompt_path(path)
        target = named[1] if named else None
    else:
        return None
    return (target,) if target is not None else ()


def entries_in(path: str) -> tuple[str, ...]:
    """The agents a file of several defines, as discovery names them (a mode's entry, an
    opencode.json key); none when it does not load."""
    from catalog.parse.config_agents import config_agents
    from catalog.parse.modes import roo_modes

    text = several_text(path)
    dialect = config_dialect(os.path.basename(path))
    try:
        if dialect is not None:
            return tuple(name for name, _, _ in config_agents(text, dialect))
        return tuple(entry for entry, _, _ in roo_modes(text))
    except ValueError:
        return ()


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # reading it says why


def several_text(path: str) -> str:
    """The text of a file of several agents (.roomodes, opencode.json) as the parse stage reads
    it: at most its size limit, a byte-order mark left out (AC104 reports it there)."""
    return (_head(path, SEVERAL_BYTES) or b"").decode("utf-8-sig", errors="replace")


def _group_folder(rel: str, ctx: _Context) -> str | None:
    """The folder a loose agent file is in, when that folder is directly in its collection's
    folder (or in the scanned repository): collections such as contains-studio/agents group
    their agents so (design/, marketing/, engineering/), without an agents folder around them."""
    parts = rel.split("/")
    if ctx.in_agent_dir or ctx.marketplace is not None:
        return None
    if len(parts) == 3 and parts[0] == ctx.collection:
        return parts[1]
    # A repository's own top folder (its collection is the scanned folder) groups so too.
    return parts[0] if len(parts) == 2 and ctx.collection is None else None


def still_an_agent(source: AgentSource, entries: Iterable[str] = ()) -> bool:
    """Whether discovery would take this file again as it did: still a regular file (never
    opened otherwise: a FIFO would block), and with frontmatter if that is what made it one;
    a file of several agents (.roomodes, opencode.json) with the same ones (``entries``)."""
    try:
        if not stat.S_ISREG(os.lstat(source.path).st_mode):
            return False
    except OSError:
        return False
    if source.entry is not None and set(entries_in(str(source.path))) != {*entries, source.entry}:
        return False
    named = named_parts(source)  # a prompt file the text names, now another or none
    if named is not None:
        return named == source.companions
    if source.entry is not None:
        return True
    # Markdown is an agent only with frontmatter, wherever it is; TOML, JSON and .roomodes
    # files were taken for where they are or what they say.
    if not source.path.name.lower().endswith(".md"):
        return True
    certain = format_and_certainty(Path(source.path).as_posix(), source.rel_path)[1]
    extension = DIALECTS[source.format].extension_manifest
    # A format an extension's manifest gave is the path's doing; otherwise the content's.
    by_path = certain or bool(extension and source.format_reason and source.format_reason.endswith(extension))
    told = None if by_path else (source.format, source.format_reason)
    return _starts_with_frontmatter(str(source.path), source.explicit or certain, told)
