"""One agent for several tools, in the browser: the five-formats repository of the corpus built
and opened from disk in headless Chromium. Each reviewer is one item of the overview's filter,
counted under each of its five formats, and the quick search lists it once."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from catalog.cli.main import main
from tests.test_browser_filter import (
    QUICK_LINKS,
    facet_option,
    quick_slugs,
    ready,
    search,
    visible,
    wait_shown,
)
from tests.test_browser_filter import browser as browser  # the Chromium fixture
from tests.test_browser_filter import opened as opened
from tests.test_harness_entries import OAK, OAK_FORMATS, REVIEWERS

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def site(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("oak-browser")
    shutil.copytree(corpus_dir / OAK, root / "oak")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        result = CliRunner().invoke(main, ["build", "oak"], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    yield root / "site"


def test_the_filter_counts_each_entry_once_under_each_of_its_formats(opened: Any, site: Path) -> None:
    page = opened((site / "index.html").as_uri())
    ready(page)
    assert visible(page) == set(REVIEWERS)
    assert page.inner_text(".ac-filter__status").strip() == "5 agents"
    for label in OAK_FORMATS:
        option = facet_option(page, "format", label)
        assert option.count() == 1, label
        assert option.locator(".ac-facet__count").inner_text() == "5", label
    facet_option(page, "format", "Cursor").click()
    wait_shown(page, set(REVIEWERS))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "harness-overview.png"))


def test_the_quick_search_lists_an_entry_once(opened: Any, site: Path) -> None:
    page = opened((site / "agents/test-reviewer.html").as_uri())
    search(page, "Code Reviewer")
    page.wait_for_function("() => document.querySelector('.ac-quick .ac-quick__item')", timeout=5000)
    found = quick_slugs(page)
    assert found[0] == "code-reviewer" and len(found) == len(set(found)), found
    origin = page.locator(".ac-quick__item").first.inner_text()
    assert all(label in origin for label in OAK_FORMATS), origin
    page.locator(QUICK_LINKS).first.click()
    page.wait_for_url(re.compile(r"/agents/code-reviewer\.html"))
    assert page.locator("#ac-format-codex").count() == 1
    page.screenshot(path=str(SHOTS / "harness-entry.png"), full_page=True)
