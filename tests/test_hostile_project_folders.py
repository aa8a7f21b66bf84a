"""Round three: ``generate`` (the pre-commit hook) and ``build`` (CI) run in a repository a
stranger controls. The docs and site folders it names (the default ``docs/`` and ``site/``,
mkdocs.yml's ``docs_dir`` and ``site_dir``), through a committed symlink or a path, never lead
the run to write outside the repository; a folder the user names on the command line does.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.hostile_fixtures import agent, write
from tests.hostile_support import run_cli, snapshot, text_of


def _symlinked_docs(project: Path, outside: Path) -> None:
    (project / "docs").symlink_to(os.path.relpath(outside, project))


def _symlinked_parent(project: Path, outside: Path) -> None:
    (project / "web").symlink_to(outside)
    write(project / "mkdocs.yml", "site_name: x\ndocs_dir: web/docs\n")


def _docs_dir_above(project: Path, outside: Path) -> None:
    write(project / "mkdocs.yml", f"site_name: x\ndocs_dir: {os.path.relpath(outside, project)}\n")


def _docs_dir_absolute(project: Path, outside: Path) -> None:
    write(project / "mkdocs.yml", f"site_name: x\ndocs_dir: '{outside}'\n")


def _site_dir_absolute(project: Path, outside: Path) -> None:
    (project / "docs").mkdir()
    write(project / "mkdocs.yml", f"site_name: x\nsite_dir: '{outside / 'site'}'\n")


def _symlinked_site(project: Path, outside: Path) -> None:
    (project / "site").symlink_to(outside)


LEADS_OUT: dict[str, tuple[Callable[[Path, Path], None], list[str]]] = {
    "docs is a symlink out": (_symlinked_docs, ["generate"]),
    "docs is in a folder symlinked out": (_symlinked_parent, ["generate", "build"]),
    "docs_dir above the project": (_docs_dir_above, ["generate", "build"]),
    "docs_dir absolute": (_docs_dir_absolute, ["generate", "build"]),
    "site_dir absolute": (_site_dir_absolute, ["build"]),
    "site is a symlink out": (_symlinked_site, ["build"]),
}
CASES = [(case, command) for case, (_, commands) in LEADS_OUT.items() for command in commands]


@pytest.fixture
def places(tmp_path: Path) -> tuple[Path, Path]:
    project, outside = tmp_path / "repo", tmp_path / "outside"
    write(project / "agents" / "one.md", agent("name: one\ndescription: One agent."))
    write(outside / "victim.txt", "the user's\n")
    return project, outside


@pytest.mark.parametrize(("case", "command"), CASES)
def test_a_folder_the_project_names_never_leads_out_of_it(places: tuple[Path, Path], case: str, command: str) -> None:
    project, outside = places
    LEADS_OUT[case][0](project, outside)
    before = snapshot(outside)
    result = run_cli([command, "agents"], project)
    assert result.returncode == 2, text_of(result)
    assert "leads outside this project" in text_of(result)
    assert snapshot(outside) == before, "something was written outside the project"
    assert not list(outside.parent.glob(".*building*"))


@pytest.mark.parametrize("command", [["generate", "agents", "--docs-dir"], ["build", "agents", "--site-dir"]])
def test_a_folder_the_user_names_may_be_anywhere(places: tuple[Path, Path], command: list[str]) -> None:
    project, outside = places
    result = run_cli([*command, str(outside / "out")], project)
    assert result.returncode == 0, text_of(result)
    assert (outside / "out").is_dir()


def test_a_symlink_that_stays_inside_the_project_is_followed(places: tuple[Path, Path]) -> None:
    project, _ = places
    (project / "pages").mkdir()
    (project / "docs").symlink_to("pages")
    result = run_cli(["generate", "agents"], project)
    assert result.returncode == 0, text_of(result)
    assert (project / "pages" / "agents" / "one.md").is_file()
