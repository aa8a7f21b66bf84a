"""catalog.parse.document: split a file into frontmatter and body, strictly first, then the way Claude Code does."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.model.dialects import CLAUDE_CODE
from catalog.parse.document import MAX_FILE_BYTES, decode_agent_bytes, parse_agent_text, read_agent_file
from catalog.types import Finding, RawDocument
from tests.samples import QUERY_TUNER

KEYS = CLAUDE_CODE.known_keys


def parse(text: str) -> RawDocument:
    return parse_agent_text(text, "a.md", KEYS)


def codes(doc: RawDocument) -> list[tuple[str, str, int]]:
    """(code, severity, line) of every finding, the part of a finding a user acts on."""
    return [(f.code, f.severity, f.line) for f in doc.findings]


def decode(data: bytes) -> tuple[str, list[tuple[str, str, int]]]:
    findings: list[Finding] = []
    text = decode_agent_bytes(data, "a.md", findings)
    return text, [(f.code, f.severity, f.line) for f in findings]


# Valid YAML


def test_valid_frontmatter_and_body() -> None:
    doc = parse("---\nname: reviewer\ndescription: Reviews code.\ntools: Read, Grep\n---\n\nYou review code.\n")
    assert dict(doc.metadata) == {"name": "reviewer", "description": "Reviews code.", "tools": "Read, Grep"}
    assert doc.body == "\nYou review code.\n"
    assert doc.body_line == 6
    assert doc.has_frontmatter and not doc.recovered
    assert doc.findings == ()
    assert dict(doc.key_lines) == {"name": 2, "description": 3, "tools": 4}


def test_values_are_json_values() -> None:
    doc = parse("---\nname: a\ncreated: 2024-01-02\nratio: .inf\nflag: yes\n---\n")
    assert doc.metadata["created"] == "2024-01-02"
    assert doc.metadata["ratio"] == "inf"
    # The text as written is kept, so `name: yes` can still be read as the name "yes".
    assert doc.scalar_source["flag"] == "yes"


# The Claude Code agent wizard's descriptions


def test_multi_line_wizard_description_is_recovered_whole() -> None:
    doc = parse(QUERY_TUNER)
    assert doc.recovered
    assert doc.metadata["name"] == "query-tuner"
    assert doc.metadata["color"] == "green"
    assert doc.metadata["description"] == (
        "Use this agent when a query is slow. Examples:\n\n<example>\n"
        "Context: The dashboard endpoint times out.\n"
        'user: "Our analytics page takes 30 seconds to load"\n'
        'assistant: "I\'ll use the query-tuner agent to find out why."\n'
        "<commentary>\nSlow queries are exactly what this agent is for.\n</commentary>\n</example>"
    )
    # The warning points at the line where strict YAML gave up.
    assert codes(doc) == [("AC115", "warning", 8)]
    assert "read leniently" in doc.findings[0].message
    assert dict(doc.key_lines) == {"name": 2, "description": 3, "color": 11}
    assert doc.body == "You tune queries.\n"
    assert doc.body_line == 13


def test_one_line_wizard_description_with_colons_is_recovered() -> None:
    text = (
        '---\nname: x\ndescription: Use it.\\n\\n<example>\\nContext: c\\nuser: "q"\\n'
        'assistant: "a"\\n</example>\nmodel: inherit\n---\n'
    )
    doc = parse(text)
    assert codes(doc) == [("AC115", "warning", 3)]
    assert doc.metadata["description"] == 'Use it.\n\n<example>\nContext: c\nuser: "q"\nassistant: "a"\n</example>'
    assert doc.metadata["model"] == "inherit"


def test_dialogue_lines_read_as_keys_are_recovered() -> None:
    # Valid YAML by accident: the dialogue lines became top-level keys.
    doc = parse("---\nname: x\ndescription: Use it. Example\nuser: hello\nassistant: hi\n---\n")
    assert doc.recovered
    assert codes(doc) == [("AC115", "warning", 2)]
    assert doc.metadata == {"name": "x", "description": "Use it. Example\nuser: hello\nassistant: hi"}


def test_backslash_n_in_a_plain_scalar_is_a_line_break() -> None:
    doc = parse("---\nname: a\ndescription: one\\ntwo\n---\n")
    assert doc.metadata["description"] == "one\ntwo"
    assert doc.findings == ()


def test_backslash_n_in_double_quotes_is_already_a_line_break() -> None:
    doc = parse('---\nname: a\ndescription: "one\\ntwo \\\\n three"\n---\n')
    assert doc.metadata["description"] == "one\ntwo \\n three"


def test_backslash_n_in_single_quotes_stays_literal() -> None:
    doc = parse("---\nname: a\ndescription: 'one\\ntwo'\n---\n")
    assert doc.metadata["description"] == "one\\ntwo"


def test_backslash_n_in_a_block_scalar_stays_literal() -> None:
    doc = parse("---\nname: a\ndescription: |\n  one\\ntwo\n---\n")
    assert doc.metadata["description"] == "one\\ntwo"


# Files that are not well-formed: a finding with a line, and what could be read


def test_no_frontmatter() -> None:
    doc = parse("\n\n# Title\nYou are helpful.\n")
    assert codes(doc) == [("AC110", "error", 3)]
    assert not doc.has_frontmatter
    assert doc.metadata == {}
    assert doc.body == "\n\n# Title\nYou are helpful.\n"
    assert doc.body_line == 1


def test_frontmatter_after_blank_lines() -> None:
    doc = parse("\n\n---\nname: a\n---\nbody\n")
    assert codes(doc) == [("AC111", "warning", 3)]
    assert doc.metadata == {"name": "a"}
    assert doc.body_line == 6


def test_unclosed_frontmatter_reads_the_key_lines() -> None:
    doc = parse("---\nname: a\ndescription: b\n\nYou are helpful.\n")
    assert codes(doc) == [("AC113", "error", 1)]
    assert doc.metadata == {"name": "a", "description": "b"}
    assert doc.body == "\nYou are helpful.\n"
    assert doc.body_line == 4


@given(
    dashes=st.integers(min_value=3, max_value=80),
    trailing=st.sampled_from(["", " ", "\t", "  \t"]),
    after=st.sampled_from(["", "\n", "\n\n# Role\n"]),
)
def test_a_closing_line_of_three_dashes_or_more_closes_the_frontmatter(dashes: int, trailing: str, after: str) -> None:
    # vijaythecoder/awesome-claude-agents closes a frontmatter with a rule of 56 dashes: Claude
    # Code ends it at the first three (python-frontmatter takes -{3,}); it was "not closed"
    # (AC113, an error) and its name, description and tools were lost.
    doc = parse(f"---\n\nname: a\ndescription: b\ntools: Read\n{'-' * dashes}{trailing}\nYou help.{after}")
    assert codes(doc) == []
    assert dict(doc.metadata) == {"name": "a", "description": "b", "tools": "Read"}
    assert doc.body == f"You help.{after}"
    assert doc.body_line == 7


def test_two_dashes_do_not_close_the_frontmatter() -> None:
    doc = parse("---\nname: a\ndescription: b\n--\n\nYou help.\n")
    assert ("AC113", "error", 1) in codes(doc)


def test_frontmatter_that_is_a_list() -> None:
    doc = parse("---\n- name\n- description\n---\nbody\n")
    assert codes(doc) == [("AC116", "error", 2)]
    assert "a list" in doc.findings[0].message
    assert doc.metadata == {}
    assert doc.body == "body\n"


def test_frontmatter_that_is_a_scalar() -> None:
    doc = parse("---\njust some words\n---\nbody\n")
    assert codes(doc) == [("AC116", "error", 2)]
    assert "a single value" in doc.findings[0].message


def test_empty_frontmatter_is_no_problem() -> None:
    doc = parse("---\n---\nbody\n")
    assert doc.findings == ()
    assert doc.metadata == {}
    assert doc.body == "body\n"


def test_whole_file_indented() -> None:
    doc = parse("\n    ---\n    name: a\n    description: b\n    ---\n\n    ## Focus\n    - one\n")
    assert codes(doc) == [("AC111", "warning", 2), ("AC112", "warning", 2)]
    assert doc.metadata == {"name": "a", "description": "b"}
    assert doc.body == "\n## Focus\n- one\n"
    assert doc.body_line == 6


def test_duplicate_keys_keep_the_last() -> None:
    doc = parse("---\nname: a\nmodel: sonnet\nname: b\n---\n")
    assert codes(doc) == [("AC117", "warning", 4)]
    assert doc.metadata == {"name": "b", "model": "sonnet"}


def test_duplicate_keys_in_recovered_frontmatter() -> None:
    doc = parse("---\nname: a\ndescription: x: y\nname: b\n---\n")
    assert codes(doc) == [("AC117", "warning", 4), ("AC115", "warning", 3)]
    assert doc.metadata == {"name": "b", "description": "x: y"}


def test_yaml_error_line_is_the_file_line() -> None:
    doc = parse("\n---\nname: a\ntools: [Read, Grep\nmodel: opus\n---\n")
    found = [f for f in doc.findings if f.code == "AC115"]
    assert [(f.line, f.path) for f in found] == [(5, "a.md")]
    assert "<unicode string>" not in found[0].message
    assert doc.metadata["name"] == "a"
    assert doc.metadata["model"] == "opus"


def test_empty_file() -> None:
    doc = parse("")
    assert codes(doc) == [("AC110", "error", 1)]
    assert doc.findings[0].message == "file is empty"


def test_whitespace_only_file() -> None:
    assert codes(parse("  \n\n\t\n")) == [("AC110", "error", 1)]


# Hostile YAML: refused quickly, never executed


BILLION_LAUGHS = "---\nname: lol\n" + "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else ', '.join(['lol'] * 9)}]\n" for i in range(10)
)


def test_alias_bomb_is_refused_fast() -> None:
    start = time.perf_counter()
    doc = parse(BILLION_LAUGHS + "---\nbody\n")
    assert time.perf_counter() - start < 1
    # l4 is the first anchor whose expansion passes 50,000 values (9**5).
    assert codes(doc) == [("AC114", "error", 7)]
    assert "alias bomb" in doc.findings[0].message
    assert doc.metadata == {}
    assert doc.body == "body\n"


def test_recursive_alias_is_refused() -> None:
    doc = parse("---\nname: a\nloop: &r [*r]\n---\n")
    assert codes(doc) == [("AC114", "error", 3)]
    assert "recursive" in doc.findings[0].message


def test_python_tags_are_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f"---\nname: a\nx: !!python/object/apply:os.system ['touch {marker}']\n---\n"
    doc = parse(text)
    assert not marker.exists()
    assert codes(doc) == [("AC114", "error", 3)]
    assert "python/object/apply" in doc.findings[0].message


def test_python_object_tag_is_not_constructed() -> None:
    doc = parse("---\nname: a\nx: !!python/object:pathlib.Path {}\n---\n")
    assert codes(doc) == [("AC114", "error", 3)]


def test_deeply_nested_flow_lists_are_refused() -> None:
    start = time.perf_counter()
    doc = parse("---\nname: a\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n")
    assert time.perf_counter() - start < 2
    assert codes(doc) == [("AC114", "error", 3)]
    assert "nested" in doc.findings[0].message


def test_moderate_nesting_is_fine() -> None:
    doc = parse("---\nname: a\nx: " + "[" * 20 + "]" * 20 + "\n---\n")
    assert doc.findings == ()
    assert doc.metadata["name"] == "a"


# Bytes: encodings, BOM, line endings, NUL


def test_utf8_bom_is_removed_with_a_warning() -> None:
    text, found = decode(b"\xef\xbb\xbf---\nname: a\n---\n")
    assert text == "---\nname: a\n---\n"
    assert found == [("AC104", "warning", 1)]
    assert parse(text).metadata == {"name": "a"}


def test_utf16_with_bom_is_decoded() -> None:
    text, found = decode("---\nname: é\n---\n".encode("utf-16"))
    assert text == "---\nname: é\n---\n"
    assert found == [("AC103", "warning", 1)]


def test_invalid_utf8_is_replaced_and_located() -> None:
    text, found = decode(b"---\nname: a\n---\nbad \xff byte\n")
    assert text == "---\nname: a\n---\nbad \ufffd byte\n"
    assert found == [("AC103", "error", 4)]


def test_nul_bytes_are_removed_and_located() -> None:
    text, found = decode(b"---\nname: a\n---\nx\x00y\n")
    assert text == "---\nname: a\n---\nxy\n"
    assert found == [("AC105", "error", 4)]


def test_crlf_is_read_as_lf() -> None:
    text, found = decode(b"---\r\nname: a\r\n---\r\nbody\r\n")
    assert text == "---\nname: a\n---\nbody\n"
    assert found == [("AC106", "info", 1)]
    doc = parse(text)
    assert doc.metadata == {"name": "a"}
    assert doc.body == "body\n"


def test_lone_cr_line_endings() -> None:
    text, found = decode(b"---\nname: a\n---\rbody\r")
    assert text == "---\nname: a\n---\nbody\n"
    assert found == [("AC106", "info", 3)]


# Reading files: never block, never load a huge file


def test_read_a_regular_file(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"---\nname: a\n---\n")
    assert read_agent_file(path, "a.md") == ("---\nname: a\n---\n", [])


def test_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    text, found = read_agent_file(path, "big.md")
    assert text == ""
    assert [(f.code, f.severity, f.line) for f in found] == [("AC102", "error", 1)]


def test_file_at_the_size_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_bytes(b"---\nname: a\n---\n" + b"x" * (MAX_FILE_BYTES - 16))
    text, found = read_agent_file(path, "big.md")
    assert len(text) == MAX_FILE_BYTES
    assert found == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX-only")
def test_fifo_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    start = time.perf_counter()
    text, found = read_agent_file(fifo, "pipe.md")
    assert time.perf_counter() - start < 1
    assert text == ""
    assert [(f.code, f.severity, f.message) for f in found] == [
        ("AC101", "error", "cannot read file: not a regular file")
    ]


def test_missing_file(tmp_path: Path) -> None:
    text, found = read_agent_file(tmp_path / "gone.md", "gone.md")
    assert text == ""
    assert [(f.code, f.path) for f in found] == [("AC101", "gone.md")]


# Lenient recovery: a key the dialect does not know starts a field; dialogue does not.


def test_unknown_keys_after_a_broken_value_are_fields_of_their_own() -> None:
    doc = parse("---\nname: x\ndescription: Vibe: calm\ncolor: teal\nemoji: 🎨\nvibe: calm and steady\n---\n")
    assert doc.recovered
    assert doc.metadata == {
        "name": "x",
        "description": "Vibe: calm",
        "color": "teal",
        "emoji": "🎨",
        "vibe": "calm and steady",
    }
    assert dict(doc.key_lines) == {"name": 2, "description": 3, "color": 4, "emoji": 5, "vibe": 6}


SPREAD_DESCRIPTION = """\
---
name: helper
description: Use this agent for orders. Examples:
<example>
Context: A customer writes in.
user: "Where is my order?"
daisy: "Mine too: it is late"
agent: "I'll use the helper agent."
assistant: "Looking it up."
<commentary>
order_status: is what it checks
</commentary>
</example>
user: "one more line of dialogue"
context: outside the example too
emoji: 📦
permissionMode: plan
---
Body
"""


def test_dialogue_lines_of_a_spread_description_stay_in_it() -> None:
    doc = parse(SPREAD_DESCRIPTION)
    assert list(doc.metadata) == ["name", "description", "emoji", "permissionMode"]
    lines = SPREAD_DESCRIPTION.split("\n")
    assert doc.metadata["description"] == "\n".join(lines[2:15]).removeprefix("description: ")
    assert (doc.metadata["emoji"], doc.metadata["permissionMode"]) == ("📦", "plan")


def test_a_quoted_value_spread_over_lines_keeps_its_key_like_lines() -> None:
    doc = parse('---\nname: x\ndescription: "Use it: now\nsee_also: a line of it"\nmodel: a: b\nemoji: 🎨\n---\n')
    assert doc.recovered
    assert doc.metadata["description"] == "Use it: now see_also: a line of it"
    assert (doc.metadata["model"], doc.metadata["emoji"]) == ("a: b", "🎨")


@given(
    keys=st.lists(st.from_regex(r"[a-z][a-z0-9]{0,8}(?:[_-][a-z0-9]{1,5})?", fullmatch=True), max_size=4, unique=True),
    dialogue=st.lists(
        st.tuples(
            st.sampled_from(["user", "assistant", "Context", "agent", "Daisy", "daisy", "human", "order_id", "Note"]),
            st.text(alphabet="abc :'", max_size=12),
        ),
        max_size=6,
    ),
)
def test_recovery_splits_keys_and_keeps_examples_whole(keys: list[str], dialogue: list[tuple[str, str]]) -> None:
    """Any keys after a description spread over lines with an example: the example is whole in
    the description, and every key is a field with its value."""
    keys = [k for k in keys if k not in ("name", "description", *DIALOGUE)]
    example = "".join(f'{label}: "{text}"\n' for label, text in dialogue)
    text = (
        "---\nname: x\ndescription: Use it: when. Examples:\n<example>\n"
        + example
        + "</example>\n"
        + "".join(f"{k}: value of {k}\n" for k in keys)
        + "---\n"
    )
    doc = parse(text)
    assert doc.metadata["description"] == f"Use it: when. Examples:\n<example>\n{example}</example>"
    assert {k: v for k, v in doc.metadata.items() if k not in ("name", "description")} == {
        k: f"value of {k}" for k in keys
    }


def test_a_file_of_unknown_keys_costs_a_bounded_number_of_fields() -> None:
    from catalog.parse.lenient import MAX_UNKNOWN_FIELDS

    lines = "".join(f"key{i}: x\n" for i in range(20_000))
    start = time.perf_counter()
    doc = parse(f"---\nname: x\ndescription: a: b\n{lines}model: inherit\n---\n")
    assert time.perf_counter() - start < 5
    assert len(doc.metadata) == 3 + MAX_UNKNOWN_FIELDS
    assert doc.metadata["model"] == "inherit"  # a key the format knows still starts a field
    assert doc.metadata[f"key{MAX_UNKNOWN_FIELDS - 1}"].startswith(f"x\nkey{MAX_UNKNOWN_FIELDS}: x")


DIALOGUE = ("user", "assistant", "context", "commentary", "human", "example")
