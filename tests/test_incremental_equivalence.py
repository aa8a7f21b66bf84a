"""`generate` with its cache writes what `generate --no-cache` writes, after any history of edits.

A seeded random walk over a small catalog (two collections, categories from folders and from
`category:`, facets, `<example>` blocks, both description styles). Each step applies one to
three random changes to the agent files or to the generated docs, runs the cached `generate`
into ``docs`` and `generate --no-cache` into a new folder, and compares the two trees byte for
byte (the manifest and each agent's record, ``agents/<slug>.json``, included), as well as the
findings and the exit code.

Runs are killed too: before some steps' run, one to three runs of `generate` die in a forked
child at a random change to the file system (before or after the N-th rename, unlink, link,
temporary file...; ``os._exit``, so no cleanup handler runs), with more edits between them.
The normal run after them must write what a fresh run writes, and leave no temporary file in
the docs or the cache.

Left out on purpose: an edit within the clock tick of the stat the last run took, that keeps
the size (on a file system whose clock ticks in milliseconds, neither the modification nor the
change time can tell it). ``_write`` makes sure no edit here lands in that blind spot by
chance. An edit that puts the modification time back is seen by the change time
(``tests/test_cache_hostile.py``).
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import os
import random
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from catalog.cli.main import main
from catalog.output.docs_folder import MANIFEST

SEEDS = [1, 2, 3, 5, 8, 13, 118]  # 118: killed runs, then a download kept with both digests of its journal
PROJECT_SEEDS = [89, 144, 233]  # ProjectsWalk's, for the same reason
PART_SEEDS = [21, 34, 55]  # PartsWalk's: its own, so that SEEDS keep drawing the walks they found bugs with
STEPS = 18
SRC = "src"
MIN_AGENTS = 4

WORDS = (
    "query plan index cache schema queue worker latency budget review release rollback deploy "
    "contract endpoint migration backfill partition metric alert incident runbook fixture "
    "coverage mutation flaky retry timeout quota token secret audit policy lint format "
    "summary outline draft glossary reader owner ticket branch commit merge canary shard "
    "replica vacuum bloat lock deadlock trace span sample budget spike baseline"
).split()
MODELS = (None, "sonnet", "opus", "haiku", "inherit")
TOOLS = ("Read", "Grep", "Glob", "Write", "Edit", "Bash", "WebFetch")
COLORS = (None, "blue", "red", "green", "purple", "orange", "yellow")
CATEGORIES = ("backend", "data", "Data", "DATA", "Backend", "ops", "Ops", "writing", "research", "performance")
# Folders agents may be added to or moved into: a new category folder, one differing only in
# case from another, and a new collection.
FOLDERS = (
    "team-a/agents/backend",
    "team-a/agents/data",
    "team-a/agents/Data",
    "team-b/agents/quality",
    "team-b/agents",
    "team-b/agents/ops",
    "team-c/agents",
)
# Tool folders of one repository: an agent of one name in several of them is one catalog entry
# (catalog.model.variants), its definitions shown on one page.
HARNESS_FOLDERS = ("team-h/.claude/agents", "team-h/.cursor/agents", "team-h/.gemini/agents")


@dataclass
class Example:
    context: str
    user: str
    assistant: str
    commentary: str


@dataclass
class Spec:
    """One agent file, as the fields its text is written from."""

    name: str
    description: str
    examples: list[Example] = field(default_factory=list)
    sections: list[tuple[str, str]] = field(default_factory=list)
    tools: str | None = None
    model: str | None = None
    color: str | None = None
    category: str | None = None
    style: str = "block"  # "block": a YAML `|` scalar; "escaped": Claude Code's one line with \n and raw lines
    broken: int | None = None  # which way the frontmatter is broken, if it is
    original_name: str = ""

    def __post_init__(self) -> None:
        self.original_name = self.original_name or self.name


def _example_lines(example: Example) -> list[str]:
    return [
        "<example>",
        f"Context: {example.context}",
        f'user: "{example.user}"',
        f'assistant: "{example.assistant}"',
        "<commentary>",
        example.commentary,
        "</commentary>",
        "</example>",
    ]


def render(spec: Spec) -> str:
    lines = ["---", f"name: {spec.name}"]
    if spec.style == "escaped" and spec.examples:
        # The agent wizard's shape: strict YAML rejects it, the lenient reading takes it.
        first, *rest = [line for example in spec.examples for line in _example_lines(example)]
        lines.append(f"description: {spec.description} Examples:\\n\\n{first}")
        lines.extend(rest)
    elif spec.examples:
        lines.append("description: |")
        lines.append(f"  {spec.description}")
        for example in spec.examples:
            lines.append("")
            lines.extend(f"  {line}" for line in _example_lines(example))
    else:
        lines.append(f"description: {spec.description}")
    for key in ("tools", "model", "color", "category"):
        value = getattr(spec, key)
        if value is not None:
            lines.append(f"{key}: {value}")
    closing = "---"
    if spec.broken == 0:
        lines.append("tags: [alpha, beta")  # an unclosed flow sequence
    elif spec.broken == 1:
        lines.append("summary: first: second")  # mapping values are not allowed here
    elif spec.broken == 2:
        lines.append("model: sonnet")
        lines.append("model: opus")  # a key twice
    elif spec.broken == 3:
        closing = ""  # no closing fence
    lines.append(closing)
    for heading, text in spec.sections:
        lines.extend(["", f"## {heading}", "", text])
    return "\n".join(lines) + "\n"


def _base_specs() -> dict[str, Spec]:
    def ex(topic: str, agent: str) -> Example:
        return Example(
            f"The user is working on {topic}.",
            f"Can you help with the {topic}?",
            f"I'll use the {agent} agent to look at the {topic} first.",
            f"Work on {topic} is what the {agent} agent is for.",
        )

    method = "1. Read what exists.\n2. Ask about what is unclear.\n3. Change one thing at a time."
    return {
        "team-a/agents/backend/api-designer.md": Spec(
            "api-designer",
            "Use this agent when designing or reviewing an HTTP API contract: resources, errors, pagination.",
            [ex("subscriptions API", "api-designer"), ex("new orders endpoints", "api-designer")],
            [("Principles", "Contract first. Consistency beats cleverness."), ("How you work", method)],
            tools="Read, Grep, Glob, Write, Edit, WebFetch",
            model="sonnet",
            color="blue",
        ),
        "team-a/agents/backend/postgres-tuner.md": Spec(
            "postgres-tuner",
            "Use this agent when a PostgreSQL database is slow or growing faster than expected.",
            [ex("slow dashboard query", "postgres-tuner")],
            [("Method", "Read the plan with `EXPLAIN (ANALYZE, BUFFERS)` before changing anything.")],
            model="opus",
            style="escaped",
        ),
        "team-a/agents/backend/cache-planner.md": Spec(
            "cache-planner",
            "Plans what to cache, where, and for how long.",
            [],
            [("Focus", "Hit rate, staleness and invalidation."), ("Output", "```yaml\nttl: 300\n```")],
            category="performance",
        ),
        "team-a/agents/data/etl-builder.md": Spec(
            "etl-builder",
            "Use this agent to build or repair batch and streaming data pipelines.",
            [ex("hourly events load", "etl-builder")],
            [("Principles", "Every run is idempotent. Loads are incremental by default.")],
            tools="Read, Write, Edit, Bash",
            color="purple",
        ),
        "team-a/agents/data/schema-migrator.md": Spec(
            "schema-migrator",
            "Writes schema migrations that can run while the application serves traffic.",
            [],
            [("Method", method)],
            model="haiku",
        ),
        "team-a/agents/data/report-writer.md": Spec(
            "report-writer",
            "Turns query results into a short written report for people who do not read SQL.",
            [],
            [("Style", "Plain words, one idea per paragraph.")],
            category="writing",
        ),
        "team-b/agents/quality/test-strategist.md": Spec(
            "test-strategist",
            "Use this agent to decide what to test, at which level, and what to leave out.",
            [ex("checkout service tests", "test-strategist"), ex("flaky end-to-end suite", "test-strategist")],
            [("Levels", "Unit, integration, end to end: the cheapest level that can catch the bug.")],
            tools="Read, Grep, Glob, Bash",
            model="inherit",
        ),
        "team-b/agents/quality/security-auditor.md": Spec(
            "security-auditor",
            "Reviews code and configuration for security problems, most severe first.",
            [],
            [("Scope", "Secrets, injection, authentication, dependencies.")],
            color="red",
        ),
        "team-b/agents/quality/flaky-test-hunter.md": Spec(
            "flaky-test-hunter",
            "Finds out why a test passes and fails on the same code.",
            [ex("intermittent timeout", "flaky-test-hunter")],
            [("Method", "Run it a hundred times, then bisect the conditions.")],
            style="escaped",
        ),
        "team-b/agents/release-manager.md": Spec(
            "release-manager",
            "Prepares releases: changelog, version bump, tags and the rollback plan.",
            [],
            [("Checklist", "- changelog\n- version\n- tag\n- rollback plan")],
            tools="Read, Bash",
            category="ops",
        ),
        "team-b/agents/incident-commander.md": Spec(
            "incident-commander",
            "Use this agent during a production incident to coordinate the response.",
            [ex("checkout outage", "incident-commander")],
            [("First ten minutes", "Declare, assign roles, open the channel, start the timeline.")],
            model="opus",
            color="orange",
            category="ops",
        ),
        "team-b/agents/docs-writer.md": Spec(
            "docs-writer",
            "Writes and edits user documentation.",
            [],
            [("Voice", "Second person, present tense, short sentences.")],
        ),
        # One agent for two tools: one entry.
        "team-h/.claude/agents/code-reviewer.md": Spec(
            "code-reviewer",
            "Reviews a change for correctness first, then style.",
            [ex("payment refactor", "code-reviewer")],
            [("Method", method)],
            tools="Read, Grep, Glob",
            model="sonnet",
        ),
        "team-h/.cursor/agents/code-reviewer.md": Spec(
            "code-reviewer",
            "Reviews a change for correctness first, then style.",
            [],
            [("Method", "Read the diff, then the tests.")],
            tools="Read, Grep",
        ),
    }


def generate(*args: str) -> Result:
    return CliRunner().invoke(main, ["generate", SRC, *args])


def contents(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def folders(folder: Path) -> list[str]:
    """Every folder inside ``folder``: an empty one left behind shows here."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir())


