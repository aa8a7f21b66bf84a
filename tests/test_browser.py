"""The built site in a real browser (headless Chromium), opened from disk as a reader would.

Every request that is not file:, data:, about: or blob: is blocked and counted: there must be
none. Search must work from disk. Screenshots of the overview and agent pages, at desktop and
phone widths in light and dark mode, go to test-artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from catalog.cli.main import main
from catalog.pipeline import scan_catalog

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seed" / "backend-specialist.md"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")
# Every URL but those of LOCAL_SCHEMES, matched by the browser (tests/hostile_support.py).
OUTSIDE = re.compile("^(?!" + "|".join(re.escape(scheme) for scheme in LOCAL_SCHEMES) + ")")
# A word of one agent's example dialogue that no other agent file contains.
SEARCH_WORD, SEARCH_AGENT = "autovacuum", "postgres-tuner"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

if not CHROMIUM.is_file():
    pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium; .ci/run does it)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example agents (plus the seed when ../shared exists), built with the default config."""
    root = tmp_path_factory.mktemp("browser-site")
    shutil.copytree(REPO / "agents", root / "agents")
    paths = ["agents"]
    if SEED.is_file():
        (root / "seed").mkdir()
        shutil.copy(SEED, root / "seed")
        paths.append("seed")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        result = CliRunner().invoke(main, ["build", *paths], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        agents = scan_catalog(paths).agents
    with_word = [a.slug for a in agents if SEARCH_WORD in a.source.read_text(encoding="utf-8").lower()]
    assert with_word == [SEARCH_AGENT], f"{SEARCH_WORD!r} must be in {SEARCH_AGENT} only, found in {with_word}"
    return root / "site"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@dataclass
class Watch:
    """What a page did: requests blocked for leaving the site, console errors, failed loads."""

    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert not self.outside, f"requests to outside the site: {self.outside}"
        assert not self.errors, f"console errors: {self.errors}"
        assert not self.failed, f"failed loads: {self.failed}"


def open_page(browser: Any, url: str, *, size: str = "desktop", scheme: str = "light") -> tuple[Any, Watch]:
    context = browser.new_context(viewport=SIZES[size], color_scheme=scheme, service_workers="block")
    watch = Watch()

    def route(route: Any) -> None:
        watch.outside.append(route.request.url)
        route.abort()

    context.route(OUTSIDE, route)  # only requests leaving the site come to this process
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and watch.errors.append(message.text))
    page.on("pageerror", lambda error: watch.errors.append(str(error)))
    page.on(
        "requestfailed",
        lambda request: request.url.startswith(LOCAL_SCHEMES) and watch.failed.append(request.url),
    )
    page.goto(url, wait_until="load")
    return page, watch


@pytest.mark.parametrize("path", ["index.html", f"agents/{SEARCH_AGENT}.html", "categories/quality.html"])
def test_pages_from_disk_make_no_outside_request(browser: Any, site: Path, path: str) -> None:
    page, watch = open_page(browser, (site / path).as_uri())
    page.wait_for_timeout(300)  # let deferred scripts (search worker, copy button) run
    assert page.locator("link[rel=stylesheet]").count() >= 3
    assert page.evaluate("getComputedStyle(document.body).fontFamily"), "no stylesheet applied"
    watch.assert_clean()
    page.context.close()


def test_search_works_from_disk(browser: Any, site: Path) -> None:
    page, watch = open_page(browser, (site / "index.html").as_uri())
    page.focus("input.md-search__input")
    page.keyboard.type(SEARCH_WORD, delay=40)
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=10_000)
    hrefs = [results.nth(i).get_attribute("href") or "" for i in range(results.count())]
    assert hrefs and all(f"agents/{SEARCH_AGENT}.html" in h for h in hrefs), hrefs
    assert "1 matching document" in page.inner_text(".md-search-result__meta")
    # The page-level result carries only the words of the page's top (here none: `?h=`), so
    # follow a section result, which highlights the word where it stands.
    page.locator(f".md-search-result__item a[href*='h={SEARCH_WORD}']").first.click()
    page.wait_for_url(re.compile(rf"/agents/{SEARCH_AGENT}\.html"))
    assert page.locator("h1").first.inner_text() == "Postgres Tuner"
    assert page.locator("mark[data-md-highlight]", has_text=SEARCH_WORD).count() >= 1
    watch.assert_clean()
    page.context.close()


def screenshot_pages(site: Path) -> dict[str, Path]:
    pages = {"overview": site / "index.html", SEARCH_AGENT: site / "agents" / f"{SEARCH_AGENT}.html"}
    if SEED.is_file():
        pages["backend-specialist"] = site / "agents" / "backend-specialist.html"
    return pages


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", sorted(SIZES))
def test_screenshots(browser: Any, site: Path, size: str, scheme: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # One page of this size and scheme goes from page to page (a new page costs a renderer
    # process); the watch sees every page it loads.
    page = watch = None
    for name, path in screenshot_pages(site).items():
        if page is None:
            page, watch = open_page(browser, path.as_uri(), size=size, scheme=scheme)
        else:
            page.goto(path.as_uri(), wait_until="load")
        assert watch is not None and page.url == path.as_uri()
        expected = "slate" if scheme == "dark" else "default"
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{size}-{scheme}.png"), full_page=True)
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {size} width"
        watch.assert_clean()
    assert page is not None
    page.context.close()


PROBE = """<!doctype html><html><head><link rel="stylesheet" href="https://example.invalid/style.css"></head>
<body><img src="https://example.invalid/pixel.png"><img src="local.png"><script>
fetch("https://example.invalid/fetch").catch(() => 0);
const code = "fetch('https://example.invalid/worker').catch(() => 0)";
new Worker(URL.createObjectURL(new Blob([code], {type: "text/javascript"})));
</script></body></html>
"""
PROBED = {f"https://example.invalid/{name}" for name in ("style.css", "pixel.png", "fetch", "worker")}


def test_the_watch_counts_every_request_leaving_the_site(browser: Any, tmp_path: Path) -> None:
    """The harness itself: a page whose stylesheet, image, script and worker reach outside.
    Each request is counted and blocked, by this module's watch and by the hostile tests'
    session, and the page's own files are not."""
    from tests.hostile_support import Session

    page_file = tmp_path / "probe.html"
    page_file.write_text(PROBE, encoding="utf-8")
    page, watch = open_page(browser, page_file.as_uri())
    wait_until(page, lambda: set(watch.outside) >= PROBED)
    assert set(watch.outside) == PROBED
    assert [url for url in watch.failed if url.startswith("file:")] == [(tmp_path / "local.png").as_uri()]
    with pytest.raises(AssertionError, match="requests to outside the site"):
        watch.assert_clean()
    page.context.close()

    session = Session(browser)
    try:
        page, visit = session.open(page_file.as_uri())
        wait_until(page, lambda: set(visit.outside) >= PROBED)
        assert set(visit.outside) == PROBED
        assert session.record(page, visit).problems() != []
    finally:
        session.close()


def wait_until(page: Any, condition: Any, seconds: float = 5) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        page.wait_for_timeout(50)
