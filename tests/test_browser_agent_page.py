"""The agent page in Chromium from disk, on a site of the corpus (issue 19, "The agent page").

The system prompt is rendered once; the outline links into that rendering and the page's
table of contents lists its sections; the findings a page shows are the ones `agent-catalog
lint` reports for its file, for files with findings from reading them (AC115), from a rule on
one agent (AC401, AC403) and an error (AC202) that the page once hid as "loads cleanly".
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from catalog.cli.main import main
from catalog.model.sections import outline_sections
from catalog.pipeline import scan_catalog
from catalog.types import Catalog

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.is_file():
    pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium; .ci/run does it)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")

from tests.test_browser import browser as browser  # noqa: E402  (the module's Chromium fixture)
from tests.test_browser import open_page  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
# Three collections of the corpus: Claude Code (lenient YAML, unknown tools), Copilot (unknown
# fields, a file without description), one repository with one agent for five tools.
COLLECTIONS = (
    "VoltAgent__awesome-claude-code-subagents",
    "github__awesome-copilot",
    "oaknational__oak-python-starter",
    "darrenhinde__OpenAgentsControl",  # categories from folders and frontmatter, in several spellings
)
SEED = SHARED / "seed" / "backend-specialist.md"


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Catalog, dict[str, list[dict[str, Any]]]]:
    """The site of three corpus collections and the seed, its catalog, and lint's findings by file."""
    corpus = SHARED / "corpus"
    if not corpus.is_dir() or not SEED.is_file():
        pytest.skip("../shared/corpus and ../shared/seed are absent: the corpus site needs them (CI has them)")
    root = tmp_path_factory.mktemp("corpus-site")
    paths = [*(str(corpus / name) for name in COLLECTIONS), str(SEED.parent)]
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)  # no pyproject.toml: lint's default settings
        mp.setenv("AGENT_CATALOG_CACHE_DIR", str(root / "cache"))
        built = CliRunner().invoke(main, ["build", *paths, "--site-dir", "site"], catch_exceptions=False)
        assert built.exit_code in (0, 1), built.output
        linted = CliRunner().invoke(main, ["lint", "--format", "json", *paths], catch_exceptions=False)
    findings: dict[str, list[dict[str, Any]]] = {}
    for finding in json.loads(linted.stdout)["findings"]:
        findings.setdefault(finding["path"], []).append(finding)
    return root / "site", scan_catalog(paths), findings


def agent_url(site: Path, catalog: Catalog, path: str) -> str:
    [agent] = [a for a in catalog.agents if a.display_path == path]
    return (site / "agents" / f"{agent.slug}.html").as_uri()


def test_the_seeds_prompt_is_rendered_once(browser: Any, corpus_site: tuple[Path, Catalog, Any]) -> None:
    site, catalog, _ = corpus_site
    page, watch = open_page(browser, agent_url(site, catalog, str(SEED)))
    text = page.inner_text("article")
    for sentence in ("Your SQL mastery includes:", "You are an elite backend architect", "Designing idempotent"):
        assert text.count(sentence) == 1, sentence
    assert page.locator("details.ac-prompt").count() == 0
    watch.assert_clean()
    page.context.close()


def test_the_toc_and_the_outline_lead_to_the_sections(browser: Any, corpus_site: tuple[Path, Catalog, Any]) -> None:
    site, catalog, _ = corpus_site
    [seed] = [a for a in catalog.agents if a.display_path == str(SEED)]
    titles = [s.title for s in outline_sections(seed.sections)]
    assert titles[:3] == ["Core Expertise", "Operational Principles", "Problem-Solving Approach"]
    page, watch = open_page(browser, agent_url(site, catalog, str(SEED)))
    toc = page.locator("nav.md-nav--secondary").first
    assert toc.is_visible()  # the right sidebar at 1280 px
    listed = [t.strip() for t in toc.locator("a").all_inner_texts()]
    assert all(title in listed for title in titles), listed
    assert not [t for t in listed if t.startswith("Your ")]  # no lead-in ("Your SQL mastery includes")
    outline = page.locator("a.ac-outline__link")
    assert outline.all_inner_texts() == titles
    for number, title in enumerate(titles, 1):
        outline.nth(number - 1).click()
        page.wait_for_function(f"location.hash === '#ac-section-{number}'")
        heading = page.locator("h3", has_text=title).first
        box = heading.bounding_box()
        assert box is not None and 0 <= box["y"] < 300, (title, box)  # just below the header
    # A link of the table of contents leads to the same heading.
    toc.locator("a", has_text=titles[1]).first.click()
    page.wait_for_timeout(300)
    box = page.locator("h3", has_text=titles[1]).first.bounding_box()
    assert box is not None and 0 <= box["y"] < 300, box
    watch.assert_clean()
    page.context.close()


