"""Agent Markdown to HTML: the fast renderer (markdown-it.rs) keeps every rule of the careful one.

``catalog.textsafe`` renders with markdown-it-pyrs, and falls back to markdown-it-py where the
Rust parser could overflow its stack (block containers nested thousands deep) or fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalog import textsafe

ROOT = Path(__file__).resolve().parent.parent


def careful(text: str) -> str:
    """What markdown-it-py alone makes of ``text``, through the same sanitizer."""
    return textsafe.protect(textsafe.sanitize(str(textsafe._markdown.render(text))))


def same_blocks(html: str) -> str:
    # The two differ only in a line break before a block that opens inside a list item.
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


@pytest.mark.parametrize("text", SAMPLES)
def test_fast_renderer_keeps_the_careful_renderers_rules(text: str) -> None:
    assert same_blocks(textsafe.markdown_to_html(text)) == same_blocks(careful(text))


def test_fast_renderer_agrees_on_the_example_catalog() -> None:
    bodies = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "agents").rglob("*.md"))]
    assert len(bodies) >= 10
    for body in bodies:
        assert same_blocks(textsafe.markdown_to_html(body)) == same_blocks(careful(body))


def test_tags_meant_as_text_are_shown_and_nothing_runs() -> None:
    html = textsafe.markdown_to_html('<role>x</role> <img src=x onerror="alert(1)"> [a](javascript:alert(1))')
    assert "&lt;role&gt;x&lt;/role&gt;" in html
    assert "<img" not in html and 'href="javascript' not in html
    assert textsafe.markdown_to_html("# Top") == "<h4>Top</h4>\n"


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


class _Broken:
    def render(self, text: str) -> str:
        raise RuntimeError("parser bug")


def test_a_failing_fast_renderer_costs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textsafe, "_fast", _Broken())
    assert textsafe.markdown_to_html("**still** rendered") == "<p><strong>still</strong> rendered</p>\n"
