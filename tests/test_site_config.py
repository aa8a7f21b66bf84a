"""Reading the user's mkdocs.yml and pyproject settings the way every command does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog.cli.main import main
from catalog.mkdocs_site.build import read_site_config


@pytest.mark.parametrize("plugin", ["offline", "material/offline", "{material/offline: {enabled: true}}"])
def test_an_offline_site_has_no_directory_urls(tmp_path: Path, plugin: str) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"site_name: X\nplugins:\n  - search\n  - {plugin}\n", encoding="utf-8")
    assert read_site_config(config, None, None).directory_urls is False


def test_a_plain_site_keeps_directory_urls(tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: X\nplugins:\n  - search\n", encoding="utf-8")
    assert read_site_config(config, None, None).directory_urls is True


def test_a_broken_mkdocs_yml_is_a_usage_error_with_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: X\nnav: [unclosed\n", encoding="utf-8")
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "a.md").write_text("---\nname: a\ndescription: b\n---\nx\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for command in (["generate", "agents"], ["build", "agents"]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 2, result.output
        assert "mkdocs.yml:3:1: not valid YAML" in result.output
        assert "<unicode string>" not in result.output


def test_scan_defaults_to_the_configured_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.agent-catalog]\nsources = ["team"]\n', encoding="utf-8")
    for folder in ("team", "elsewhere"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"{folder}-agent.md").write_text(
            f"---\nname: {folder}-agent\ndescription: b\n---\nx\n", encoding="utf-8"
        )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["scan", "--json"])
    assert result.exit_code == 0, result.output
    assert [a["name"] for a in json.loads(result.stdout)["agents"]] == ["team-agent"]
