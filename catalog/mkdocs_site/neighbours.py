"""The plugin beside the other MkDocs plugins of a team's site: what each of them needs from
pages that a plugin adds in memory (``File.generated``), and no docs folder holds.

- mkdocs-static-i18n builds only pages that are files of the docs folder: it fails on a page
  with no file (``abs_src_path`` None), and drops one whose file is elsewhere (its issue 263).
  The plugin says so and what to do instead, rather than let the build end in its traceback.
- mkdocs-literate-nav makes a folder named in its navigation (``catalog/``), or the whole
  site when nothing names the navigation, from every file there, whatever MkDocs' inclusion
  says: every agent page in the sidebar of every page. Given a navigation file of the
  catalog's own, it lists the pages that MkDocs' navigation would.
- MkDocs makes the navigation, when mkdocs.yml has none, of every page in the docs folder:
  of the pages ``generate`` wrote there too, every agent's. They are kept out of it, as the
  pages the plugin adds in memory are.
- mkdocs-git-revision-date-localized dates a page that git has no history of with the time
  of the build: each build wrote other agent pages. A date of no commit is not kept.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, MutableMapping
from typing import Any

from mkdocs.structure.files import File, Files, InclusionLevel

_IN_NAV = (InclusionLevel.INCLUDED, InclusionLevel.UNDEFINED)  # (not the user's not_in_nav, drafts, exclusions)
# The catalog's pages in the sidebar, with their titles (as in the built-in mkdocs.yml).
NAV_TITLES = {
    "index.md": "Overview",
    "categories/index.md": "Categories",
    "collections/index.md": "Collections",
    "rules.md": "Lint rules",
}


def _plugins(config: Any, package: str) -> Iterator[Any]:
    """The site's plugins of a Python package (a plugin is named as a user likes in mkdocs.yml)."""
    for plugin in config.plugins.values():
        module = type(plugin).__module__
        if module == package or module.startswith(f"{package}."):
            yield plugin


def refusal(config: Any) -> str | None:
    """Why the plugin cannot add the catalog's pages to this site, when it cannot."""
    if next(_plugins(config, "mkdocs_static_i18n"), None) is not None:
        return (
            "agent-catalog: the i18n plugin (mkdocs-static-i18n) builds only pages that are files "
            "in the docs folder, and fails on the pages a plugin adds. Write the catalog's pages "
            "into the docs folder with `agent-catalog generate AGENTS --docs-dir DOCS/PATH` and "
            "set this plugin's `sources: []` (it then finishes the pages there); or leave this "
            "plugin out of mkdocs.yml and build with `agent-catalog build AGENTS`, which does that."
        )
    return None


def add_nav_files(files: Files, config: Any, prefix: str, pages: Collection[str]) -> None:
    """Add the navigation files the site's navigation plugins read for the catalog's folder
    (``prefix`` in the docs): for mkdocs-literate-nav, its ``nav_file`` listing the sidebar
    pages. Read by the plugin, not built; one the user wrote there wins."""
    if not prefix:  # the catalog is the docs folder: the site's navigation file is the user's
        return
    listed = "".join(f"* [{title}]({rel})\n" for rel, title in NAV_TITLES.items() if rel in pages)
    for uri in sorted({f"{prefix}{p.config.nav_file}" for p in _plugins(config, "mkdocs_literate_nav")}):
        if listed and files.get_file_from_path(uri) is None:
            files.append(File.generated(config, uri, content=listed, inclusion=InclusionLevel.EXCLUDED))


def keep_out_of_nav(files: Files, config: Any, prefix: str) -> None:
    """Pages ``generate`` wrote into the docs folder (its manifest there lists them) stay out of
    the navigation MkDocs makes, but the catalog's sidebar pages: as the pages the plugin adds
    in memory do. Every agent page in the sidebar is on every page of the site."""
    from pathlib import Path

    from catalog.layout import SIDEBAR_PAGES
    from catalog.output.manifest import read_manifest

    for rel in sorted(read_manifest(Path(config.docs_dir) / prefix).files):
        page = files.get_file_from_path(f"{prefix}{rel}") if rel.endswith(".md") else None
        if page is not None and rel not in SIDEBAR_PAGES and page.inclusion in _IN_NAV:
            page.inclusion = InclusionLevel.NOT_IN_NAV


def drop_dates_of_no_commit(meta: MutableMapping[str, Any]) -> None:
    """Take out of a generated page's metadata the dates a revision-date plugin made without
    a commit (``X_hash`` empty: the time of the build), with what goes with them."""
    for key in [k.removesuffix("_hash") for k, v in meta.items() if k.endswith("_hash") and v == ""]:
        for name in [k for k in meta if k == key or k.startswith(f"{key}_")]:
            del meta[name]
