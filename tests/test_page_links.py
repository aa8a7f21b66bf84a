"""Links between generated pages: ``relative_path`` is ``posixpath.relpath`` for the site's
paths, without asking the operating system for the working directory."""

from __future__ import annotations

import os
import posixpath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.render.pages import page_url, relative_path

# Parts of the paths a site has, and of those it has not (which go to relpath itself).
PART = st.sampled_from(["a", "b", "agents", "index.html", "x.md", "", ".", "..", "a b", "é"])
PATH = st.builds(
    lambda lead, parts, trail: lead + "/".join(parts) + trail,
    st.sampled_from(["", "", "", "/", "./"]),
    st.lists(PART, min_size=1, max_size=4),
    st.sampled_from(["", "", "/", "//"]),
).filter(bool)


@given(path=PATH, start=PATH)
def test_the_same_as_relpath(path: str, start: str) -> None:
    assert relative_path(path, start) == posixpath.relpath(path, start)


SOURCES = ["index.md", "rules.md", "agents/a-b.md", "categories/index.md", "categories/data.md", "collections/x.md"]
TARGETS = [*SOURCES, "agents/c.md", "downloads/a-b.md.txt", "catalog.json", "assets/agent-catalog.js", "index.md"]


@pytest.mark.parametrize("directory_urls", [False, True])
def test_links_between_the_site_pages_need_no_working_directory(
    directory_urls: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every link between the pages a catalog generates is what it was, and is made when the
    working directory is gone (``relpath`` asks for it, and fails then)."""
    # page_url as it was: with posixpath.relpath, which asks for the working directory.
    with monkeypatch.context() as was:
        was.setattr("catalog.render.pages.relative_path", posixpath.relpath)
        expected = {(s, t): page_url(s, t, directory_urls) for s in SOURCES for t in TARGETS}

    def gone() -> str:
        raise FileNotFoundError("the working directory was removed")

    monkeypatch.setattr(os, "getcwd", gone)
    assert {(s, t): page_url(s, t, directory_urls) for s in SOURCES for t in TARGETS} == expected
