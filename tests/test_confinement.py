"""Issue 15 §4: deletion and overwrite are confined to the docs folder, and to what we generate.

The manifest and the journal are input: committed with a pull request, or left by anyone who
can write the docs folder. An entry, with the right digest, that names a file through a
symlinked folder (``docs/x -> ../../outside``), or a file we never generate (a user's page),
must not make ``generate`` remove it; a page we generated for an agent that is gone still goes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.layout import RenderOptions, is_generated_path
from catalog.output.docs_folder import JOURNAL, MANIFEST, digest
from catalog.pipeline import generate_docs, scan_catalog
from catalog.render.pages import render_catalog
from tests.hostile_fixtures import agent, write
from tests.hostile_support import run_cli, text_of

ROOT = Path(__file__).resolve().parents[1]
PRECIOUS = b"a file generate must never remove\n"

# Where the entry leads: (folder made in docs, where it points, the entry's path in docs).
ESCAPES = {
    "symlinked folder out of the tree": ("x", "../../outside", "x/precious.md"),
    "symlinked agents folder out of the tree": ("agents", "../../outside", "agents/precious.md"),
    "symlinked downloads folder out of the tree": ("downloads", "../../outside", "downloads/precious.md.txt"),
    "symlinked folder to a user's folder in docs": ("categories", "mine", "categories/precious.md"),
    "a user's page in docs": (None, None, "guide.md"),
    "a user's page in a folder we write": (None, None, "assets/mine.js"),
    "a page below an agent page's folder": (None, None, "agents/deeper/precious.md"),
    "a name we never give a page": (None, None, "agents/Precious.md"),
}


def _project(tmp_path: Path, case: str) -> tuple[Path, Path]:
    """A catalog, a docs folder generated once, and the file the entry names; returns the
    docs folder and where that file really is."""
    write(tmp_path / "repo" / "agents" / "fine.md", agent("name: fine\ndescription: Fine."))
    docs = tmp_path / "repo" / "docs"
    generate_docs([str(tmp_path / "repo" / "agents")], docs, RenderOptions())
    folder, points_to, rel = ESCAPES[case]
    if folder is not None and points_to is not None:
        target_folder = (docs / points_to).resolve()
        target_folder.mkdir(parents=True, exist_ok=True)
        link = docs / folder
        if link.is_dir() and not link.is_symlink():
            for child in link.iterdir():
                child.unlink()
            link.rmdir()
        link.symlink_to(points_to, target_is_directory=True)
        real = target_folder / Path(rel).name
    else:
        real = docs / rel
    write(real, PRECIOUS)
    return docs, real


@pytest.mark.parametrize("entry_in", [MANIFEST, JOURNAL])
@pytest.mark.parametrize("case", sorted(ESCAPES))
def test_a_manifest_entry_cannot_remove_what_we_would_not_generate(tmp_path: Path, case: str, entry_in: str) -> None:
    docs, real = _project(tmp_path, case)
    rel = ESCAPES[case][2]
    listed = json.loads((docs / MANIFEST).read_text(encoding="utf-8"))
    if entry_in == MANIFEST:
        listed[rel] = digest(PRECIOUS)
        (docs / MANIFEST).write_text(json.dumps(listed), encoding="utf-8")
    else:
        (docs / JOURNAL).write_text(json.dumps({rel: [digest(PRECIOUS)]}), encoding="utf-8")

    result = run_cli(["generate", "agents", "--docs-dir", "docs", "--no-cache"], tmp_path / "repo")
    assert result.returncode == 0, text_of(result)
    assert real.read_bytes() == PRECIOUS, f"{real} was removed or changed"
    assert f"{rel}: left alone" in text_of(result), text_of(result)
    assert rel not in json.loads((docs / MANIFEST).read_text(encoding="utf-8")), "the entry is dropped"


def test_a_page_whose_agent_is_gone_is_still_removed(tmp_path: Path) -> None:
    write(tmp_path / "agents" / "fine.md", agent("name: fine\ndescription: Fine."))
    write(tmp_path / "agents" / "gone.md", agent("name: gone\ndescription: Going."))
    docs = tmp_path / "docs"
    generate_docs([str(tmp_path / "agents")], docs, RenderOptions())
    (tmp_path / "agents" / "gone.md").unlink()
    outcome = generate_docs([str(tmp_path / "agents")], docs, RenderOptions())
    assert set(outcome.write.removed) == {"agents/gone.md", "downloads/gone.md.txt", "agents/gone.json"}
    assert not (docs / "agents" / "gone.md").exists()


def test_every_file_generate_writes_is_in_the_layout(tmp_path: Path) -> None:
    """The layout the manifest is held to is every file we write, for a catalog with
    collections, categories, plugins and numbered page names."""
    write(tmp_path / "repo" / ".claude-plugin" / "marketplace.json", '{"name": "Market", "plugins": []}')
    for collection in ("one", "two"):
        for category in ("Data & AI", "data-ai", "ops"):
            write(
                tmp_path / "repo" / collection / "agents" / category / "x.md",
                agent(f"name: Same Name\ndescription: In {collection}/{category}."),
            )
    catalog = scan_catalog([str(tmp_path / "repo"), str(ROOT / "agents")])
    pages = render_catalog(catalog, RenderOptions())
    assert len(pages) > 20
    outside = sorted(rel for rel in pages if not is_generated_path(rel))
    assert not outside, f"generated but not in catalog.layout's list of generated files: {outside}"
    for rel in ("guide.md", "agents/x/y.md", "agents/.md", "agents/A.md", "../index.md", "assets/mine.js"):
        assert not is_generated_path(rel), rel
