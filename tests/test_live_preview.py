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
from collections.abc import Callable
from pathlib import Path

import pytest

from catalog.mkdocs_site.live import quiet_dirty_warning, serve_config

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
    from mkdocs.config import config_options, load_config
    from mkdocs.config.defaults import MkDocsConfig

    if first:  # a new `mkdocs serve` process: no plugin instance kept from another test's serve
        kept = MkDocsConfig.plugins
        assert isinstance(kept, config_options.Plugins)
        kept.plugin_cache.clear()
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


def _first_serve(tmp_path: Path, source: Path) -> tuple[Path, Path, Path]:
    """The configuration ``serve`` writes for ``source``, its first build (in ``served``),
    checked against a clean build (in ``clean``)."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    config_file = serve_config(None, [str(source)], scratch)
    served, clean = tmp_path / "served", tmp_path / "clean"
    _serve_build(config_file, served, first=True)
    _assert_as_clean(config_file, served, clean)
    return config_file, served, clean


def test_serve_builds_what_changed_and_the_site_is_the_clean_one(tmp_path: Path) -> None:
    agents = tmp_path / "agents"
    agents.mkdir()
    for index, category in enumerate(["alpha", "beta", "gamma", "alpha"]):
        _write(agents, f"{category}-agent-{index}", f"Use for {category} work number {index}.")
    config_file, served, clean = _first_serve(tmp_path, agents)
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


def _json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_serve_follows_a_manifest_changed_moved_or_removed(tmp_path: Path) -> None:
    """A marketplace.json or plugin.json names the collection, plugin and category of agents it
    does not contain: editing, moving or removing it changes those agents' pages, and the
    served site is the clean one after each step."""
    market = tmp_path / "market"
    plugin = market / "plugins" / "p"
    (plugin / "agents").mkdir(parents=True)
    for name in ("one", "two"):
        (plugin / "agents" / f"{name}.md").write_text(
            f"---\nname: {name}\ndescription: Use for {name} work.\n---\n\nYou are careful.\n", encoding="utf-8"
        )
    (market / "agents").mkdir()
    _write(market / "agents", "alone-agent", "Use for work of its own.")
    marketplace = {"name": "Market", "plugins": [{"name": "p", "source": "./plugins/p", "category": "Testing"}]}
    _json(market / ".claude-plugin" / "marketplace.json", marketplace)
    _json(plugin / ".claude-plugin" / "plugin.json", {"name": "p", "agents": ["./agents/one.md"]})
    config_file, served, clean = _first_serve(tmp_path, market)

    def one() -> str:
        return (served / "agents" / "one.html").read_text(encoding="utf-8")

    def marketplace_moved_back() -> None:
        (market / "claude-plugin-old").rename(market / ".claude-plugin")
        _json(market / ".claude-plugin" / "marketplace.json", {**marketplace, "name": "Renamed market"})

    # Each step, what agent one's page says after it and what it no longer says: the step
    # changed the page, and the served site is the clean one.
    steps: list[tuple[Callable[[], object], str, str]] = [
        # The marketplace edited: another category, another plugin name (plugin.json's wins).
        (
            lambda: _json(
                market / ".claude-plugin" / "marketplace.json",
                {"name": "Market", "plugins": [{"name": "q", "source": "./plugins/p", "category": "Security"}]},
            ),
            ">Security<",
            ">Testing<",
        ),
        # The plugin.json moved out of its .claude-plugin folder (no longer a manifest), and back.
        (
            lambda: (plugin / ".claude-plugin" / "plugin.json").rename(plugin / "plugin.json.old"),
            ">plugin: q<",
            ">plugin: p<",
        ),
        (
            lambda: (plugin / "plugin.json.old").rename(plugin / ".claude-plugin" / "plugin.json"),
            ">plugin: p<",
            ">plugin: q<",
        ),
        # The marketplace moved away: no category from it; back, renamed in the move.
        (lambda: (market / ".claude-plugin").rename(market / "claude-plugin-old"), ">plugin: p<", ">Security<"),
        (marketplace_moved_back, ">Testing<", ">Security<"),
        # The marketplace broken (a finding for it, the folders name things), then mended.
        (
            lambda: (market / ".claude-plugin" / "marketplace.json").write_text("{", encoding="utf-8"),
            ">plugin: p<",
            ">Testing<",
        ),
        (lambda: _json(market / ".claude-plugin" / "marketplace.json", marketplace), ">Testing<", "Renamed market"),
        # An extension manifest beside the agents folders: their agents are Gemini CLI's; gone again.
        (lambda: _json(market / "gemini-extension.json", {"name": "ext"}), ">Gemini CLI<", ">Claude Code<"),
        (
            lambda: (market / "gemini-extension.json").rename(market / "gemini-extension.json.old"),
            ">Claude Code<",
            ">Gemini CLI<",
        ),
    ]
    for step, shown, gone in steps:
        step()
        _serve_build(config_file, served, first=False)
        _assert_as_clean(config_file, served, clean)
        assert shown in one() and gone not in one(), (shown, gone)


def test_serve_follows_an_agent_joining_and_leaving_its_entry_for_other_tools(tmp_path: Path) -> None:
    """Definitions of one agent for several tools are one page (catalog.model.variants): a file for
    another tool added, edited, renamed out of the entry and back, and the entry's first
    file removed; after each dirty build the served site is the clean one."""
    repo = tmp_path / "repo"

    def put(rel: str, name: str, description: str) -> None:
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(
            f"---\nname: {name}\ndescription: {description}\n---\n\nYou review.\n", encoding="utf-8"
        )

    put(".claude/agents/reviewer.md", "reviewer", "Reviews code.")
    put(".claude/agents/tester.md", "tester", "Writes tests.")
    config_file, served, clean = _first_serve(tmp_path, repo)
    steps: list[tuple[Callable[[], object], set[str]]] = [
        (lambda: put(".cursor/agents/reviewer.md", "reviewer", "Reviews code in Cursor."), {"reviewer", "tester"}),
        (lambda: put(".cursor/agents/reviewer.md", "Reviewer", "Reviews code, edited."), {"reviewer", "tester"}),
        (lambda: put(".cursor/agents/reviewer.md", "checker", "Checks code."), {"reviewer", "tester", "checker"}),
        (lambda: put(".cursor/agents/reviewer.md", "reviewer", "Back in."), {"reviewer", "tester"}),
        (lambda: (repo / ".claude" / "agents" / "reviewer.md").unlink(), {"reviewer", "tester"}),
        (lambda: put(".github/agents/reviewer.agent.md", "reviewer", "Copilot's."), {"reviewer", "tester"}),
    ]
    for step, pages in steps:
        step()
        _serve_build(config_file, served, first=False)
        _assert_as_clean(config_file, served, clean)
        assert {p.stem for p in (served / "agents").glob("*.html")} == pages