def describe_differences(cached: dict[str, bytes], fresh: dict[str, bytes]) -> str:
    """Which files differ, with a few diff lines for each text file that does."""
    parts = []
    if only := sorted(cached.keys() - fresh.keys()):
        parts.append(f"only with the cache: {only}")
    if only := sorted(fresh.keys() - cached.keys()):
        parts.append(f"only without the cache: {only}")
    differ = sorted(rel for rel in cached.keys() & fresh.keys() if cached[rel] != fresh[rel])
    if differ:
        parts.append(f"differ: {differ}")
    for rel in differ[:4]:
        old, new = cached[rel], fresh[rel]
        at = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
        parts.append(
            f"{rel}: {len(old)} vs {len(new)} bytes, first difference at byte {at}:\n"
            f"  cached:     {old[max(0, at - 60) : at + 60]!r}\n  --no-cache: {new[max(0, at - 60) : at + 60]!r}"
        )
        try:
            old_text, new_text = old.decode("utf-8"), new.decode("utf-8")
        except UnicodeDecodeError:
            continue
        diff = difflib.unified_diff(
            old_text.splitlines(), new_text.splitlines(), f"docs/{rel}", f"fresh/{rel} (--no-cache)", n=1, lineterm=""
        )
        lines = [line if len(line) <= 160 else line[:160] + " ..." for line in diff]
        parts.append("\n".join(lines[:20] + ([f"... {len(lines) - 20} more diff lines"] if len(lines) > 20 else [])))
    return "\n".join(parts)


