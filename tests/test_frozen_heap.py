"""The catalog and its pages are out of the garbage collector's reach while MkDocs builds them
(``catalog.parallel.frozen_heap``), and back in it once the build is over, whether it succeeded
or failed: nothing is held from collection after a build."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from catalog.mkdocs_site.build import prepare_mkdocs
from catalog.parallel import frozen_heap

REPO = Path(__file__).resolve().parents[1]

# Notes the frozen objects while MkDocs reads and writes pages; fails one page on demand.
HOOKS = """
import gc
from pathlib import Path

def note(config):
    with Path(config.config_file_path).with_name("frozen.txt").open("a") as record:
        record.write(f"{gc.get_freeze_count()}\\n")

def on_page_markdown(markdown, page, config, files):
    note(config)
    return markdown

def on_page_context(context, page, config, nav):
    if page.file.src_uri == "index.md" and config.extra.get("fail"):
        raise RuntimeError("a hook that fails")
    note(config)
    return context
"""


def _project(tmp_path: Path, fail: bool) -> Path:
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (project / "agents").symlink_to(REPO / "agents")
    (project / "hooks.py").write_text(HOOKS, encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        "site_name: Frozen\nuse_directory_urls: false\ntheme:\n  name: material\n  font: false\n"
        "markdown_extensions: [toc, tables, admonition]\nplugins: [search, agent-catalog]\n"
        f"hooks: [hooks.py]\nextra:\n  fail: {str(fail).lower()}\n",
        encoding="utf-8",
    )
    return project


def test_the_heap_is_frozen_while_mkdocs_builds_and_let_go_after(tmp_path: Path) -> None:
    project = _project(tmp_path, fail=False)
    before = gc.get_freeze_count()
    prepare_mkdocs(project / "mkdocs.yml", project / "site")()
    frozen = [int(line) for line in (project / "frozen.txt").read_text(encoding="utf-8").split()]
    assert len(frozen) > 20 and min(frozen) > before  # every page read and written, frozen
    assert gc.get_freeze_count() == before
    assert (project / "site" / "agents" / "agents" / "api-designer.html").is_file()


def test_a_failed_build_lets_the_heap_go(tmp_path: Path) -> None:
    project = _project(tmp_path, fail=True)
    before = gc.get_freeze_count()
    with pytest.raises(RuntimeError, match="a hook that fails"):
        prepare_mkdocs(project / "mkdocs.yml", project / "site")()
    assert gc.get_freeze_count() == before


def test_blocks_nest() -> None:
    before = gc.get_freeze_count()
    with frozen_heap():
        held = [object() for _ in range(3)]
        with frozen_heap():
            pass
        assert gc.get_freeze_count() >= before + len(held)  # the inner block let nothing go
    assert gc.get_freeze_count() == before


def test_workers_collect_young_objects_less_often_and_this_process_as_before() -> None:
    """Forked in a process of one thread (a subprocess: an xdist worker runs several)."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        """
        import gc, os
        from catalog.parallel import WORKER_GC_THRESHOLD, map_forked

        def threshold(n):
            return os.getpid(), gc.get_threshold()

        mine = gc.get_threshold()
        seen = map_forked(threshold, list(range(64)), at_least=1, jobs=2)
        workers = {pid for pid, _ in seen} - {os.getpid()}
        assert workers, "no worker forked"
        assert {t for _, t in seen} == {(WORKER_GC_THRESHOLD, *mine[1:])}, seen
        assert gc.get_threshold() == mine
        print("ok")
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "ok", result.stderr
