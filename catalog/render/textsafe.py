"""Agent text made safe for the exact context it lands in on a generated page.

Agent files come from strangers. Their Markdown is rendered here, not by MkDocs:
markdown-it (its Rust port, or markdown-it-py where the Rust one could run out of stack or is
not installed) with raw HTML off and only http(s)/mailto links, then the nh3 allow-list sanitizer. The
result goes into the page as a raw HTML block of one line: its line breaks, tabs and the
characters Python-Markdown rewrites are character references, so no line of it can start a
fence, a snippet, an admonition or a tab, whatever extensions a user enables (superfences,
snippets, attr_list, md_in_html, macros). MkDocs run by us or by our plugin does not even
see the blocks (``catalog.layout.HtmlBlocks``). Braces become entities so template plugins
such as mkdocs-macros find no ``{{`` in it either.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
from collections.abc import Callable, Iterable, Sequence, Sized
from typing import TYPE_CHECKING, Any

import nh3

from catalog.model.growth import out_of_proportion

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "details", "div", "em", "h4", "h5", "h6", "hr", "i",
    "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}  # fmt: skip
# Table cells keep their alignment: markdown-it writes it as style="text-align:...", and only
# that property survives (filter_style_properties).
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "td": {"style"}, "th": {"style"}, "code": {"class"}}


def _validate_link(url: str) -> bool:
    match = _SCHEME.match(url)
    return match is None or match.group(1).lower() in _SAFE_SCHEMES


@functools.cache
def _markdown(proportionate: bool = False) -> MarkdownIt:
    """markdown-it-py, for what the Rust port cannot do (inline rendering, deep nesting):
    imported on first use, as most runs never need it. ``proportionate``: without tables and
    reference links, the two constructs that can render out of proportion to their text
    (``catalog.model.growth``)."""
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

    class _Renderer(RendererHTML):
        """Headings shift below the page's own; images become links (no request leaves the site)."""

        def heading_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
            level = min(int(tokens[idx].tag[1]) + 3, 6)
            return f"<h{level}>"

        def heading_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
            level = min(int(tokens[idx].tag[1]) + 3, 6)
            return f"</h{level}>\n"

        # Where markdown-it.rs puts line feeds markdown-it-py would not: before a code block
        # that follows a tight list item's text, and inside an empty quote. Written as it
        # writes them, a page is the same bytes whichever of the two rendered it.
        def fence(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
            return _after_hidden(tokens, idx) + super().fence(tokens, idx, options, env)

        def code_block(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
            return _after_hidden(tokens, idx) + super().code_block(tokens, idx, options, env)

        def blockquote_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
            return _after_hidden(tokens, idx) + "<blockquote>\n"

        def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
            token = tokens[idx]
            alt = html.escape(self.renderInlineAsText(token.children or [], options, env)) or "image"
            src = html.escape(str(token.attrs.get("src", "")))
            return f'<a href="{src}">[image: {alt}]</a>'

    def _after_hidden(tokens: Sequence[Token], idx: int) -> str:
        return "\n" if idx and tokens[idx - 1].hidden else ""

    markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "maxNesting": 20}, renderer_cls=_Renderer)
    markdown.enable("table").enable("strikethrough")
    if proportionate:
        markdown.disable(["table", "reference"])
    markdown.validateLink = _validate_link  # type: ignore[method-assign]
    return markdown


def _rust_renderer() -> Any:
    """markdown-it.rs with the same rules, about 20 times faster (rendering agent text was most
    of a build's own time): its "zero" preset plus the rules we use; raw HTML stays off (no
    html_*). None where markdown-it-pyrs is not installed: it has no wheel for Python 3.13 and
    later nor for musl, so pyproject.toml asks for it only where it has; markdown-it-py then
    renders everything, to the same bytes on real agent text (tests/test_textsafe.py; README
    "Installing" names the corners of CommonMark where the two still differ)."""
    try:
        import markdown_it_pyrs
    except ImportError:
        return None
    fast = markdown_it_pyrs.MarkdownIt("zero")
    fast.enable_many(
        [
            "blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
            "autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline",
            "table", "strikethrough",
        ]
    )  # fmt: skip
    return fast


_fast = _rust_renderer()
# markdown-it.rs nests block containers by recursion and has no depth limit: 100,000 nested
# quotes or list items overflow the stack and kill the process. Each level of nesting needs a
# character of its own at the start of the line that opens it (a ``>``, a list marker or the
# indent under one), so text whose line prefixes stay short is safe; 400 leaves a margin of 50
# against the 20,000 levels seen to work. Longer prefixes go to markdown-it-py (maxNesting 20).
_DEEP_PREFIX = re.compile(r"^[ \t>*+\-0-9.)]{400}", re.MULTILINE)
_FAST_HEADING = re.compile(r"<(/?)h([1-6])>")
_FAST_IMAGE = re.compile(r'<img src="([^"]*)" alt="([^"]*)"(?: title="[^"]*")? />')


