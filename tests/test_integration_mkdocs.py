"""Issue 7: the MkDocs plugin beside hand-written pages, `serve`, `init`, and the other engines."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog.cli.main import main

REPO = Path(__file__).resolve().parents[1]
AGENTS = REPO / "agents"


class _Text(HTMLParser):
    """Visible text and the classes used in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.classes: set[str] = set()
        self.external: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "class" and value:
                self.classes.update(value.split())
            if name in ("src", "href") and value and tag in ("script", "link", "img") and "://" in value:
                self.external.append(value)
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def read_page(path: Path) -> _Text:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def check_agent_page(path: Path) -> None:
    """The same HTML checks for every engine: dialogues, sections, nothing from outside."""
    page = read_page(path)
    text = " ".join(" ".join(page.text).split())
    assert {"ac-dialogue", "ac-msg--user", "ac-msg--assistant", "ac-commentary"} <= page.classes
    assert "Core Expertise" in text and "Decision Framework" in text
    assert "The order history page takes eight seconds now." in text
    assert page.external == []


@pytest.fixture
def handbook(tmp_path: Path) -> Path:
    """A site of hand-written pages whose mkdocs.yml adds the catalog with the plugin."""
    shutil.copytree(AGENTS, tmp_path / "agents")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Handbook\n\nOur own front page.\n", encoding="utf-8")
    (tmp_path / "docs" / "guide.md").write_text("# Guide\n\nWritten by hand for the team.\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Handbook\n"
        "repo_url: https://github.com/example/handbook\n"
        "edit_uri: edit/main/docs/\n"
        "use_directory_urls: false\n"
        "theme:\n  name: material\n  font: false\n"
        "plugins:\n  - search\n  - agent-catalog:\n      sources: [agents]\n      path: catalog/\n",
        encoding="utf-8",
    )
    return tmp_path


def mkdocs(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mkdocs", *args], cwd=cwd, capture_output=True, text=True)


def test_plugin_adds_the_catalog_beside_hand_written_pages(handbook: Path) -> None:
    result = mkdocs("build", cwd=handbook)
    assert result.returncode == 0, result.stderr
    site = handbook / "site"
    assert "Our own front page." in " ".join(read_page(site / "index.html").text)
    assert "Written by hand for the team." in " ".join(read_page(site / "guide.html").text)
    check_agent_page(site / "catalog" / "agents" / "postgres-tuner.html")
    overview = (site / "catalog" / "index.html").read_text(encoding="utf-8")
    assert 'data-agent="postgres-tuner"' in overview
    # The edit link points at the agent's own file, not into docs/.
    page = (site / "catalog" / "agents" / "postgres-tuner.html").read_text(encoding="utf-8")
    assert 'href="https://github.com/example/handbook/edit/main/agents/backend/postgres-tuner.md"' in page
    # Findings are MkDocs log lines: the wizard-style agent's AC115 a note (Claude Code reads
    # it), a warning a warning, which fails a strict build.
    assert "INFO    -  agent-catalog: " in result.stderr and "AC115" in result.stderr
    (handbook / "agents" / "twice.md").write_text(
        "---\nname: twice\ndescription: One.\ndescription: Two.\n---\nYou help.\n", encoding="utf-8"
    )
    strict = mkdocs("build", "--strict", cwd=handbook)
    assert strict.returncode != 0
    assert "WARNING -  agent-catalog: " in strict.stderr and "AC117" in strict.stderr


def test_build_says_why_a_plugin_stopped_mkdocs(handbook: Path) -> None:
    """MkDocs logs a plugin's error and raises "Aborted with a BuildError!": `agent-catalog
    build` says the plugin's reason, not only that."""
    hook = "def on_files(files, config):\n    raise PluginError('HOOK-SAYS-WHY')\n"
    (handbook / "hook.py").write_text(f"from mkdocs.exceptions import PluginError\n\n\n{hook}", encoding="utf-8")
    with (handbook / "mkdocs.yml").open("a", encoding="utf-8") as mkdocs_yml:
        mkdocs_yml.write("hooks: [hook.py]\n")
    result = subprocess.run(
        [sys.executable, "-P", "-m", "catalog", "build", "agents"], cwd=handbook, capture_output=True, text=True
    )
    assert result.returncode == 2 and "HOOK-SAYS-WHY" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode("utf-8"))


def wait_for(predicate: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():  # type: ignore[operator]
                return True
        except OSError:
            pass
        time.sleep(0.25)
    return False


@pytest.mark.slow
def test_serve_shows_an_edited_agent(tmp_path: Path) -> None:
    shutil.copytree(AGENTS, tmp_path / "agents")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "catalog", "serve", "agents", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    page = f"http://127.0.0.1:{port}/agents/postgres-tuner.html"
    try:
        assert wait_for(lambda: "Postgres Tuner" in fetch(page), 60), "serve did not come up"
        agent = tmp_path / "agents" / "backend" / "postgres-tuner.md"
        agent.write_text(agent.read_text(encoding="utf-8") + "\nA sentence added while serving.\n", encoding="utf-8")
        assert wait_for(lambda: "A sentence added while serving." in fetch(page), 30), "edit not served"
        added = tmp_path / "agents" / "backend" / "cache-warmer.md"
        added.write_text("---\nname: cache-warmer\ndescription: Warms caches.\n---\nBody.\n", encoding="utf-8")
        new_page = f"http://127.0.0.1:{port}/agents/cache-warmer.html"
        assert wait_for(lambda: "Warms caches." in fetch(new_page), 30), "new agent not served"
        added.unlink()
        assert wait_for(lambda: 'data-agent="cache-warmer"' not in fetch(f"http://127.0.0.1:{port}/"), 30)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def test_init_adds_starter_files_and_never_overwrites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(AGENTS, tmp_path / "agents")
    (tmp_path / "mkdocs.yml").write_text("site_name: Ours\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 0, result.output
    assert "kept  mkdocs.yml (exists: not overwritten)" in result.output
    assert (tmp_path / "mkdocs.yml").read_text(encoding="utf-8") == "site_name: Ours\n"
    config = (tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert "agent-catalog-lint" in config and 'files: "^(?:agents/)"' in config
    workflow = (tmp_path / ".github" / "workflows" / "agent-catalog.yml").read_text(encoding="utf-8")
    assert "agent-catalog build agents" in workflow
    assert (tmp_path / "docs" / ".gitkeep").is_file(), "MkDocs needs a docs folder, and git keeps no empty one"
    again = CliRunner().invoke(main, ["init"])
    assert again.output.count("kept ") == 4


def test_init_starter_mkdocs_yml_builds_with_the_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(AGENTS, tmp_path / "agents")
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["init", "agents"]).exit_code == 0
    result = mkdocs("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    check_agent_page(tmp_path / "site" / "agents" / "postgres-tuner.html")


@pytest.mark.parametrize("engine", ["mkdocs", "properdocs", "zensical"])
def test_every_engine_builds_the_same_pages(engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    search_path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    if engine != "mkdocs" and shutil.which(engine, path=search_path) is None:
        pytest.skip(f"{engine} is not installed (pip install -e '.[test]' brings it)")
    shutil.copytree(AGENTS, tmp_path / "agents")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "agents", "--site-dir", "site", "--engine", engine])
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    check_agent_page(site / "agents" / "postgres-tuner.html")
    overview = (site / "index.html").read_text(encoding="utf-8")
    pages = list((site / "agents").glob("*.html"))
    assert len(pages) == 13
    assert overview.count("data-agent=") == len(pages)
    assert (site / ".agent-catalog-site").is_file()
