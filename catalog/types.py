"""The values that flow between pipeline stages: frozen, typed, and free of behaviour."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

# Named here too (``as``: for mypy, on purpose), as the stages take every value from here.
from catalog.findings import FINDINGS_PER_CODE as FINDINGS_PER_CODE
from catalog.findings import Finding as Finding
from catalog.findings import Severity as Severity
from catalog.findings import at_most_per_code as at_most_per_code
from catalog.findings import clipped as clipped
from catalog.frozen import FastPickle as FastPickle
from catalog.frozen import frozen


class Format(StrEnum):
    """The agent dialects this tool reads; the value is what `scan --json` prints."""

    CLAUDE_CODE = "claude-code"
    COPILOT_AGENT = "copilot-agent"
    COPILOT_CHATMODE = "copilot-chatmode"
    OPENCODE = "opencode"
    GEMINI_CLI = "gemini-cli"
    CURSOR = "cursor"
    CODEX = "codex"
    ROO_CODE = "roo-code"
    KILO_CODE = "kilo-code"
    KILO_CODE_MODE = "kilo-code-mode"
    KIRO = "kiro"
    QWEN_CODE = "qwen-code"
    FACTORY = "factory"


@frozen
class AgentSource(FastPickle):
    """A file discovery decided is an agent, with what its location says about it."""

    path: Path  # absolute path of the file
    rel_path: str  # POSIX path relative to the scanned root
    display_path: str  # the path as the user can open it: the root as given, then rel_path
    format: Format
    collection: str | None = None
    marketplace: str | None = None
    plugin: str | None = None
    category: str | None = None
    explicit: bool = False  # named on the command line or in a known agent folder
    # One agent of a file that holds several (a Roo Code mode's slug); display_path ends in
    # "#<entry>" so that each agent has its own identity.
    entry: str | None = None
    # Other files the agent is read from (absolute): a Codex config.toml, a Kiro prompt file.
    companions: tuple[str, ...] = ()
    # Why the format is what it is when the path does not say (scan -v prints it).
    format_reason: str | None = None


@frozen
class Skipped:
    """A file discovery looked at and decided is not an agent, and why."""

    rel_path: str
    reason: str


@frozen
class Origin(FastPickle):
    """A stretch of an agent's prompt read from another file than the agent file: a file its
    tool appends (Roo Code's rules, under a title line and a blank one) or reads the whole
    prompt from (a Kiro ``file://`` prompt). The stretch runs to the next origin's title, or
    to the end of the prompt."""

    line: int  # the line, counted as the prompt's lines are (from ``body_line``), where its text starts
    path: str  # the file's display path
    file_line: int  # the line of that file where the text starts
    title: str = ""  # the line its tool puts before it ("Rules from <path>:"), two lines above ``line``
    rel_path: str = ""  # the file's path relative to the scanned root, as ``Agent.path``
    file: str = ""  # the file on disk, as ``Agent.source`` is (named it, lint checks its text)


@frozen
class RawDocument:
    """A file split into frontmatter and body, before any dialect is applied."""

    metadata: Mapping[str, Any]
    body: str
    body_line: int  # 1-based line of the file where the body starts
    has_frontmatter: bool
    recovered: bool  # the frontmatter only loaded through lenient recovery
    findings: tuple[Finding, ...] = ()
    scalar_source: Mapping[str, str] = field(default_factory=dict)  # top-level scalars as written
    key_lines: Mapping[str, int] = field(default_factory=dict)  # 1-based file line of each key
    disabled_rules: frozenset[str] = frozenset()  # from "agent-catalog: disable=CODE,..." comments
    origins: tuple[Origin, ...] = ()  # the prompt's stretches read from other files, in order


@frozen
class Turn(FastPickle):
    role: Literal["user", "assistant"]
    text: str


@frozen
class Example(FastPickle):
    """One ``<example>`` dialogue: context, turns in order, commentary."""

    context: str | None
    turns: tuple[Turn, ...]
    commentary: str | None
    line: int  # 1-based line of the file where the example starts


@frozen
class Section(FastPickle):
    """A titled part of the system prompt, with its list items and nested sections."""

    title: str
    level: int
    line: int
    text: str = ""
    items: tuple[str, ...] = ()
    children: tuple[Section, ...] = ()
    markdown: str = ""  # the section's whole source under its title, children included, in order
    # heading, bold (a bold line alone), label (UPPERCASE:), lead-in (text: + list), file (a
    # file the prompt appends, titled by the line its tool puts before it)
    kind: str = "heading"


@frozen
class Agent(FastPickle):
    """One agent, whatever its dialect."""

    name: str
    title: str
    slug: str
    format: Format
    path: str  # POSIX path relative to the scanned root
    collection: str | None
    plugin: str | None
    category: str | None
    tags: tuple[str, ...]
    description: str
    summary: str
    examples: tuple[Example, ...]
    tools: tuple[str, ...] | None  # None: the key is absent, every tool is allowed
    disallowed_tools: tuple[str, ...]
    model: str | tuple[str, ...] | None
    color: str | None
    extra: Mapping[str, Any]
    body: str
    body_line: int
    sections: tuple[Section, ...]
    marketplace: str | None = None
    source: Path = field(default=Path(), compare=False)  # absolute; never serialized
    display_path: str = ""  # the path as findings print it (the scanned root as given, then path)
    key_lines: Mapping[str, int] = field(default_factory=dict)  # frontmatter key -> 1-based line
    disabled_rules: frozenset[str] = frozenset()  # lint codes switched off in the file itself
    description_raw: str | None = None  # the description as written, when ``description`` reads it otherwise
    # Permission rules as written (opencode ``permission:``, Roo ``groups``, Kiro
    # ``allowedTools``): (tool or pattern, allow / ask / deny), in file order.
    permissions: tuple[tuple[str, str], ...] = ()
    # The same agent defined for other tools in the same repository (.claude/, .cursor/,
    # .gemini/, .github/, .codex/, ...): (format, slug) of each other definition, in the
    # dialect table's order (catalog.model.variants). One catalog entry shows them all.
    available_as: tuple[tuple[Format, str], ...] = ()
    # The slug of the entry whose page shows this definition, when it is not the entry's
    # primary definition: such a definition has a download but no page or listing of its own.
    entry: str = ""
    origins: tuple[Origin, ...] = ()  # the prompt's stretches read from other files, in order
    # (key, the type its tool's schema requires) of each value of another type, where the tool
    # checks them (``Dialect.value_types``): Gemini CLI refuses ``tools: read_file, glob``.
    mistyped: tuple[tuple[str, str], ...] = ()


@frozen
class Catalog:
    """Everything one scan found: agents in slug order, findings in path order."""

    agents: tuple[Agent, ...]
    findings: tuple[Finding, ...]
    skipped: tuple[Skipped, ...] = ()
    # Files whose format their content decided, and why (``scan -v`` prints them).
    notes: tuple[Skipped, ...] = ()


@frozen
class Discovery:
    """What discovery found (``catalog.discover.find``): the agent files, and what it passed over."""

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
