"""catalog.model.examples: every <example> block becomes context, turns in order, and commentary."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from catalog.model.examples import extract_examples, summarize
from catalog.types import Example, Turn


def examples(text: str, first_line: int = 1) -> tuple[list[Example], list[tuple[str, str, int]]]:
    found, findings = extract_examples(text, first_line, "a.md")
    return found, [(f.code, f.severity, f.line) for f in findings]


def test_multi_line_block() -> None:
    text = (
        "<example>\n"
        "Context: The user has a slow query.\n"
        'user: "Why is this slow?"\n'
        'assistant: "Let me use the query-tuner agent."\n'
        "<commentary>\nSlow queries are its job.\n</commentary>\n"
        "</example>\n"
    )
    [example], findings = examples(text, first_line=10)
    assert findings == []
    assert example == Example(
        context="The user has a slow query.",
        turns=(Turn("user", "Why is this slow?"), Turn("assistant", "Let me use the query-tuner agent.")),
        commentary="Slow queries are its job.",
        line=10,
    )


def test_one_line_block() -> None:
    text = '<example>Context: a thing broke. user: "fix it" assistant: "on it" <commentary>why</commentary></example>'
    [example], findings = examples(text)
    assert findings == []
    assert example.context == "a thing broke."
    assert example.turns == (Turn("user", "fix it"), Turn("assistant", "on it"))
    assert example.commentary == "why"


def test_missing_closing_tag_gives_what_is_there_and_a_warning() -> None:
    [example], findings = examples('intro\n<example>\nuser: "one"\nassistant: "two"\n', first_line=5)
    assert findings == [("AC120", "warning", 6)]
    assert example.turns == (Turn("user", "one"), Turn("assistant", "two"))
    assert example.line == 6


def test_an_unclosed_block_ends_where_the_next_one_opens() -> None:
    text = "<example>\nuser: a\n<example>\nuser: b\n</example>\n"
    found, findings = examples(text)
    assert findings == [("AC120", "warning", 1)]
    assert [e.turns for e in found] == [(Turn("user", "a"),), (Turn("user", "b"),)]
    assert [e.line for e in found] == [1, 3]


def test_stray_closing_tag_is_a_warning() -> None:
    found, findings = examples("text\n</example>\n<example>\nuser: a\n</example>\n")
    assert findings == [("AC121", "warning", 2)]
    assert [e.turns for e in found] == [(Turn("user", "a"),)]


def test_several_exchanges_stay_in_order() -> None:
    text = '<example>\nContext: c\nuser: "q1"\nassistant: "a1"\nuser: "q2"\nassistant: "a2"\n</example>'
    [example], _ = examples(text)
    assert [(t.role, t.text) for t in example.turns] == [
        ("user", "q1"),
        ("assistant", "a1"),
        ("user", "q2"),
        ("assistant", "a2"),
    ]


def test_surrounding_double_quotes_are_removed_inner_ones_kept() -> None:
    text = '<example>\nuser: "Review \'auth.py\'"\nassistant: She said "go" today\n</example>'
    [example], _ = examples(text)
    assert example.turns == (Turn("user", "Review 'auth.py'"), Turn("assistant", 'She said "go" today'))


def test_opening_tag_with_attributes() -> None:
    [example], findings = examples('<example name="x" lang=en>\nuser: hi\nassistant: hello\n</example>')
    assert findings == []
    assert example.turns == (Turn("user", "hi"), Turn("assistant", "hello"))


def test_examples_plural_tag_is_not_an_example() -> None:
    found, findings = examples("<examples>\nuser: hi\n</examples>")
    assert found == []
    assert findings == []


def test_example_without_context_or_commentary() -> None:
    [example], _ = examples("<example>\nuser: hi\nassistant: hello\n</example>")
    assert example.context is None
    assert example.commentary is None


def test_text_before_the_first_marker_is_context() -> None:
    [example], _ = examples("<example>\nThe user is stuck.\nuser: help\n</example>")
    assert example.context == "The user is stuck."


def test_xml_style_sub_tags_and_human_turns() -> None:
    [tagged], _ = examples("<example>\n<context>c</context>\n<user>u</user>\n<assistant>a</assistant>\n</example>")
    assert (tagged.context, tagged.turns) == ("c", (Turn("user", "u"), Turn("assistant", "a")))
    [human], _ = examples("<example>\nHuman: hi\nAssistant: yo\n</example>")
    assert human.turns == (Turn("user", "hi"), Turn("assistant", "yo"))


def test_multi_paragraph_turn_keeps_its_text() -> None:
    [example], _ = examples("<example>\nuser: first line\n\nsecond paragraph\nassistant: ok\n</example>")
    assert example.turns[0] == Turn("user", "first line\n\nsecond paragraph")


def test_no_line_counting_for_unescaped_frontmatter_values() -> None:
    found, _ = extract_examples("<example>\nuser: a\n</example>\n<example>\nuser: b", 3, "a.md", count_lines=False)
    assert [e.line for e in found] == [3, 3]


def test_summary_is_the_text_before_the_first_example() -> None:
    assert summarize("Reviews code. Examples:\n\n<example>user: a</example>") == "Reviews code."
    assert summarize("Reviews code. Here are some examples:\n<example>user: a</example>") == "Reviews code."
    assert summarize("Reviews code.\n\n<example name='x'>user: a</example>") == "Reviews code."
    assert summarize("Reviews code; for example: diffs.") == "Reviews code; for example: diffs."
    assert summarize("") == ""
    # A short lead-in to the examples goes too, unless it is all there is.
    assert summarize("Audits AD. Specifically:\n\n<example>user: a</example>") == "Audits AD."
    assert summarize("Use it when:\n<example>user: a</example>") == "Use it when:"
    assert summarize("Audits AD. Specifically:") == "Audits AD. Specifically:"
    assert summarize("Audits AD. It is worth using when:\n<example>user: a</example>").endswith("when:")


def test_agent_lines_are_the_assistant_s_turns() -> None:
    [example], _ = examples(
        '<example>\n**User**: "Make the buttons larger"\n\n**Agent**:\n1. Read the design.\n</example>'
    )
    assert example.turns == (Turn("user", "Make the buttons larger"), Turn("assistant", "1. Read the design."))
    # Within a sentence, "agent:" is no turn.
    [inline], _ = examples("<example>user: review it assistant: I'll use the reviewer agent: it knows diffs</example>")
    assert inline.turns == (Turn("user", "review it"), Turn("assistant", "I'll use the reviewer agent: it knows diffs"))


def prompt_examples(text: str) -> tuple[list[Example], list[tuple[str, str, int]]]:
    found, findings = extract_examples(text, 1, "a.md", markdown=True)
    return found, [(f.code, f.severity, f.line) for f in findings]


def test_in_a_system_prompt_tags_in_code_are_text() -> None:
    span = "Mark samples with `<example>` and `</example>`, or `<!-- <example> --> <!-- </example> -->`.\n"
    fenced = "```xml\n<example>\nuser: hi\n</example>\n```\n"
    assert prompt_examples(span + fenced) == ([], [])
    # The same text outside a system prompt (a description) is not Markdown.
    assert len(examples(span)[0]) == 2
    # A tag outside code still opens an example, even with code inside it.
    [example], findings = prompt_examples(fenced + "<example>\nuser: hi\n```\n<example>\n```\n</example>\n")
    assert (example.turns[0].role, example.line, findings) == ("user", 6, [])


def test_a_fence_nested_in_a_fence_closes_both_as_markdown_reads_it() -> None:
    """A template in a ```markdown block, with a ```yaml block in it: the inner fence closes
    the outer one, so the example's closing tag falls outside code. It closes the example
    shown in code: no finding."""
    text = "```markdown\n<example>\n```yaml\na: b\n```\n</example>\n```\n"
    assert prompt_examples(text) == ([], [])
    assert prompt_examples("```\n<example>\n```\nuser: hi\n</example>\n</example>\n") == (
        [],
        [("AC121", "warning", 6)],
    )


def test_an_indented_example_s_turns_lose_the_block_s_indentation() -> None:
    """An example indented in a system prompt: its turns, read as Markdown, must keep their
    lists, not run them into one indented paragraph."""
    text = (
        "  <example>\n"
        '    **User**: "Make a page"\n'
        "    \n"
        "    **Agent**:\n"
        "    1. Read the design.\n"
        "    2. **Layout**: a wireframe\n"
        "       - for phones\n"
        "  </example>\n"
    )
    [example], _ = prompt_examples(text)
    assert example.turns == (
        Turn("user", "Make a page"),
        Turn("assistant", "1. Read the design.\n2. **Layout**: a wireframe\n   - for phones"),
    )


def test_at_most_max_examples_are_read() -> None:
    """A file of nothing but tags must not make a page of a hundred thousand dialogues."""
    from catalog.model.examples import MAX_EXAMPLES

    found, findings = examples("<example>user: hi\n" * (MAX_EXAMPLES + 50) + "<example>user: last</example>")
    assert len(found) == MAX_EXAMPLES
    assert found[-1].turns == (Turn("user", "hi"),)  # ends where the next tag starts, not at the end
    assert [code for code, _, _ in findings] == ["AC120"] * MAX_EXAMPLES
    closed, findings = examples("<example>user: hi</example>\n" * (MAX_EXAMPLES + 1))
    assert (len(closed), findings) == (MAX_EXAMPLES, [])


def test_at_most_max_turns_are_read_from_one_example() -> None:
    from catalog.model.examples import MAX_TURNS

    [example], _ = examples("<example>" + "user: a\nassistant: b\n" * MAX_TURNS + "</example>")
    assert len(example.turns) == MAX_TURNS


# Named speakers: whoever the text names, one side is the user and the other the assistant.


def test_a_named_speaker_is_the_user_when_no_line_says_user() -> None:
    [example], _ = examples(
        '<example>\nContext: a shop\nDaisy: "Can you check my order?"\nassistant: "Sure."\n</example>'
    )
    assert example.context == "a shop"
    assert example.turns == (Turn("user", "Can you check my order?"), Turn("assistant", "Sure."))


def test_two_named_speakers_are_the_user_then_the_assistant() -> None:
    [example], _ = examples(
        '<example>\n**Daisy**: "Is it ready?"\n**Support Bot**: \u201cIt ships today.\u201d\n</example>'
    )
    assert example.turns == (Turn("user", "Is it ready?"), Turn("assistant", "It ships today."))


def test_agent_beside_an_assistant_line_is_the_one_asking() -> None:
    """A subagent's examples: the main agent asks, the assistant (the subagent) answers."""
    [example], _ = examples(
        '<example>\nagent: "Profile the import job"\nassistant: "I\'ll run the profiler."\n</example>'
    )
    assert example.turns == (Turn("user", "Profile the import job"), Turn("assistant", "I'll run the profiler."))
    # Beside a user, "agent:" is the assistant's side: the subagent reporting back.
    [reply], _ = examples(
        '<example>\nuser: "Review it"\nassistant: "Launching the reviewer"\nagent: "Two issues"\n</example>'
    )
    assert reply.turns == (Turn("user", "Review it"), Turn("assistant", "Launching the reviewer\n\nTwo issues"))


