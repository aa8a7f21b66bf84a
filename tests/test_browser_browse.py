"""Browsing a catalog in Chromium from disk (issue 19): figures that never wrap mid-number,
downloads under the source file's own name that download from file:// too, and a copy button
on the install command.

One small site, built once: agents whose descriptions add up to six-figure token counts, two
agents that claim the same requests, and a Copilot agent whose page name is not its file name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from catalog.cli.main import main

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.is_file():
    pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium; .ci/run does it)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")

from tests.test_browser import SIZES, open_page  # noqa: E402
from tests.test_browser import browser as browser  # noqa: E402  (the module's Chromium fixture)

COPILOT = ".github/agents/accessibility.agent.md"
COPILOT_TEXT = (
    "---\nname: Accessibility Expert\ndescription: Audits web pages for WCAG accessibility problems.\n---\n"
    "You check contrast, labels & landmarks.\n"
)
RIVALS = {
    ".claude/agents/pg.md": "---\nname: pg\ndescription: Tunes slow PostgreSQL queries, reads EXPLAIN plans and "
    "adds indexes.\n---\nYou tune.\n",
    ".claude/agents/sql.md": "---\nname: sql\ndescription: Speeds up slow PostgreSQL queries with indexes and "
    "EXPLAIN plans.\n---\nYou speed up.\n",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browse-site")
    files = {COPILOT: COPILOT_TEXT, **RIVALS}
    # 4 x 130,000 characters of description: about 130,000 tokens, "130,000" in the figures.
    for number in range(4):
        words = " ".join(f"word{number}x{i}" for i in range(13_000))[:130_000]
        files[f".claude/agents/long-{number}.md"] = f"---\nname: long-{number}\ndescription: {words}\n---\nx\n"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        mp.setenv("AGENT_CATALOG_CACHE_DIR", str(root / "cache"))
        result = CliRunner().invoke(main, ["build", ".", "--site-dir", "site"], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return root / "site"


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_figures_never_wrap_inside_a_number(browser: Any, site: Path, size: str) -> None:
    page, watch = open_page(browser, (site / "index.html").as_uri(), size=size)
    values = page.eval_on_selector_all(
        ".ac-figures .ac-figure",  # the overview's line of figures: each number with its word
        """elements => elements.map(e => [
            e.textContent,
            e.getClientRects().length,  // one box per line the inline figure takes
            Math.ceil(e.getBoundingClientRect().right - e.parentElement.getBoundingClientRect().right),
        ])""",
    )
    assert any(len(text) >= 7 for text, _, _ in values), values  # a number as long as "122,496"
    for text, lines, overflow in values:
        assert lines == 1, f"{text!r} takes {lines} lines at {size} width"
        assert overflow <= 0, f"{text!r} overflows its box by {overflow}px at {size} width"
    watch.assert_clean()
    page.context.close()


def test_the_download_keeps_the_source_name_and_downloads_from_disk(browser: Any, site: Path) -> None:
    page, watch = open_page(browser, (site / "agents" / "accessibility-expert.html").as_uri())
    page.context.set_default_timeout(10_000)
    link = page.locator("a[download]")
    assert link.get_attribute("download") == "accessibility.agent.md"
    assert link.inner_text() == "Download accessibility.agent.md"
    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.suggested_filename == "accessibility.agent.md"
    assert Path(download.path()).read_text(encoding="utf-8") == COPILOT_TEXT
    assert page.url.endswith("accessibility-expert.html")  # the page did not open the file as text
    watch.assert_clean()
    page.context.close()


def test_the_install_command_has_a_copy_button(browser: Any, site: Path) -> None:
    page, watch = open_page(browser, (site / "agents" / "accessibility-expert.html").as_uri())
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    command = page.locator("#ac-install-command").inner_text()
    assert command == "mkdir -p .github/agents && mv accessibility.agent.md .github/agents/"
    button = page.locator("button[data-ac-copy='ac-install-command']")
    button.click()
    page.wait_for_function(
        "document.querySelector(\"button[data-ac-copy='ac-install-command']\").textContent !== 'Copy'"
    )
    assert button.inner_text() == "Copied"
    assert page.evaluate("navigator.clipboard.readText()") == command
    watch.assert_clean()
    page.context.close()
