"""Issue 15 §8: no code from data.

The generate cache is pickles, and unpickling runs code: a cache folder that another user owns
or can write (or a folder above it that lets them replace it) is never read, and the run goes
on without the cache, saying so; a cache file someone else can write is not loaded; an entry of
one agent file is never served as another's. ``init`` writes folder names into YAML, a shell
line and a regular expression: each value reads back exactly as it was, whatever it holds.
"""

from __future__ import annotations

import os
import pickle
import re
import shlex
import stat
import uuid
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.cli.starter import starter_files
from catalog.incremental import files as cache_files
from tests.hostile_fixtures import agent, write
from tests.hostile_support import NOBODY, read_tree, run_cli, text_of


class _RunsCode:
    """What a crafted cache file holds: unpickled, it creates ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, ...]]:
        return (os.system, (f"touch {shlex.quote(str(self.marker))}",))


def _project(tmp_path: Path) -> Path:
    for name in ("alpha", "beta"):
        write(
            tmp_path / "agents" / f"{name}.md",
            agent(f"name: {name}\ndescription: The {name} agent.", f"I am {name}.\n"),
        )
    return tmp_path


def _plant(folder: Path, marker: Path) -> None:
    """A pickle that runs code, in every file the cache reads."""
    crafted = pickle.dumps(_RunsCode(marker))
    for name in ("stamp.pickle", "state.pickle"):
        (folder / name).write_bytes(crafted)
    for path in (folder / "full").glob("*.pickle"):
        path.write_bytes(crafted)


def _generate(root: Path, docs: str = "docs") -> str:
    result = run_cli(["generate", "agents", "--docs-dir", docs, "-v"], root)
    assert result.returncode == 0, text_of(result)
    return text_of(result)


def _cache_of(root: Path, docs: str = "docs") -> Path:
    folder = cache_files.cache_dir((root / docs).resolve())
    assert folder is not None
    return folder


def _made(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    return folder


UNSAFE_FOLDERS = {
    "writable by others": lambda folder: folder.chmod(0o777),
    "writable by its group": lambda folder: folder.chmod(0o770),
    "owned by another user": lambda folder: os.chown(folder, NOBODY, NOBODY),
    "a parent writable by others": lambda folder: folder.parent.chmod(0o777),
    "a parent owned by another user": lambda folder: os.chown(folder.parent, NOBODY, NOBODY),
    "its pickles' folder writable by others": lambda folder: (folder / "full").chmod(0o777),
    "its scratch folder writable by others": lambda folder: _made(folder / "tmp").chmod(0o777),
}


@pytest.mark.parametrize("case", sorted(UNSAFE_FOLDERS))
def test_a_cache_folder_others_can_write_is_never_read(tmp_path: Path, case: str) -> None:
    if "owned by another user" in case and os.geteuid() != 0:
        pytest.skip("only root can give a folder to another user")
    root = _project(tmp_path)
    _generate(root)
    folder = _cache_of(root)
    marker = tmp_path / f"pwned-{uuid.uuid4().hex}"
    _plant(folder, marker)
    UNSAFE_FOLDERS[case](folder)
    (root / "agents" / "alpha.md").write_text(agent("name: alpha\ndescription: Edited."), encoding="utf-8")

    output = _generate(root)
    assert not marker.exists(), "a pickle from a cache others can write was loaded: it ran code"
    assert "warning: the cache folder" in output and "running without the cache" in output, output
    assert "full run: 2 agent files read" in output, output
    fresh = run_cli(["generate", "agents", "--docs-dir", "fresh", "--no-cache"], root)
    assert fresh.returncode == 0, text_of(fresh)
    assert _pages(root / "docs") == _pages(root / "fresh")


def _pages(docs: Path) -> dict[str, bytes]:
    return {name: data for name, data in read_tree(docs).items() if not name.startswith(".agent-catalog")}


def test_a_cache_file_others_can_write_is_not_loaded(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _generate(root)
    folder = _cache_of(root)
    marker = tmp_path / f"pwned-{uuid.uuid4().hex}"
    _plant(folder, marker)
    for path in [*folder.glob("*.pickle"), *(folder / "full").glob("*.pickle")]:
        path.chmod(0o666)
    output = _generate(root)
    assert not marker.exists(), "a cache file others can write was loaded: it ran code"
    assert "full run" in output, output


def test_a_new_cache_folder_is_private_and_a_sticky_parent_is_fine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    shared.chmod(0o1777)  # as /tmp is
    monkeypatch.setenv("AGENT_CATALOG_CACHE_DIR", str(shared / "cache"))
    root = _project(tmp_path)
    first = _generate(root)
    assert "warning:" not in first, first
    folder = _cache_of(root)
    for path in [shared / "cache", shared / "cache" / "agent-catalog", folder]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    for path in folder.rglob("*"):
        assert not path.stat().st_mode & 0o022, f"{path} can be written by others"
    assert "nothing changed" in _generate(root)


def test_a_swapped_cache_entry_is_never_served_as_another_agents_page(tmp_path: Path) -> None:
    """Each agent's whole copy in the cache is keyed by its file: swapped with another's, it is
    read again from the file, never rendered under the other agent's page."""
    root = _project(tmp_path)
    _generate(root)
    full = sorted((_cache_of(root) / "full").glob("*.pickle"))
    assert len(full) == 2
    first, second = (path.read_bytes() for path in full)
    full[0].write_bytes(second)
    full[1].write_bytes(first)
    for page in (root / "docs" / "agents").iterdir():  # rendered again, from the cache's whole copies
        page.unlink()
    _generate(root)
    fresh = run_cli(["generate", "agents", "--docs-dir", "fresh", "--no-cache"], root)
    assert fresh.returncode == 0, text_of(fresh)
    assert _pages(root / "docs") == _pages(root / "fresh")
    assert "I am alpha." in (root / "docs" / "agents" / "alpha.md").read_text(encoding="utf-8")


