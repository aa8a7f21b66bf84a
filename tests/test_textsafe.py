"""Agent Markdown to HTML: the fast renderer (markdown-it.rs) gives the careful one's bytes.

``catalog.render.textsafe`` renders with markdown-it-pyrs, and falls back to markdown-it-py where the
Rust parser could overflow its stack (block containers nested thousands deep) or fails, and for
everything where markdown-it-pyrs is not installed (no wheel for Python 3.13 and later, nor musl):
a page must not depend on which of the two rendered it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.render import textsafe

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"

needs_rust = pytest.mark.skipif(textsafe._fast is None, reason="markdown-it-pyrs is not installed here")


def careful(text: str) -> str:
    """What markdown-it-py alone makes of ``text``: the renderer used without markdown-it-pyrs."""
    fast, textsafe._fast = textsafe._fast, None
    try:
        return textsafe.markdown_to_html(text)
    finally:
        textsafe._fast = fast


class _Broken:
    def __init__(self, error: BaseException) -> None:
        self.error = error

    def render(self, text: str) -> str:
        raise self.error


@pytest.fixture
def fast_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No fallback to markdown-it-py, where markdown-it.rs is there to be tested."""
    if textsafe._fast is None:
        return
    broken = _Broken(AssertionError("the fast renderer was not used"))
    monkeypatch.setattr(textsafe, "_markdown", lambda: broken)


def fast(text: str) -> str:
    """What markdown-it.rs makes of ``text``, with no fallback."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(textsafe, "_markdown", lambda: _Broken(AssertionError("the fast renderer was not used")))
        return textsafe.markdown_to_html(text)


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


# Where the two wrote different bytes before: a code block after a tight list item's text, an
# unclosed code block at the end of a text without a last line feed, an empty quote. (They still
# differ on a few constructs real agent files do not use, README "Installing": both parse them
# by their own reading of CommonMark's corners, e.g. a quote's lazy line that looks like a table.)
SAMPLES += [
    "- a:\n  ```sql\n  SELECT 1\n  ```\n- b:\n\n      indented",
    "intro\n\n```\nunclosed fence with no line feed at the end",
    "    indented code with no line feed at the end",
    "- item\n  > quote\n- item\n  ---",
    ">\n\n- >\n\n> >",
]


@needs_rust
@pytest.mark.parametrize("text", SAMPLES)
def test_fast_renderer_gives_the_careful_renderers_bytes(text: str) -> None:
    assert fast(text) == careful(text)


@needs_rust
def test_fast_renderer_agrees_on_the_example_catalog_and_the_corpus() -> None:
    paths = sorted((ROOT / "agents").rglob("*.md"))
    if CORPUS.is_dir():  # every fourth file of the shared corpus (27 of its 1,551 differed before)
        paths += sorted(CORPUS.rglob("*.md"))[::4]
    assert len(paths) >= 10
    for path in paths:
        body = path.read_text(encoding="utf-8", errors="replace")
        assert fast(body) == careful(body), path


def test_without_the_rust_parser_pages_are_the_same(tmp_path: Path) -> None:
    """Where markdown-it-pyrs cannot be installed, ``generate`` writes the same docs folder."""
    script = (
        "import sys; sys.modules['markdown_it_pyrs'] = None\n"  # import fails, as where it is not installed
        "from catalog.render import textsafe; assert textsafe._fast is None\n"
        "from catalog.cli.main import run; run()\n"
    )
    env = {**os.environ, "AGENT_CATALOG_NO_CACHE": "1"}
    docs = {}
    for name, command in (("without", [sys.executable, "-c", script]), ("with", [sys.executable, "-m", "catalog"])):
        out = tmp_path / name
        result = subprocess.run(
            [*command, "generate", str(ROOT / "agents"), "--docs-dir", str(out)],
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode in (0, 1), result.stderr
        docs[name] = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert docs["with"] and docs["with"] == docs["without"]


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
