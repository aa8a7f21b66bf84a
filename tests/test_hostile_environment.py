"""Round three: the commands in a hostile environment. No home folder to know, a cache folder
setting that is relative (to the repository a stranger controls), termination signals: each is
a message or a clean exit, never a traceback, and nothing is left behind or read from the tree.
"""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog.cli.main import main
from catalog.incremental import files as cache_files
from catalog.output.folders import home_folder
from tests.hostile_fixtures import agent, write
from tests.hostile_support import CLI, run_cli
from tests.test_integration_mkdocs import free_port


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write(tmp_path / "agents" / "one.md", agent("name: one\ndescription: One agent."))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AGENT_CATALOG_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    return tmp_path


def _no_home(cls: type[Path]) -> Path:
    # What pathlib raises with HOME unset for a user id the password database does not know
    # (``docker run --user 12345``).
    raise RuntimeError("Could not determine home directory.")


@pytest.mark.parametrize("command", [["generate", "agents"], ["build", "agents"], ["generate", "agents", "--check"]])
def test_no_home_folder_to_know_is_no_traceback(
    project: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr(pathlib.Path, "home", classmethod(_no_home))
    assert home_folder() is None
    result = CliRunner().invoke(main, command)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    if command == ["generate", "agents"]:
        assert "running without the cache" in result.output
        assert (project / "docs" / "agents" / "one.md").is_file()


@pytest.mark.parametrize(
    ("env", "where"),
    [
        ({"HOME": "relative-home"}, None),
        ({"HOME": "relative-home", "XDG_CACHE_HOME": "relative-cache"}, None),
        ({"HOME": "/abs-home", "XDG_CACHE_HOME": "relative-cache"}, "/abs-home/.cache"),
        ({"HOME": "/abs-home", "XDG_CACHE_HOME": ""}, "/abs-home/.cache"),
        ({"HOME": "relative-home", "XDG_CACHE_HOME": "/abs-cache"}, "/abs-cache"),
    ],
)
def test_a_relative_cache_setting_is_no_cache_folder(
    project: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], where: str | None
) -> None:
    """A relative XDG_CACHE_HOME or HOME would put the cache (pickles: code) in the folder the
    command runs in, the repository, whose committed files are the user's own once checked
    out: the XDG specification says to ignore such a path, and so do we."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    folder = cache_files.cache_dir(project / "docs")
    if where is None:
        assert folder is None
    else:
        assert folder is not None and folder.parent == Path(where) / "agent-catalog"


def test_a_relative_home_leaves_nothing_in_the_repository(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "relative-home")
    monkeypatch.setenv("XDG_CACHE_HOME", ".cache")
    result = CliRunner().invoke(main, ["generate", "agents"])
    assert result.exit_code == 0, result.output
    assert "running without the cache" in result.output
    assert sorted(p.name for p in project.iterdir()) == ["agents", "docs"]


# --- SIGTERM and SIGHUP clean up as Ctrl-C does ---------------------------------------------


def _started(args: list[str], root: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """``agent-catalog ARGS`` in ``root``, its temporary folders in a folder of its own."""
    scratch = root / ".tmp"
    scratch.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(scratch), "NO_MKDOCS_2_WARNING": "1"}
    process = subprocess.Popen([*CLI, *args], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    return process, scratch


def _ended(process: subprocess.Popen[bytes], signum: int) -> tuple[int, str]:
    process.send_signal(signum)
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
        pytest.fail("the signal did not end the command")
    return process.returncode, err.decode("utf-8", "replace")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_serve_ended_by_a_signal_removes_its_temporary_folders(tmp_path: Path, name: str) -> None:
    """``kill``, a CI runner's timeout or a closed terminal: ``serve`` removed its temporary
    folders (its configuration, MkDocs' site) only on Ctrl-C; 19 were left in /tmp."""
    write(tmp_path / "agents" / "one.md", agent("name: one\ndescription: One agent."))
    port = free_port()
    process, scratch = _started(["serve", "agents", "--dev-addr", f"127.0.0.1:{port}"], tmp_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                if b"One agent." in response.read():
                    break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"serve did not come up: {process.communicate()[1].decode(errors='replace')}")
    assert sorted(p.name.split("-")[0].split("_")[0] for p in scratch.iterdir()) == ["agent", "mkdocs"]
    number = getattr(signal, name)
    code, err = _ended(process, number)
    assert "Traceback" not in err, err
    assert code == 128 + number, err
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize("delay", [0, 0.2, 0.5])
def test_a_build_ended_by_sigterm_removes_its_temporary_folder(tmp_path: Path, delay: float) -> None:
    for i in range(30):
        write(tmp_path / "agents" / f"a{i}.md", agent(f"name: a{i}\ndescription: Agent {i}."))
    process, scratch = _started(["build", "agents", "--site-dir", "site"], tmp_path)
    deadline = time.monotonic() + 30
    while not any(scratch.iterdir()) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)  # until the build made its temporary folder
    time.sleep(delay)
    code, err = _ended(process, signal.SIGTERM)
    assert "Traceback" not in err, err
    assert code in (0, 128 + signal.SIGTERM), err  # 0: it was done before the signal came
    assert list(scratch.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [".tmp", "agents", *(["site"] if code == 0 else [])]


def test_an_ignored_sighup_stays_ignored_and_workers_end_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from catalog.cli.main import stop_as_on_ctrl_c
    from catalog.parallel import map_forked

    def default_in_worker(_: int) -> bool:
        return signal.getsignal(signal.SIGTERM) is signal.SIG_DFL and signal.getsignal(signal.SIGHUP) is signal.SIG_DFL

    before = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGHUP)}
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as nohup has it
        stop_as_on_ctrl_c()
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
        assert callable(signal.getsignal(signal.SIGTERM))
        signal.signal(signal.SIGHUP, signal.getsignal(signal.SIGTERM))
        assert all(map_forked(default_in_worker, range(40), at_least=1, jobs=2))
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


