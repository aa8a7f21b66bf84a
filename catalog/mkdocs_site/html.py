"""Our generated pages as finished HTML for MkDocs: no Python-Markdown over them.

A generated page is Markdown of a narrow kind (``render``'s templates): ATX headings whose text
has no Markdown syntax left in it (``textsafe.escape_markdown_inline``), and HTML blocks of one
element on one line (``textsafe.html_block``). ``finish`` turns such a page into the HTML that
Python-Markdown with MkDocs' ``toc`` extension makes of it, its table of contents, and the part
of it Material's search indexes, in one pass over its lines. A page it does not recognise (a
user's template that writes Markdown) gets None: MkDocs converts that one as before.

The docs folder ``generate`` writes stays Markdown: a plain ``mkdocs build`` of it converts the
same lines into the same HTML (``tests/test_finished_html.py`` compares the two).
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from catalog.frozen import frozen
from catalog.layout import quiet_sections

# What Python-Markdown keeps as raw HTML when a line starts with it (markdown.util).
_BLOCK_TAGS = frozenset(
    "address article aside blockquote details div dl fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre section table ul canvas colgroup "
    "dd body dt group html iframe li legend math map noscript output object option progress "
    "script style summary tbody td textarea tfoot th thead tr video center".split()
)
# A whole element on one line.
_ELEMENT = re.compile(r"<([A-Za-z][A-Za-z0-9]*)[\s>][^\n]*</\1>")
_HEADING = re.compile(r"(#{1,6})[ \t]+(.*?)[ \t]*")
# Heading text Python-Markdown leaves as it is: no inline syntax, only character references.
_PLAIN_TEXT = re.compile(r"(?:[^\\`*_\[\]<>!&{}#\n]|&#[0-9]+;|&[A-Za-z]+;)*")
_HEADING_WITH_ID = re.compile(r"<h[1-6]\b[^>]*\sid=")
_EXCLUDED_START = re.compile(r"<[A-Za-z][A-Za-z0-9]*\b[^>]*\sdata-search-exclude[\s>=]")
# The toc settings a page can be finished under; others (anchorlink, baselevel, ...) change
# headings in ways not reproduced here, and the page goes through Markdown.
_TOC_KEYS = frozenset({"permalink", "permalink_class", "permalink_title", "slugify", "separator", "toc_depth", "title"})
# Our pages' headings are h1 and h2: a toc_depth of 2 or more keeps them all in the toc.


@frozen
class Finished:
    """One generated page as MkDocs would have made it."""

    html: str  # the page's content
    toc: tuple[dict[str, Any], ...]  # Python-Markdown's toc_tokens, for mkdocs.structure.toc.get_toc
    search: str  # the part of ``html`` Material's search reads: the rest it skips anyway
    anchors: frozenset[str]  # every id in the page (MkDocs checks links to anchors against them)


@frozen
class Headings:
    """How headings are made, from the site's ``toc`` extension settings."""

    slugify: Callable[[str, str], str]
    separator: str = "-"
    permalink: str | None = None  # the permalink's text, when the site shows one
    permalink_class: str = "headerlink"
    permalink_title: str = "Permanent link"


def headings_of(extensions: list[Any], configs: Mapping[str, Any] | None) -> Headings | None:
    """The headings a site's Markdown settings make; None when it does more to them than
    ``finish`` reproduces (then its pages go through Markdown)."""
    from markdown.extensions.toc import slugify  # type: ignore[import-untyped]

    names = [e if isinstance(e, str) else type(e).__module__ for e in extensions]
    if not any(name in ("toc", "markdown.extensions.toc") for name in names):
        return None  # without toc, headings get no ids at all: rare, left to Markdown
    config = dict((configs or {}).get("toc") or (configs or {}).get("markdown.extensions.toc") or {})
    depth = config.get("toc_depth", 6)
    if set(config) - _TOC_KEYS or not (isinstance(depth, int) or str(depth).isdigit()) or int(depth) < 2:
        return None
    permalink = config.get("permalink", False)
    text = "&para;" if permalink is True else (str(permalink) if permalink else None)
    return Headings(
        slugify=config.get("slugify") or slugify,
        separator=str(config.get("separator", "-")),
        permalink=text,
        permalink_class=str(config.get("permalink_class", "headerlink")),
        permalink_title=str(config.get("permalink_title", "Permanent link")),
    )


