"""The hooks of .pre-commit-hooks.yaml, run by the real pre-commit in a real `git commit`.

pre-commit clones the hook repository at a commit, so the tests commit a copy of this working
tree (tracked and untracked files, as they are now) into a scratch repository and point a
catalog repository's .pre-commit-config.yaml at it. pre-commit then installs the hooks'
Python environment with pip, once for the module.

Nothing reaches the network: pip installs only from a wheelhouse of the distributions installed
in this test's own environment (tests/wheelhouse.py), and every pre-commit command runs with
proxies that lead nowhere, so a download that slips past the wheelhouse fails the test instead
of passing on a machine with a network and failing on one without (or changing with the index).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from packaging.requirements import Requirement

from catalog.cli.main import main
from tests.offline import DEAD_PROXY, PROXY_VARIABLES
from tests.wheelhouse import offline_pip_env, requirement_closure, wheelhouse

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = [
    REPO / "agents/backend/api-designer.md",
    REPO / "agents/writing/docs-writer.md",
    REPO / "agents/quality/test-strategist.md",
]
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]


def clean_env(**more: str) -> dict[str, str]:
    """This process's environment (with the test's generate cache) without anything from a
    git hook that may be running these tests, and without the user's git configuration.

    PIP_COMPILE=0 is `pip install --no-compile` (PIP_NO_COMPILE=1 would mean the opposite: pip
    reads a variable as its option's value): the pip that pre-commit runs to install the hooks'
    environment (twice in this module: once for the module, once in try-repo's own store)
    writes no .pyc for the thousands of modules of Material, Babel and Pygments the hooks never
    import (a quarter of the install's time); what the hooks do import is compiled on their
    first run, as Python does for any module without its .pyc."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", PIP_COMPILE="0", **more)
    return env


def offline_env(house: Path, **more: str) -> dict[str, str]:
    """clean_env for pre-commit: pip may install only from the wheels in `house` (no index, no
    pip configuration file: this machine's adds indexes and find-links), virtualenv does not
    look for newer seed wheels, and every proxy is DEAD_PROXY, with no host exempt from it (not
    even loopback, as the rest of the run allows: pre-commit and pip have nothing to fetch)."""
    env = offline_pip_env(clean_env(), house)  # drops every PIP_ variable: clean_env's too
    env.update(PIP_COMPILE="0", VIRTUALENV_NO_PERIODIC_UPDATE="1", no_proxy="", NO_PROXY="", **more)
    env.update(dict.fromkeys(PROXY_VARIABLES, DEAD_PROXY))
    return env


def run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def must(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 120) -> str:
    done = run(args, cwd, env, timeout)
    assert done.returncode == 0, f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A committed copy of this working tree: the repository pre-commit clones the hooks from."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = clean_env()
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], REPO, env)
    if listed.returncode != 0:
        pytest.skip(f"{REPO} is not a git checkout: the hooks repository is copied from its files")
    copy = tmp_path_factory.mktemp("hooks-repo")
    for rel in filter(None, listed.stdout.split("\0")):
        source = REPO / rel
        if source.is_file():  # a tracked file deleted in the working tree is left out
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / rel)
    must(["git", "init", "-q"], copy, env)
    must(["git", "add", "-A"], copy, env)
    must([*GIT, "commit", "-q", "-m", "the working tree under test"], copy, env)
    return copy, must(["git", "rev-parse", "HEAD"], copy, env).strip()