def test_consecutive_turns_of_one_side_are_one_bubble() -> None:
    [example], _ = examples(
        '<example>\nuser: "Added an endpoint"\nassistant: "I\'ll review it"\n'
        "<commentary>\nNew code was written.\n</commentary>\n"
        'assistant: "Let me use the reviewer agent"\n</example>'
    )
    assert example.turns == (
        Turn("user", "Added an endpoint"),
        Turn("assistant", "I'll review it\n\nLet me use the reviewer agent"),
    )
    assert example.commentary == "New code was written."


def test_labels_that_are_not_people_are_no_speakers() -> None:
    # Unquoted text after a label, or a word that names a part of an example, is no turn.
    [example], _ = examples(
        '<example>\nuser: "Plan the release"\nNote: "hotfix" is a branch name\n'
        "Steps: tag, build, ship\nassistant: Done\n</example>"
    )
    assert example.turns == (
        Turn("user", '"Plan the release"\nNote: "hotfix" is a branch name\nSteps: tag, build, ship'),
        Turn("assistant", "Done"),
    )


def test_graded_samples_are_no_dialogue() -> None:
    [example], _ = examples('<example>\nGood: "const total = 1"\nBad: "var total = 1"\n</example>')
    assert (example.context, example.turns) == ('Good: "const total = 1"\nBad: "var total = 1"', ())


