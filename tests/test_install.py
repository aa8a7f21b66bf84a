"""An agent page's download and install command: the source file's own name, made safe."""

from __future__ import annotations

import html
import re
import shlex
from pathlib import Path

import pytest

from catalog.pipeline import scan_catalog
from catalog.render.pages import render_catalog

NAMES = ["accessibility.agent.md", 'it\'s a "test" $(rm -rf x).agent.md', "<b>bold<\\b>.agent.md", "tab\there.agent.md"]


@pytest.mark.parametrize("name", NAMES)
def test_download_and_install_command_use_the_source_name(tmp_path: Path, name: str) -> None:
    folder = tmp_path / ".github" / "agents"
    folder.mkdir(parents=True)
    (folder / name).write_text("---\nname: Some Expert\ndescription: Helps.\n---\nBody.\n", encoding="utf-8")
    catalog = scan_catalog([str(tmp_path)])
    (agent,) = catalog.agents
    page = str(render_catalog(catalog)[f"agents/{agent.slug}.md"])
    shown = name.replace("\t", "_")
    download = re.search(r'<a class="md-button" href="[^"]*" download="([^"]*)" data-ac-download', page)
    assert download is not None and html.unescape(download.group(1)) == shown
    command = re.search(r'<code id="ac-install-command">([^<]*)</code>', page)
    assert command is not None
    # What the copy button copies is a shell command that moves exactly that file.
    words = shlex.split(html.unescape(command.group(1)))
    assert words == ["mkdir", "-p", ".github/agents", "&&", "mv", shown, ".github/agents/"]