def markdown_to_html(text: str) -> str:
    """Agent Markdown as sanitized HTML, ready to sit in a raw HTML block of a page."""
    return one_line(protect(sanitize(_render_block(text))))


def _render_block(text: str) -> str:
    # A last line without its line feed: markdown-it.rs ends an unclosed code block's text with
    # one, markdown-it-py does not. With one, both write the same.
    text = text if text.endswith("\n") else text + "\n"
    if out_of_proportion(text):
        return str(_markdown(proportionate=True).render(text))
    if _fast is not None and not _DEEP_PREFIX.search(text):
        try:
            rendered = _fast.render(text)
        except BaseException as error:  # a Rust panic is a BaseException
            if not isinstance(error, Exception) and type(error).__name__ != "PanicException":
                raise  # KeyboardInterrupt, SystemExit
            # A parser bug must not cost the agent its page: the other parser renders it.
        else:
            # What _Renderer does in markdown-it-py: headings below the page's, images as links.
            rendered = _FAST_HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 3, 6)}>", rendered)
            return _FAST_IMAGE.sub(lambda m: f'<a href="{m[1]}">[image: {m[2] or "image"}]</a>', rendered)
    return str(_markdown().render(text))


_SANITIZER: dict[str, Any] = {
    "tags": _TAGS,
    "attributes": _ATTRIBUTES,
    "url_schemes": set(_SAFE_SCHEMES),
    "link_rel": "noopener noreferrer nofollow",
    "strip_comments": True,
    "filter_style_properties": {"text-align"},
}
# A Cleaner builds its rules once (nh3 0.3); nh3.clean builds them on every call, and an agent
# page sanitizes a dozen fragments.
_clean: Callable[[str], str] = nh3.Cleaner(**_SANITIZER).clean


def sanitize(fragment: str) -> str:
    """Allow-list sanitizing: no script, no event handler, no dangerous URL survives."""
    return str(_clean(fragment))


def protect(fragment: str) -> str:
    """Hide template syntax and snippet markers from MkDocs plugins that scan page source."""
    return fragment.replace("{", "&#123;").replace("}", "&#125;")


# What would let HTML from agent text span lines, or be changed before any Markdown extension
# reads it: line breaks (Python-Markdown splits on LF, browsers read CR as one), the
# characters ``str.splitlines`` also breaks at, tabs (expanded to spaces) and STX/ETX (deleted,
# they mark Python-Markdown's placeholders). As character references they mean the same in
# HTML, in text and in attribute values alike. (U+0085 stays: its reference means U+2026.)
# A pattern, not str.translate: translating with a table beyond Latin-1 looks up every
# character in a dict, a third of the time of rendering an agent page.
_LINE_BREAKING = re.compile("[\n\r\t\x02\x03\x0b\x0c\x1c\x1d\x1e\u2028\u2029]")


def _reference(match: re.Match[str]) -> str:
    return f"&#{ord(match.group())};"


def one_line(fragment: str) -> str:
    """HTML as one line that means the same: no Markdown block syntax can start in it."""
    # Rendered Markdown has a line feed after every block: replaced in one call rather than
    # one callback each; the rare others then by the pattern.
    fragment = fragment.replace("\n", "&#10;")
    return _LINE_BREAKING.sub(_reference, fragment) if _LINE_BREAKING.search(fragment) else fragment


def html_block(markup: str) -> str:
    """A template's HTML block as one line (``{% filter html_block %}``): between its tags, a
    line break of the template becomes a reference to one. Agent values in it are one line
    already (``h``, ``md``); STX and ETX stay, they mark placeholders of shared pages."""
    line = markup.strip("\n").replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#9;")
    return line + "\n"


def escape_html(value: Any) -> str:
    """Text for an HTML text node or a quoted attribute value, on one line."""
    return one_line(protect(html.escape(str(value), quote=True)))


# Every ASCII punctuation character: inline extensions (emoji's :x:, magiclink's www. and
# https://, smartsymbols' (c) and -->, keys' ++, critic's {++, mark's ==) all need one.
_MARKDOWN_SPECIAL = re.compile(r"[!-/:-@\[-`{-~]")


def escape_markdown_inline(value: Any) -> str:
    """Text in a Markdown heading, link text or table cell: every punctuation character an
    entity, so that no inline extension finds its syntax in it."""
    text = " ".join(str(value).split())
    return _MARKDOWN_SPECIAL.sub(lambda m: f"&#{ord(m.group())};", text)