def test_user_request_markup_is_the_user_s_turn() -> None:
    [example], _ = examples(
        "<example>\n<user_request>Design a GraphQL API.</user_request>\n"
        "<commentary>The agent gathers inputs first.</commentary>\n</example>"
    )
    assert example.turns == (Turn("user", "Design a GraphQL API."),)
    assert example.commentary == "The agent gathers inputs first."


def test_text_after_a_closing_sub_tag_is_an_aside_not_the_turn() -> None:
    [example], _ = examples(
        '<example id="a">\n<user_request>"Create an agent"</user_request>\n'
        "<stage_1_analyze>\n- Task type: agent-creation\n</stage_1_analyze>\n"
        "<context_flow>loaded lazily</context_flow>\n</example>"
    )
    assert example.turns == (Turn("user", "Create an agent"),)
    assert example.commentary is not None and "<stage_1_analyze>" in example.commentary
    assert "<context_flow>" in example.commentary and example.context is None
    [reply], _ = examples(
        "<example><human_message>hi</human_message><assistant_response>yo</assistant_response></example>"
    )
    assert reply.turns == (Turn("user", "hi"), Turn("assistant", "yo"))
    # After a closing <context> tag, text is still context.
    [told], _ = examples("<example><context>A shop.</context>\nDaisy is in a hurry.\n<user>hi</user></example>")
    assert (told.context, told.commentary) == ("A shop.\n\nDaisy is in a hurry.", None)
    assert told.turns == (Turn("user", "hi"),)


