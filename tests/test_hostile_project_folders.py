"""Round three: ``generate`` (the pre-commit hook) and ``build`` (CI) run in a repository a
stranger controls. The docs and site folders it names (the default ``docs/`` and ``site/``,
mkdocs.yml's ``docs_dir`` and ``site_dir``), through a committed symlink or a path, never lead
the run to write outside the repository; a folder the user names on the command line does.
"""

from __future__ import annotations

import os
import resource
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.hostile_fixtures import agent, write
from tests.hostile_support import CLI, run_cli, snapshot, text_of


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


# --- the project's configuration files ------------------------------------------------------


def _bomb(key: str) -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    return "\n".join([*lines, f"{key}: *a9", ""])


def _sparse(path: Path) -> None:
    with open(path, "wb") as handle:
        handle.truncate(1024**3)  # 1 GiB of nothing, read whole before: memory ran out at 4


MKDOCS_YML: dict[str, Callable[[Path], None]] = {
    "not UTF-8": lambda p: p.write_bytes(b"site_name: caf\xe9\n"),
    "alias bomb in site_name": lambda p: p.write_text(_bomb("site_name")),
    "alias bomb in docs_dir": lambda p: p.write_text(_bomb("docs_dir")),
    "nested 10,000 deep": lambda p: p.write_text("site_name: " + "[" * 10_000 + "]" * 10_000 + "\n"),
    "3 MB": lambda p: p.write_text("site_name: x\n" + "# padding\n" * 300_000),
    "1 GiB sparse": _sparse,
}


@pytest.mark.parametrize("command", ["generate", "build"])
@pytest.mark.parametrize("case", MKDOCS_YML)
def test_a_hostile_mkdocs_yml_is_refused_at_once(places: tuple[Path, Path], case: str, command: str) -> None:
    project, _ = places
    MKDOCS_YML[case](project / "mkdocs.yml")
    result = run_cli([command, "agents"], project, timeout=30)
    assert result.returncode == 2, text_of(result)
    assert "mkdocs.yml" in result.stderr.decode("utf-8", "replace")
    assert not (project / "docs").exists() and not (project / "site").exists()


@pytest.mark.parametrize("command", ["lint", "scan", "generate"])
@pytest.mark.parametrize("case", ["not UTF-8", "3 MB", "1 GiB sparse"])
def test_a_hostile_pyproject_toml_is_refused_at_once(places: tuple[Path, Path], case: str, command: str) -> None:
    project, _ = places
    writers: dict[str, Callable[[Path], None]] = {
        "not UTF-8": lambda p: p.write_bytes(b'[tool.agent-catalog]\nsources = ["caf\xe9"]\n'),
        "3 MB": lambda p: p.write_text("[tool.agent-catalog]\n" + "# padding\n" * 300_000),
        "1 GiB sparse": _sparse,
    }
    writers[case](project / "pyproject.toml")
    result = run_cli([command], project, timeout=30)  # no PATH: the settings say which
    assert result.returncode == 2, text_of(result)
    assert "pyproject.toml" in result.stderr.decode("utf-8", "replace")


def test_mkdocs_tags_are_still_read_as_values(places: tuple[Path, Path]) -> None:
    project, _ = places
    write(
        project / "mkdocs.yml",
        "site_name: Tags\nmarkdown_extensions:\n  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "extra:\n  analytics: !ENV [ANALYTICS, none]\n",
    )
    result = run_cli(["generate", "agents"], project)
    assert result.returncode == 0, text_of(result)


# --- what the docs folder holds is read with limits too -----------------------------------------


@pytest.mark.parametrize("name", [".agent-catalog-manifest.json", ".agent-catalog-manifest.journal.json", "index.md"])
@pytest.mark.parametrize("kind", ["fifo", "1 GiB sparse"])
def test_a_fifo_or_a_huge_file_in_the_docs_folder_is_never_waited_on_nor_read_whole(
    places: tuple[Path, Path], name: str, kind: str
) -> None:
    """A FIFO for the manifest or the journal had generate wait for ever (the pre-commit hook
    with it); a huge one, or a huge page, was read into memory whole."""
    project, _ = places
    assert run_cli(["generate", "agents", "--no-cache"], project).returncode == 0
    target = project / "docs" / name
    target.unlink(missing_ok=True)
    if kind == "fifo":
        os.mkfifo(target)
    else:
        _sparse(target)
    write(project / "agents" / "one.md", agent("name: one\ndescription: One agent, edited."))
    result = subprocess.run(
        [*CLI, "generate", "agents", "--no-cache"],
        cwd=project,
        capture_output=True,
        timeout=30,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (800 * 1024**2, 800 * 1024**2)),
        check=False,
    )
    assert result.returncode == 0, text_of(result)  # a file read whole: MemoryError
    page = (project / "docs" / "agents" / "one.md").read_text(encoding="utf-8")
    # Without the manifest nothing in the folder is known to be ours: all is left alone.
    assert ("One agent, edited." in page) == (name != ".agent-catalog-manifest.json"), text_of(result)
    if name == "index.md":  # not ours: left as it is
        assert "left alone" in text_of(result)
        assert os.path.exists(target) and (kind == "fifo") == (not target.is_file())


@pytest.mark.parametrize(
    "args",
    [
        ["generate", "agents"],
        ["generate", "agents", "--docs-dir", "loop"],
        ["generate", "agents", "--docs-dir", "loop/docs"],
        ["build", "agents", "--site-dir", "loop"],
        ["build", "agents", "--site-dir", "loop/site"],
        ["build", "agents"],
    ],
)
def test_a_symlink_loop_for_an_output_folder_is_refused(places: tuple[Path, Path], args: list[str]) -> None:
    """Path.resolve raised RuntimeError on a loop (Python 3.11, 3.12): a traceback."""
    project, _ = places
    (project / "loop").symlink_to("loop")
    (project / "docs").symlink_to("docs")
    (project / "site").symlink_to("site")
    result = run_cli(args, project)
    assert result.returncode == 2, text_of(result)
    assert "cannot be used" in text_of(result)
