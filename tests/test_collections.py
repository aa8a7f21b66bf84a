"""Which folders are collections: what the data says (a marketplace, a repository's files, an
agents layout), never any folder. Scanning one repository made its src/, tools/, examples/
"collections" of one agent each; a folder of repositories keeps one collection per repository."""

from __future__ import annotations

import itertools
import json
import re
import shutil
from pathlib import Path

import pytest

from catalog.discover.find import find_agent_files
from catalog.lint.check import lint_catalog
from catalog.pipeline import scan_catalog

AGENT = "---\nname: {name}\ndescription: An agent.\n---\nYou help.\n"

# What makes the scanned folder one repository: its own files, or its agents at its top.
REPOSITORY = {
    "version control": {".git/HEAD": "ref: refs/heads/main\n"},
    "Claude Code agents": {".claude/agents/lead.md": AGENT.format(name="lead")},
    "Copilot agents": {".github/agents/lead.agent.md": AGENT.format(name="lead")},
    "opencode agents": {".opencode/agent/lead.md": AGENT.format(name="lead")},
    "Codex agents": {".codex/agents/lead.toml": 'name = "lead"\ndeveloper_instructions = "Lead."\n'},
    "Roo Code modes": {".roomodes": "customModes:\n  - slug: lead\n    name: Lead\n    roleDefinition: Lead.\n"},
    "an agents folder": {"agents/lead.md": AGENT.format(name="lead")},
}
# A repository's own folders, holding an agent a file's content makes one (a README in one
# does not make it a repository of its own).
OWN_FOLDERS = {
    "src": "src/helper.md",
    "examples": "examples/reviewer/helper.md",
    "site": "site/content/helper.md",
}


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def collections(root: Path) -> dict[str, str | None]:
    return {s.rel_path: s.collection for s in find_agent_files([str(root)]).sources}


@pytest.mark.parametrize(("folder", "rel"), sorted(OWN_FOLDERS.items()))
@pytest.mark.parametrize("kind", sorted(REPOSITORY))
def test_a_repositorys_own_folders_are_no_collections(tmp_path: Path, kind: str, folder: str, rel: str) -> None:
    own = {rel: AGENT.format(name="helper"), f"{folder}/README.md": "# Part\n", "README.md": "# Repo\n"}
    write(tmp_path, {**REPOSITORY[kind], **own})
    found = collections(tmp_path)
    assert found[rel] is None, found
    assert set(found.values()) == {None}


# Each top folder of a folder of collections is one when it looks like one.
COLLECTION_ROOTS = {
    "a README": {"README.md": "# Agents\n"},
    "a license": {"LICENSE": "MIT\n"},
    "version control": {".git/HEAD": "ref\n"},
    "an agents folder": {},
    "a plugin manifest": {".claude-plugin/plugin.json": '{"name": "kit"}'},
}


@pytest.mark.parametrize(("first", "second"), list(itertools.combinations(sorted(COLLECTION_ROOTS), 2)))
def test_a_folder_of_repositories_has_one_collection_each(tmp_path: Path, first: str, second: str) -> None:
    write(tmp_path, {"README.md": "# My agents\n"})  # a folder of collections may have its own README
    for name, kind in (("acme", first), ("volt", second)):
        write(tmp_path / name, {**COLLECTION_ROOTS[kind], "agents/helper.md": AGENT.format(name=name)})
    assert collections(tmp_path) == {"acme/agents/helper.md": "acme", "volt/agents/helper.md": "volt"}


def test_a_repositorys_loose_agents_are_grouped_by_their_top_folder(tmp_path: Path) -> None:
    # contains-studio/agents scanned alone: design/, marketing/ were collections of their own.
    write(
        tmp_path,
        {
            "README.md": "# Studio\n",
            "design/ui-designer.md": AGENT.format(name="ui-designer"),
            "marketing/growth-hacker.md": AGENT.format(name="growth-hacker"),
        },
    )
    found = {s.rel_path: (s.collection, s.category) for s in find_agent_files([str(tmp_path)]).sources}
    assert found == {"design/ui-designer.md": (None, "design"), "marketing/growth-hacker.md": (None, "marketing")}


@pytest.mark.parametrize("kind", sorted(REPOSITORY))
def test_a_repositorys_folder_laid_out_as_a_collection_is_one(tmp_path: Path, kind: str) -> None:
    # A repository that ships agents to copy (templates/agents/, a plugin) beside its own.
    write(tmp_path, {**REPOSITORY[kind], "templates/agents/helper.md": AGENT.format(name="helper")})
    write(
        tmp_path, {"kit/.claude-plugin/plugin.json": '{"name": "kit"}', "kit/agents/helper.md": AGENT.format(name="x")}
    )
    found = collections(tmp_path)
    assert (found["templates/agents/helper.md"], found["kit/agents/helper.md"]) == ("templates", "kit")


MODES = (
    "customModes:\n  - slug: code-reviewer\n    name: R\n    roleDefinition: You review.\n    description: Reviews.\n"
)
OPENCODE = '{"agent": {"code-reviewer": {"description": "Reviews.", "prompt": "You review."}}}'