@given(
    names=st.lists(
        st.from_regex(r"[A-Z][a-z]{2,8}( [A-Z][a-z]{2,8})?", fullmatch=True), min_size=2, max_size=2, unique=True
    ),
    assistant_label=st.sampled_from([None, "assistant", "Assistant", "**Assistant**", "agent"]),
    texts=st.lists(st.text(alphabet="abc .,!?'", min_size=1, max_size=20).filter(str.strip), min_size=1, max_size=6),
)
def test_whoever_speaks_first_is_the_user(names: list[str], assistant_label: str | None, texts: list[str]) -> None:
    """Two sides taking turns, whatever they are called: the first speaker who is not the
    assistant is the user, turns alternate, nothing is lost."""
    from catalog.model.examples import _NOT_SPEAKERS

    assume(not {n.lower() for n in names} & {"user", "human", "agent", "assistant", "context", *_NOT_SPEAKERS})
    user, other = names[0], assistant_label or names[1]
    lines = "".join(f'{user if i % 2 == 0 else other}: "{text.strip()}"\n' for i, text in enumerate(texts))
    [example], _ = examples(f"<example>\nContext: two people\n{lines}</example>")
    assert example.context == "two people"
    assert [t.role for t in example.turns] == ["user" if i % 2 == 0 else "assistant" for i in range(len(texts))]
    assert [t.text for t in example.turns] == [text.strip() for text in texts]