# What a run changes the file system with: a killed run dies just before or just after one of them.
_CHANGES = ("replace", "rename", "unlink", "remove", "link", "rmdir", "ftruncate", "write", "mkdir")
KILLED = 137


def killed_generate(at: int, before: bool, *args: str) -> int:
    """`generate` in a forked child that dies (``os._exit``: no ``finally``, no ``except``)
    at its ``at``-th change to the file system; the child's exit code (KILLED when it died)."""
    count = 0

    def dies(name: str, call: tuple[object, ...], done: bool) -> bool:
        nonlocal count
        count += not done
        return count == at and before != done

    return _forked_generate(dies, *args)


def killed_before_the_manifest(*args: str) -> int:
    """`generate` killed just before it renames its new manifest into place."""

    def dies(name: str, call: tuple[object, ...], done: bool) -> bool:
        return name == "replace" and not done and str(call[1]).endswith(f"/{MANIFEST}")

    return _forked_generate(dies, *args)


def _forked_generate(dies: Callable[[str, tuple[object, ...], bool], bool], *args: str) -> int:
    """`generate` in a forked child that dies where ``dies(function name, its arguments, whether
    it has run)`` says, just before or just after a change to the file system."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:

            def dying(name: str, function: Callable[..., object]) -> Callable[..., object]:
                def wrapped(*a: object, **k: object) -> object:
                    if dies(name, a, False):
                        os._exit(KILLED)
                    result = function(*a, **k)
                    if dies(name, a, True):
                        os._exit(KILLED)
                    return result

                return wrapped

            for name in _CHANGES:
                setattr(os, name, dying(name, getattr(os, name)))
            tempfile.mkstemp = dying("mkstemp", tempfile.mkstemp)  # type: ignore[assignment]
            tempfile.NamedTemporaryFile = dying("tmp", tempfile.NamedTemporaryFile)  # type: ignore[assignment]
            result = CliRunner().invoke(main, ["generate", SRC, *args])
            os._exit(result.exit_code if result.exception is None or isinstance(result.exception, SystemExit) else 3)
        finally:
            os._exit(4)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def leftovers(folder: Path) -> list[str]:
    """Temporary files of ours (and Jinja's bytecode cache's) in a folder, at any depth."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.name.endswith(".tmp"))


def findings_of(result: Result) -> list[str]:
    """The findings `generate` printed: stderr without its last line (files written, or nothing changed)."""
    return result.stderr.splitlines()[:-1]


def _write(path: Path, text: str) -> None:
    """Write a file; an edit that leaves both its size and mtime as they were is nudged one ms on."""
    before = path.stat() if path.exists() else None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    after = path.stat()
    if before and (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns):
        os.utime(path, ns=(after.st_atime_ns, after.st_mtime_ns + 1_000_000))


