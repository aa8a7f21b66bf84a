"""'Similar agents' on a site of the corpus, in Chromium from disk (issue 19, "Which agents
compete"): the browser scores the list from every agent's terms in catalog-data.js, and its
list is Python's (catalog/lint/overlap.py) for the same data, agent for agent and score for score;
its links lead to the agents' pages; agent text in it stays text.

The site: two collections of the corpus (wshobson/agents and VoltAgent's Claude Code
subagents, 360 agents), plus one agent whose name is HTML and whose description is a corpus
agent's, so that it appears in that agent's list.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
from click.testing import CliRunner

from catalog.cli.main import main
from catalog.lint.overlap import SIMILAR_LIMIT, OverlapIndex, terms_of
from catalog.pipeline import scan_catalog

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
COLLECTIONS = ["wshobson__agents", "VoltAgent__awesome-claude-code-subagents"]
if not CHROMIUM.is_file():
    pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium; .ci/run does it)", allow_module_level=True)
if not all((CORPUS / c).is_dir() for c in COLLECTIONS):
    pytest.skip(f"the corpus is not at {CORPUS}", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")

from tests.catalog_data import catalog_data  # noqa: E402
from tests.test_browser import browser as browser  # noqa: E402  (the module's Chromium fixture)
from tests.test_browser import open_page  # noqa: E402

HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">'
# A corpus agent whose description the hostile agent copies: it lists the hostile one.
LOADED_LATE: list[str] = []  # pages whose list was out of view at first: no data loaded then
COPIED = CORPUS / "wshobson__agents" / "plugins" / "database-design" / "agents" / "sql-pro.md"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The site, and the paths it was built from."""
    root = tmp_path_factory.mktemp("similar-site")
    extra = root / "extra" / ".claude" / "agents"
    extra.mkdir(parents=True)
    copied = next(a for a in scan_catalog([str(COPIED)]).agents)
    description = json.dumps(copied.summary or copied.description)
    (extra / "hostile.md").write_text(
        f"---\nname: {json.dumps(HOSTILE_NAME)}\ndescription: {description}\n---\nYou help.\n", encoding="utf-8"
    )
    paths = [*(str(CORPUS / c) for c in COLLECTIONS), str(root / "extra")]
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        mp.setenv("AGENT_CATALOG_CACHE_DIR", str(root / "cache"))
        result = CliRunner().invoke(main, ["build", *paths, "--site-dir", "site"], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return root / "site", paths


def catalog_rows(site: Path) -> list[list[Any]]:
    rows: list[list[Any]] = catalog_data(lambda rel: (site / rel).read_text(encoding="utf-8"))["agents"]
    return rows


def python_lists(rows: list[list[Any]]) -> dict[str, list[tuple[str, str]]]:
    """Slug -> [(slug, score as the page prints it)], as catalog/lint/overlap.py ranks them."""
    index = OverlapIndex([row[7] for row in rows])
    slugs = [row[0] for row in rows]
    return {slugs[i]: [(slugs[r.index], f"{r.score:.2f}") for r in index.similar(i, slugs)] for i in range(len(rows))}


def browser_list(browser: Any, site: Path, slug: str) -> tuple[list[tuple[str, str]], list[str], Any, Any]:
    page, watch = open_page(browser, (site / "agents" / f"{slug}.html").as_uri())
    page.wait_for_function("document.querySelector('[data-ac-similar]').dataset.acReady === '1'")
    below = page.evaluate("document.querySelector('[data-ac-similar]').getBoundingClientRect().top > innerHeight + 400")
    if below:  # the data of every agent is loaded only when the list comes into view
        page.wait_for_timeout(200)
        assert page.evaluate("window.__agentCatalog === undefined"), slug
        LOADED_LATE.append(slug)
    page.locator("[data-ac-similar]").scroll_into_view_if_needed()
    page.wait_for_function(
        "document.querySelectorAll('.ac-similar__item').length > 0"
        " || document.querySelector('.ac-similar__status').textContent.startsWith('No other')"
    )
    items = page.eval_on_selector_all(
        ".ac-similar__item",
        "items => items.map(i => [i.dataset.agent, i.querySelector('.ac-similar__score').textContent,"
        " i.querySelector('a').href])",
    )
    return [(slug, score) for slug, score, _ in items], [href for _, _, href in items], page, watch


def test_each_row_carries_its_own_agents_terms(built: tuple[Path, list[str]]) -> None:
    site, paths = built
    rows = catalog_rows(site)
    terms = {agent.slug: terms_of(agent) for agent in scan_catalog(paths).agents}
    assert {row[0]: row[7] for row in rows} == terms
    assert sum(1 for t in terms.values() if t) > 0.95 * len(terms)


def test_the_browsers_list_is_pythons_and_its_links_resolve(browser: Any, built: tuple[Path, list[str]]) -> None:
    site, _ = built
    expected = python_lists(catalog_rows(site))
    full = sorted(slug for slug, found in expected.items() if len(found) == SIMILAR_LIMIT)
    partial = sorted(slug for slug, found in expected.items() if 0 < len(found) < SIMILAR_LIMIT)
    alone = sorted(slug for slug, found in expected.items() if not found)
    assert len(full) > 50 and partial and alone, (len(full), len(partial), len(alone))
    # A few of each kind, spread over the catalog.
    sampled = [*full[:: len(full) // 4][:4], *partial[:: len(partial) // 2][:2], alone[0]]
    for slug in sampled:
        found, hrefs, page, watch = browser_list(browser, site, slug)
        assert found == expected[slug], slug
        if not found:
            assert page.locator(".ac-similar__status").inner_text().startswith("No other agent")
        for (other, _), href in zip(found, hrefs, strict=True):
            target = Path(unquote(urlparse(href).path))
            assert target == site / "agents" / f"{other}.html" and target.is_file(), href
        watch.assert_clean()
        page.context.close()
    assert LOADED_LATE
    # Following a link opens the other agent's page.
    found, hrefs, page, watch = browser_list(browser, site, full[0])
    page.locator(".ac-similar__link").first.click()
    page.wait_for_url(hrefs[0])
    assert page.locator("[data-ac-similar]").get_attribute("data-ac-similar") == found[0][0]
    watch.assert_clean()
    page.context.close()


def test_agent_text_in_the_list_stays_text(browser: Any, built: tuple[Path, list[str]]) -> None:
    site, _ = built
    rows = catalog_rows(site)
    copied = next(row[0] for row in rows if row[3] == "SQL Pro" and "database-design" in row[6].lower())
    hostile = next(row[0] for row in rows if row[3] == HOSTILE_NAME)
    found, _, page, watch = browser_list(browser, site, copied)
    assert hostile in [slug for slug, _ in found]
    item = page.locator(f".ac-similar__item[data-agent='{hostile}']")
    assert item.locator(".ac-similar__link").inner_text() == HOSTILE_NAME
    assert page.locator(".ac-similar img").count() == 0
    assert page.evaluate("window.__pwned") is None
    watch.assert_clean()
    page.context.close()