@pytest.fixture(scope="module")
def house(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Wheels of what pre-commit's `pip install .` of this project needs: its build system
    (setuptools, for the build pip makes in an isolated environment) and its dependencies,
    zipped from this environment's installed copies (a few seconds)."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    build = [Requirement(line).name for line in pyproject["build-system"]["requires"]]
    runtime = [Requirement(line) for line in pyproject["project"]["dependencies"]]
    needed = build + [r.name for r in runtime if r.marker is None or r.marker.evaluate()]
    out = tmp_path_factory.mktemp("wheelhouse")
    wheelhouse(out, requirement_closure(needed))
    return out


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory, hooks_repo: tuple[Path, str], house: Path) -> Path:
    """pre-commit's own cache, with the hooks' environment installed once for the module."""
    home = tmp_path_factory.mktemp("pre-commit-home")
    scratch = tmp_path_factory.mktemp("install")
    env = offline_env(house, PRE_COMMIT_HOME=str(home))
    must(["git", "init", "-q"], scratch, env)
    (scratch / ".pre-commit-config.yaml").write_text(config(*hooks_repo), encoding="utf-8")
    # pip builds this project and installs it and its dependencies from the wheelhouse.
    done = run([sys.executable, "-m", "pre_commit", "install-hooks"], scratch, env, timeout=600)
    assert done.returncode == 0, f"pre-commit could not install the hooks:\n{done.stdout}\n{done.stderr}"
    return home


def config(repo: Path, rev: str) -> str:
    return (
        "repos:\n"
        f"  - repo: {repo}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: agent-catalog-lint\n"
        "      - id: agent-catalog-generate\n"
    )


@dataclass
class CatalogRepo:
    path: Path
    env: dict[str, str]

    def commit(self, message: str, *paths: str) -> subprocess.CompletedProcess[str]:
        must(["git", "add", *(paths or ["-A"])], self.path, self.env)
        return run([*GIT, "commit", "-m", message], self.path, self.env)

    def head(self) -> str:
        return must(["git", "rev-parse", "--verify", "-q", "HEAD"], self.path, self.env).strip()

    def status(self) -> str:
        return must(["git", "status", "--porcelain"], self.path, self.env)


@pytest.fixture(scope="module")
def catalog_template(
    tmp_path_factory: pytest.TempPathFactory, hooks_repo: tuple[Path, str], pre_commit_home: Path, house: Path
) -> Path:
    """A git repository of three agents, the hooks installed in .git/hooks (a `pre-commit
    install`, a second or so): made once, copied for each test (pre-commit's hook script
    names no path of the repository it is in)."""
    root = tmp_path_factory.mktemp("catalog-template")
    env = offline_env(house, PRE_COMMIT_HOME=str(pre_commit_home))
    must(["git", "init", "-q"], root, env)
    (root / "agents").mkdir()
    for example in EXAMPLES:
        shutil.copy2(example, root / "agents" / example.name)
    (root / "pyproject.toml").write_text('[tool.agent-catalog]\nsources = ["agents"]\n', encoding="utf-8")
    (root / ".pre-commit-config.yaml").write_text(config(*hooks_repo), encoding="utf-8")
    must([sys.executable, "-m", "pre_commit", "install"], root, env)
    assert str(root) not in (root / ".git" / "hooks" / "pre-commit").read_text(encoding="utf-8")
    return root


@pytest.fixture
def catalog_repo(
    tmp_path: Path, catalog_template: Path, pre_commit_home: Path, house: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CatalogRepo]:
    """A git repository of three agents and their generated docs/, everything staged, the
    hooks installed in .git/hooks; nothing committed yet. The docs are generated here, in the
    test's own copy of the template, with the test's own cache (warm, as a user's is when
    they commit after `generate`)."""
    repo = tmp_path / "catalog"
    shutil.copytree(catalog_template, repo, symlinks=True)
    env = offline_env(house, PRE_COMMIT_HOME=str(pre_commit_home))
    monkeypatch.chdir(repo)
    generated = CliRunner().invoke(main, ["generate"])
    assert generated.exit_code == 0, generated.output
    must(["git", "add", "-A"], repo, env)
    yield CatalogRepo(repo, env)


def hook_lines(output: str) -> dict[str, str]:
    """'lint agent files....Passed' -> {'lint agent files': 'Passed'}."""
    lines = {}
    for line in output.splitlines():
        name, dots, verdict = line.partition("....")
        if dots:
            lines[name.strip()] = verdict.strip(".").strip()
    return lines


LINT = "lint agent files"
GENERATE = "regenerate the agent catalog pages"