class Walk:
    """The agent files of one project, and the random changes made to them."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root = root
        self.rng = rng
        self.specs = _base_specs()
        self.created = 0
        for rel in self.specs:
            self.save(rel)

    # helpers

    def save(self, rel: str) -> None:
        _write(self.root / SRC / rel, render(self.specs[rel]))

    def pick(self) -> str:
        return self.rng.choice(sorted(self.specs))

    def sentence(self, words: int) -> str:
        text = " ".join(self.rng.choice(WORDS) for _ in range(words))
        return text[0].upper() + text[1:] + "."

    def flip_letter(self, text: str) -> str:
        """The same text, the same length, one letter different."""
        positions = [i for i, char in enumerate(text) if "a" <= char <= "z"]
        i = self.rng.choice(positions)
        other = self.rng.choice([c for c in "abcdefghijklmnopqrstuvwxyz" if c != text[i]])
        return text[:i] + other + text[i + 1 :]

    def new_example(self) -> Example:
        return Example(self.sentence(5), self.sentence(6)[:-1] + "?", self.sentence(8), self.sentence(7))

    # 1. description, body, examples

    def description_longer_or_shorter(self) -> str:
        rel = self.pick()
        spec = self.specs[rel]
        words = spec.description.split()
        if len(words) > 6 and self.rng.random() < 0.4:
            spec.description = " ".join(words[:-2]) + "."
        else:
            spec.description = spec.description + " " + self.sentence(self.rng.randint(2, 9))
        self.save(rel)
        return f"description length changed in {rel}"

    def description_same_length(self) -> str:
        rel = self.pick()
        spec = self.specs[rel]
        spec.description = self.flip_letter(spec.description)
        self.save(rel)
        return f"description changed, same length, in {rel}"

    def body(self) -> str:
        rel = self.pick()
        spec = self.specs[rel]
        choice = self.rng.randrange(4)
        if choice == 0 and spec.sections:
            i = self.rng.randrange(len(spec.sections))
            heading, text = spec.sections[i]
            spec.sections[i] = (heading, self.flip_letter(text))
            what = "same length"
        elif choice == 1 and spec.sections:
            i = self.rng.randrange(len(spec.sections))
            heading, text = spec.sections[i]
            spec.sections[i] = (heading, text + " " + self.sentence(4))
            what = "longer"
        elif choice == 2 and len(spec.sections) > 1:
            del spec.sections[self.rng.randrange(len(spec.sections))]
            what = "a section removed"
        else:
            spec.sections.append((self.sentence(2)[:-1], self.sentence(10)))
            what = "a section added"
        self.save(rel)
        return f"body ({what}) in {rel}"

    def example(self) -> str:
        rel = self.pick()
        spec = self.specs[rel]
        if spec.examples and self.rng.random() < 0.5:
            del spec.examples[self.rng.randrange(len(spec.examples))]
            what = "removed"
        else:
            spec.examples.insert(self.rng.randint(0, len(spec.examples)), self.new_example())
            what = "added"
        self.save(rel)
        return f"example {what} in {rel} ({len(spec.examples)} now)"

    # 2. facets

    def facet(self) -> str:
        rel = self.pick()
        spec = self.specs[rel]
        key = self.rng.choice(("model", "tools", "color"))
        if key == "model":
            spec.model = self.rng.choice([m for m in MODELS if m != spec.model])
        elif key == "color":
            spec.color = self.rng.choice([c for c in COLORS if c != spec.color])
        elif spec.tools is not None and self.rng.random() < 0.25:
            spec.tools = None
        else:
            spec.tools = ", ".join(self.rng.sample(TOOLS, self.rng.randint(1, 4)))
        self.save(rel)
        return f"{key} of {rel} set to {getattr(spec, key)!r}"

    # 3. names

    def rename_agent(self) -> str:
        rel = self.pick()
        spec = self.specs[rel]
        spec.name = f"{self.rng.choice(WORDS)}-{self.rng.choice(WORDS)}"
        self.save(rel)
        return f"name of {rel} set to {spec.name!r}"

    def name_clash(self) -> str:
        """Two agents of one name: in one folder their pages are numbered; elsewhere the
        collection or the category tells them apart."""
        rel, other = self.rng.sample(sorted(self.specs), 2)
        neighbours = [r for r in sorted(self.specs) if r != rel and r.rsplit("/", 1)[0] == rel.rsplit("/", 1)[0]]
        if neighbours and self.rng.random() < 0.5:
            other = self.rng.choice(neighbours)
        spec = self.specs[rel]
        name = self.specs[other].name
        spec.name = name.upper() if self.rng.random() < 0.3 else name  # a case-only clash or the same name
        self.save(rel)
        return f"name of {rel} set to {spec.name!r}, like {other}"

    def undo_name(self) -> str | None:
        changed = [rel for rel, spec in sorted(self.specs.items()) if spec.name != spec.original_name]
        if not changed:
            return None
        rel = self.rng.choice(changed)
        self.specs[rel].name = self.specs[rel].original_name
        self.save(rel)
        return f"name of {rel} back to {self.specs[rel].name!r}"

    # 4. categories

    def category(self) -> str:
        rel = self.pick()
        spec = self.specs[rel]
        if spec.category is not None and self.rng.random() < 0.25:
            spec.category = None
        else:
            spec.category = self.rng.choice([c for c in CATEGORIES if c != spec.category])
        self.save(rel)
        return f"category of {rel} set to {spec.category!r}"

    # 5. files come, go and move

    def add_file(self) -> str:
        self.created += 1
        name = f"{self.rng.choice(WORDS)}-{self.rng.choice(WORDS)}"
        rel = f"{self.rng.choice(FOLDERS)}/new-{self.created}-{name}.md"
        spec = Spec(name, self.sentence(self.rng.randint(5, 12)), sections=[("Focus", self.sentence(9))])
        spec.examples = [self.new_example() for _ in range(self.rng.randint(0, 2))]
        spec.style = self.rng.choice(("block", "escaped"))
        spec.model = self.rng.choice(MODELS)
        spec.color = self.rng.choice(COLORS)
        spec.category = self.rng.choice((None, None, *CATEGORIES))
        if self.rng.random() < 0.5:
            spec.tools = ", ".join(self.rng.sample(TOOLS, 2))
        self.specs[rel] = spec
        self.save(rel)
        return f"added {rel}"

    def delete_file(self) -> str | None:
        if len(self.specs) <= MIN_AGENTS:
            return None
        rel = self.pick()
        (self.root / SRC / rel).unlink()
        del self.specs[rel]
        return f"deleted {rel}"

    def move_file(self) -> str:
        rel = self.pick()
        self.created += 1
        stem = rel.rsplit("/", 1)[1].removesuffix(".md")
        folder = rel.rsplit("/", 1)[0] if self.rng.random() < 0.5 else self.rng.choice(FOLDERS)
        new = f"{folder}/{stem}-r{self.created}.md"
        (self.root / SRC / new).parent.mkdir(parents=True, exist_ok=True)
        os.rename(self.root / SRC / rel, self.root / SRC / new)  # the same inode and mtime
        self.specs[new] = self.specs.pop(rel)
        return f"renamed {rel} to {new}"

    def harness_variant(self) -> str:
        """A definition of an agent for another tool comes (joining the agent's entry when it
        is in the same repository and the entry has no definition of that format) or goes."""
        variants = [rel for rel in sorted(self.specs) if rel.startswith("team-h/")]
        if len(variants) > 1 and len(self.specs) > MIN_AGENTS and self.rng.random() < 0.4:
            rel = self.rng.choice(variants)
            (self.root / SRC / rel).unlink()
            del self.specs[rel]
            return f"deleted the definition {rel}"
        self.created += 1
        source = self.specs[self.rng.choice(variants or sorted(self.specs))]
        rel = f"{self.rng.choice(HARNESS_FOLDERS)}/{source.name.lower()}-h{self.created}.md"
        self.specs[rel] = dataclasses.replace(
            source,
            description=source.description + " " + self.sentence(2),
            examples=list(source.examples),
            sections=list(source.sections),
            original_name=source.name,
        )
        self.save(rel)
        return f"added {rel} as a definition of {source.name!r}"

    # 6. broken frontmatter

    def break_or_fix(self) -> str:
        broken = [rel for rel, spec in sorted(self.specs.items()) if spec.broken is not None]
        if broken and self.rng.random() < 0.6:
            rel = self.rng.choice(broken)
            self.specs[rel].broken = None
            what = "fixed"
        else:
            rel = self.pick()
            self.specs[rel].broken = self.rng.randrange(4)
            what = f"broken (way {self.specs[rel].broken})"
        self.save(rel)
        return f"frontmatter of {rel} {what}"

    # 7. the same content again

    def touch(self) -> str:
        rel = self.pick()
        path = self.root / SRC / rel
        if self.rng.random() < 0.5:
            path.write_bytes(path.read_bytes())
            how = "rewritten"
        else:
            info = path.stat()
            os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + self.rng.randint(1, 10**9)))
            how = "mtime moved"
        return f"{rel} {how}, content unchanged"

    # 8. two agents in one change

    def edit_two(self) -> str:
        first, second = self.rng.sample(sorted(self.specs), 2)
        for rel in (first, second):
            self.specs[rel].description = self.specs[rel].description + " " + self.sentence(3)
            self.save(rel)
        return f"descriptions of {first} and {second} edited"

    # 9. generated files deleted by hand

    def delete_generated(self) -> str | None:
        docs = self.root / "docs"
        generated = sorted(
            p.relative_to(docs).as_posix() for p in docs.rglob("*") if p.is_file() and p.name != MANIFEST
        )
        pages = [rel for rel in generated if rel.startswith("agents/")]
        choices = [*pages, *pages, "index.md", "index.md", *generated]
        rel = self.rng.choice([rel for rel in choices if rel in generated])
        (docs / rel).unlink()
        return f"deleted docs/{rel}"

    def mutations(self) -> list[tuple[Callable[[], str | None], int]]:
        return [
            (self.description_longer_or_shorter, 3),
            (self.description_same_length, 3),
            (self.body, 3),
            (self.example, 3),
            (self.facet, 3),
            (self.rename_agent, 2),
            (self.name_clash, 2),
            (self.undo_name, 2),
            (self.category, 3),
            (self.add_file, 2),
            (self.delete_file, 1),
            (self.move_file, 2),
            (self.harness_variant, 3),
            (self.break_or_fix, 2),
            (self.touch, 2),
            (self.edit_two, 1),
            (self.delete_generated, 2),
        ]

    def step(self) -> list[str]:
        done: list[str] = []
        choices = self.mutations()
        functions = [f for f, _ in choices]
        weights = [w for _, w in choices]
        wanted = self.rng.randint(1, 3)
        while len(done) < wanted:
            what = self.rng.choices(functions, weights)[0]()
            if what:
                done.append(what)
        return done


def repoint(link: Path, target: str) -> None:
    """Make ``link`` a symlink to ``target``, as ``ln -sfn`` does (a new link renamed over the
    old one); its folder's mtime moved on, so that the edit is not in the clock's grain."""
    link.parent.mkdir(parents=True, exist_ok=True)
    new = link.with_name(link.name + ".new")
    os.symlink(target, new)
    os.replace(new, link)
    info = link.parent.stat()
    os.utime(link.parent, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))


ROOMODES = (
    "customModes:\n"
    "  - slug: code\n    name: Code\n    roleDefinition: You write code.\n    groups: [read, edit]\n"
    "  - slug: docs\n    name: Docs\n    roleDefinition: You write docs.\n    groups: [read]\n"
)


class PartsWalk(Walk):
    """Walk, with agents whose prompt is partly or wholly in other files: Roo Code modes with
    rules (a rules folder reached through a symlink, a .roorules file), a Kiro agent whose
    file:// prompt is a symlink, an opencode.json agent with a {file:} prompt, and a Claude
    Code plugin whose plugin.json names it and lists its agents. Each of those files is edited,
    emptied, re-pointed or rewritten; the cached run must still write what a fresh run writes."""

    PARTS = "team-p"

    def __init__(self, root: Path, rng: random.Random) -> None:
        super().__init__(root, rng)
        base = root / SRC / self.PARTS
        self.base = base
        _write(base / ".roomodes", ROOMODES)
        for folder in ("a", "b"):
            _write(base / f".roo/{folder}/01-style.md", f"# Style {folder}\n\n{self.sentence(6)}\n")
        repoint(base / ".roo/rules-code", "a")
        _write(base / ".roorules-docs", self.sentence(5) + "\n")
        _write(
            base / ".kiro/agents/k.json",
            json.dumps({"name": "k", "description": "Does k.", "prompt": "file://./prompts/k.md"}),
        )
        for name in ("one", "two"):
            _write(base / f"texts/{name}.md", f"# Prompt {name}\n\n{self.sentence(7)}\n")
        repoint(base / ".kiro/agents/prompts/k.md", "../../../texts/one.md")  # prompts/: a folder no walk lists
        repoint(base / "prompts/reviewer.md", "../texts/one.md")
        self.opencode = {
            "agent": {"reviewer": {"description": "Reviews code.", "prompt": "{file:./prompts/reviewer.md}"}}
        }
        _write(base / "opencode.json", json.dumps(self.opencode))
        self.plugin = {"name": "plug", "agents": ["./agents/p1.md"]}
        _write(base / "plug/.claude-plugin/plugin.json", json.dumps(self.plugin))
        for name in ("p1", "p2"):
            _write(base / f"plug/agents/{name}.md", render(Spec(name, f"Plugin agent {name}.")))

    def rules_text(self) -> str:
        rel = f".roo/{self.rng.choice('ab')}/{self.rng.choice(('01-style.md', '02-more.md'))}"
        path = self.base / rel
        if path.exists() and self.rng.random() < 0.3:
            path.unlink()
            return f"{self.PARTS}/{rel} deleted"
        _write(path, f"# {self.sentence(2)[:-1]}\n\n{self.sentence(self.rng.randint(3, 9))}\n")
        return f"{self.PARTS}/{rel} written"

    def rules_repoint(self) -> str:
        target = self.rng.choice("ab")
        repoint(self.base / ".roo/rules-code", target)
        return f"{self.PARTS}/.roo/rules-code -> {target}"

    def rules_file(self) -> str:
        text = "" if self.rng.random() < 0.3 else self.sentence(self.rng.randint(3, 8)) + "\n"
        _write(self.base / ".roorules-docs", text)
        return f"{self.PARTS}/.roorules-docs {'emptied' if not text else 'written'}"

    def prompt_text(self) -> str:
        name = self.rng.choice(("one", "two"))
        _write(self.base / f"texts/{name}.md", f"# Prompt {name}\n\n{self.sentence(self.rng.randint(3, 9))}\n")
        return f"{self.PARTS}/texts/{name}.md written"

    def prompt_repoint(self) -> str:
        target = self.rng.choice(("one", "two"))
        if self.rng.random() < 0.5:
            repoint(self.base / ".kiro/agents/prompts/k.md", f"../../../texts/{target}.md")
            return f"{self.PARTS}/.kiro/agents/prompts/k.md -> texts/{target}.md"
        repoint(self.base / "prompts/reviewer.md", f"../texts/{target}.md")
        return f"{self.PARTS}/prompts/reviewer.md -> texts/{target}.md"

    def opencode_config(self) -> str:
        agent = self.opencode["agent"]["reviewer"]
        choice = self.rng.randrange(3)
        if choice == 0:
            agent["prompt"] = self.rng.choice(("{file:./prompts/reviewer.md}", "{file:./texts/two.md}"))
        elif choice == 1:
            agent["prompt"] = self.sentence(5)
        else:
            agent["description"] = self.sentence(self.rng.randint(3, 7))
        _write(self.base / "opencode.json", json.dumps(self.opencode))
        return f"{self.PARTS}/opencode.json: reviewer's {'description' if choice == 2 else 'prompt'} changed"

    def plugin_manifest(self) -> str:
        if self.rng.random() < 0.5:
            self.plugin["name"] = self.rng.choice(("plug", "plugged", "tools"))
        else:
            self.plugin["agents"] = self.rng.choice((["./agents/p1.md"], ["./agents/p2.md"], ["./agents/"]))
        _write(self.base / "plug/.claude-plugin/plugin.json", json.dumps(self.plugin))
        return f"{self.PARTS}/plug/.claude-plugin/plugin.json: {self.plugin}"

    def mutations(self) -> list[tuple[Callable[[], str | None], int]]:
        ours = [self.rules_text, self.rules_repoint, self.rules_file, self.prompt_text, self.prompt_repoint]
        return [*super().mutations(), *((f, 3) for f in ours), (self.opencode_config, 3), (self.plugin_manifest, 3)]


class ProjectsWalk(PartsWalk):
    """PartsWalk, with what a catalog of several projects adds: projects of one folder name
    (``web/app``, ``api/app``: two collections, each named by its path) that come and go; a
    Roo Code mode whose keys below its prompt move the lines its rules files are numbered
    from (a finding in a rules file stays at its line); a rules file that is a symlink inside
    a rules folder, re-pointed; a Factory droid moved into and out of a subfolder (AC207), a
    template without frontmatter there."""

    PROJECTS = ("team-q/web/app", "team-q/api/app", "team-q/app")

    def __init__(self, root: Path, rng: random.Random) -> None:
        super().__init__(root, rng)
        self.keys = 0
        self.project(self.PROJECTS[0], True)
        _write(self.base / ".roo/rules-docs/01-empty.md", "# Empty heading\n\n## Below\n\n<example>\n")
        repoint(self.base / ".roo/rules-docs/02-linked.md", "../a/01-style.md")
        _write(self.base / ".factory/droids/d.md", render(Spec("droid-d", "Droid d.")))

    def project(self, folder: str, present: bool) -> None:
        path = self.root / SRC / folder / ".roomodes"
        slug = folder.replace("/", "-").replace("team-q-", "")
        if present:
            _write(path, f"customModes:\n  - slug: {slug}\n    name: {slug}\n    roleDefinition: Works on {folder}.\n")
        elif path.exists():
            path.unlink()

    def projects(self) -> str:
        folder, present = self.rng.choice(self.PROJECTS), self.rng.random() < 0.6
        self.project(folder, present)
        return f"{folder}/.roomodes {'written' if present else 'deleted'}"

    def mode_keys(self) -> str:
        self.keys = self.rng.randrange(0, 12)
        keys = "".join(f"    x{i}: {i}\n" for i in range(self.keys))
        modes = ROOMODES.replace(
            "    roleDefinition: You write docs.\n", "    roleDefinition: You write docs.\n" + keys
        )
        _write(self.base / ".roomodes", modes)
        return f"{self.PARTS}/.roomodes: docs has {self.keys} keys below its prompt"

    def linked_rule(self) -> str:
        target = self.rng.choice(("../a/01-style.md", "../b/01-style.md", "../../texts/one.md"))
        repoint(self.base / ".roo/rules-docs/02-linked.md", target)
        return f"{self.PARTS}/.roo/rules-docs/02-linked.md -> {target}"

    def droid_folder(self) -> str:
        droids = self.base / ".factory/droids"
        now = next(droids.rglob("d.md"))
        there = droids / self.rng.choice(("d.md", "team/d.md", "other/d.md"))
        there.parent.mkdir(parents=True, exist_ok=True)
        os.replace(now, there)
        if self.rng.random() < 0.3:
            _write(droids / "team/template.md", "# Template\n\n" + self.sentence(4) + "\n")
        return f"{self.PARTS}/.factory/droids: d.md moved to {there.relative_to(droids)}"

    def mutations(self) -> list[tuple[Callable[[], str | None], int]]:
        ours = [self.projects, self.mode_keys, self.linked_rule, self.droid_folder]
        return [*super().mutations(), *((f, 3) for f in ours)]


def _check_run(result: Result, what: str, history: list[str]) -> None:
    trail = "\n".join(history)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        trace = "".join(traceback.format_exception(result.exception))
        pytest.fail(f"{what} raised after:\n{trail}\n{trace}")
    assert result.exit_code in (0, 1), f"{what} exited {result.exit_code} after:\n{trail}\n{result.output}"


# Each walk with its own seeds: Walk edits agent files and folders, PartsWalk the files agents
# read besides their own, ProjectsWalk several projects' files.
WALKS = [
    *((Walk, seed) for seed in SEEDS),
    *((PartsWalk, seed) for seed in PART_SEEDS),
    *((ProjectsWalk, seed) for seed in PROJECT_SEEDS),
]


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "seed"), WALKS, ids=[f"{kind.__name__}-{seed}" for kind, seed in WALKS])
def test_cached_generate_matches_a_fresh_one(
    kind: type[Walk], seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _walk_and_compare(kind, seed, tmp_path, monkeypatch)


def _walk_and_compare(kind: type[Walk], seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # The filter's data in parts of three rows: agents that come, go or move shift rows from
    # part to part, and parts come and go, as with 500 rows a part in a large catalog.
    monkeypatch.setattr("catalog.render.facets.DATA_PART", 3)
    # The cache's blocks of fragments (500 agents each) in blocks of three or four: an edit
    # joins the blocks it did not touch as the last run left them, and a part of the
    # filter's data is a block's rows (three) or slices of two blocks' (four).
    monkeypatch.setattr("catalog.incremental.records.BLOCK", 3 + seed % 2)
    rng = random.Random(seed)
    walk = kind(tmp_path, rng)
    history: list[str] = [f"seed {seed}"]
    first = generate("--docs-dir", "docs")
    _check_run(first, "the first generate", history)
    assert (tmp_path / "docs/assets/catalog-data-2.js").is_file()  # at least four agents: two parts
    for step in range(1, STEPS + 1):
        history.append(f"step {step}: " + "; ".join(walk.step()))
        for kill in range(rng.choice((0, 0, 1, 1, 2, 3))):
            if kill:
                history.append(f"step {step}, then: " + "; ".join(walk.step()))
            at, before = 1 + int(rng.expovariate(1 / 15)), rng.random() < 0.5
            code = killed_generate(at, before, "--docs-dir", "docs")
            history.append(f"step {step}: generate killed {'before' if before else 'after'} change {at} ({code})")
            assert code in (0, 1, KILLED), f"a killed generate exited {code} after:\n" + "\n".join(history)
        cached = generate("--docs-dir", "docs")
        _check_run(cached, f"step {step}: generate", history)
        fresh_dir = f"fresh-{step}"
        fresh = generate("--docs-dir", fresh_dir, "--no-cache")
        _check_run(fresh, f"step {step}: generate --no-cache", history)
        mine, theirs = contents(tmp_path / "docs"), contents(tmp_path / fresh_dir)
        trail = "\n".join(history)
        if mine != theirs:
            pytest.fail(
                f"docs/ differs from {fresh_dir}/ (--no-cache) after:\n{trail}\n{describe_differences(mine, theirs)}",
                pytrace=False,
            )
        assert folders(tmp_path / "docs") == folders(tmp_path / fresh_dir), f"folders differ after:\n{trail}"
        # Among the files compared: each agent's record (agents/<slug>.json) beside its page, and
        # one for each definition an entry's page shows (a download and a record, no page).
        records = {rel.removesuffix(".json") for rel in mine if rel.startswith("agents/") and rel.endswith(".json")}
        assert records >= {rel.removesuffix(".md") for rel in mine if rel.startswith("agents/") and rel.endswith(".md")}
        assert records == {"agents/" + rel[10:-7] for rel in mine if rel.startswith("downloads/")}
        assert findings_of(cached) == findings_of(fresh), f"findings differ after:\n{trail}"
        assert cached.exit_code == fresh.exit_code, f"exit codes differ after:\n{trail}"
        cache = Path(os.environ["AGENT_CATALOG_CACHE_DIR"])
        assert leftovers(cache) == [], f"temporary files left in the cache after:\n{trail}"
        shutil.rmtree(tmp_path / fresh_dir)
    # Nothing changed since: another run leaves every file as it is.
    before = contents(tmp_path / "docs")
    again = generate("--docs-dir", "docs")
    _check_run(again, "a last generate", history)
    after = contents(tmp_path / "docs")
    if after != before:
        trail = "\n".join(history)
        pytest.fail(f"a run with nothing changed rewrote docs/ after:\n{trail}\n{describe_differences(after, before)}")


def test_a_folder_whose_pages_were_deleted_by_hand_goes_with_its_last_generated_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The manifest names pages a person (or a killed run) deleted already: when they are no
    longer generated, their folder goes as if this run had removed them."""
    monkeypatch.chdir(tmp_path)
    for team, name in (("team-a", "alpha"), ("team-b", "beta")):
        _write(tmp_path / SRC / team / "agents" / f"{name}.md", render(Spec(name, f"Does {name}.")))
    _check_run(generate("--docs-dir", "docs"), "the first generate", [])
    assert (tmp_path / "docs" / "collections" / "team-b.md").is_file()
    for page in (tmp_path / "docs" / "collections").iterdir():
        page.unlink()
    shutil.rmtree(tmp_path / SRC / "team-b")  # one collection left: no collection pages
    _check_run(generate("--docs-dir", "docs"), "generate", [])
    _check_run(generate("--docs-dir", "fresh", "--no-cache"), "generate --no-cache", [])
    assert folders(tmp_path / "docs") == folders(tmp_path / "fresh")
    assert contents(tmp_path / "docs") == contents(tmp_path / "fresh")