def finish(markdown: str, headings: Headings, agent_page: bool = False) -> Finished | None:
    """The page's finished HTML, or None when it is not Markdown of the narrow kind."""
    from markdown.extensions.toc import nest_toc_tokens, unique

    parts: list[str] = []
    view: list[str] = []  # the search's part
    tokens: list[dict[str, Any]] = []
    used: set[str] = set()
    quiet = False  # the current section is kept out of search
    for line in markdown.split("\n"):
        if not line.strip():
            continue
        if line[0] == "<":
            element = _ELEMENT.fullmatch(line)
            if element is None or element.group(1).lower() not in _BLOCK_TAGS:
                return None
            parts.append(line)
            # What Material's parser would skip whole: out of its part. A block that holds a
            # heading with an id stays: that heading starts a section of the search's own.
            if _HEADING_WITH_ID.search(line) or not (quiet or _EXCLUDED_START.match(line)):
                view.append(line)
                if _HEADING_WITH_ID.match(line):
                    quiet = bool(_EXCLUDED_START.match(line))
            continue
        heading = _HEADING.fullmatch(line)
        if heading is None or _PLAIN_TEXT.fullmatch(heading.group(2)) is None:
            return None
        level, text = len(heading.group(1)), heading.group(2)
        ident = unique(headings.slugify(html.unescape(text), headings.separator), used)
        used.add(ident)
        link = ""
        if headings.permalink is not None:
            title = f' title="{html.escape(headings.permalink_title)}"' if headings.permalink_title else ""
            link = (
                f'<a class="{html.escape(headings.permalink_class)}" href="#{html.escape(ident)}"{title}>'
                f"{headings.permalink}</a>"
            )
        made = f'<h{level} id="{html.escape(ident)}">{text}{link}</h{level}>'
        if agent_page:
            made = quiet_sections(made)
        quiet = "data-search-exclude" in made
        parts.append(made)
        view.append(made)
        tokens.append({"level": level, "id": ident, "name": text, "html": text, "data-toc-label": ""})
    content = "\n".join(parts)
    return Finished(content, tuple(nest_toc_tokens(tokens)), "\n".join(view), frozenset(ids(content)))


def ids(content: str) -> list[str]:
    """``re.findall(r'\\sid="([^"]*)"', content)``, the values of the id attributes MkDocs
    sees in a page, in a fifth of its time: the expression's literal part looked for first
    (the expression itself tries every position of the page)."""
    found = []
    find = content.find
    at = find('id="', 1)
    while at > 0:
        if not content[at - 1].isspace():  # (the same characters as the expression's \s)
            at = find('id="', at + 1)
            continue
        end = find('"', at + 4)
        if end < 0:
            break  # no id after this one has its closing quote either
        found.append(content[at + 4 : end])
        at = find('id="', end + 2)  # the next match starts after this one's end
    return found


# One section of a page as Material's search sees it: its title and text (lists of HTML
# pieces) and its id (None for the page's first).
SearchSection = tuple[tuple[str, ...], tuple[str, ...], str | None]


@frozen
class Prepared:
    """A generated page made ready before MkDocs reads it (in a worker process)."""

    # The length of the Markdown it was made from, the page without its front matter: the end
    # of the page's text (``was_made_from``), sent back by the workers instead of the text.
    body_length: int
    finished: Finished  # without its ``search`` part: the sections below are what was made of it
    search: tuple[SearchSection, ...]  # the sections Material's search indexes

    def was_made_from(self, body: str, text: str) -> bool:
        """Whether ``body``, the Markdown MkDocs hands the plugin for the page whose text was
        ``text``, is the one this was made from (no plugin changed it since): the body is the
        end of the text (``get_data`` cuts the front matter off), so one string comparison
        tells, where a digest of each page cost 0.06 ms in the workers and as much in MkDocs'
        one process, before its page loop."""
        return len(body) == self.body_length <= len(text) and text.endswith(body)


def prepared(body: str, finished: Finished) -> Prepared:
    return Prepared(len(body), replace(finished, search=""), search_sections(finished.search))