def test_a_clean_commit_passes_both_hooks(catalog_repo: CatalogRepo) -> None:
    done = catalog_repo.commit("agents and their pages")
    assert done.returncode == 0, done.stdout + done.stderr
    assert hook_lines(done.stdout + done.stderr) == {LINT: "Passed", GENERATE: "Passed"}
    assert catalog_repo.status() == ""


def test_an_edited_agent_fails_the_generate_hook_until_its_pages_are_added(catalog_repo: CatalogRepo) -> None:
    assert catalog_repo.commit("agents and their pages").returncode == 0
    head = catalog_repo.head()
    agent = catalog_repo.path / "agents/api-designer.md"
    page = catalog_repo.path / "docs/agents/api-designer.md"
    old_page = page.read_text(encoding="utf-8")
    agent.write_text(agent.read_text(encoding="utf-8") + "\n## Deprecation\nAnnounce removals a release ahead.\n")

    failed = catalog_repo.commit("document deprecation", "agents/api-designer.md")
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0, output
    assert hook_lines(output) == {LINT: "Passed", GENERATE: "Failed"}
    assert "files were modified by this hook" in output
    assert catalog_repo.head() == head  # nothing was committed
    new_page = page.read_text(encoding="utf-8")
    assert new_page != old_page
    assert "Announce removals a release ahead." in new_page
    assert " M docs/agents/api-designer.md" in catalog_repo.status().splitlines()

    passed = catalog_repo.commit("document deprecation, with its page")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert hook_lines(passed.stdout + passed.stderr) == {LINT: "Passed", GENERATE: "Passed"}
    assert catalog_repo.head() != head
    assert catalog_repo.status() == ""


@pytest.mark.parametrize(
    ("breakage", "finding"),
    [
        ("name", "agents/docs-writer.md:1:1: AC201 no 'name' field"),
        ("closing", "agents/docs-writer.md:1:1: AC113 frontmatter is not closed"),
    ],
    ids=["no-name", "unclosed-frontmatter"],
)
def test_a_broken_agent_fails_the_lint_hook_naming_file_and_line(
    catalog_repo: CatalogRepo, breakage: str, finding: str
) -> None:
    assert catalog_repo.commit("agents and their pages").returncode == 0
    head = catalog_repo.head()
    agent = catalog_repo.path / "agents/docs-writer.md"
    lines = agent.read_text(encoding="utf-8").split("\n")
    if breakage == "name":
        lines.remove("name: docs-writer")
    else:
        del lines[lines.index("---", 1)]
    agent.write_text("\n".join(lines), encoding="utf-8")

    done = catalog_repo.commit("break an agent", "agents/docs-writer.md")
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert hook_lines(output)[LINT] == "Failed"
    assert finding in output
    assert catalog_repo.head() == head


def test_try_repo_runs_this_repository_s_hooks(catalog_repo: CatalogRepo, hooks_repo: tuple[Path, str]) -> None:
    """`pre-commit try-repo`, as a catalog's maintainers try the hooks before adding them.

    try-repo installs the hooks into a store of its own every time (about 20 s), so it runs
    once, on a broken agent; the clean case is the real commit of the tests above."""
    repo, rev = hooks_repo
    agent = catalog_repo.path / "agents/docs-writer.md"
    agent.write_text(agent.read_text(encoding="utf-8").replace("name: docs-writer\n", ""), encoding="utf-8")
    must(["git", "add", "agents/docs-writer.md"], catalog_repo.path, catalog_repo.env)
    broken = run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(repo), "--ref", rev, "--all-files"],
        catalog_repo.path,
        catalog_repo.env,
    )
    assert broken.returncode == 1, broken.stdout + broken.stderr
    # The lint hook reports the agent; generate rewrites its pages (its name is now its file's).
    assert hook_lines(broken.stdout) == {LINT: "Failed", GENERATE: "Failed"}
    assert "agents/docs-writer.md:1:1: AC201 no 'name' field" in broken.stdout
    assert "files were modified by this hook" in broken.stdout
