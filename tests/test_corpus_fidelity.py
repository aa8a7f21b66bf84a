"""What the authors of the real corpus meant, over every file of ../shared/corpus: descriptions
that write line breaks as \\n, examples whose speakers are named or tagged, and recovery that
tells a frontmatter key from a line of dialogue."""

from __future__ import annotations

import itertools
import re
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from catalog.model.dialect_of import format_for_path
from catalog.model.dialects import DIALECTS
from catalog.model.examples import _without_code
from catalog.parse.document import parse_agent_text
from catalog.parse.lenient import _recover
from catalog.types import Agent, Catalog

pytestmark = pytest.mark.corpus

# An example block as catalog.model.examples finds one: from its opening tag to its closing tag, the
# next opening tag, or the end.
BLOCK = re.compile(r"<example(?:\s[^<>]*)?>(.*?)(?=</example>|<example(?:\s[^<>]*)?>|\Z)", re.S)
COMMENTARY = re.compile(r"<commentary>.*?(?:</commentary>|\Z)", re.S)
# Independent of catalog.model.examples' own patterns: does the text let the user or the assistant speak?
USER_SPEAKS = re.compile(r"(?:^|\s)(?:user|human)\s*:|<(?:user|human)[\w-]*>", re.I)
ASSISTANT_SPEAKS = re.compile(r"(?:^|\s)assistant\s*:|^\W*agent\W*:|<assistant[\w-]*>", re.I | re.M)
CODE_SPAN = re.compile(r"(`+)[^`]*?\1")


def example_blocks(agent: Agent) -> list[str]:
    """The text of each example the agent's description and system prompt (outside code) hold."""
    body = _without_code(agent.body)
    return [m.group(1) for m in BLOCK.finditer(agent.description)] + [m.group(1) for m in BLOCK.finditer(body)]


def test_every_example_tag_gives_an_example_with_the_turns_its_text_has(corpus_catalog: Catalog) -> None:
    wrong: dict[str, list[tuple[int, list[str]]]] = {}
    total = 0
    for agent in corpus_catalog.agents:
        blocks = example_blocks(agent)
        assert len(agent.examples) == len(blocks), agent.path
        for number, (block, example) in enumerate(zip(blocks, agent.examples, strict=True), 1):
            total += 1
            spoken = COMMENTARY.sub("", block)
            roles = [turn.role for turn in example.turns]
            expected = {"user"} if USER_SPEAKS.search(spoken) else set()
            expected |= {"assistant"} if ASSISTANT_SPEAKS.search(spoken) else set()
            if not expected <= set(roles) or any(a == b for a, b in itertools.pairwise(roles)):
                wrong.setdefault(agent.path, []).append((number, roles))
    assert wrong == {}
    assert total > 500  # davila7 alone has 123 agents of three examples in "\\n" descriptions


def test_no_description_shows_a_written_backslash_n(corpus_catalog: Catalog) -> None:
    shown = {a.path: (a.description, a.summary) for a in corpus_catalog.agents}
    assert [path for path, texts in shown.items() if any("\\n" in CODE_SPAN.sub("", t) for t in texts)] == []
    # ... and the text as written is kept for those that wrote it so.
    written = [a for a in corpus_catalog.agents if a.description_raw is not None]
    assert len(written) >= 123
    assert all("\\n" in (a.description_raw or "") for a in written)


def test_no_summary_ends_in_a_lead_in_to_examples_it_does_not_show(corpus_catalog: Catalog) -> None:
    assert [a.path for a in corpus_catalog.agents if a.examples and a.summary.endswith(":")] == []


def test_davila7_double_quoted_descriptions_give_dialogues(corpus_catalog: Catalog) -> None:
    [agent] = [a for a in corpus_catalog.agents if a.path.endswith("/security/ad-security-reviewer.md")]
    assert agent.summary.startswith("Use this agent when you need to audit Active Directory")
    assert len(agent.examples) == 3
    for example in agent.examples:
        assert example.context and example.commentary
        assert [t.role for t in example.turns] == ["user", "assistant"]
        assert not any("\\n" in t.text for t in example.turns)


def test_user_request_markup_gives_the_user_s_turn(corpus_catalog: Catalog) -> None:
    [agent] = [a for a in corpus_catalog.agents if a.path.endswith("/api-graphql/api-architect.md")]
    assert [[t.role for t in e.turns] for e in agent.examples] == [["user"]] * 3
    assert agent.examples[0].turns[0].text.startswith("Design a GraphQL API for an e-commerce catalog")
    assert all(e.commentary and e.commentary.startswith("The agent will") for e in agent.examples)


# Lenient recovery, checked on the files strict YAML reads: it must find the same fields.


def frontmatter_lines(path: Path) -> list[str] | None:
    lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    return None if end is None else lines[1:end]


def agent_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*.md") if p.is_file())


def same_value(recovered: Any, strict: Any) -> bool:
    if isinstance(strict, str) and isinstance(recovered, str):
        return recovered.rstrip("\n") == strict.rstrip("\n")
    return bool(recovered == strict)


def test_recovery_finds_the_fields_yaml_finds(corpus_dir: Path) -> None:
    """Every corpus file that is valid YAML, read as if it were not: the same keys and values.
    Its unknown keys (emoji, version, permissionMode, ...) start fields of their own; no line of
    a value, multi-line descriptions and quoted examples included, is taken for a key."""
    checked = 0
    differ: dict[str, Any] = {}
    for path in agent_files(corpus_dir):
        lines = frontmatter_lines(path)
        if not lines:
            continue
        rel = path.relative_to(corpus_dir).as_posix()
        keys = DIALECTS[format_for_path(PurePosixPath(rel))].known_keys
        strict = parse_agent_text("\n".join(["---", *lines, "---", ""]), rel, keys)
        if strict.recovered or not strict.metadata or strict.findings:
            continue
        recovered, _, _, _ = _recover(lines, 2, keys, lambda *_: None)
        checked += 1
        if list(recovered) != list(strict.metadata):
            differ[rel] = (list(strict.metadata), list(recovered))
        else:  # a block scalar's final line break: the end of a field is not the end of a file
            wrong = {k: (v, recovered[k]) for k, v in strict.metadata.items() if not same_value(recovered[k], v)}
            if wrong:
                differ[rel] = wrong
    assert differ == {}
    assert checked > 1000


def test_recovered_files_keep_their_examples_in_the_description(corpus_catalog: Catalog) -> None:
    """The files only recovery reads: every <example> of the frontmatter is in the description."""
    for agent in corpus_catalog.agents:
        if not agent.source.name.endswith(".md"):
            continue
        lines = frontmatter_lines(agent.source)
        if lines is None:
            continue
        tags = len(re.findall(r"<example(?:\s[^<>]*)?>", "\n".join(lines)))
        assert len(re.findall(r"<example(?:\s[^<>]*)?>", agent.description)) == tags, agent.path