def test_two_runs_killed_before_their_manifest_then_a_rename_leave_nothing_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's sequence: each killed run's journal names files the other's does not; the
    run that finishes must know all of them for its own."""
    monkeypatch.chdir(tmp_path)
    walk = Walk(tmp_path, random.Random(0))
    _check_run(generate("--docs-dir", "docs"), "the first generate", [])
    first, second = "team-a/agents/backend/api-designer.md", "team-b/agents/docs-writer.md"
    walk.specs[first].category = "research"  # the overview, two category pages, catalog-data.js
    walk.save(first)
    assert killed_before_the_manifest("--docs-dir", "docs") == KILLED
    walk.specs[second].description += " Also reviews."
    walk.save(second)
    assert killed_before_the_manifest("--docs-dir", "docs") == KILLED
    walk.specs[first].name = "api-architect"  # a rename: the page the killed runs wrote is gone
    walk.save(first)
    result = generate("--docs-dir", "docs")
    _check_run(result, "generate", [])
    assert "edited since generated" not in result.stderr
    _check_run(generate("--docs-dir", "fresh", "--no-cache"), "generate --no-cache", [])
    mine, theirs = contents(tmp_path / "docs"), contents(tmp_path / "fresh")
    assert mine == theirs, describe_differences(mine, theirs)


def killed_before_its_state(*args: str) -> int:
    """`generate` killed just before it renames its new state into the cache: its manifest
    written (and its journal gone), the cache still the last run's."""

    def dies(name: str, call: tuple[object, ...], done: bool) -> bool:
        return name == "replace" and not done and str(call[1]).endswith("/state.pickle")

    return _forked_generate(dies, *args)


