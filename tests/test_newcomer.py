"""A newcomer's first hour: the commands work as the files they generate say.

``init`` then ``build`` then a plain ``mkdocs build`` in a fresh repository; a site a web
server running as another user can read; every MkDocs warning counted is shown; progress
in a log without a terminal; a folder without agents is not published as an empty catalog.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import catalog.cli.common
from catalog.cli.main import main

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def write_agents(root: Path, count: int = 2) -> None:
    for index in range(count):
        path = root / "agents" / f"helper-{index}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\nname: helper-{index}\ndescription: Helps with {index}.\n---\nBody.\n", "utf-8")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH"}}
    env["AGENT_CATALOG_NO_CACHE"] = "1"
    return subprocess.run(
        [str(BIN / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    mask: int = request.param
    old = os.umask(mask)
    try:
        yield mask
    finally:
        os.umask(old)


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002], indirect=True)
def test_the_site_gets_the_modes_the_umask_gives(umask: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_agents(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "agents", "--site-dir", "site"])
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    entries = [site, *site.rglob("*")]
    assert len(entries) > 20
    for entry in entries:
        mode = stat.S_IMODE(entry.lstat().st_mode)
        wanted = (0o777 if entry.is_dir() else 0o666) & ~umask
        if entry.is_file() and mode & 0o111:
            wanted |= 0o111 & ~umask  # an executable copied as such
        assert mode == wanted, f"{entry.relative_to(tmp_path)}: {oct(mode)}, umask {oct(umask)} gives {oct(wanted)}"


@pytest.mark.slow
def test_init_then_build_then_plain_mkdocs_build(tmp_path: Path) -> None:
    """What the starter files promise, in a scratch repository, with the installed commands."""
    shutil.copytree(REPO / "agents", tmp_path / "agents")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    init = run("agent-catalog", "init", cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    assert "mkdocs build" in (tmp_path / "mkdocs.yml").read_text(encoding="utf-8")

    build = run("agent-catalog", "build", cwd=tmp_path)
    assert build.returncode == 0, build.stderr
    assert "Built 13 agents" in build.stderr
    assert "0 MkDocs warnings" in build.stderr, build.stderr
    assert "exists in the docs" not in build.stderr
    # The plugin made the pages: nothing was written into the docs folder.
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == [".gitkeep"]
    built = (tmp_path / "site" / "agents" / "postgres-tuner.html").read_text(encoding="utf-8")
    assert 'class="ac-dialogue"' in built

    shutil.rmtree(tmp_path / "site")
    plain = run("mkdocs", "build", cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert "exists in the docs" not in plain.stderr
    assert (tmp_path / "site" / "agents" / "postgres-tuner.html").read_text(encoding="utf-8") == built
    assert not (tmp_path / "site" / ".gitkeep").exists()


def test_every_mkdocs_warning_counted_is_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_agents(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text("# Guide\n\nSee [the missing page](missing.md).\n", "utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: Ours\ntheme: {name: material}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "agents"])
    assert result.exit_code == 0, result.output
    shown = [line for line in result.stderr.splitlines() if line.startswith("MkDocs warning: ")]
    assert any("missing.md" in line for line in shown), result.stderr
    assert f"{len(shown)} MkDocs warning{'' if len(shown) == 1 else 's'} (above)." in result.stderr


def test_progress_is_a_line_at_a_time_without_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_agents(tmp_path, 3)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(catalog.cli.common, "PROGRESS_EVERY", 0.0)  # a line per page instead of every 10 s
    result = CliRunner().invoke(main, ["build", "agents"])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    for step in ("Converting pages", "Writing pages"):
        counted = [line for line in lines if line.startswith(f"{step}: ")]
        total = counted[0].split(" of ")[1]
        assert counted == [f"{step}: {n} of {total}" for n in range(int(total) + 1)]
    assert "\r" not in result.stderr and "\x1b" not in result.stderr


def test_a_folder_without_agents_is_not_published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_agents(tmp_path)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("no agents here\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["build", "agents", "--site-dir", "site"]).exit_code == 0
    before = sorted(p.relative_to(tmp_path / "site") for p in (tmp_path / "site").rglob("*"))
    result = CliRunner().invoke(main, ["build", "empty", "--site-dir", "site"])
    assert result.exit_code == 1
    assert "No agents found in empty: nothing was built, the site was left as it was." in result.stderr
    assert sorted(p.relative_to(tmp_path / "site") for p in (tmp_path / "site").rglob("*")) == before
    # Through a user's mkdocs.yml without the plugin: its docs folder keeps our pages too.
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: Ours\ntheme: {name: material}\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["build", "agents"]).exit_code == 0
    docs = sorted(p.relative_to(tmp_path / "docs") for p in (tmp_path / "docs").rglob("*"))
    result = CliRunner().invoke(main, ["build", "empty"])
    assert result.exit_code == 1
    assert "No agents found in empty" in result.stderr
    assert sorted(p.relative_to(tmp_path / "docs") for p in (tmp_path / "docs").rglob("*")) == docs
    before = sorted(p.relative_to(tmp_path / "site") for p in (tmp_path / "site").rglob("*"))
    # The same through a user's mkdocs.yml with the plugin.
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Ours\ntheme: {name: material}\nplugins: [search, {agent-catalog: {sources: [empty], path: ''}}]\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    assert "No agents found in" in result.stderr
    assert sorted(p.relative_to(tmp_path / "site") for p in (tmp_path / "site").rglob("*")) == before
