"""An offline site requests nothing from the network, whatever the order of its plugins
(issue 15, section 9): Material's offline plugin adds its iframe-worker shim from unpkg.com
unless one is listed, and listed before ours, its on_config runs first."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile_fixtures import agent, write

ORDERS = {
    "offline-first": ["search", "offline", "agent-catalog"],
    "offline-last": ["search", "agent-catalog", "offline"],
}


@pytest.mark.parametrize("order", sorted(ORDERS))
def test_no_page_requests_the_worker_shim_from_the_network(order: str, tmp_path: Path) -> None:
    write(tmp_path / "agents" / "one.md", agent("name: one\ndescription: One agent."))
    write(tmp_path / "docs" / "index.md", "# Home\n")
    plugins = "".join(f"  - {name}\n" for name in ORDERS[order])
    write(tmp_path / "mkdocs.yml", f"site_name: Offline\ntheme:\n  name: material\n  font: false\nplugins:\n{plugins}")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build"], cwd=tmp_path, capture_output=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    pages = sorted((tmp_path / "site").rglob("*.html"))
    assert len(pages) >= 3
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "unpkg.com" not in html, page
        assert "assets/iframe-worker-shim.js" in html, page
