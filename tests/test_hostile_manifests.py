"""Issue 15 §5: manifests are input from strangers, read under the agent files' rules.

``marketplace.json``, ``plugin.json`` and category JSON files that are symlinks out of the
scanned folder (or inside a ``.claude-plugin`` folder that is one) are not read: nothing in
them is published, and a finding says why. A manifest over the size limit, nested too deeply,
or not a regular file (a FIFO would block) is refused with a finding; the agents are built.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from catalog.discover.manifests import MAX_MANIFEST_BYTES
from catalog.pipeline import scan_catalog
from tests.hostile_fixtures import OUTSIDE_SECRET, agent, write
from tests.hostile_support import read_tree, run_cli, text_of

MARKETPLACE = ".claude-plugin/marketplace.json"
PLUGIN = "plugins/p/.claude-plugin/plugin.json"
CATEGORY = "agents/data/category.json"

# Each manifest: where it goes, the agent it would name things for, what it would say.
MANIFESTS = {
    "marketplace": (MARKETPLACE, "plugins/p/agents/x.md", {"name": OUTSIDE_SECRET, "plugins": []}),
    "plugin": (PLUGIN, "plugins/p/agents/x.md", {"name": OUTSIDE_SECRET}),
    "category": (CATEGORY, "agents/data/x.md", {"name": OUTSIDE_SECRET}),
}


def _catalog(root: Path, manifest: str) -> tuple[str, str]:
    rel, agent_rel, _ = MANIFESTS[manifest]
    write(root / agent_rel, agent("name: x\ndescription: An agent the manifest would describe."))
    write(root / "agents" / "fine.md", agent("name: fine\ndescription: Fine."))
    return rel, agent_rel


def _published(catalog_root: Path) -> str:
    catalog = scan_catalog([str(catalog_root)])
    return json.dumps([[a.collection, a.plugin, a.category, a.marketplace] for a in catalog.agents])


# A category JSON lies in the agents' own folder: that folder symlinked out is not walked at all.
SYMLINKED = [(manifest, how) for manifest in sorted(MANIFESTS) for how in ("the file", "its folder")]


@pytest.mark.parametrize(("manifest", "how"), [m for m in SYMLINKED if m != ("category", "its folder")])
def test_a_manifest_symlinked_out_of_the_tree_is_not_read(tmp_path: Path, manifest: str, how: str) -> None:
    root = tmp_path / "repo"
    rel, _ = _catalog(root, manifest)
    outside = tmp_path / "outside"
    write(outside / Path(rel).name, json.dumps(MANIFESTS[manifest][2]))
    link = root / rel if how == "the file" else (root / rel).parent
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside / Path(rel).name if how == "the file" else outside)

    catalog = scan_catalog([str(root)])
    assert OUTSIDE_SECRET not in _published(root)
    refused = [f for f in catalog.findings if f.path == f"{root}/{rel}"]
    assert [(f.code, f.line) for f in refused] == [("AC132", 1)], catalog.findings
    assert "outside the scanned folder" in refused[0].message
    assert {a.name for a in catalog.agents} == {"x", "fine"}

    result = run_cli(["generate", "repo", "--docs-dir", "docs"], tmp_path)
    assert result.returncode == 0, text_of(result)
    assert f"repo/{rel}:1:1: AC132 " in text_of(result)
    for name, data in read_tree(tmp_path / "docs").items():
        assert OUTSIDE_SECRET.encode() not in data, f"docs/{name} publishes a manifest from outside the tree"


@pytest.mark.parametrize("manifest", sorted(MANIFESTS))
def test_a_manifest_symlinked_inside_the_tree_is_read(tmp_path: Path, manifest: str) -> None:
    root = tmp_path / "repo"
    rel, _ = _catalog(root, manifest)
    write(root / "shared" / "real.json", json.dumps({**MANIFESTS[manifest][2], "name": "Inside"}))
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).symlink_to(os.path.relpath(root / "shared" / "real.json", (root / rel).parent))
    assert "Inside" in _published(root)
    assert not [f for f in scan_catalog([str(root)]).findings if f.code in ("AC130", "AC132")]


def _too_large() -> str:
    return json.dumps({"name": "big", "plugins": [], "pad": "x" * (MAX_MANIFEST_BYTES + 1)})


def _too_deep() -> str:
    return '{"name": "deep", "plugins": [], "x": ' + "[" * 65 + "]" * 65 + "}"


@pytest.mark.parametrize("manifest", sorted(MANIFESTS))
@pytest.mark.parametrize(
    ("problem", "content", "message"),
    [
        ("too large", _too_large, "byte limit"),
        ("too deep", _too_deep, "nested more than 64 levels"),
        ("a FIFO", None, "not a regular file"),
        ("not UTF-8", lambda: b'{"name": "caf\xe9"}', "utf-8"),
    ],
)
def test_a_manifest_over_a_limit_is_refused_with_a_finding(
    tmp_path: Path, manifest: str, problem: str, content: object, message: str
) -> None:
    root = tmp_path / "repo"
    rel, _ = _catalog(root, manifest)
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    if content is None:
        os.mkfifo(root / rel)  # opened, it would block the run forever
    else:
        data = content()  # type: ignore[operator]
        write(root / rel, data)
    result = run_cli(["scan", "--json", "repo"], tmp_path, timeout=60)
    assert result.returncode == 0, text_of(result)
    lines = [line for line in result.stderr.decode().splitlines() if line.startswith(f"repo/{rel}:")]
    assert len(lines) == 1 and " AC130 " in lines[0] and message in lines[0].lower(), text_of(result)
    names = {a["name"] for a in json.loads(result.stdout)["agents"]}
    assert names == {"x", "fine"}


def _long(tag: str) -> str:
    # Escapes and characters past the BMP: the file spells a name otherwise than it reads.
    return f"{tag} caf\u00e9 \U0001f600 " + "n" * 250


# Each place a manifest names a group: the manifest, written with the long names on lines of
# their own, and the names it gives (in the order of the file).
GROUP_MANIFESTS = {
    "marketplace name and plugin entries": (
        MARKETPLACE,
        json.dumps(
            {
                "name": _long("market"),
                "plugins": [
                    {"name": _long(f"plugin {i}"), "source": f"./plugins/p{i}", "category": _long("shared")}
                    for i in range(3)
                ],
            },
            indent=2,
        ),
    ),
    "plugin.json name": (PLUGIN, json.dumps({"agents": ["./agents/x.md"], "name": _long("plugin")}, indent=2)),
    "category JSON name": (CATEGORY, json.dumps({"agents": {}, "name": _long("category")}, indent=2)),
    "collection.yml id": (
        "collections/c.collection.yml",
        f"name: C\ndescription: d\nid: '{_long('collection')}'\nitems:\n  - path: agents/data/x.md\n",
    ),
}


@pytest.mark.parametrize("manifest", sorted(GROUP_MANIFESTS))
def test_a_cut_group_name_is_reported_at_its_line(tmp_path: Path, manifest: str) -> None:
    """AC130 for a name cut past 200 characters points at the line that writes it (each of the
    same name at its own line), not at the manifest's first line."""
    rel, text = GROUP_MANIFESTS[manifest]
    write(tmp_path / rel, text.replace("\u00e9", "\\u00e9") if rel.endswith(".json") else text)
    write(tmp_path / "plugins/p/agents/x.md", agent("name: x\ndescription: An agent of a plugin."))
    write(tmp_path / "agents/data/x.md", agent("name: y\ndescription: An agent of a category."))
    if rel.startswith("collections/"):
        write(tmp_path / ".github/plugin/marketplace.json", json.dumps({"name": "m", "plugins": []}))
    expected = [i for i, line in enumerate(text.splitlines(), 1) if "n" * 250 in line]
    found = [f for f in scan_catalog([str(tmp_path)], jobs=1).findings if f.code == "AC130"]
    assert sorted(f.line for f in found if f.path.endswith(rel)) == expected, found
