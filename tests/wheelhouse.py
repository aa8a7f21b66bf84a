"""Wheels of distributions already installed in this environment: pip installs from them offline.

A test that makes pip install something (pre-commit installing the hooks' environment) would
otherwise download it from the package index. An installed distribution's RECORD lists every
file it put down; those under site-packages, zipped with its dist-info, are the wheel it came
from, less what the install made outside site-packages: console scripts, which pip writes again
from entry_points.txt. Installer-specific files (INSTALLER, REQUESTED, direct_url.json) and
bytecode are left out and RECORD is written anew for the files the wheel holds.

No well-kept tool does this (dirtbike, the one that did, has not changed since 2016), hence
this module.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import zipfile
from collections.abc import Iterable
from importlib.metadata import Distribution, PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

# Written by the installer, not part of the wheel (PEP 376, PEP 610).
INSTALLER_FILES = {"INSTALLER", "REQUESTED", "direct_url.json", "RECORD"}


def requirement_closure(roots: Iterable[str], extras: Iterable[str] = ()) -> list[Distribution]:
    """The installed distributions `roots` need to run (their requirements whose markers hold
    here, recursively), roots included, sorted by name. `extras` are the roots' extras to follow."""
    wanted = [(name, frozenset(extras)) for name in roots]
    found: dict[str, Distribution] = {}
    while wanted:
        name, with_extras = wanted.pop()
        key = canonicalize_name(name)
        if key in found:
            continue
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            raise LookupError(f"{name} is required but not installed in this environment") from None
        found[key] = dist
        for line in dist.requires or []:
            requirement = Requirement(line)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": extra}) for extra in with_extras or {""}):
                wanted.append((requirement.name, frozenset(requirement.extras)))
    return [found[key] for key in sorted(found)]


def wheel_of(dist: Distribution, out: Path) -> Path:
    """Zip the installed `dist` as a wheel into the folder `out`; returns the wheel's path."""
    if json.loads(dist.read_text("direct_url.json") or "{}").get("dir_info", {}).get("editable"):
        raise ValueError(f"{dist.metadata['Name']} is an editable install: build its wheel from source")
    files = dist.files
    # The top-level dist-info's: a vendored package has its own (setuptools/_vendor/*.dist-info).
    records = [f for f in files or [] if len(f.parts) == 2 and f.name == "RECORD" and f.parts[0].endswith(".dist-info")]
    if files is None or len(records) != 1:
        raise ValueError(f"{dist.metadata['Name']} has no RECORD of its own: it was not installed from a wheel")
    dist_info = records[0].parent
    wheel_meta = (dist.read_text("WHEEL") or "").splitlines()
    tags = [line.split(":", 1)[1].strip() for line in wheel_meta if line.startswith("Tag:")]
    if not tags:
        raise ValueError(f"{dist.metadata['Name']}'s dist-info has no WHEEL tags")
    name = canonicalize_name(dist.metadata["Name"]).replace("-", "_")
    target = out / f"{name}-{dist.version}-{compressed_tag(tags)}.whl"

    # Plain strings, not paths: 18,000 files for this project, and pathlib cost most of the time.
    base = str(dist.locate_file(""))
    own = f"{dist_info.as_posix()}/"
    entries: list[tuple[str, bytes]] = []
    for rel in map(str, files):
        if rel.startswith("../") or "__pycache__/" in rel or rel.endswith(".pyc"):
            continue  # console scripts and the like, outside site-packages; bytecode
        if rel.startswith(own) and rel[len(own) :] in INSTALLER_FILES:
            continue
        with open(os.path.join(base, rel), "rb") as source:
            entries.append((rel, source.read()))
    rows = [f"{arcname},sha256={digest(data)},{len(data)}" for arcname, data in entries]
    rows.append(f"{dist_info.as_posix()}/RECORD,,")

    out.mkdir(parents=True, exist_ok=True)
    # Stored, not deflated: deflating Babel's and Material's 20 MB took most of the 10 s.
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as wheel:
        for arcname, data in entries:
            wheel.writestr(zipfile.ZipInfo(arcname, date_time=(1980, 1, 1, 0, 0, 0)), data)
        wheel.writestr(f"{dist_info.as_posix()}/RECORD", "\n".join(rows) + "\n")
    return target


def compressed_tag(tags: list[str]) -> str:
    """['py2-none-any', 'py3-none-any'] -> 'py2.py3-none-any' (the wheel file name's tag part)."""
    columns = list(zip(*(tag.split("-") for tag in tags), strict=True))
    return "-".join(".".join(dict.fromkeys(column)) for column in columns)


def digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


def wheelhouse(out: Path, dists: Iterable[Distribution]) -> list[Path]:
    """A wheel in `out` for each distribution."""
    return [wheel_of(dist, out) for dist in dists]


def offline_pip_env(env: dict[str, str], house: Path) -> dict[str, str]:
    """`env` for a pip that installs only from the wheels in `house`: no index, no
    configuration file (one may add indexes or find-links), none of the caller's PIP_ variables,
    and no retries (a connection that should not be tried fails at once, not after a back-off)."""
    clean = {k: v for k, v in env.items() if not k.startswith("PIP_")}
    clean.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(house), PIP_CONFIG_FILE=os.devnull, PIP_RETRIES="0")
    return clean
