"""Templates compiled ahead (``environment.warm_environment``, while the workers scan): the next
render in the process takes that environment, once, and renders the same pages as a cold one;
``build`` takes it whether or not the site has its own templates."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import catalog.render.environment as pages
from catalog.cli.main import main
from catalog.layout import RenderOptions
from catalog.pipeline import scan_catalog
from catalog.render.environment import warm_environment
from catalog.render.pages import render_catalog

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("own_templates", [False, True])
def test_a_warmed_environment_renders_the_same_pages_once(tmp_path: Path, own_templates: bool) -> None:
    templates = None
    if own_templates:
        templates = tmp_path / "templates"
        templates.mkdir()
        (templates / "agent.md.j2").write_text('{% extends "default:agent.md.j2" %}\n', encoding="utf-8")
    catalog = scan_catalog([str(REPO / "agents")])
    options = RenderOptions(template_dir=templates)
    cold = render_catalog(catalog, options)
    warm_environment(templates)
    warmed = pages._WARM[templates]
    assert warmed.cache and all(name.endswith(".j2") for name in (key[1] for key in warmed.cache))
    assert render_catalog(catalog, options) == cold
    assert templates not in pages._WARM  # taken by that render, not by the next
    assert render_catalog(catalog, options) == cold


@pytest.mark.parametrize("own_templates", [False, True])
def test_build_takes_the_templates_it_compiled_while_scanning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, own_templates: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["build", str(REPO / "agents"), "--site-dir", "site"]
    if own_templates:  # named as a user would, relative to where the command runs
        (tmp_path / "templates").mkdir()
        (tmp_path / "templates" / "agent.md.j2").write_text('{% extends "default:agent.md.j2" %}\n', encoding="utf-8")
        args += ["--templates", "templates"]
    pages._WARM.clear()
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    assert (tmp_path / "site" / "index.html").is_file()
    assert pages._WARM == {}  # made, and taken by the render


def test_a_template_edited_between_two_builds_of_one_process_is_compiled_again(tmp_path: Path) -> None:
    """Compiled templates are kept for the process (``environment._in_memory``), by name and
    checked against their source: an edit between two renders, as under ``serve``, shows."""
    templates = tmp_path / "templates"
    templates.mkdir()
    own = templates / "agent.md.j2"
    own.write_text("# Marker-one {{ agent.name }}\n", encoding="utf-8")
    catalog = scan_catalog([str(REPO / "agents")])
    options = RenderOptions(template_dir=templates)
    first = render_catalog(catalog, options)
    assert any("Marker-one " in text for text in first.values())
    own.write_text("# Marker-two {{ agent.name }}\n", encoding="utf-8")
    second = render_catalog(catalog, options)
    assert any("Marker-two " in text for text in second.values())
    assert not any("Marker-one " in text for text in second.values())
    assert pages._in_memory().code, "the renders kept their compiled templates"
