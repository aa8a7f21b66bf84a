"""catalog.model.agent and the pipeline's per-file work: one Agent whatever the dialect."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.model.agent import build_agent, normalize_tools, slugify, titleize
from catalog.model.dialect_of import format_for_path
from catalog.model.dialects import DIALECTS
from catalog.parse.document import parse_agent_text
from catalog.pipeline import assign_slugs, load_agent
from catalog.types import Agent, AgentSource, Format, Turn
from tests.samples import QUERY_TUNER


def agent_from(text: str, rel_path: str = "agents/reviewer.md", **where: Any) -> Agent:
    fmt = format_for_path(PurePosixPath(rel_path))
    raw = parse_agent_text(text, rel_path, DIALECTS[fmt].known_keys)
    agent, _ = build_agent(AgentSource(Path("/x") / rel_path, rel_path, rel_path, fmt, **where), raw)
    return agent


def test_query_tuner_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "query-tuner.md"
    path.write_text(QUERY_TUNER, encoding="utf-8")
    source = AgentSource(path, "query-tuner.md", "agents/query-tuner.md", format_for_path(PurePosixPath(path.name)))
    agent, findings = load_agent(source)
    assert [(f.path, f.line, f.code) for f in findings] == [("agents/query-tuner.md", 8, "AC115")]
    assert (agent.name, agent.color, agent.summary) == ("query-tuner", "green", "Use this agent when a query is slow.")
    [example] = agent.examples
    assert example.context == "The dashboard endpoint times out."
    assert example.turns == (
        Turn("user", "Our analytics page takes 30 seconds to load"),
        Turn("assistant", "I'll use the query-tuner agent to find out why."),
    )
    assert example.commentary == "Slow queries are exactly what this agent is for."
    assert example.line == 3  # the description's line: its \n were unescaped, so no finer line is known


@pytest.mark.parametrize(
    ("rel_path", "text", "name", "title"),
    [
        ("agents/code-reviewer.md", "---\nname: reviewer\n---\n", "reviewer", "Reviewer"),
        ("agents/code-reviewer.md", "---\nid: rev\n---\n", "rev", "Rev"),
        ("agents/code-reviewer.md", "---\ndescription: x\n---\n", "code-reviewer", "Code Reviewer"),
        ("agents/code-reviewer.md", "no frontmatter\n", "code-reviewer", "Code Reviewer"),
        ("agents/api-pro.agent.md", "---\nname: API Pro Helper\n---\n", "API Pro Helper", "API Pro Helper"),
        ("agents/api-pro.agent.md", "---\ndescription: x\n---\n", "api-pro", "API Pro"),
        ("chatmodes/plan.chatmode.md", "---\ndescription: x\n---\n", "plan", "Plan"),
        # opencode: {name: <path>, ...frontmatter}, so a name key wins; it does not read id.
        (".opencode/agent/doc.md", "---\nid: documentation\nname: DocWriter\n---\n", "DocWriter", "DocWriter"),
        (".opencode/agent/doc.md", "---\nid: documentation\n---\n", "doc", "Doc"),
        ("agents/yes-man.md", "---\nname: yes\n---\n", "yes", "Yes"),
    ],
)
def test_name_and_title(rel_path: str, text: str, name: str, title: str) -> None:
    agent = agent_from(text, rel_path)
    assert (agent.name, agent.title) == (name, title)


@pytest.mark.parametrize(
    ("value", "tools"),
    [
        ("Read, Grep, Glob", ("Read", "Grep", "Glob")),
        (["Read", "Grep"], ("Read", "Grep")),
        ("Read", ("Read",)),
        ([], ()),
        ({"read": True, "bash": False, "edit": True}, ("read", "edit")),
        (
            "Bash(git add:*, git commit:*), mcp__github__create_issue",
            ("Bash(git add:*, git commit:*)", "mcp__github__create_issue"),
        ),
        (["Bash(git diff:*)", "Read, Write"], ("Bash(git diff:*)", "Read", "Write")),
        (None, None),
    ],
)
def test_tools_normalize(value: Any, tools: tuple[str, ...] | None) -> None:
    assert normalize_tools(value) == tools


def test_absent_tools_means_every_tool_and_opencode_false_is_disallowed() -> None:
    assert agent_from("---\nname: a\n---\n").tools is None
    agent = agent_from("---\ntools:\n  read: true\n  bash: false\n---\n", ".opencode/agent/a.md")
    assert (agent.tools, agent.disallowed_tools) == (("read",), ("bash",))
    listed = agent_from("---\nname: a\ntools: Read\ndisallowedTools: Bash, Write\n---\n")
    assert listed.disallowed_tools == ("Bash", "Write")


def test_model_color_tags_and_extra() -> None:
    agent = agent_from(
        "---\nname: a\nmodel: [gpt-5, claude-sonnet-4]\ncolor: '#00ff00'\ntags: api, rest\n"
        "permissionMode: plan\nhooks: {pre: [x]}\n---\n"
    )
    assert agent.model == ("gpt-5", "claude-sonnet-4")
    assert agent.color == "#00ff00"
    assert agent.tags == ("api", "rest")
    assert dict(agent.extra) == {"permissionMode": "plan", "hooks": {"pre": ["x"]}}
    assert agent_from("---\nname: a\nmodel: GPT-4.1 | 'gpt-5'\n---\n").model == "GPT-4.1 | 'gpt-5'"


def test_frontmatter_category_wins_over_the_folder() -> None:
    agent = agent_from("---\nname: a\ncategory: data\n---\n", category="folder-category")
    assert agent.category == "data"
    assert agent_from("---\nname: a\n---\n", category="folder-category").category == "folder-category"


def test_body_and_its_line() -> None:
    agent = agent_from("---\nname: a\n---\n\n## Role\nYou help.\n")
    assert (agent.body, agent.body_line) == ("\n## Role\nYou help.\n", 4)
    assert [(s.title, s.line) for s in agent.sections] == [("Role", 5)]


def test_examples_in_the_body_have_file_lines() -> None:
    agent = agent_from("---\nname: a\n---\nIntro.\n\n<example>\nuser: hi\n</example>\n")
    assert [e.line for e in agent.examples] == [6]


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Backend Specialist!", "backend-specialist"),
        ("Ünïcödé agent", "unicode-agent"),
        ("../etc/passwd", "etc-passwd"),
        ("con", "con-agent"),
        ("NUL", "nul-agent"),
        ("", "agent"),
        ("!!!", "agent"),
        ("a" * 100, "a" * 80),
    ],
)
def test_slugs_are_safe_file_names(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_titles() -> None:
    assert titleize("backend-api-specialist") == "Backend API Specialist"
    assert titleize("sql_pro") == "SQL Pro"
    assert titleize("Already Titled") == "Already Titled"


def test_colliding_slugs_take_collection_then_category() -> None:
    base = agent_from("---\nname: code-reviewer\n---\n")
    agents = [
        replace(base, path="a/x.md", collection="acme"),
        replace(base, path="b/x.md", collection="volt", category="quality"),
        replace(base, path="b/y.md", collection="volt", category="security"),
        replace(base, path="c/x.md", collection=None),
        replace(base, path="c/y.md", collection=None),
    ]
    slugs = [a.slug for a in assign_slugs(agents)]
    assert slugs == [
        "acme-code-reviewer",
        "volt-quality-code-reviewer",
        "volt-security-code-reviewer",
        "code-reviewer",
        "code-reviewer-2",
    ]


@pytest.mark.parametrize("length", [10, 40, 60, 79, 120])
def test_an_agent_and_a_chat_mode_of_one_long_name_keep_their_format_in_the_slug(length: int) -> None:
    """Named alike in one collection and category: the format tells them apart, even when the
    collection, category and name fill a slug's length (awesome-copilot's plugins)."""
    name = ("clojure-interactive-programming-" * 5)[:length].strip("-")
    base = agent_from(f"---\nname: {name}\n---\n")
    agents = [
        replace(
            base, path="agents/x.agent.md", collection="awesome-copilot", category=name, format=Format.COPILOT_AGENT
        ),
        replace(
            base,
            path="chatmodes/x.chatmode.md",
            collection="awesome-copilot",
            category=name,
            format=Format.COPILOT_CHATMODE,
        ),
    ]
    slugs = [a.slug for a in assign_slugs(agents)]
    assert slugs[0].endswith("-copilot-agent") and slugs[1].endswith("-copilot-chatmode"), slugs
    assert all(len(slug) <= 80 for slug in slugs)


# A description that writes its line breaks as the two characters \n, however it is quoted.

_WRITTEN = r'Reviews code.\n\n<example>\nContext: a PR\nuser: "Review it"\nassistant: "On it"\n</example>'


@pytest.mark.parametrize(
    "field",
    [
        f"description: {_WRITTEN}",  # plain, as Claude Code's wizard writes it
        "description: " + '"' + _WRITTEN.replace("\\", "\\\\").replace('"', '\\"') + '"',  # "\\n" in double quotes
        "description: '" + _WRITTEN + "'",
        "description: |\n  " + _WRITTEN,
        "description: >-\n  " + _WRITTEN,
        f"description: {_WRITTEN} Triggers on: x",  # not YAML: recovered as raw text
    ],
    ids=["plain", "double-quoted", "single-quoted", "literal-block", "folded-block", "recovered"],
)
def test_a_written_backslash_n_is_a_line_break_whatever_the_quoting(field: str) -> None:
    agent = agent_from(f"---\nname: reviewer\n{field}\n---\nBody\n")
    assert "\\n" not in agent.description
    assert agent.summary == "Reviews code."
    [example] = agent.examples
    assert (example.context, example.turns) == ("a PR", (Turn("user", "Review it"), Turn("assistant", "On it")))
    # The text as the file has it stays available (scan --json: description_raw).
    assert agent.description_raw is not None and agent.description_raw.startswith("Reviews code.\\n\\n<example>")


def test_description_raw_only_when_it_differs() -> None:
    assert agent_from("---\nname: a\ndescription: one\n  two\n---\n").description_raw is None
    assert agent_from('---\nname: a\ndescription: "one\\ntwo"\n---\n').description_raw is None


def test_code_spans_and_escaped_backslashes_keep_their_backslash_n() -> None:
    from catalog.model.agent import with_line_breaks

    assert with_line_breaks(r"Splits on `\n` and `\r\n`.\nThen joins.") == "Splits on `\\n` and `\\r\\n`.\nThen joins."
    assert with_line_breaks(r"A path C:\\new\r\nnext") == "A path C:\\\\new\nnext"
    assert with_line_breaks("no backslash") == "no backslash"


@given(st.text(alphabet=st.characters(blacklist_characters="\\`\r"), max_size=200))
def test_writing_line_breaks_as_backslash_n_is_undone(text: str) -> None:
    from catalog.model.agent import with_line_breaks

    assert with_line_breaks(text.replace("\n", "\\n")) == text


def test_written_line_breaks_are_found_in_one_pass_over_hostile_text() -> None:
    import time

    from catalog.model.agent import with_line_breaks

    for text in ("\\n" + "`" * 300_000, "\\n" + "`a" * 150_000, "\\" * 300_000):
        start = time.perf_counter()
        with_line_breaks(text)
        assert time.perf_counter() - start < 3
