"""Where things are: the shipped templates and assets, and the options pages are rendered with.

Kept free of heavy imports: the pre-commit fast path needs these names without loading
Jinja2 or the Markdown parsers.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path

ASSETS = (
    "assets/agent-catalog.css",
    "assets/agent-catalog.js",
    "assets/iframe-worker-shim.js",
    "assets/agent-filter.js",
)


@dataclass(frozen=True, slots=True)
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


# An agent page's sections whose text is only buttons, commands and paths: their headings stay
# in the table of contents but not in the search index (each entry costs every reader bytes).
_UNSEARCHED = re.compile(r'<h2 id="(expertise|system-prompt|install|source)"(?! data-search-exclude)')


def is_agent_page(src_uri: str, prefix: str = "") -> bool:
    """Whether a docs file is a generated agent page (``agents/<slug>.md`` under ``prefix``)."""
    rest = src_uri[len(prefix) :] if src_uri.startswith(prefix) else ""
    return rest.startswith("agents/") and rest.endswith(".md") and rest.count("/") == 1


# The generated pages a sidebar of MkDocs' own making (no ``nav`` in mkdocs.yml) lists: the
# overview, the rules and the pages that list the categories and collections. Not each agent,
# category or collection: the sidebar is on every page, so it would grow every page with them.
SIDEBAR_PAGES = frozenset({"index.md", "rules.md", "categories/index.md", "collections/index.md"})


def quiet_sections(html: str) -> str:
    """An agent page's HTML with its boilerplate sections marked ``data-search-exclude``."""
    return _UNSEARCHED.sub(r'<h2 id="\1" data-search-exclude', html)