@pytest.mark.parametrize(
    ("rel", "text"),
    [
        (".claude/agents/code-reviewer.md", AGENT.format(name="code-reviewer")),
        (".roomodes", MODES),
        ("opencode.json", OPENCODE),
    ],
)
def test_a_project_inside_a_repository_is_a_group_of_its_own(tmp_path: Path, rel: str, text: str) -> None:
    # sampleXbro/agentsbridge keeps test projects with their own .claude/agents/ under
    # tests/e2e/fixtures/: as part of the repository, their code-reviewer was a false AC301
    # duplicate of the repository's own.
    write(tmp_path, {rel: text, "src/main.py": ""})
    write(tmp_path, {f"tests/fixtures/claude-project/{rel}": text})
    found = {path.split("#")[0]: collection for path, collection in collections(tmp_path).items()}
    assert found == {rel: None, f"tests/fixtures/claude-project/{rel}": "claude-project"}
    found = [f.code for f in lint_catalog(scan_catalog([str(tmp_path)], jobs=1))]
    assert "AC301" not in found


# Two projects of one name in one repository, each way a project below the top is named.
SAME_NAMED_PROJECTS = {
    "tool folders": ("web/app/.claude/agents/a.md", "api/app/.claude/agents/b.md"),
    ".roomodes": ("web/app/.roomodes", "api/app/.roomodes"),
    "a tool folder and a .roomodes": ("web/app/.claude/agents/a.md", "api/app/.roomodes"),
}
ROOMODE = "customModes:\n  - slug: {name}\n    name: X\n    roleDefinition: You help.\n    groups: [read]\n"


@pytest.mark.parametrize("case", SAME_NAMED_PROJECTS)
def test_two_projects_of_one_name_are_two_collections(tmp_path: Path, case: str) -> None:
    files = {".git/HEAD": "ref: refs/heads/main\n"}
    for rel, name in zip(SAME_NAMED_PROJECTS[case], ("a", "b"), strict=True):
        files[rel] = (ROOMODE if rel.endswith(".roomodes") else AGENT).format(name=name)
    write(tmp_path, files)
    catalog = scan_catalog([str(tmp_path)], jobs=1)
    collections = {a.name: a.collection for a in catalog.agents}
    assert collections == {"a": "web/app", "b": "api/app"}  # each named by its folder, as it is unique
    # An "app" project of its own keeps its short name.
    shutil.rmtree(tmp_path / "api")
    assert {a.collection for a in scan_catalog([str(tmp_path)], jobs=1).agents} == {"app"}


@pytest.mark.parametrize("case", SAME_NAMED_PROJECTS)
def test_two_scanned_folders_projects_of_one_name_are_two_collections(tmp_path: Path, case: str) -> None:
    # ``agent-catalog scan web api``: each folder's ``app`` project was named ``app``, one
    # collection of both (and one filter value, one page); as one scanned folder's two are.
    files = {}
    for rel, name in zip(SAME_NAMED_PROJECTS[case], ("a", "b"), strict=True):
        files[f"{rel.split('/')[0]}/.git/HEAD"] = "ref: refs/heads/main\n"
        files[rel] = (ROOMODE if rel.endswith(".roomodes") else AGENT).format(name=name)
    write(tmp_path, files)
    roots = [str(tmp_path / "web"), str(tmp_path / "api")]
    collections = {a.name: a.collection for a in scan_catalog(roots, jobs=1).agents}
    assert collections == {"a": "web/app", "b": "api/app"}
    # Alone, each keeps its short name.
    assert {a.collection for a in scan_catalog(roots[:1], jobs=1).agents} == {"app"}


def test_collections_that_slugify_alike_are_two_filter_values(tmp_path: Path) -> None:
    # ``web/app`` (a project named by its path) and ``web-app`` have a page each (``-2``); the
    # filter keyed both by ``slugify`` ("web-app"), so choosing one listed the other's agents
    # too, and each collection page's filter counted both.
    from catalog.render.pages import render_catalog

    files = {".git/HEAD": "ref: refs/heads/main\n"}
    for rel, name in (("web/app", "a"), ("api/app", "b"), ("web-app", "c")):
        files[f"{rel}/.claude/agents/{name}.md"] = AGENT.format(name=name)
    write(tmp_path, files)
    catalog = scan_catalog([str(tmp_path)], jobs=1)
    assert {a.name: a.collection for a in catalog.agents} == {"a": "web/app", "b": "api/app", "c": "web-app"}
    pages = render_catalog(catalog)
    text = {path: page.decode() if isinstance(page, bytes) else page for path, page in pages.items()}
    data = "".join(page for path, page in sorted(text.items()) if path.startswith("assets/catalog-data"))
    rows = re.findall(r'\["([a-z])","[^"]*",(\{.*?\})', data)  # slug, search text, facets
    keys = {slug: json.loads(facets)["collection"] for slug, facets in rows}
    assert len({key[0] for key in keys.values()}) == 3, keys
    for collection in ("web/app", "api/app", "web-app"):
        page = next(t for p, t in text.items() if p.startswith("collections/") and f"title: {collection}" in t)
        scope = re.search(r'data-ac-scope-value="([^"]*)"', page)
        assert scope is not None
        members = {slug for slug, key in keys.items() if key == [scope.group(1)]}
        assert members == {a.name for a in catalog.agents if a.collection == collection}