def shown_findings(page: Any) -> list[tuple[int, int, str, str, str]]:
    rows = page.eval_on_selector_all(
        ".ac-source li.ac-finding",  # the file's own: the other formats' files have theirs
        """items => items.map(li => [
            li.querySelector('.ac-finding__where').textContent,
            li.querySelector('.ac-finding__code').textContent,
            li.querySelector('.ac-finding__severity').textContent,
            li.querySelector('.ac-finding__message').textContent,
        ])""",
    )
    out = []
    for where, code, severity, message in rows:
        line, col = where.split(":")
        out.append((int(line), int(col), code, severity, message))
    return out


@pytest.mark.parametrize("code", ["AC115", "AC401", "AC403", "AC202"])
def test_page_findings_are_lints(browser: Any, corpus_site: tuple[Path, Catalog, Any], code: str) -> None:
    site, catalog, findings = corpus_site
    pages = {a.display_path for a in catalog.agents}
    path = min(p for p, found in findings.items() if p in pages and any(f["code"] == code for f in found))
    page, watch = open_page(browser, agent_url(site, catalog, path))
    expected = [(f["line"], f["col"], f["code"], f["severity"], f["message"]) for f in findings[path]]
    assert shown_findings(page) == expected
    assert page.locator(".ac-source .ac-clean").count() == 0  # no "No findings: this file loads cleanly."
    watch.assert_clean()
    page.context.close()


def test_a_finding_for_other_tools_is_a_quiet_note(browser: Any, corpus_site: tuple[Path, Catalog, Any]) -> None:
    site, catalog, _ = corpus_site
    page, watch = open_page(browser, agent_url(site, catalog, str(SEED)))
    note = page.locator("li.ac-finding--other-tools")
    assert note.count() == 1 and "Claude Code, this file's tool, reads it" in note.inner_text()
    style = note.evaluate("li => [getComputedStyle(li).borderTopColor, getComputedStyle(li).backgroundColor]")
    assert style == ["rgba(0, 0, 0, 0)", "rgba(0, 0, 0, 0)"], style  # no box around it
    watch.assert_clean()
    page.context.close()


def _spelling(label: str) -> str:
    return re.sub(r"[\W_]+", "", label.casefold())


def test_categories_and_models_are_spelled_one_way(browser: Any, corpus_site: tuple[Path, Catalog, Any]) -> None:
    """Issue 19: `Development` and `development`, `GPT-4.1` and `gpt-4.1` are one value, in the
    overview's category list and in every facet the filter shows."""
    site, _, _ = corpus_site
    page, watch = open_page(browser, (site / "index.html").as_uri())
    page.wait_for_selector(".ac-facet__option", state="attached")
    shown = {
        "categories": page.eval_on_selector_all(
            'nav[aria-label="Categories"] a.ac-group', "links => links.map(a => a.firstChild.textContent.trim())"
        ),
        **{
            name: page.eval_on_selector_all(
                f'.ac-facet__option input[data-facet="{name}"]',
                "boxes => boxes.map(b => b.parentElement.querySelector('span').textContent)",
            )
            for name in ("category", "model")
        },
    }
    assert len(shown["categories"]) > 5 and shown["category"] and shown["model"], shown
    for name, labels in shown.items():
        spellings: dict[str, list[str]] = {}
        for label in labels:
            spellings.setdefault(_spelling(label), []).append(label)
        assert all(len(same) == 1 for same in spellings.values()), (name, [s for s in spellings.values() if len(s) > 1])
    watch.assert_clean()
    page.context.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_first_agent_is_on_the_first_screen_of_the_corpus_overview(
    browser: Any, corpus_site: tuple[Path, Catalog, Any], size: str
) -> None:
    """Issue 19: on a site of the corpus the filter box and the first agent entry are within the
    first screen (900 px at 1280 wide, 844 at 390)."""
    from tests.test_browser_filter import FIRST, ready, top_and_bottom

    site, catalog, _ = corpus_site
    assert len(catalog.agents) > 300
    page, watch = open_page(browser, (site / "index.html").as_uri(), size=size)
    ready(page)
    screen = 900 if size == "desktop" else 844
    assert top_and_bottom(page, "input.ac-filter__query")[1] < screen
    assert top_and_bottom(page, FIRST)[1] < screen, "the first agent entry is below the first screen"
    watch.assert_clean()
    page.context.close()
