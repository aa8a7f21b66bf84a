"""Issue 5: the output folders. A docs or site folder that is ``/``, the agents folder or one of
its parents, or a folder of someone else's files, is refused (exit 2) and nothing is deleted;
two builds at once never leave pages and overview out of step; Ctrl-C at any moment of a build
leaves the previous site or the new one, whole, and no staging folders pile up.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from catalog.output.docs_folder import JOURNAL
from catalog.output.folders import SITE_MARKER
from tests.hostile_fixtures import agent, write
from tests.hostile_support import CLI, agent_links, agent_pages, run_as_nobody, run_cli, snapshot, text_of

# B is smaller than A: a build of B interrupted late in the time of a build of A may finish.
SET_A = [f"alpha-{i}" for i in range(40)]
SET_B = [f"bravo-{i}" for i in range(2)]
USER_MKDOCS = """\
site_name: Two sets
docs_dir: docs
site_dir: site
use_directory_urls: false
theme:
  name: material
  font: false
plugins:
  - search
  - offline
"""


def write_sets(root: Path) -> None:
    for folder, names in (("agents-a", SET_A), ("agents-b", SET_B)):
        for name in names:
            write(root / folder / "agents" / f"{name}.md", agent(f"name: {name}\ndescription: Agent {name}."))


def site_set(site: Path) -> str:
    """Which complete site is there, A or B; fails on anything in between."""
    assert (site / "index.html").is_file(), "no overview"
    assert (site / SITE_MARKER).is_file(), "no marker: not a complete site of ours"
    linked, pages = agent_links(site), agent_pages(site)
    assert linked == pages, f"overview and pages out of step: linked only {linked - pages}, unlinked {pages - linked}"
    names = {Path(p).stem for p in pages}
    assert names in (set(SET_A), set(SET_B)), f"a mix of both sets: {sorted(names)}"
    return "A" if names == set(SET_A) else "B"


def staging_dirs(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith((".site.building-", ".site.old-")))


# --- refused output folders ---------------------------------------------------------------------


@pytest.fixture
def catalog_root(tmp_path: Path) -> Path:
    write(tmp_path / "agents" / "one.md", agent("name: one\ndescription: One agent."))
    (tmp_path / "rootlink").symlink_to("/")
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ["build", "agents", "--site-dir", "agents"],
        ["build", "agents", "--site-dir", "."],
        ["build", "agents", "--site-dir", "agents/.."],
        ["generate", "agents", "--docs-dir", "agents"],
        ["generate", "agents", "--docs-dir", "."],
    ],
    ids=["site=agents", "site=parent", "site=parent-dotdot", "docs=agents", "docs=parent"],
)
def test_the_agents_folder_and_its_parents_are_refused(catalog_root: Path, args: list[str]) -> None:
    before = snapshot(catalog_root)
    result = run_cli(args, catalog_root)
    assert result.returncode == 2, text_of(result)
    assert "agents" in text_of(result)
    assert snapshot(catalog_root) == before, "something was written or deleted"


@pytest.mark.parametrize(
    "args",
    [
        ["build", "agents", "--site-dir", "/"],
        ["build", "agents", "--site-dir", "rootlink"],
        ["generate", "agents", "--docs-dir", "/"],
        ["generate", "agents", "--docs-dir", "rootlink"],
    ],
    ids=["site=/", "site=link-to-/", "docs=/", "docs=link-to-/"],
)
def test_the_root_folder_is_refused(args: list[str]) -> None:
    """Run as nobody when this is root: should the refusal ever break, nobody cannot harm ``/``.
    (The tree is outside pytest's tmp folder, which only root may enter.)"""
    root = Path(tempfile.mkdtemp(prefix="agent-catalog-root-"))
    try:
        root.chmod(0o755)
        write(root / "agents" / "one.md", agent("name: one\ndescription: One agent."))
        (root / "rootlink").symlink_to("/")
        before, root_before = snapshot(root), sorted(os.listdir("/"))
        if os.geteuid() == 0:
            code, output = run_as_nobody(args, root, {"HOME": str(root), "AGENT_CATALOG_CACHE_DIR": str(root / "c")})
        else:
            result = run_cli(args, root)
            code, output = result.returncode, text_of(result)
        assert code == 2, output
        assert "refusing" in output
        assert snapshot(root) == before
        assert sorted(os.listdir("/")) == root_before
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_a_site_folder_of_someone_elses_files_is_refused(catalog_root: Path) -> None:
    write(catalog_root / "site" / "thesis.tex", "years of work\n")
    write(catalog_root / "site" / "notes" / "index.html", "<p>my own site</p>\n")
    before = snapshot(catalog_root)
    result = run_cli(["build", "agents", "--site-dir", "site"], catalog_root)
    assert result.returncode == 2, text_of(result)
    assert "not built by agent-catalog" in text_of(result)
    assert snapshot(catalog_root) == before


def test_a_docs_folder_of_someone_elses_pages_keeps_them(catalog_root: Path) -> None:
    write(catalog_root / "docs" / "index.md", "# My own overview\n")
    write(catalog_root / "docs" / "guide.md", "# My guide\n")
    result = run_cli(["generate", "agents", "--docs-dir", "docs"], catalog_root)
    assert result.returncode == 0, text_of(result)
    assert (catalog_root / "docs" / "index.md").read_text() == "# My own overview\n"
    assert (catalog_root / "docs" / "guide.md").read_text() == "# My guide\n"
    assert "left alone" in text_of(result)


# --- two builds at once ------------------------------------------------------------------------


def start_build(root: Path, agents: str, *extra: str) -> subprocess.Popen[bytes]:
    # A killed build cannot remove its scratch folder: keep those inside the test's folder.
    (root / ".tmp").mkdir(exist_ok=True)
    return subprocess.Popen(
        [*CLI, "build", agents, *extra],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "TMPDIR": str(root / ".tmp")},
    )


