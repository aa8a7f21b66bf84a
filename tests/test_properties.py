"""Property tests: whatever text a file holds, parsing and modelling give an agent or a finding, never a crash."""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.model.agent import build_agent
from catalog.model.dialect_of import format_for_path
from catalog.model.dialects import DIALECTS
from catalog.parse.document import decode_agent_bytes, parse_agent_text
from catalog.render.jsonout import agent_to_dict, dumps
from catalog.types import Agent, AgentSource, Finding, Format

# Inline seeds, shaped like the real corpus (no dependence on ../shared).
SEEDS = [
    # the wizard's one-line description: literal \n, unquoted ': ', <example> blocks
    "---\nname: backend-specialist\ndescription: Use this agent for backends.\\n\\n<example>\\nContext: The user"
    ' needs help.\\nuser: "Import a CSV"\\nassistant: "I\'ll use the backend agent."\\n<commentary>\\nBig data.'
    "\\n</commentary>\\n</example>\nmodel: inherit\ncolor: blue\n---\n\n**Core Expertise:**\n\nYou know:\n- SQL\n",
    # the same failure over several lines
    "---\nname: query-tuner\ndescription: Use this agent when a query is slow. Examples:\\n\\n<example>\n"
    'Context: It times out.\nuser: "Slow page"\nassistant: "I\'ll check."\n<commentary>\nSlow.\n</commentary>\n'
    "</example>\ncolor: green\n---\nYou tune queries.\n",
    # VoltAgent: unquoted ': ' in a one-line description
    "---\nname: gdpr\ndescription: Use for GDPR. Triggers on: 'GDPR', 'CCPA'.\ntools: Read, Grep\n---\n# Role\n",
    # Copilot agent: display name, YAML list tools, nested mapping
    "---\nname: 'Paper Research'\ndescription: 'Finds papers.'\ntools:\n  - read\n  - bgpt/*\nmcp-servers:\n"
    '  bgpt:\n    type: "sse"\n---\n## Expertise\n- papers\n',
    # opencode: id, tool map, permissions
    "---\nid: doc\nname: DocWriter\ntools:\n  read: true\n  bash: false\npermissions:\n  bash:\n"
    '    "*": "deny"\ntemperature: 0.2\n---\n# Docs\n',
    # indented as a whole, opening after a blank line
    "\n    ---\n    name: sqs-expert\n    description: SQS.\n    model: claude-sonnet-4-20250514\n    ---\n\n"
    "    ## Focus Areas\n",
    # chat mode without a name, quoted hex colour, block scalar
    "---\ndescription: |\n  Plans work.\n  Carefully.\ncolor: '#ff0000'\n---\n# Plan\n",
]

# Characters that break YAML and frontmatter in interesting ways.
NASTY = st.sampled_from(
    [":", ": ", '"', "'", "\t", "---", "\n---\n", "[", "]", "{", "}", "-", "- ", "#", "&a ", "*a", "!!", "|", ">",
     "\\n", "\n", "\r\n", "<example>", "</example>", "\ufeff", "\x00", "  ", "?", ",", "%", "@", "`", "é", "\u202e"]
)  # fmt: skip


@st.composite
def mutated_seed(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:position] + draw(NASTY | st.text(max_size=3)) + text[position:]
        else:
            text = text[:position] + text[position + draw(st.integers(1, 8)) :]
    return text


@st.composite
def random_frontmatter(draw: st.DrawFn) -> str:
    keys = st.sampled_from(["name", "description", "tools", "model", "color", "id", "user", "Context", "x"])
    values = st.one_of(
        st.text(max_size=40),
        st.sampled_from(["[]", "{}", "[a, b]", "{read: true}", "'q'", '"q"', "|", "yes", "~", "1e3", "&a x", "*a"]),
    )
    lines = [
        f"{draw(keys)}:{draw(st.sampled_from([' ', '', '  ']))}{draw(values)}" for _ in range(draw(st.integers(0, 6)))
    ]
    body = draw(st.text(max_size=80))
    return "---\n" + "\n".join(lines) + "\n---\n" + body


