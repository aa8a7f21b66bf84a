"""The wheel carries the templates: build it, install it (not editable) in a fresh venv, build a site.

A plain ``pip install .`` is how pre-commit installs a hook, so a template left out of the
wheel would only show up for users. Nothing is downloaded: the new venv gets the wheel with
``--no-deps`` and reaches the dependencies (mkdocs, Material, ...) through a ``.pth`` file
naming the running interpreter's site-packages folders, whatever kind of environment that is
(a plain venv has no system site-packages to borrow). A ``.pth`` line only adds its folder to
``sys.path``, so an editable install of this checkout there is not activated: the package
itself comes from the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "site_templates"


def run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Build from a copy so the checkout gets no build/ or *.egg-info/ folders.
    source = out / "src"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(
            ".git", "site", "docs", "build", "dist", "test-artifacts", ".venv", "*.egg-info", "__pycache__", ".*_cache"
        ),
    )
    run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation", "-w", out], cwd=source)
    (built,) = out.glob("agent_catalog-*.whl")
    return built


def test_wheel_contains_the_templates(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"catalog/site_templates/{p.relative_to(TEMPLATES).as_posix()}" for p in TEMPLATES.rglob("*") if p.is_file()
    }
    assert "catalog/site_templates/agent.md.j2" in expected
    assert "catalog/site_templates/assets/agent-catalog.css" in expected
    assert expected <= names, f"missing from the wheel: {sorted(expected - names)}"


@pytest.mark.slow
def test_installed_wheel_builds_a_site(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp_path)
    python, script = venv / "bin" / "python", venv / "bin" / "agent-catalog"
    own = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp_path).stdout
    ours = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (Path(own.strip()) / "agent-catalog-test-deps.pth").write_text("\n".join(ours) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}}
    env["PIP_NO_INDEX"] = "1"  # nothing from the network, whatever pip is configured to do
    # The running interpreter's pip installs into the new venv (which has none of its own).
    run(
        [python, "-m", "pip", "install", "--no-deps", "--force-reinstall", "--no-index", wheel],
        cwd=tmp_path,
        env=env,
    )

    # The venv imports the installed copy, not the editable checkout the system may also have.
    probe = "import catalog.layout as t, catalog.render.pages as r; print(r.__file__, t.default_template_dir())"
    module, templates = run(
        [python, "-c", probe],
        cwd=tmp_path,
        env=env,
    ).stdout.split()
    assert Path(module).resolve().is_relative_to(venv.resolve()), module
    assert Path(templates).resolve().is_relative_to(venv.resolve()), templates
    assert (Path(templates) / "agent.md.j2").is_file(), f"no templates in {templates}"

    work = tmp_path / "work"
    shutil.copytree(REPO / "agents", work / "agents")
    result = run([script, "build", "agents"], cwd=work, env=env)
    assert "Built 13 agents" in result.stderr, result.stderr
    pages = sorted(p.name for p in (work / "site" / "agents").glob("*.html"))
    assert len(pages) == 13 and "postgres-tuner.html" in pages
    assert (work / "site" / "assets" / "agent-catalog.css").is_file()
    assert 'class="ac-dialogue"' in (work / "site" / "agents" / "postgres-tuner.html").read_text(encoding="utf-8")