# --- a locale of another encoding ---------------------------------------------------------------

ASCII_LOCALE = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": "utf-8"}


def test_a_locale_of_another_encoding_reads_and_writes_the_same(tmp_path: Path) -> None:
    """With Python's UTF-8 mode off in the C locale, file names come as lone surrogates: a
    UTF-8 name was reported as not UTF-8 (AC133). Lint says the same, generate writes the
    same files, as in a UTF-8 locale; a name that is not UTF-8 is reported in both."""
    write(tmp_path / "agents" / "ünï名前.md", agent("name: unicode-name\ndescription: Ägent 名前."))
    (tmp_path / "agents" / os.fsdecode(b"bad-\xff.md")).write_bytes(agent("name: bad\ndescription: Bad name.").encode())
    outputs = []
    for label, env in (("utf8", {"PYTHONUTF8": "1"}), ("ascii", ASCII_LOCALE)):
        lint = run_cli(["lint", "agents"], tmp_path, env=env)
        docs = tmp_path / f"docs-{label}"
        generated = run_cli(["generate", "agents", "--docs-dir", str(docs), "--no-cache"], tmp_path, env=env)
        assert generated.returncode == 0, generated.stderr.decode(errors="replace")
        files = {p.relative_to(docs).as_posix(): p.read_bytes() for p in docs.rglob("*") if p.is_file()}
        outputs.append((lint.stdout, files))
    assert outputs[0][0].count(b"AC133") == 1, outputs[0][0].decode(errors="replace")
    assert outputs[1] == outputs[0]


# --- a full disk --------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [500, 5_000, 30_000])
def test_a_full_disk_in_the_middle_of_writing_is_said_of_the_docs_folder_and_the_next_run_mends_it(
    tmp_path: Path, limit: int
) -> None:
    """RLIMIT_FSIZE stands for a full disk: a write fails part way (EFBIG, as ENOSPC would)."""
    import resource

    for i in range(20):
        write(tmp_path / "agents" / f"a{i}.md", agent(f"name: a{i}\ndescription: Agent {i}.\n" + "Text. " * 400))
    failed = subprocess.run(
        [*CLI, "generate", "agents"],
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)),
        check=False,
    )
    err = failed.stderr.decode("utf-8", "replace")
    assert failed.returncode == 2 and "Traceback" not in err, err
    assert "File too large while writing docs" in err, err
    assert run_cli(["generate", "agents"], tmp_path).returncode == 0
    assert run_cli(["generate", "agents", "--check"], tmp_path).returncode == 0
    fresh = run_cli(["generate", "agents", "--docs-dir", "fresh", "--no-cache"], tmp_path)
    assert fresh.returncode == 0
    docs, clean = tmp_path / "docs", tmp_path / "fresh"
    assert {p.relative_to(docs): p.read_bytes() for p in docs.rglob("*") if p.is_file()} == {
        p.relative_to(clean): p.read_bytes() for p in clean.rglob("*") if p.is_file()
    }