@pytest.mark.parametrize("config", ["default", "user"])
def test_two_builds_at_once_never_leave_pages_and_overview_out_of_step(tmp_path: Path, config: str) -> None:
    write_sets(tmp_path)
    extra = ["--site-dir", "site"] if config == "default" else []
    if config == "user":
        write(tmp_path / "mkdocs.yml", USER_MKDOCS)
    waited = 0
    for round_ in range(2):  # both orders
        first, second = ("agents-a", "agents-b") if round_ % 2 == 0 else ("agents-b", "agents-a")
        runs = [start_build(tmp_path, first, *extra), start_build(tmp_path, second, *extra)]
        outputs = []
        for run in runs:
            out, err = run.communicate(timeout=120)
            outputs.append((out + err).decode())
            assert run.returncode == 0, outputs[-1]
        waited += sum("another agent-catalog run is writing" in o for o in outputs)
        site_set(tmp_path / "site")
        assert staging_dirs(tmp_path) == []
    assert waited, "the builds never met: the test proves nothing"


# --- Ctrl-C at any moment ----------------------------------------------------------------------


def interrupt_at_random_moments(
    root: Path, extra: list[str], runs: int, seed: int, kill: Callable[[subprocess.Popen[bytes]], None]
) -> int:
    """Build the set the site does not show, again and again, interrupting each after a random
    delay in [0, 1.1 times the full build time] (so that some finish: the moment of the swap is
    tested too), and the last one only once it has finished (after all those interruptions, a
    build must still replace the site); check the site after each. Returns how many builds
    changed the site."""
    site = root / "site"
    start = time.perf_counter()
    subprocess.run([*CLI, "build", "agents-a", *extra], cwd=root, check=True, capture_output=True, timeout=120)
    full = time.perf_counter() - start  # the full build time, start-up to exit
    rng = random.Random(seed)
    state, finished = site_set(site), 0
    for run in range(runs):
        target = "B" if state == "A" else "A"  # the other set: a build that finishes changes the site
        process = start_build(root, f"agents-{target.lower()}", *extra)
        if run < runs - 1:
            time.sleep(rng.uniform(0, 1.1 * full))
        else:
            process.wait(timeout=120)
        kill(process)
        _, err = process.communicate(timeout=120)
        assert b"Traceback" not in err or b"KeyboardInterrupt" in err, err.decode()
        now = site_set(site)
        assert now in (state, target), f"run {run}: the site is {now}, neither the previous {state} nor {target}"
        leftovers = staging_dirs(root)
        assert len(leftovers) <= 1, f"run {run}: staging folders pile up: {leftovers}"
        finished += now != state
        state = now
    # The next full build cleans whatever a killed run left behind.
    subprocess.run([*CLI, "build", "agents-b", *extra], cwd=root, check=True, capture_output=True, timeout=120)
    assert site_set(site) == "B"
    assert staging_dirs(root) == []
    return finished