FILE_NAMES = [
    "agents/reviewer.md",
    "x.agent.md",
    "chatmodes/p.chatmode.md",
    ".opencode/agent/a.md",
    ".gemini/agents/g.md",
]


_KEY_LIKE = re.compile(r"[ \t]*[A-Za-z_][\w.-]*[ \t]*:")
OPENING_TAG = re.compile(r"<example(?:\s[^<>]*)?>")


def load(text: str, rel_path: str = "agents/reviewer.md") -> tuple[Agent, list[Finding]]:
    """The pipeline's per-file work, from text on: parse, then model."""
    fmt = format_for_path(PurePosixPath(rel_path))
    raw = parse_agent_text(text, rel_path, DIALECTS[fmt].known_keys)
    source = AgentSource(Path("/nonexistent") / rel_path, rel_path, rel_path, fmt)
    agent, more = build_agent(source, raw)
    findings = [*raw.findings, *more]
    # Never silently empty: key lines above the body that gave no metadata must give a finding.
    head = text.split("\n")[: raw.body_line - 1]
    if not raw.metadata and any(_KEY_LIKE.match(line) for line in head):
        assert findings, "frontmatter with keys was dropped without a finding"
    if not raw.has_frontmatter:
        assert [f.code for f in raw.findings] == ["AC110"]
    return agent, findings


def check(agent: Agent, findings: list[Finding], rel_path: str) -> None:
    # Every input gives an agent with a name (the file name when nothing else could be read).
    assert agent.name.strip()
    assert agent.slug
    assert isinstance(agent.format, Format)
    for finding in findings:
        assert finding.path == rel_path
        assert finding.line >= 1 and finding.col >= 1
        assert finding.code.startswith("AC")
        assert "<unicode string>" not in finding.message
    # N opening <example> tags give N examples, closed or not.
    assert len(agent.examples) == len(OPENING_TAG.findall(agent.description)) + len(OPENING_TAG.findall(agent.body))
    # The record survives the trip through JSON.
    assert json.loads(dumps(agent_to_dict(agent)))["name"] == agent.name


PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(text=st.text(max_size=300), rel_path=st.sampled_from(FILE_NAMES))
def test_random_text(text: str, rel_path: str) -> None:
    agent, findings = load(text, rel_path)
    check(agent, findings, rel_path)


@PROPERTY
@given(text=mutated_seed(), rel_path=st.sampled_from(FILE_NAMES))
def test_mutated_real_frontmatter(text: str, rel_path: str) -> None:
    agent, findings = load(text, rel_path)
    check(agent, findings, rel_path)


@PROPERTY
@given(text=random_frontmatter())
def test_random_frontmatter(text: str) -> None:
    agent, findings = load(text)
    check(agent, findings, "agents/reviewer.md")


@PROPERTY
@given(data=st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    found: list[Finding] = []
    text = decode_agent_bytes(data, "agents/reviewer.md", found)
    assert "\x00" not in text and "\r" not in text
    agent, findings = load(text)
    check(agent, [*found, *findings], "agents/reviewer.md")


def test_a_file_without_anything_still_gives_a_named_agent() -> None:
    agent, findings = load("")
    assert agent.name == "reviewer"
    assert [f.code for f in findings] == ["AC110"]


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=12),
        st.lists(st.text(max_size=8), max_size=3).map(tuple),
        max_size=6,
    )
)
def test_manifest_is_written_as_the_indenting_encoder_would(files: dict[str, tuple[str, ...]]) -> None:
    from catalog.output.docs_folder import manifest_json

    data = {rel: d[0] if len(d) == 1 else list(d) for rel, d in files.items()}
    assert manifest_json(files) == json.dumps(data, indent=1, sort_keys=True)
