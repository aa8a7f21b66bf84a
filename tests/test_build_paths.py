"""The two ways `build` hands pages to MkDocs give the same site.

With the built-in configuration the agent-catalog plugin adds the pages in memory, finished;
with a user's mkdocs.yml without the plugin, or another engine, the pages are written to a
docs folder first (and the plugin, added without sources, finishes them there). Same agents, same configuration: the
same bytes in every file of the site.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from catalog import pipeline
from catalog.layout import RenderOptions
from catalog.mkdocs_site.build import SiteConfig
from catalog.output.folders import SITE_MARKER

CATEGORIES = ("Development", "development", "data", "testing")


def write_agents(root: Path, count: int) -> None:
    for index in range(count):
        category = CATEGORIES[index % len(CATEGORIES)]
        (root / f"agent-{index:03}.md").write_text(
            f"---\nname: agent-{index:03}\ncategory: {category}\n"
            f"description: Use for task {index}. <example>Context: a case\nuser: do {index}\n"
            f"assistant: I will use agent-{index:03}.</example>\nmodel: sonnet\n---\n\n"
            f"You are agent {index}.\n\n## Rules\n\n- one\n- two <tag>\n",
            encoding="utf-8",
        )


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != SITE_MARKER
    }


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict[str, bytes]]:
    root = tmp_path_factory.mktemp("paths")
    agents = root / "agents"
    agents.mkdir()
    write_agents(agents, 60)  # enough for the forked workers
    built = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1700000000")
        for name, build in (("memory", pipeline._build_in_memory), ("files", pipeline._build_from_docs)):
            site = root / name
            site.mkdir()
            config = SiteConfig(None, root / "docs", site, False, None, None, "Agent catalog")
            with tempfile.TemporaryDirectory() as scratch:
                args = ([str(agents)], config, RenderOptions(), site, Path(scratch), None)
                if build is pipeline._build_from_docs:
                    outcome, _, warnings = pipeline._build_from_docs(*args, "mkdocs", None)
                else:
                    outcome, _, warnings = pipeline._build_in_memory(*args)
            assert outcome.agents == 60 and warnings == ()
            built.append(tree(site))
    return built[0], built[1]


def test_pages_from_memory_and_from_files_give_the_same_site(sites: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    memory, files = sites
    assert sorted(memory) == sorted(files)
    assert [rel for rel in memory if memory[rel] != files[rel]] == []
    assert len([rel for rel in memory if rel.startswith("agents/") and rel.endswith(".html")]) == 60
    assert len([rel for rel in memory if rel.startswith("agents/") and rel.endswith(".json")]) == 60  # records


def test_categories_that_differ_only_in_case_are_one_category(
    sites: tuple[dict[str, bytes], dict[str, bytes]],
) -> None:
    memory, _ = sites
    page = memory["categories/development.html"]
    # 60 agents over 4 spellings of 3 categories: "Development" and "development" are one.
    assert page.count(b'class="ac-agent"') == 30, page.count(b'class="ac-agent"')
    assert b"agent-000" in page and b"agent-001" in page
    assert "categories/development-2.html" not in memory
    assert b"categories/development.html" in memory["agents/agent-001.html"]


def test_categories_are_listed_alphabetically_whatever_their_case(
    sites: tuple[dict[str, bytes], dict[str, bytes]],
) -> None:
    overview = sites[0]["index.html"].decode("utf-8")
    nav = [overview.find(f'href="categories/{page}.html"') for page in ("data", "development")]
    nav.append(overview.find('href="categories/testing.html"'))
    assert -1 not in nav and nav == sorted(nav), nav
