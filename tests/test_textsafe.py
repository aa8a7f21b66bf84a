"""Agent Markdown to HTML: the fast renderer (markdown-it.rs) keeps every rule of the careful one.

``catalog.render.textsafe`` renders with markdown-it-pyrs, and falls back to markdown-it-py where the
Rust parser could overflow its stack (block containers nested thousands deep) or fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.render import textsafe

ROOT = Path(__file__).resolve().parent.parent


CAREFUL = textsafe._markdown()


def careful(text: str) -> str:
    """What markdown-it-py alone makes of ``text``, through the same sanitizer."""
    return textsafe.one_line(textsafe.protect(textsafe.sanitize(str(CAREFUL.render(text)))))


class _Broken:
    def __init__(self, error: BaseException) -> None:
        self.error = error

    def render(self, text: str) -> str:
        raise self.error


@pytest.fixture
def fast_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No fallback: a comparison must not compare markdown-it-py with itself."""
    broken = _Broken(AssertionError("the fast renderer was not used"))
    monkeypatch.setattr(textsafe, "_markdown", lambda: broken)


def same_blocks(html: str) -> str:
    # The two differ only in a line break before a block that opens inside a list item.
    html = html.replace("&#10;", "\n")
    return re.sub(r"\s*\n\s*", "\n", html).replace("\n<pre>", "<pre>").strip()


SAMPLES = [
    "# Title\n\n## Sub\n\n###### Six",
    "Setext\n======\n\nbody",
    '![alt "q"](https://example.com/x.png "t") and ![](y.png)',
    "<role>You are</role> a <workflow>helper</workflow>.\n\n<example>\nuser: hi\n</example>",
    "[bad](javascript:alert(1)) [ok](https://example.com) <mailto:a@b.c> [data](data:text/html,x)",
    "| a | b |\n|:--|--:|\n| `x|y` | **z** |",
    "- one\n  ```bash\n  rm -rf /\n  ```\n- two\n\n1) first\n2) second",
    "> quote\n> > nested\n\n~~gone~~ ~kept~ {{ jinja }} {% tag %}",
    "    indented code <b>\n\n```\n<script>alert(1)</script>\n```",
    "Line one  \nhard break\\\nagain &amp; &copy; &#x3C;script&#x3E;",
]


@pytest.mark.usefixtures("fast_only")
@pytest.mark.parametrize("text", SAMPLES)
def test_fast_renderer_keeps_the_careful_renderers_rules(text: str) -> None:
    assert same_blocks(textsafe.markdown_to_html(text)) == same_blocks(careful(text))


@pytest.mark.usefixtures("fast_only")
def test_fast_renderer_agrees_on_the_example_catalog() -> None:
    bodies = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "agents").rglob("*.md"))]
    assert len(bodies) >= 10
    for body in bodies:
        assert same_blocks(textsafe.markdown_to_html(body)) == same_blocks(careful(body))


@pytest.mark.usefixtures("fast_only")
def test_tags_meant_as_text_are_shown_and_nothing_runs() -> None:
    html = textsafe.markdown_to_html('<role>x</role> <img src=x onerror="alert(1)"> [a](javascript:alert(1))')
    assert "&lt;role&gt;x&lt;/role&gt;" in html
    assert "<img" not in html and 'href="javascript' not in html
    assert textsafe.markdown_to_html("# Top") == "<h4>Top</h4>&#10;"


@pytest.mark.parametrize(
    "text",
    [
        "> " * 100_000 + "deep",  # each of these overflows markdown-it.rs's stack
        "- " * 100_000 + "deep",
        "1. " * 100_000 + "deep",
        "".join("  " * i + "- item\n" for i in range(1_000)),
    ],
    ids=["quotes", "bullets", "ordered", "indented-lists"],
)
def test_deep_nesting_goes_to_the_careful_renderer(text: str) -> None:
    assert textsafe._DEEP_PREFIX.search(text)
    html = textsafe.markdown_to_html(text)  # a stack overflow would end this process, not fail
    # markdown-it-py stops nesting at 20 levels (what lies deeper is dropped): a small page.
    assert html.startswith(("<blockquote>", "<ul>", "<ol>")) and len(html) < 20_000


class PanicException(BaseException):
    """What a Rust panic raises through pyo3: not an Exception."""


@pytest.mark.parametrize("error", [RuntimeError("parser bug"), PanicException("panicked")])
def test_a_failing_fast_renderer_costs_nothing(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    monkeypatch.setattr(textsafe, "_fast", _Broken(error))
    assert textsafe.markdown_to_html("**still** rendered") == "<p><strong>still</strong> rendered</p>&#10;"


def test_an_interrupt_is_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textsafe, "_fast", _Broken(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        textsafe.markdown_to_html("text")


@pytest.mark.usefixtures("fast_only")
def test_table_cells_keep_their_alignment_and_no_other_style() -> None:
    html = textsafe.markdown_to_html("| a | b |\n|:--|--:|\n| 1 | 2 |")
    assert '<th style="text-align:left">a</th>' in html and '<td style="text-align:right">2</td>' in html
    cell = textsafe.sanitize('<table><tr><td style="background:url(y);color:red;text-align:center">x</td></tr></table>')
    assert '<td style="text-align:center">x</td>' in cell and "url(" not in cell and "color" not in cell


# Issue 15: HTML from agent text reaches Markdown as one line (the template's block starts it
# with a tag, so no fence, snippet, admonition or tab can start in it), and keeps every
# character Python-Markdown rewrites before extensions run (tabs, CR, STX/ETX) as a reference.
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from([*"`~-8<!?=:{}*[]^ \t\r\n\x02\x03\x0b\x0c\u2028\u2029>#ab"]), max_size=80))
def test_agent_html_is_one_line_that_no_markdown_block_can_start_in(text: str) -> None:
    block = textsafe.markdown_to_html(text)
    assert block == "" or block.startswith("<"), block
    for html in (block, textsafe.markdown_inline_to_html(text), textsafe.escape_html(text)):
        assert not re.search("[\n\r\t\x02\x03\x0b\x0c\x1c-\x1e\u2028\u2029]", html), html
        assert len(html.splitlines()) <= 1, html
    line = textsafe.html_block(f"<div>\n{block}\n<p>{textsafe.escape_html(text)}</p>\n</div>\n")
    assert line.count("\n") == 1 and line.endswith("</div>\n"), line


def test_the_raw_file_survives_as_references() -> None:
    raw = "---\nname: x\n---\n\tcode\r\n```\n\x02&lt;{{ x }}\x03\n"
    html = textsafe.escape_html(raw)
    assert "\n" not in html and "\t" not in html and "{" not in html
    import html as html_module

    back = re.sub(r"&#(\d+);", lambda m: chr(int(m[1])), html)  # as a browser reads them
    assert html_module.unescape(back) == raw
