"""Round three: the commands in a hostile environment. No home folder to know, a cache folder
setting that is relative (to the repository a stranger controls), termination signals: each is
a message or a clean exit, never a traceback, and nothing is left behind or read from the tree.
"""

from __future__ import annotations

import pathlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog.cli.main import main
from catalog.incremental import files as cache_files
from catalog.output.folders import home_folder
from tests.hostile_fixtures import agent, write


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write(tmp_path / "agents" / "one.md", agent("name: one\ndescription: One agent."))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AGENT_CATALOG_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    return tmp_path


def _no_home(cls: type[Path]) -> Path:
    # What pathlib raises with HOME unset for a user id the password database does not know
    # (``docker run --user 12345``).
    raise RuntimeError("Could not determine home directory.")


@pytest.mark.parametrize("command", [["generate", "agents"], ["build", "agents"], ["generate", "agents", "--check"]])
def test_no_home_folder_to_know_is_no_traceback(
    project: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr(pathlib.Path, "home", classmethod(_no_home))
    assert home_folder() is None
    result = CliRunner().invoke(main, command)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    if command == ["generate", "agents"]:
        assert "running without the cache" in result.output
        assert (project / "docs" / "agents" / "one.md").is_file()


@pytest.mark.parametrize(
    ("env", "where"),
    [
        ({"HOME": "relative-home"}, None),
        ({"HOME": "relative-home", "XDG_CACHE_HOME": "relative-cache"}, None),
        ({"HOME": "/abs-home", "XDG_CACHE_HOME": "relative-cache"}, "/abs-home/.cache"),
        ({"HOME": "/abs-home", "XDG_CACHE_HOME": ""}, "/abs-home/.cache"),
        ({"HOME": "relative-home", "XDG_CACHE_HOME": "/abs-cache"}, "/abs-cache"),
    ],
)
def test_a_relative_cache_setting_is_no_cache_folder(
    project: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], where: str | None
) -> None:
    """A relative XDG_CACHE_HOME or HOME would put the cache (pickles: code) in the folder the
    command runs in, the repository, whose committed files are the user's own once checked
    out: the XDG specification says to ignore such a path, and so do we."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    folder = cache_files.cache_dir(project / "docs")
    if where is None:
        assert folder is None
    else:
        assert folder is not None and folder.parent == Path(where) / "agent-catalog"


def test_a_relative_home_leaves_nothing_in_the_repository(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "relative-home")
    monkeypatch.setenv("XDG_CACHE_HOME", ".cache")
    result = CliRunner().invoke(main, ["generate", "agents"])
    assert result.exit_code == 0, result.output
    assert "running without the cache" in result.output
    assert sorted(p.name for p in project.iterdir()) == ["agents", "docs"]
