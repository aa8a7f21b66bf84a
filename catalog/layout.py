"""Where things are: the shipped templates and assets, and the options pages are rendered with.

Kept free of heavy imports: the pre-commit fast path needs these names without loading
Jinja2 or the Markdown parsers.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Mapping
from pathlib import Path

from catalog.frozen import frozen

# The docs folder's record of what ``generate`` wrote there (``output.manifest``): a folder
# that holds one is generated pages, which discovery never reads as agents.
MANIFEST = ".agent-catalog-manifest.json"

ASSETS = (
    "assets/agent-catalog.css",
    "assets/agent-catalog.js",
    "assets/iframe-worker-shim.js",
    "assets/agent-filter.js",
)


# Every file ``generate`` writes, by pattern: a manifest or journal entry that names anything
# else is not ours to remove, whatever digest it gives (site.write_docs). A new kind of
# generated file goes here too (test_confinement checks every page rendered matches).
_GENERATED_TOP = frozenset({"index.md", "rules.md", "catalog.json", "assets/catalog-data.js", *ASSETS})
_GENERATED_IN = {"agents": (".md", ".json"), "downloads": (".md.txt",), "categories": (".md",), "collections": (".md",)}
_PAGE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
_DATA_PART = re.compile(r"assets/catalog-data-[1-9][0-9]*\.js")  # the filter's data (render.facets.data_parts)


def is_generated_path(rel: str) -> bool:
    """Whether ``rel`` (relative to the docs folder) is a file ``generate`` can have written."""
    if rel in _GENERATED_TOP or _DATA_PART.fullmatch(rel):
        return True
    folder, _, name = rel.partition("/")
    return any(
        name.endswith(suffix) and bool(_PAGE_NAME.fullmatch(name[: -len(suffix)]))
        for suffix in _GENERATED_IN.get(folder, ())
    )


@frozen
class RenderOptions:
    template_dir: Path | None = None  # a user's templates, overriding ours one by one
    directory_urls: bool = False  # MkDocs use_directory_urls: how links between pages look
    edit_base: str | None = None  # URL that a file's path in the repository is appended to
    repo_root: str | None = None  # the repository folder those paths are relative to
    site_name: str = "Agent catalog"


def edit_base(repo_url: str | None, edit_uri: str | None, docs_rel: str) -> str | None:
    """Where edit links of files outside the docs folder start: MkDocs' edit_uri points into
    the docs folder (``edit/main/docs/``), agents live beside it."""
    if not repo_url or edit_uri is None:
        return None
    uri = edit_uri.strip("/")
    docs = docs_rel.strip("/")
    if docs and docs != "." and (uri == docs or uri.endswith("/" + docs)):
        uri = uri[: -len(docs)].rstrip("/")
    if uri.startswith(("http://", "https://")):
        return uri
    return f"{repo_url.rstrip('/')}/{uri}" if uri else repo_url.rstrip("/")


def default_template_dir() -> Path:
    """The templates shipped in the wheel, or the repository's folder in a source checkout."""
    # Installed, the templates are a folder of the package; in a source checkout, the
    # repository's. Both are looked at first: importing the namespace package below goes
    # through the import system's resource readers (10 ms under an editable install).
    here = Path(__file__).parent
    for known in (here / "site_templates", here.resolve().parent / "site_templates"):
        if (known / "agent.md.j2").is_file():
            return known
    # site_templates has no __init__.py: as a namespace package, resources.files() gives a
    # MultiplexedPath whose str() is no path, so look in each of the package's folders.
    try:
        folders = list(importlib.import_module("catalog.site_templates").__path__)
    except ModuleNotFoundError:
        folders = []
    for folder in folders:
        if (Path(folder) / "agent.md.j2").is_file():
            return Path(folder)
    return here.resolve().parent / "site_templates"