def sigint(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)


@pytest.mark.slow
def test_ctrl_c_at_random_moments_leaves_a_whole_site(tmp_path: Path) -> None:
    write_sets(tmp_path)
    finished = interrupt_at_random_moments(tmp_path, ["--site-dir", "site"], runs=8, seed=1, kill=sigint)
    assert finished, "no build replaced the site after the interrupted ones"


@pytest.mark.slow
def test_ctrl_c_with_a_users_mkdocs_yml_and_its_docs_folder(tmp_path: Path) -> None:
    write_sets(tmp_path)
    write(tmp_path / "mkdocs.yml", USER_MKDOCS)
    interrupt_at_random_moments(tmp_path, [], runs=4, seed=11, kill=sigint)


def test_a_killed_builds_staging_folder_is_cleaned_by_the_next_build(tmp_path: Path) -> None:
    write_sets(tmp_path)
    subprocess.run([*CLI, "build", "agents-b", "--site-dir", "site"], cwd=tmp_path, check=True, capture_output=True)
    process = start_build(tmp_path, "agents-a", "--site-dir", "site")
    deadline = time.monotonic() + 30
    while not staging_dirs(tmp_path) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    process.kill()  # SIGKILL: no clean-up runs
    process.communicate(timeout=30)
    leftovers = staging_dirs(tmp_path)
    assert leftovers, "the build finished before it could be killed"
    assert site_set(tmp_path / "site") == "B"
    result = run_cli(["build", "agents-a", "--site-dir", "site"], tmp_path)
    assert result.returncode == 0, text_of(result)
    assert site_set(tmp_path / "site") == "A"
    assert staging_dirs(tmp_path) == [], "a killed build's staging folder was left behind"


@pytest.mark.parametrize("interrupted_write", [2, 3, 5, 8])
def test_an_interrupted_write_of_the_docs_leaves_no_orphan_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, interrupted_write: int
) -> None:
    """Ctrl-C among the page writes of a user's docs folder: the pages already written are
    still ours, so the next build of the other set removes them instead of publishing them."""
    from click.testing import CliRunner

    import catalog.output.docs_folder
    from catalog.cli.main import main

    write_sets(tmp_path)
    write(tmp_path / "mkdocs.yml", USER_MKDOCS)
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["build", "agents-a"]).exit_code == 0
    real_write, calls = catalog.output.docs_folder._atomic_write, []

    def interrupted(path: Path, data: bytes, *scratch: Path) -> None:
        calls.append(path)
        if len(calls) == interrupted_write:
            raise KeyboardInterrupt
        real_write(path, data, *scratch)

    monkeypatch.setattr(catalog.output.docs_folder, "_atomic_write", interrupted)
    result = CliRunner().invoke(main, ["build", "agents-b"])
    assert result.exit_code != 0 and len(calls) == interrupted_write, "the build was not interrupted"
    monkeypatch.setattr(catalog.output.docs_folder, "_atomic_write", real_write)
    assert site_set(tmp_path / "site") == "A"
    result = CliRunner().invoke(main, ["build", "agents-a"])
    assert result.exit_code == 0, result.output
    assert site_set(tmp_path / "site") == "A"
    assert sorted(p.stem for p in (tmp_path / "docs" / "agents").glob("*.md")) == sorted(SET_A)
    assert not (tmp_path / "docs" / JOURNAL).exists(), "the journal outlived a finished run"