# --- init --------------------------------------------------------------------------------------

FOLDER_NAMES = [
    "agents",
    "z;echo INJECTED;#",
    "a\nhooks: [pwn.py]",
    "$(touch pwned)",
    "`touch pwned`",
    'it\'s "quoted"',
    "${{ github.event.issue.title }}",
    "a #comment",
    "- [x]: {y}",
    "&anchor *alias !!python/object",
    "ünïcödé 😀",
    "back\\slash",
    ".*|(",
    "\t\u2028\u0085",
]


def _written(sources: list[str], site_name: str) -> dict[str, str]:
    return {f.path: f.text for f in starter_files(sources, site_name)}


def _check_round_trip(sources: list[str], site_name: str) -> None:
    files = _written(sources, site_name)
    config = yaml.safe_load(files["mkdocs.yml"])
    assert config["site_name"] == site_name
    [plugin] = [p for p in config["plugins"] if isinstance(p, dict)]
    assert plugin["agent-catalog"]["sources"] == sources
    assert "hooks" not in config and set(config) == set(yaml.safe_load(_written(["agents"], "x")["mkdocs.yml"]))

    hook = yaml.safe_load(files[".pre-commit-config.yaml"])["repos"][0]["hooks"][0]
    pattern = re.compile(hook["files"])
    for source in sources:
        assert pattern.search(f"{source}/x.md"), (source, hook["files"])
    assert "." in sources or not pattern.search("\0/x.md"), "a path in none of the folders (no name holds NUL)"

    workflow = yaml.safe_load(files[".github/workflows/agent-catalog.yml"])
    runs = [step["run"] for step in workflow["jobs"]["catalog"]["steps"] if "run" in step]
    lint, build = runs[-2:]
    # What GitHub Actions does before the shell: ${{ expression }} -> its value.
    evaluated = [re.sub(r"\$\{\{ '\$\{\{' \}\}", "${{", run) for run in (lint, build)]
    assert all("${{" not in re.sub(r"\$\{\{ '\$\{\{' \}\}", "", run) for run in (lint, build))
    assert shlex.split(evaluated[0]) == ["agent-catalog", "lint", "--format", "github", *sources]
    assert shlex.split(evaluated[1]) == ["agent-catalog", "build", *sources]


@pytest.mark.parametrize("name", FOLDER_NAMES)
def test_init_writes_a_hostile_folder_name_as_a_value(name: str) -> None:
    _check_round_trip(["agents", name], site_name=name)
    # MkDocs reads its configuration with its own loader (!ENV, !relative): the same values.
    from mkdocs.utils import yaml_load

    config = yaml_load(_written(["agents", name], name)["mkdocs.yml"])
    assert config["site_name"] == name and "hooks" not in config
    assert config["plugins"][-1]["agent-catalog"]["sources"] == ["agents", name]


_NAME = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0/"), min_size=1, max_size=30)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sources=st.lists(_NAME, min_size=1, max_size=4, unique=True), site_name=_NAME)
def test_init_values_round_trip_whatever_they_hold(sources: list[str], site_name: str) -> None:
    _check_round_trip(sources, site_name)


def test_init_in_a_repository_with_an_injecting_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole command: the folder found by the scan, the files written, and the CI line
    run by a shell does not run the name."""
    import subprocess

    bad = "z;touch INJECTED;#"
    write(tmp_path / bad / "agents" / "x.md", agent("name: x\ndescription: X."))
    result = run_cli(["init"], tmp_path)
    assert result.returncode == 0, text_of(result)
    workflow = yaml.safe_load((tmp_path / ".github" / "workflows" / "agent-catalog.yml").read_text(encoding="utf-8"))
    build = [step["run"] for step in workflow["jobs"]["catalog"]["steps"] if "run" in step][-1]
    assert shlex.split(build) == ["agent-catalog", "build", bad]
    subprocess.run(["sh", "-c", build.replace("agent-catalog", "true", 1)], cwd=tmp_path, check=True)
    assert not (tmp_path / "INJECTED").exists()
