"""Everything a user can type or meet is documented: commands, options, rules, hooks, settings."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import click
import pytest
import yaml

from catalog.cli.main import main
from catalog.config import Settings
from catalog.lint.rules import RULES
from catalog.pipeline import scan_catalog
from catalog.render.pages import render_catalog

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def mentioned(text: str, word: str) -> bool:
    """``word`` as a whole token: '--check' does not count inside '--checked'."""
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


COMMANDS = sorted(main.commands)
OPTIONS = [
    (name, param)
    for name in COMMANDS
    for param in main.commands[name].params
    if isinstance(param, click.Option) and "--help" not in param.opts
]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command: str) -> None:
    assert mentioned(README, f"agent-catalog {command}"), f"README.md does not mention `agent-catalog {command}`"


@pytest.mark.parametrize(("command", "option"), OPTIONS, ids=[f"{c}-{p.name}" for c, p in OPTIONS])
def test_every_option_is_in_the_readme(command: str, option: click.Option) -> None:
    spellings = [*option.opts, *option.secondary_opts]
    assert any(mentioned(README, s) for s in spellings), f"README.md does not mention {command} {'/'.join(spellings)}"


def readme_rule_rows() -> dict[str, str]:
    """The README's table rows that start with a rule code: {code: the whole row}."""
    return {m.group(1): m.group(0) for m in re.finditer(r"^\|\s*(AC\d{3})\s*\|.*$", README, re.M)}


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_is_in_a_readme_table(code: str) -> None:
    rows = readme_rule_rows()
    assert code in rows, f"README.md has no table row for {code} ({RULES[code].name})"
    assert RULES[code].severity in rows[code], f"README.md gives {code} another severity: {rows[code]}"


def test_the_readme_lists_no_rule_that_does_not_exist() -> None:
    assert set(readme_rule_rows()) <= set(RULES)


@pytest.mark.parametrize("hook", [h["id"] for h in HOOKS])
def test_every_hook_is_in_the_readme(hook: str) -> None:
    assert mentioned(README, hook), f"README.md does not mention the hook {hook}"


@pytest.mark.parametrize("hook", HOOKS, ids=[h["id"] for h in HOOKS])
def test_every_hook_runs_a_real_command(hook: dict[str, object]) -> None:
    program, command, *options = str(hook["entry"]).split()
    assert program == "agent-catalog"
    assert command in main.commands
    known = {s for p in main.commands[command].params for s in getattr(p, "opts", [])}
    assert set(options) <= known


@pytest.mark.parametrize(
    "setting", [f.name.replace("_", "-") for f in dataclasses.fields(Settings) if f.name != "path"]
)
def test_every_setting_is_in_the_readme(setting: str) -> None:
    assert mentioned(README, setting), f"README.md does not mention the [tool.agent-catalog] setting {setting}"


def test_the_sites_rules_page_lists_every_rule(tmp_path: Path) -> None:
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents/helper.md").write_text("---\nname: helper\ndescription: Helps.\n---\nBody.\n", "utf-8")
    page = render_catalog(scan_catalog([str(tmp_path / "agents")]))["rules.md"]
    headings = re.findall(r"^## (AC\d{3}) (\S+)$", page, re.M)
    assert headings == sorted((code, rule.name) for code, rule in RULES.items())
    for code, rule in RULES.items():
        section = page.split(f"## {code} ", 1)[1].split("\n## ", 1)[0]
        assert rule.severity in section, code