@pytest.mark.parametrize("killed", [killed_before_the_manifest, killed_before_its_state])
def test_pages_a_killed_run_rewrote_are_not_kept_as_the_last_run_left_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, killed: Callable[..., int]
) -> None:
    """A run killed before its state is saved may have rewritten agents' pages (here all of
    them: a second collection changes every page's context), its journal left or its manifest
    written. When an edit takes the catalog back to what the saved state knows, those pages
    must not be kept as that state left them."""
    monkeypatch.chdir(tmp_path)
    for name in ("alpha", "beta", "gamma"):
        _write(tmp_path / SRC / "team-a" / "agents" / f"{name}.md", render(Spec(name, f"Does {name}.")))
    _check_run(generate("--docs-dir", "docs"), "the first generate", [])
    before = contents(tmp_path / "docs")
    _write(tmp_path / SRC / "team-b" / "agents" / "delta.md", render(Spec("delta", "Does delta.")))
    assert killed("--docs-dir", "docs") == KILLED
    assert contents(tmp_path / "docs")["agents/alpha.md"] != before["agents/alpha.md"]  # rewritten, then killed
    shutil.rmtree(tmp_path / SRC / "team-b")
    _check_run(generate("--docs-dir", "docs"), "generate", [])
    _check_run(generate("--docs-dir", "fresh", "--no-cache"), "generate --no-cache", [])
    mine, theirs = contents(tmp_path / "docs"), contents(tmp_path / "fresh")
    assert mine == theirs, describe_differences(mine, theirs)


