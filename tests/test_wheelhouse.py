"""tests/wheelhouse.py: a wheel zipped from an installed distribution installs the same files.

The wheels are installed by the real pip (`--target`, no index, no configuration file), and
what it puts down is compared byte for byte with the installed distribution they came from.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import subprocess
import sys
import sysconfig
import zipfile
from importlib.metadata import distribution, distributions
from pathlib import Path, PurePosixPath

import pytest

from tests.wheelhouse import compressed_tag, offline_pip_env, requirement_closure, wheel_of, wheelhouse


def pip_install(wheels: list[Path], target: Path, house: Path) -> None:
    env = offline_pip_env(dict(os.environ), house)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-compile",
            "--target",
            str(target),
            *map(str, wheels),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def site_files(name: str) -> dict[str, bytes]:
    """The installed files of `name` under site-packages, less bytecode and installer files."""
    dist = distribution(name)
    files = {}
    for path in dist.files or []:
        parts = PurePosixPath(path).parts
        if parts[0] == ".." or path.suffix == ".pyc" or path.name in {"RECORD", "INSTALLER", "REQUESTED"}:
            continue
        files[PurePosixPath(path).as_posix()] = Path(dist.locate_file(path)).read_bytes()
    return files


@pytest.mark.parametrize("name", ["markdown-it-py", "PyYAML", "setuptools"])
def test_a_wheel_installs_the_files_of_the_distribution_it_was_zipped_from(name: str, tmp_path: Path) -> None:
    """Pure Python with a console script, compiled extensions, a .pth file outside any package."""
    house = tmp_path / "house"
    wheel = wheel_of(distribution(name), house)
    target = tmp_path / "target"
    pip_install([wheel], target, house)
    expected = site_files(name)
    for rel, data in expected.items():
        assert (target / rel).read_bytes() == data, rel


def test_console_scripts_are_written_again_from_entry_points(tmp_path: Path) -> None:
    house = tmp_path / "house"
    wheel = wheel_of(distribution("markdown-it-py"), house)
    assert not any(name.startswith("..") or "/bin/" in name for name in zipfile.ZipFile(wheel).namelist())
    pip_install([wheel], tmp_path / "target", house)
    script = tmp_path / "target" / "bin" / "markdown-it"
    assert "markdown_it.cli.parse" in script.read_text(encoding="utf-8")


def test_record_lists_every_member_with_its_hash_and_size(tmp_path: Path) -> None:
    wheel = zipfile.ZipFile(wheel_of(distribution("click"), tmp_path))
    record_name = next(n for n in wheel.namelist() if n.endswith(".dist-info/RECORD"))
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(wheel.read(record_name).decode()))}
    assert set(rows) == set(wheel.namelist())
    assert rows.pop(record_name) == ["", ""]
    for member, (hashed, size) in rows.items():
        data = wheel.read(member)
        assert hashed == "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        assert int(size) == len(data)
    assert not {"INSTALLER", "REQUESTED", "direct_url.json"} & {PurePosixPath(n).name for n in rows}
    assert not [n for n in rows if "__pycache__" in n]


def test_the_closure_follows_requirements_whose_markers_hold_and_no_extras() -> None:
    names = {dist.metadata["Name"].lower() for dist in requirement_closure(["agent-catalog"])}
    # mkdocs-material -> babel, pymdown-extensions -> markdown; click is a direct dependency.
    assert {"agent-catalog", "mkdocs-material", "babel", "markdown", "pymdown-extensions", "click"} <= names
    assert "pytest" not in names  # only in the test extra
    assert "hypothesis" in {d.metadata["Name"].lower() for d in requirement_closure(["agent-catalog"], ["test"])}


def test_an_editable_install_is_refused(tmp_path: Path) -> None:
    """This project, installed editable in site-packages (the checkout's own egg-info, which
    Python may find first from the working directory, has no RECORD: refused too)."""
    installed = list(distributions(name="agent-catalog", path=[sysconfig.get_paths()["purelib"]]))
    assert len(installed) == 1
    with pytest.raises(ValueError, match="editable"):
        wheel_of(installed[0], tmp_path)
    with pytest.raises(ValueError):
        wheel_of(distribution("agent-catalog"), tmp_path)


def test_a_missing_requirement_is_named() -> None:
    with pytest.raises(LookupError, match="no-such-distribution-here"):
        requirement_closure(["no-such-distribution-here"])


def test_a_wheelhouse_installs_a_distribution_with_its_requirements_offline(tmp_path: Path) -> None:
    """pip resolves markdown-it-py's requirement (mdurl) from the wheelhouse alone."""
    house = tmp_path / "house"
    wheelhouse(house, requirement_closure(["markdown-it-py"]))
    env = offline_pip_env(dict(os.environ), house)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-compile", "--target", str(tmp_path / "t"), "markdown-it-py"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "t" / "mdurl").is_dir()


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["py3-none-any"], "py3-none-any"),
        (["py2-none-any", "py3-none-any"], "py2.py3-none-any"),
        (
            ["cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64"],
            "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
        ),
    ],
)
def test_the_file_name_tag_joins_each_part_of_the_tags(tags: list[str], expected: str) -> None:
    assert compressed_tag(tags) == expected
