"""Facet values that are names of Object.prototype's members (issue 15, section 9).

A category, collection or model named ``constructor``, ``__proto__``, ``toString`` or
``hasOwnProperty`` is a value like any other: the overview's filter shows its count, not
``function Object() { [native code] }1``, and filtering by it shows its agents. Checked in
headless Chromium, the site opened from disk.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from catalog.cli.main import main
from tests.hostile_fixtures import agent, write

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.is_file():
    pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium; .ci/run does it)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")

from tests.test_browser import browser as browser  # noqa: E402  (the module's Chromium fixture)
from tests.test_browser import open_page  # noqa: E402

NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]
# (collection folder, file, category, model): every name in every facet, some of them twice.
AGENTS = [
    (collection, f"{category}-{i}.md", category, NAMES[(i + j) % len(NAMES)])
    for j, collection in enumerate(NAMES[:2])
    for i, category in enumerate(NAMES)
] + [("plain", "plain.md", "constructor", "sonnet")]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("facet-keys")
    for collection, file, category, model in AGENTS:
        name = f"{collection}-{file.removesuffix('.md')}".replace("_", "x").lower()
        write(
            root / "catalog" / collection / file,
            agent(f"name: {name}\ndescription: An agent.\ncategory: '{category}'\nmodel: '{model}'"),
        )
    # Each top folder is a repository (its README says so), and so a collection.
    for collection in {c for c, _, _, _ in AGENTS}:
        write(root / "catalog" / collection / "README.md", f"# {collection}\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        result = CliRunner().invoke(main, ["build", "catalog"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root / "site"


@pytest.fixture
def page(browser: Any, site: Path) -> Iterator[Any]:
    opened, watch = open_page(browser, (site / "index.html").as_uri())
    opened.wait_for_selector("#ac-filter .ac-facet__count", state="attached")  # facets start closed
    yield opened
    watch.assert_clean()
    opened.context.close()


def counts_shown(page: Any, facet: str) -> dict[str, str]:
    group = page.locator("#ac-filter details.ac-facet", has=page.locator("summary", has_text=facet))
    shown = {}
    for option in group.locator("label.ac-facet__option").all():
        spans = option.locator("span").all_text_contents()
        shown[spans[0]] = spans[-1]
    return shown


def test_every_count_is_a_number_of_agents(page: Any) -> None:
    expected = {
        "Collection": Counter(c for c, _, _, _ in AGENTS),
        "Model": Counter(m for _, _, _, m in AGENTS),
    }
    for facet, counts in expected.items():
        assert counts_shown(page, facet) == {k: str(v) for k, v in counts.items()}, facet
    categories = counts_shown(page, "Category")
    assert len(categories) == len(NAMES)
    assert sorted(map(int, categories.values())) == sorted(Counter(c for _, _, c, _ in AGENTS).values())
    assert all(re.fullmatch(r"\d+", n) for n in categories.values()), categories


def test_filtering_by_such_a_value_shows_its_agents(page: Any) -> None:
    group = page.locator("#ac-filter details.ac-facet", has=page.locator("summary", has_text="Model"))
    group.locator("summary").click()  # every facet starts closed
    group.locator("label.ac-facet__option", has=page.locator("span", has_text=re.compile("^constructor$"))).click()
    page.wait_for_selector("#ac-filter[data-ac-settled='1']", state="attached")
    shown = page.locator(".ac-agent-list[data-ac-all] li[data-agent]:not([hidden])").count()
    assert shown == sum(1 for *_, m in AGENTS if m == "constructor")
    assert page.inner_text(".ac-filter__status").strip() == f"{shown} of {len(AGENTS)} agents"