@pytest.mark.parametrize("killed", [killed_before_the_manifest, killed_before_its_state])
def test_an_agent_read_by_a_killed_run_under_another_plugin_name_is_not_kept_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, killed: Callable[..., int]
) -> None:
    """The whole agent a run keeps beside its entry matched the entry by its file's stat only.
    A killed run read the file again, found under a plugin renamed in its manifest; the name
    went back, so the entry was right again and the agent kept whole was the killed run's:
    its page named the other plugin (ProjectsWalk seed 144, once the cache wrote its files in
    another order)."""
    monkeypatch.chdir(tmp_path)
    plugin = tmp_path / SRC / "team-p" / "plug"
    manifest = plugin / ".claude-plugin" / "plugin.json"
    _write(manifest, json.dumps({"name": "tools", "agents": ["./agents/p1.md"]}))
    _write(plugin / "agents" / "p1.md", render(Spec("p1", "Does p1.")))
    _write(tmp_path / SRC / "team-a" / "agents" / "alpha.md", render(Spec("alpha", "Does alpha.")))
    _check_run(generate("--docs-dir", "docs"), "the first generate", [])
    _write(manifest, json.dumps({"name": "plug", "agents": ["./agents/p1.md"]}))
    assert killed("--docs-dir", "docs") == KILLED
    _write(manifest, json.dumps({"name": "tools", "agents": ["./agents/p1.md"]}))
    _check_run(generate("--docs-dir", "docs"), "generate", [])
    _check_run(generate("--docs-dir", "fresh", "--no-cache"), "generate --no-cache", [])
    mine, theirs = contents(tmp_path / "docs"), contents(tmp_path / "fresh")
    assert mine == theirs, describe_differences(mine, theirs)
