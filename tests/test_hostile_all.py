"""Issue 5, all together: one catalog holding every hostile fixture (script in every field, hostile
names, bad YAML, a 50 MB file, slow Markdown, bad encodings, FIFOs, devices, symlinks out of the
tree and in loops; unreadable files too when not run as root). One build: each bad file is named
with ``path:line`` and a reason, every other agent has its page, the exit code is 1, and time
and memory stay bounded. ``benchmarks/bench_hostile.py`` measures the same cases by hand.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from tests.hostile_fixtures import OUTSIDE_SECRET, SECRET, write, write_all
from tests.hostile_support import catalog_slugs, measure, read_tree, terminal_unsafe

MAX_SECONDS = 180  # a hang guard; bench_hostile.py measures
MAX_MEGABYTES = 300


def test_a_build_over_every_hostile_fixture(tmp_path: Path) -> None:
    marker = Path("/tmp") / f"agent-catalog-pwned-{uuid.uuid4().hex}"
    fixture = write_all(
        tmp_path / "catalog",
        tmp_path / "outside",
        marker,
        devices=os.geteuid() == 0,
        unreadable=os.geteuid() != 0,  # root reads chmod 000 files: test_hostile_files runs those as nobody
    )
    write(tmp_path / ".env", f"TOKEN={SECRET}\n")
    try:
        run = measure(["build", "catalog", "--site-dir", "site"], tmp_path, timeout=120)
    finally:
        for folder, dirs, _ in os.walk(tmp_path / "catalog"):
            for name in dirs:  # chmod 000 folders back, so that pytest can remove them
                if not os.path.islink(os.path.join(folder, name)):
                    os.chmod(os.path.join(folder, name), 0o755)
    assert run.code == 1, run.output
    assert "Traceback" not in run.output, run.output
    assert run.seconds < MAX_SECONDS, f"{run.seconds:.1f} s"
    assert run.peak_mb < MAX_MEGABYTES, f"{run.peak_mb:.0f} MB"
    assert terminal_unsafe(run.output.encode()) == []

    lines = run.output.splitlines()
    missing = []
    for path, code in sorted(fixture.bad.items()):
        hits = [line for line in lines if line.startswith(f"catalog/{path}:") and f" {code} " in line]
        line_number = hits[0][len(f"catalog/{path}:") :].split(":")[0] if hits else ""
        if not hits or not line_number.isdigit() or len(hits[0].split(f" {code} ", 1)[1]) < 10:
            missing.append(f"{path}: {code}")
    assert not missing, "not reported as path:line: CODE reason:\n" + "\n".join(missing) + "\n\n" + run.output

    site = tmp_path / "site"
    slugs = catalog_slugs(site)
    no_page = [p for p in fixture.good if p not in slugs or not (site / "agents" / f"{slugs[p]}.html").is_file()]
    assert not no_page, f"agents without a page: {no_page}"
    for name, data in read_tree(site).items():
        assert OUTSIDE_SECRET.encode() not in data, f"site/{name}: a file outside the tree was published"
        assert SECRET.encode() not in data, f"site/{name}: the .env secret was published"
    assert not marker.exists(), "a !!python tag ran"
