""" "Copy file" copies the agent file byte for byte, as the browser reads the page (issue 15,
section 2): agents whose files hold fences, tabs, blank first lines, control characters and
entities written as text, built with Material's recommended extensions (superfences,
snippets, ...), opened from disk in headless Chromium. The text the copy button copies (the
raw file element's textContent) is the file, and clicking the button puts exactly that on the
clipboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.hostile_fixtures import agent, write
from tests.hostile_support import run_cli, text_of

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.is_file():
    pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium; .ci/run does it)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")

from tests.test_browser import browser as browser  # noqa: E402  (the module's Chromium fixture)
from tests.test_browser import open_page  # noqa: E402
from tests.test_markdown_matrix import RECOMMENDED, write_syntax_catalog  # noqa: E402


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    root = tmp_path_factory.mktemp("copy")
    write_syntax_catalog(root / "catalog")
    write(root / "catalog" / "blank-start.md", agent("name: blank-start\ndescription: x", "\n\n\n  body\n\n"))
    write(
        root / "mkdocs.yml",
        f"site_name: Copy\nuse_directory_urls: false\ntheme:\n  name: material\n  font: false\n{RECOMMENDED}",
    )
    result = run_cli(["build", "catalog", "--site-dir", "site"], root, timeout=120)
    assert result.returncode == 0, text_of(result)
    files = {
        "fences": (root / "catalog" / "syntax" / "fences.md").read_bytes(),
        "tabs": (root / "catalog" / "syntax" / "tabs-and-blank-ends.md").read_bytes(),
        "blank-start": (root / "catalog" / "blank-start.md").read_bytes(),
    }
    return root / "site", files


@pytest.mark.parametrize("slug", ["fences", "tabs", "blank-start"])
def test_the_raw_text_is_the_file(browser: Any, built: tuple[Path, dict[str, bytes]], slug: str) -> None:
    site, files = built
    page, watch = open_page(browser, (site / "agents" / f"{slug}.html").as_uri())
    try:
        text = page.eval_on_selector("#ac-raw-text", "e => e.textContent")
        assert text.encode("utf-8") == files[slug]
        watch.assert_clean()
    finally:
        page.context.close()


def test_the_copy_button_copies_the_file(browser: Any, built: tuple[Path, dict[str, bytes]]) -> None:
    site, files = built
    page, watch = open_page(browser, (site / "agents" / "fences.html").as_uri())
    try:
        # What the button hands the clipboard, by either of its ways: the Clipboard API, or
        # (no secure context) a textarea it selects for execCommand("copy").
        page.evaluate(
            """() => {
                window.__copied = null;
                const select = HTMLTextAreaElement.prototype.select;
                HTMLTextAreaElement.prototype.select = function () {
                    window.__copied = this.value;
                    return select.call(this);
                };
                if (navigator.clipboard) {
                    navigator.clipboard.writeText = t => { window.__copied = t; return Promise.resolve(); };
                }
            }"""
        )
        page.click("button.ac-copy")
        page.wait_for_function("window.__copied !== null")
        assert page.evaluate("window.__copied").encode("utf-8") == files["fences"]
        watch.assert_clean()
    finally:
        page.context.close()