# An agent page's sections whose text is only buttons, commands, paths and links to other
# agents (Similar agents: its entry had no text, 113 bytes an agent), and the titles of
# its system prompt's sections (the only h3 and h4 headings with ids: agent text's own are in
# HTML blocks, without; their text is excluded already): their headings stay in the table of
# contents but not in the search index (each entry costs every reader bytes).
# The toc extension's ``baselevel`` moves every heading down (h6 at most): a page converted by
# Markdown with it has them there.
@functools.cache
def _unsearched(baselevel: int) -> re.Pattern[str]:
    section, title, subtitle = (min(level + baselevel - 1, 6) for level in (2, 3, 4))
    return re.compile(
        rf'<(h{section} id="(?:expertise|system-prompt|similar-agents|install|source)"'
        rf'|h[{title}{subtitle}] id="[^"<>]*")(?! data-search-exclude)'
    )


def is_agent_page(src_uri: str, prefix: str = "") -> bool:
    """Whether a docs file is a generated agent page (``agents/<slug>.md`` under ``prefix``)."""
    rest = src_uri[len(prefix) :] if src_uri.startswith(prefix) else ""
    return rest.startswith("agents/") and rest.endswith(".md") and rest.count("/") == 1


# The generated pages a sidebar of MkDocs' own making (no ``nav`` in mkdocs.yml) lists: the
# overview, the rules and the pages that list the categories and collections. Not each agent,
# category or collection: the sidebar is on every page, so it would grow every page with them.
SIDEBAR_PAGES = frozenset({"index.md", "rules.md", "categories/index.md", "collections/index.md"})


def toc_baselevel(configs: Mapping[str, object] | None) -> int:
    """The level the toc extension moves a page's h1 to (its ``baselevel``; 1 leaves it)."""
    config = (configs or {}).get("toc") or (configs or {}).get("markdown.extensions.toc") or {}
    baselevel = str(config.get("baselevel", 1)) if isinstance(config, Mapping) else "1"
    return int(baselevel) if baselevel.isdigit() else 1


def quiet_sections(html: str, baselevel: int = 1) -> str:
    """An agent page's HTML with its boilerplate sections marked ``data-search-exclude``
    (``baselevel``: the toc extension's, when Markdown converted the page)."""
    return _unsearched(max(1, baselevel)).sub(r"<\1 data-search-exclude", html)


# The front matter key that marks a page as generated by us (``render._with_meta``): MkDocs
# run by us or by our plugin then keeps its HTML blocks out of Markdown (``HtmlBlocks``).
GENERATED_KEY = "agent_catalog"
# A whole HTML element on one line, as every HTML block of a generated page is (its line breaks
# are character references, ``textsafe.html_block``).
_BLOCK_LINE = re.compile(r"^<([A-Za-z][A-Za-z0-9]*)[\s>][^\n]*</\1>$", re.MULTILINE)


class HtmlBlocks:
    """The HTML blocks of generated pages, kept out of Markdown entirely.

    Before Markdown converts a page (``on_page_markdown``), each one-line HTML block is swapped
    for a word that no Markdown extension or template plugin changes, a paragraph of its own;
    after (``on_page_content``), the word's paragraph is swapped back for the block. Whatever
    extensions a site enables, the HTML that agent text was rendered into reaches the page
    as it was rendered. The word holds a random part, so no agent text can name a block.
    """

    def __init__(self) -> None:
        import secrets  # here: hashlib's OpenSSL is ~3 ms of a generate with nothing changed

        self._word = f"agentcatalogblock{secrets.token_hex(8)}n"
        self._held: dict[str, list[str]] = {}

    def hide(self, key: str, markdown: str) -> str:
        """The page's Markdown with a word in place of each of its HTML blocks."""
        blocks: list[str] = []

        def swap(match: re.Match[str]) -> str:
            blocks.append(match.group())
            return f"\n{self._word}{len(blocks) - 1}\n"  # a paragraph of its own

        hidden = _BLOCK_LINE.sub(swap, markdown)
        if blocks:
            self._held[key] = blocks
        return hidden

    def restore(self, key: str, html: str) -> tuple[str, int]:
        """The page's HTML with its blocks back, and how many blocks could not be put back."""
        blocks = self._held.pop(key, None)
        if not blocks:
            return html, 0
        found: set[int] = set()

        def back(match: re.Match[str]) -> str:
            index = int(match.group(1) or match.group(2))
            found.add(index)
            return blocks[index] if index < len(blocks) else match.group()

        restored = re.sub(rf"<p>{self._word}(\d+)</p>|{self._word}(\d+)", back, html)
        return restored, len(blocks) - len(found)
