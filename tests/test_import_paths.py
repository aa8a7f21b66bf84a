"""What the pre-commit paths import (issue 17's speed targets): a run of ``generate`` pays for
every module it imports, so each path imports what its work needs and no more. Module sets,
in a fresh interpreter each; ``benchmarks/bench_imports.py`` measures what they cost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

AGENTS = {
    "backend/api.md": "---\nname: api\ndescription: Designs HTTP APIs.\nmodel: sonnet\n---\n## Method\nFirst.\n",
    "writing/docs.md": "---\nname: docs\ndescription: Writes the docs.\ntools: Read, Grep\n---\nPlain words.\n",
}

# The console script's main, then the modules it imported, on stdout. (Long options, as the
# hook's: Click tries a short one as a long one first, and imports difflib to say it is not.)
PROBE = """
import sys
from catalog.cli.main import main
try:
    main(["generate", "agents", "--verbose"], prog_name="agent-catalog")
except SystemExit:
    pass
print(" ".join(sorted(sys.modules)))
"""

# Whose code the pages are made with, or the site built with: none of it when nothing changed.
RENDERING = ("yaml", "frontmatter", "jinja2", "markupsafe", "markdown_it", "markdown_it_pyrs", "pyromark", "nh3")
SITE = ("mkdocs", "material", "markdown", "pymdownx", "pygments", "babel", "requests", "watchdog")
# The stages (and the CLI's other commands): a run where nothing changed stops at the stamp.
STAGES = ("catalog.discover", "catalog.parse", "catalog.model", "catalog.lint", "catalog.render")
STAGES += ("catalog.load", "catalog.assemble", "catalog.incremental.changes", "catalog.cli.starter")
# Nor the stages' values: the stamp holds findings (``catalog.findings``), no agent.
STAGES += ("catalog.types",)
# The standard library's slow imports nobody on either path needs; and those Jinja2 brings
# (its bytecode cache), which a run that renders nothing does without.
STDLIB = ("difflib", "subprocess", "logging", "email", "http", "asyncio", "concurrent")
WITH_JINJA2 = ("shutil", "tempfile", "hashlib", "random", "bz2", "lzma")


def imported(project: Path) -> tuple[set[str], str]:
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=project, capture_output=True, text=True, check=True)
    return set(result.stdout.split()), result.stderr


def brought_by_libraries(modules: set[str]) -> set[str]:
    """What the rendering libraries among ``modules`` import by themselves: which of them a
    Python uses, and what each version imports, is theirs (markdown-it-py, used where
    markdown-it-pyrs has no wheel, imports ``logging``); what our code adds is ours."""
    used = [name for name in RENDERING if name in modules]
    probe = f"import sys\nfor name in {used!r}:\n    __import__(name)\nprint(' '.join(sorted(sys.modules)))\n"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def among(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """The modules that are one of ``names`` or inside one of them."""
    return sorted(m for m in modules if any(m == name or m.startswith(name + ".") for name in names))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for rel, text in AGENTS.items():
        (tmp_path / "agents" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "agents" / rel).write_text(text, encoding="utf-8")
    imported(tmp_path)  # the first run: fills the docs folder and the cache
    return tmp_path


def test_nothing_changed_imports_the_stamp_code_and_click_only(project: Path) -> None:
    modules, said = imported(project)
    assert "nothing changed since the last run" in said
    assert among(modules, RENDERING + SITE) == []
    assert among(modules, STAGES) == []
    assert among(modules, STDLIB + WITH_JINJA2) == []
    # The JSON files are read by the runs that write them; this one reads pickles.
    assert among(modules, ("json", "catalog.mkdocs_site.html", "catalog.mkdocs_site.plugin")) == []


def test_one_agent_changed_imports_no_site_builder(project: Path) -> None:
    page = project / "agents/backend/api.md"
    page.write_text(page.read_text(encoding="utf-8").replace("Designs", "Reviews"), encoding="utf-8")
    modules, said = imported(project)
    assert "incremental: 1 agent file read, 1 agent page rendered" in said
    assert among(modules, SITE) == []
    assert among(modules - brought_by_libraries(modules), STDLIB) == []
    # Neither the MkDocs side of the package nor the parsers of other kinds of agent files.
    mkdocs_side = ("catalog.mkdocs_site.html", "catalog.mkdocs_site.plugin", "catalog.mkdocs_site.live")
    assert among(modules, (*mkdocs_side, "catalog.mkdocs_site.ahead", "catalog.cli.starter")) == []
    assert among(modules, ("catalog.parse.config_agents",)) == []