def prepare(headings: Headings, agent_page: bool, text: str) -> Prepared | None:
    """The page's finished HTML and search sections, as the plugin will need them."""
    body = markdown_of(text)
    finished = finish(body, headings, agent_page)
    if finished is None:
        return None
    return prepared(body, finished)


def markdown_of(text: str) -> str:
    """The Markdown MkDocs' ``get_data`` leaves of a page: the text after its YAML front matter,
    without parsing the YAML (0.1 ms of a generated page's): our pages' is a mapping, which is
    when ``get_data`` cuts it off. Were it not one, the page MkDocs hands the plugin is not the
    one finished (``Prepared.was_made_from``), and the plugin finishes that one itself."""
    from mkdocs.utils.meta import YAML_RE, get_data

    match = YAML_RE.match(text)
    return text[match.end() :].lstrip("\n") if match else get_data(text)[0]


def search_sections(part: str) -> tuple[SearchSection, ...]:
    """What Material's search parser makes of the part of a page it reads."""
    from material.plugins.search.plugin import Parser  # type: ignore[import-untyped]

    try:
        quick = _sections_quickly(part)
    except Exception:  # (Material's parser fails too: let it say so in its own words)
        quick = None
    if quick is not None:
        return quick
    parser = Parser()
    parser.feed(part)
    parser.close()
    return tuple(
        (tuple(section.title), tuple(section.text), section.id) for section in parser.data if not section.is_excluded()
    )


# HTML of the kind our pages are made of (html5ever's serialization, through nh3, and our
# templates): tags whose attribute values are all double-quoted, no comment, declaration or
# raw-text element, every "<" of the text escaped. Within it each tag is one match.
_SPACE = "[ \t\n\r\f]"
_TAG = re.compile(
    rf'<(?:([a-zA-Z][a-zA-Z0-9]*)((?:{_SPACE}+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"]*")?)*){_SPACE}*(/?)'
    r"|/([a-zA-Z][a-zA-Z0-9]*))>"
)
_ATTRIBUTE = re.compile(r'([-a-zA-Z0-9_:.]+)(="[^"]*")?')
# Elements whose content html.parser reads as raw text (in some Python version or other).
_RAW_TEXT = frozenset("script style textarea title xmp iframe noembed noframes noscript plaintext".split())


# Material's search parser (material.plugins.search.plugin.Parser), its sets of tags.
_HEADING_TAGS = frozenset(f"h{level}" for level in range(1, 7))
_KEPT = frozenset("p code pre li ol ul sub sup".split())  # written into the entries
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_ALWAYS_SKIPPED = frozenset({"object", "script", "style"})


@functools.lru_cache(maxsize=4096)
def _unescaped(text: str) -> str:
    """``html.unescape``, remembered: the runs of text between our tags are mostly the same
    few (a line break written as a reference, a space)."""
    return html.unescape(text)


@functools.lru_cache(maxsize=4096)
def _attributes(source: str) -> dict[str, str | None]:
    """A tag's attributes as ``html.parser`` gives them, by name (the last of a name counts),
    from their source (``' class="x" data-search-exclude'``); a value is its '="..."', or ""
    for an attribute without one. Remembered: our pages repeat the same few. Not to be changed."""
    return {name.lower(): html.unescape(value[2:-1]) if value else None for name, value in _ATTRIBUTE.findall(source)}


class _Section:
    """Material's ``Section``: its element as a tag name (Material compares elements by tag)."""

    __slots__ = ("depth", "excluded", "id", "tag", "text", "title")

    def __init__(self, tag: str, depth: float = 0, excluded: bool = False) -> None:
        self.tag, self.depth, self.excluded = tag, depth, excluded
        self.title: list[str] = []
        self.text: list[str] = []
        self.id: str | None = None


