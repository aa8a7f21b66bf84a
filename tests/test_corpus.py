"""Scan the real corpus (957 files from six collections) and the seed: every file must load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalog.pipeline import scan_catalog
from catalog.render.jsonout import catalog_to_dict, dumps
from catalog.types import Agent, Catalog, Section

pytestmark = pytest.mark.corpus

# The same pattern catalog.model.examples uses for an opening tag (attributes allowed, <examples> not).
OPENING_TAG = re.compile(r"<example(?:\s[^<>]*)?>")

INVALID_YAML_VOLTAGENT = [
    "04-quality-security/gdpr-ccpa-compliance.md",
    "07-specialized-domains/hipaa-compliance.md",
    "08-business-product/assumption-mapping.md",
    "08-business-product/backlog-grooming.md",
    "08-business-product/growth-loops.md",
    "10-research-analysis/ab-test-analysis.md",
    "10-research-analysis/cohort-analysis.md",
    "10-research-analysis/first-principles-thinking.md",
]


def by_path(catalog: Catalog, suffix: str) -> Agent:
    [agent] = [a for a in catalog.agents if a.path.endswith(suffix)]
    return agent


def test_every_corpus_file_becomes_one_agent(corpus_catalog: Catalog) -> None:
    # 1,729 agent files less the 6 without frontmatter (AC110), a README and davila7's
    # flutter-ui-developer (no .md: no tool reads it); the one .roomodes gives its 7 modes.
    assert len(corpus_catalog.agents) == 1727
    assert len({a.path for a in corpus_catalog.agents}) == 1727


def test_every_agent_has_a_name(corpus_catalog: Catalog) -> None:
    assert [a.path for a in corpus_catalog.agents if not a.name.strip()] == []


# Markdown without frontmatter in davila7's agent folders: their tool ignores them.
NO_FRONTMATTER = [
    "cli-tool/components/agents/business-marketing/cli-tool/components/agents/business-marketing/"
    "cli-tool/components/agents/business-marketing/vital-health-content-agent.md",
    "cli-tool/components/agents/business-marketing/cli-tool/components/agents/business-marketing/"
    "vital-health-content-agent.md",
    "cli-tool/components/agents/deep-research-team/agent-overview.md",
    "cli-tool/components/agents/development-team/sdd-spec-writer.md",
    "cli-tool/components/agents/git/commit-guardian.md",
    "cli-tool/components/agents/security/supply-chain-security.md",
]


def test_no_error_findings_but_files_their_tool_ignores(corpus_catalog: Catalog) -> None:
    errors = sorted((f.path.split("/corpus/", 1)[1], f.code) for f in corpus_catalog.findings if f.severity == "error")
    assert errors == sorted((f"davila7__claude-code-templates/{rel}", "AC110") for rel in NO_FRONTMATTER)


def test_every_opening_example_tag_gives_an_example(corpus_catalog: Catalog) -> None:
    """Every tag of a description, and of a system prompt outside its Markdown code: three
    prompts show the tag in code (a template in a fenced block, `<!-- <example> -->`)."""
    from catalog.model.examples import _without_code

    counts = {
        a.path: (
            len(OPENING_TAG.findall(a.description)) + len(OPENING_TAG.findall(_without_code(a.body))),
            len(a.examples),
        )
        for a in corpus_catalog.agents
    }
    assert {path: (tags, found) for path, (tags, found) in counts.items() if tags != found} == {}
    # Most are davila7's, in descriptions that write line breaks as \n (tests/test_corpus_fidelity.py).
    assert sum(found for _, found in counts.values()) == 518
    in_code = sum(
        len(OPENING_TAG.findall(a.body)) - len(OPENING_TAG.findall(_without_code(a.body)))
        for a in corpus_catalog.agents
    )
    assert in_code == 20  # prompt builders and agent experts show the tag in templates (3 files before davila7)


def test_slugs_are_unique_safe_file_names(corpus_catalog: Catalog) -> None:
    slugs = [a.slug for a in corpus_catalog.agents]
    assert len(set(slugs)) == len(slugs)
    assert len({s.casefold() for s in slugs}) == len(slugs)
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", s) for s in slugs)


@pytest.mark.parametrize("rel", INVALID_YAML_VOLTAGENT)
def test_invalid_yaml_voltagent_files_are_recovered(corpus_catalog: Catalog, rel: str) -> None:
    path = f"VoltAgent__awesome-claude-code-subagents/categories/{rel}"
    agent = by_path(corpus_catalog, path)
    codes = [(f.code, f.severity, f.line) for f in corpus_catalog.findings if f.path.endswith(path)]
    assert codes == [("AC115", "info", 3)]  # Claude Code, their tool, loads them: a note
    assert agent.name == Path(rel).stem
    # The whole one-line description, as written, and the keys after it still read.
    lines = agent.source.read_text(encoding="utf-8").split("\n")
    assert agent.description == lines[2].removeprefix("description: ").strip()
    assert "Triggers on: '" in agent.description
    assert lines[3].startswith("tools: ")
    assert agent.tools == tuple(t.strip() for t in lines[3].removeprefix("tools: ").split(","))


def test_only_the_expected_files_have_findings(corpus_catalog: Catalog) -> None:
    flagged = {f.path.split("/corpus/", 1)[1]: f.code for f in corpus_catalog.findings if f.code == "AC115"}
    volt = [p for p in flagged if p.startswith("VoltAgent__")]
    assert sorted(volt) == sorted(
        f"VoltAgent__awesome-claude-code-subagents/categories/{r}" for r in INVALID_YAML_VOLTAGENT
    )
    # davila7: 28 files are not valid YAML (the corpus README says which).
    assert len(flagged) - len(volt) == 28
    assert all(p.startswith("davila7__") for p in flagged if p not in volt)
    others = {(f.path.split("/corpus/", 1)[1], f.code) for f in corpus_catalog.findings if f.code != "AC115"}
    assert others == {
        ("0xfurai__claude-code-subagents/agents/sqs-expert.md", "AC111"),
        ("0xfurai__claude-code-subagents/agents/sqs-expert.md", "AC112"),
        ("davila7__claude-code-templates/cli-tool/components/agents/development-tools/unused-code-cleaner.md", "AC106"),
        *((f"davila7__claude-code-templates/{rel}", "AC110") for rel in NO_FRONTMATTER),
    }


def test_indented_file_keeps_its_frontmatter(corpus_catalog: Catalog) -> None:
    agent = by_path(corpus_catalog, "0xfurai__claude-code-subagents/agents/sqs-expert.md")
    assert agent.name == "sqs-expert"
    assert agent.description == "Expertise in Amazon SQS for reliable, scalable message queuing."
    assert agent.model == "claude-sonnet-4-20250514"
    assert agent.body.startswith("\n## Focus Areas")
    assert agent.sections[0].title == "Focus Areas"


def test_every_format_is_found(corpus_catalog: Catalog) -> None:
    counts: dict[str, int] = {}
    for agent in corpus_catalog.agents:
        counts[agent.format.value] = counts.get(agent.format.value, 0) + 1
    assert counts == {
        "claude-code": 1051,
        "codex": 177,
        "copilot-agent": 229,
        "copilot-chatmode": 91,
        "cursor": 5,
        "factory": 93,
        "gemini-cli": 5,
        "kiro": 7,
        "opencode": 43,
        "qwen-code": 19,
        "roo-code": 7,
    }


def test_two_scans_give_identical_json(corpus_dir: Path, corpus_catalog: Catalog) -> None:
    # The shared scan used a process pool; this one runs in one process.
    again = scan_catalog([str(corpus_dir)], jobs=1)
    assert dumps(catalog_to_dict(again)) == dumps(catalog_to_dict(corpus_catalog))


# The seed: the hardest real case (one-line description, literal \n, unquoted ': ').


@pytest.fixture(scope="module")
def seed_agent(seed_file: Path) -> Agent:
    catalog = scan_catalog([str(seed_file.parent)])
    [agent] = catalog.agents
    return agent


def test_seed_is_recovered_with_one_note(seed_file: Path) -> None:
    catalog = scan_catalog([str(seed_file.parent)])
    assert [(f.code, f.severity, f.line) for f in catalog.findings] == [("AC115", "info", 3)]


def test_seed_names_and_metadata(seed_agent: Agent) -> None:
    assert seed_agent.name == "backend-specialist"
    assert seed_agent.model == "inherit"
    assert seed_agent.color == "blue"
    assert seed_agent.tools is None
    assert "\\n" not in seed_agent.description
    assert seed_agent.summary.endswith("challenges.")
    assert "<example>" not in seed_agent.summary


def test_seed_examples(seed_agent: Agent) -> None:
    assert len(seed_agent.examples) == 3
    for example in seed_agent.examples:
        assert example.context
        assert [t.role for t in example.turns] == ["user", "assistant"]
        assert all(t.text and not t.text.startswith('"') for t in example.turns)
        assert example.commentary
    first = seed_agent.examples[0]
    assert first.context == "The user needs help with backend development in a Next.js application."
    assert first.turns[0].text == (
        "I need to implement a bulk import feature that processes CSV files with millions of rows"
    )


def test_seed_sections(seed_agent: Agent) -> None:
    titles = [s.title for s in seed_agent.sections]
    assert titles[:3] == ["Core Expertise", "Operational Principles", "Problem-Solving Approach"]
    core: Section = seed_agent.sections[0]
    groups = [c.title for c in core.children]
    assert len(groups) == 5
    for word, group in zip(["Next.js", "Prisma", "SQL", "Inngest", "data engineering"], groups, strict=True):
        assert word in group
    assert all(len(c.items) >= 5 for c in core.children)
    assert core.children[1].items[0] == "Advanced schema modeling and migration strategies"
