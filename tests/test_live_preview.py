"""Live preview rebuilds what changed (issue 18): the builds `agent-catalog serve` runs.

`serve` runs MkDocs' dirty builds with the plugin's state kept between them (MkDocs keeps the
plugin's instance). A walk of edits, additions, removals and a change to mkdocs.yml: after
each step the served site is the site a clean build of the same files makes (every page, the
search index as a set of entries), and an edit to one agent rewrites its page and the shared
pages, not the other agents' pages.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.mkdocs_live import quiet_dirty_warning, serve_config

pytestmark = pytest.mark.slow

SERVE_URL = "http://127.0.0.1:8000/"


def _agent(name: str, description: str, body: str = "You are careful.\n") -> str:
    return f"---\nname: {name}\ndescription: {description}\ncategory: {name.split('-')[0]}\n---\n\n{body}"


def _write(root: Path, name: str, description: str) -> Path:
    path = root / f"{name}.md"
    path.write_text(_agent(name, description), encoding="utf-8")
    return path


def _serve_build(config_file: Path, site: Path, first: bool) -> None:
    """One build as `mkdocs serve --dirty` runs it (mkdocs.commands.serve)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(config_file), site_dir=str(site))
    if first:
        config.plugins.on_startup(command="serve", dirty=True)
    config.site_url = SERVE_URL
    with quiet_dirty_warning():
        build(config, serve_url=SERVE_URL, dirty=True)


def _clean_build(config_file: Path, site: Path) -> None:
    """A clean build of the same configuration (served at the same address), in a process of
    its own."""
    clean_config = config_file.with_name("clean.yml")
    clean_config.write_text(f"{config_file.read_text(encoding='utf-8')}\nsite_url: {SERVE_URL}\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(clean_config), "-d", str(site)],
        check=True,
        capture_output=True,
    )


def _pages(site: Path) -> dict[str, bytes]:
    """Every file of the site but the search index (compared as a set of entries)."""
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in site.rglob("*")
        if p.is_file() and p.relative_to(site).parts[0] != "search"
    }


def _entries(site: Path) -> list[str]:
    docs = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    return sorted(json.dumps(entry, sort_keys=True) for entry in docs)


def _assert_as_clean(config_file: Path, served: Path, clean: Path) -> None:
    _clean_build(config_file, clean)
    ours, theirs = _pages(served), _pages(clean)
    assert sorted(ours) == sorted(theirs)
    for rel in ours:
        assert ours[rel] == theirs[rel], rel
    entries = _entries(served)
    assert entries == _entries(clean)
    assert len(entries) == len(set(entries))  # no page's entries twice


def test_serve_builds_what_changed_and_the_site_is_the_clean_one(tmp_path: Path) -> None:
    agents = tmp_path / "agents"
    agents.mkdir()
    for index, category in enumerate(["alpha", "beta", "gamma", "alpha"]):
        _write(agents, f"{category}-agent-{index}", f"Use for {category} work number {index}.")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    config_file = serve_config(None, [str(agents)], scratch)
    served, clean = tmp_path / "served", tmp_path / "clean"

    _serve_build(config_file, served, first=True)
    _assert_as_clean(config_file, served, clean)
    stamps = {p: p.stat().st_mtime_ns for p in (served / "agents").glob("*.html")}

    # An edit: that agent's page and the shared pages are built, not the other agents' pages.
    _write(agents, "beta-agent-1", "Use for beta work, edited while serving.")
    _serve_build(config_file, served, first=False)
    rebuilt = {p.name for p, stamp in stamps.items() if p.stat().st_mtime_ns != stamp}
    assert rebuilt == {"beta-agent-1.html"}
    assert "edited while serving" in (served / "agents" / "beta-agent-1.html").read_text(encoding="utf-8")
    _assert_as_clean(config_file, served, clean)

    # An agent added, one removed (its page and its search entries go), a category gone.
    _write(agents, "delta-agent-9", "Use for delta work, added while serving.")
    (agents / "gamma-agent-2.md").unlink()
    _serve_build(config_file, served, first=False)
    assert not (served / "agents" / "gamma-agent-2.html").exists()
    assert (served / "agents" / "delta-agent-9.html").exists()
    _assert_as_clean(config_file, served, clean)

    # mkdocs.yml changed: everything is built again.
    stamps = {p: p.stat().st_mtime_ns for p in (served / "agents").glob("*.html")}
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(text.replace("site_name: Agent catalog", "site_name: Renamed catalog"), encoding="utf-8")
    _serve_build(config_file, served, first=False)
    assert all(p.stat().st_mtime_ns != stamp for p, stamp in stamps.items())
    assert "Renamed catalog" in (served / "agents" / "alpha-agent-0.html").read_text(encoding="utf-8")
    _assert_as_clean(config_file, served, clean)