def _sections_quickly(part: str) -> tuple[SearchSection, ...] | None:
    """What Material's search parser makes of ``part``, in a fraction of its time, or None when
    ``part`` is not HTML of our kind (then the parser itself reads it).

    The events are those ``html.parser`` gives (the same tags, the same attributes, the same
    runs of text with their references resolved), found with one regular expression match per
    tag instead of its general tokenizer; each is handled as ``Parser`` handles it, with its
    quirks: Material compares its ``Element`` objects by tag, so its set of skipped elements is
    a set of tags, and an element is in the context (or a section's title) when an element of
    its tag is. The tags here are strings: set and list operations in C, not a Python ``__eq__``
    and ``__hash__`` per element and event. A handler that fails (a closing tag kept whose
    opening one is not, in badly nested tags) raises, as Parser's does."""
    unescape, escape = _unescaped, html.escape
    tags: list[str] = []  # Parser's context, by tag
    context_attributes: list[dict[str, str | None]] = []
    skipped = set(_ALWAYS_SKIPPED)  # Parser's skip, by tag
    sections: list[_Section] = []
    section: _Section | None = None

    def start(tag: str, attributes: dict[str, str | None]) -> None:
        nonlocal section
        if tag in _VOID:
            return
        tags.append(tag)
        context_attributes.append(attributes)
        if tag in _HEADING_TAGS and "id" in attributes:
            depth = len(tags)
            if tag != "h1" and not sections:
                section = _Section("hx", depth)
                sections.append(section)
            heading = _Section(tag, depth, "data-search-exclude" in attributes)
            if sections:
                heading.id = attributes["id"]
            section = heading
            sections.append(heading)
        if section is None:
            section = _Section("hx")
            sections.append(section)
        if "data-search-exclude" in attributes or attributes.get("class") == "linenodiv":
            skipped.add(tag)
            return
        if tag in _KEPT and skipped.isdisjoint(tags):
            (section.title if section.tag in tags else section.text).append(f"<{tag}>")

    def end(tag: str) -> None:
        nonlocal section
        if not tags or tags[-1] != tag:
            return
        assert section is not None  # (made by the start of the element ending here, at the latest)
        if section.depth > len(tags):
            for earlier in reversed(sections):
                if earlier.depth <= len(tags):
                    section.depth = float("inf")
                    section = earlier
                    break
        tags.pop()
        context_attributes.pop()
        if tag in skipped:
            if tag not in _ALWAYS_SKIPPED:
                skipped.remove(tag)
            return
        if tag in _KEPT and skipped.isdisjoint(tags):
            kept = section.title if section.tag in tags else section.text
            index = kept.index(f"<{tag}>")  # (the first: as Parser has it)
            # Not a slice after it: that copies the rest of the section at every closing tag
            # (60,000 unclosed examples: 72 s). The first piece not space ends the look.
            if all(kept[at].isspace() for at in range(index + 1, len(kept))):
                del kept[index:]  # an element with nothing but space in it is left out
            else:
                kept.append(f"</{tag}>")

    def data(text: str) -> None:
        nonlocal section
        if not skipped.isdisjoint(tags):
            return
        in_pre = "pre" in tags
        if not in_pre:
            text = " " if text.isspace() else text.replace("\n", " ")
        if section is None:
            section = _Section("hx")
            sections.append(section)
        if section.tag in tags:
            opened = zip(tags, context_attributes, strict=True)
            if not any(t == "a" and a.get("class") == "headerlink" for t, a in opened):  # (a permalink's text)
                section.title.append(escape(text, quote=False))
        elif text.isspace():
            if not section.text or not section.text[-1].isspace() or in_pre:
                section.text.append(text)
        else:
            section.text.append(escape(text, quote=False))

    at = 0
    for match in _TAG.finditer(part):
        begin = match.start()
        if begin > at:
            text = part[at:begin]
            if "<" in text:  # a "<" that starts no tag of our kind
                return None
            data(unescape(text))
        name, attributes, closed, closing = match.groups()
        at = match.end()
        if closing is not None:
            end(closing.lower())
            continue
        name = name.lower()
        if name in _RAW_TEXT and not (closed or part.startswith(f"</{name}>", at)):
            return None  # (an empty one, such as a script's with src, reads the same)
        start(name, _attributes(attributes) if attributes else {})
        if closed:
            end(name)
    if at < len(part):
        text = part[at:]
        if "<" in text:
            return None
        data(unescape(text))
    return tuple((tuple(s.title), tuple(s.text), s.id) for s in sections if not s.excluded)