def escape_yaml_meta(value: Any, limit: int = 300) -> str:
    """A front matter value that MkDocs themes print unescaped into <title> and <meta>.

    A longer value is cut at a word boundary and ends with an ellipsis, all within ``limit``.
    """
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = _cut_at_word(text, limit - 1) + "…"
    return escape_html(text)


def fence(text: str, info: str = "") -> str:
    """A Markdown code fence that the text cannot close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{text}\n{ticks}"


def markdown_inline_to_html(text: str) -> str:
    """One line of agent Markdown (a list item, a turn's first line) as sanitized inline HTML."""
    return one_line(protect(sanitize(_markdown().renderInline(text))))


# A page shows this many items of a list a file gives (tools, tags, frontmatter keys,
# findings...), then counts the rest: 100,000 tools in a 300 KB file would be a 30 MB page.
# The record and the download have them all.
PAGE_LIST_LIMIT = 100


def first_few(items: Iterable[Any]) -> list[Any]:
    """The items of a list a page shows (``few`` in templates): the first ``PAGE_LIST_LIMIT``."""
    return list(itertools.islice(items, PAGE_LIST_LIMIT))


def more_than_shown(items: Sized) -> str:
    """What ``few`` left out, counted (``more`` in templates): HTML, a number and no agent text."""
    left = len(items) - PAGE_LIST_LIMIT
    return f'<span class="ac-more">and {left:,} more</span>' if left > 0 else ""


def excerpt(value: Any, limit: int = 220) -> str:
    """Plain text shortened for lists and cards, never ending inside parentheses.

    A text longer than ``limit`` ends at the last sentence that ends by about ``limit`` + 20%
    (and after 40% of it); without one, at the last word within ``limit``, with an ellipsis.
    Initials and abbreviations (``e.g.``) end no sentence.
    """
    text = " ".join(str(value).split())
    soft = limit + limit // 5
    if len(text) <= limit or (len(text) <= soft and text.endswith((".", "!", "?"))):
        return text
    ends = [
        match.end(1)
        for match in _SENTENCE_END.finditer(text)
        if limit * 0.4 <= match.end(1) <= soft
        and len(match.group(2)) > 1  # not an initial, nor the g. of e.g.
        and match.group(2).lower() not in _ABBREVIATIONS
        and _balanced(text[: match.end(1)])
    ]
    if ends:
        return text[: ends[-1]]
    return _cut_at_word(text, limit) + "…"


# The end of a sentence: . ! or ? (and a closing quote or bracket), then a space and a capital.
_SENTENCE_END = re.compile(r"""(\b(\w+)[.!?]["'”’)\]]?)(?=\s+["'“‘(\[]?[A-Z0-9])""")
_ABBREVIATIONS = frozenset("eg ie etc vs cf approx incl mr mrs ms dr st no fig".split())
_OPENERS = {"(": ")", "[": "]"}


def _balanced(text: str) -> bool:
    return all(text.count(opener) <= text.count(closer) for opener, closer in _OPENERS.items())


def _cut_at_word(text: str, limit: int) -> str:
    """The longest start of ``text`` within ``limit`` that ends at a word, outside brackets."""
    cut = text[: limit + 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut[:limit]
    cut = cut[:limit].rstrip(" ,;:.-–—")
    while not _balanced(cut):
        opener = max(cut.rfind(o) for o in _OPENERS)
        cut = cut[:opener].rstrip(" ,;:.-–—")
    return cut or text[:limit]


_CSS_COLORS = frozenset(
    "red orange yellow green blue purple pink cyan magenta teal indigo violet gray grey black white brown "
    "lime navy olive maroon gold silver coral salmon crimson turquoise".split()
)
# The color names agents declare (Claude Code's set and a few more), as softer Material tones
# than the raw CSS keywords (blue is #0000ff). Other names and hex values pass as given.
_PALETTE = {
    "red": "#e53935",
    "orange": "#fb8c00",
    "yellow": "#fdd835",
    "green": "#43a047",
    "blue": "#1e88e5",
    "purple": "#8e24aa",
    "pink": "#ec407a",
    "cyan": "#00acc1",
    "magenta": "#d81b60",
    "white": "#fafafa",
    "gray": "#9e9e9e",
    "grey": "#9e9e9e",
    "black": "#212121",
    "teal": "#00897b",
    "indigo": "#3949ab",
    "violet": "#7e57c2",
    "brown": "#6d4c41",
    "lime": "#c0ca33",
}
_HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")


def color_name(value: Any) -> str:
    """The color an agent declares, normalized, only if it is a plain name or hex value; else ''."""
    text = str(value or "").strip().strip("'\"").lower()
    if text in _CSS_COLORS or _HEX_COLOR.fullmatch(text):
        return text
    return ""


def css_color(value: Any) -> str:
    """A CSS color for what an agent declares: a palette tone for a name, a hex value as given; else ''."""
    name = color_name(value)
    return _PALETTE.get(name, name)
