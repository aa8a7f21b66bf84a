"""No output grows faster than the catalog (issue 15, section 6), at small sizes and untimed.

The issue's sizes (1,000 categories, 2,000 names of one page name, 10,000 files of one name)
and their time and memory are in benchmarks/bench_hostile.py. Here: a page of the site does
not grow with the number of categories or collections, and a finding about a group of files
names a few of them and counts the rest, so the findings of n files are O(n) bytes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from catalog.cli.main import main
from catalog.layout import RenderOptions
from catalog.mkdocs_site.build import default_config
from catalog.model.names import NAMED_IN_GROUP, Numbering, slugify, some_of, unique_slugs
from catalog.pipeline import scan_catalog
from catalog.render.pages import render_catalog
from tests.scale_fixtures import (
    one_line_agent,
    slug_alike_names,
    write_categories,
    write_collections,
    write_same_name,
    write_slug_alike,
)

LONGEST_FINDING = 400  # bytes: a path, a name, a few other paths and a count


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


# --- pages ---------------------------------------------------------------------------------


def test_the_sidebar_does_not_list_each_category_or_collection() -> None:
    few = default_config(Path("docs"), "Site", [f"c{i}" for i in range(20)], [f"k{i}" for i in range(20)])
    many = default_config(Path("docs"), "Site", [f"c{i}" for i in range(200)], [f"k{i}" for i in range(200)])
    assert few == many
    assert "categories/index.md" in many and "collections/index.md" in many


@pytest.fixture(scope="module")
def agent_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[int, bytes]:
    """The same agent's built page in a site of 12 agents over 12 categories and over 1."""
    root = tmp_path_factory.mktemp("categories")
    pages = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        for categories in (12, 1):
            write_categories(root / f"agents-{categories}", 12, categories)
            code, _, stderr = run("build", f"agents-{categories}", "--site-dir", f"site-{categories}")
            assert code == 0, stderr
            pages[categories] = (root / f"site-{categories}" / "agents" / "agent-00000.html").read_bytes()
    return pages


@pytest.mark.slow
def test_a_built_agent_page_is_the_same_whatever_the_number_of_categories(agent_pages: dict[int, bytes]) -> None:
    # Agent 0 is in category-00000 in both sites: what else differs grows with the categories.
    assert len(agent_pages[12]) == len(agent_pages[1])
    assert agent_pages[12] == agent_pages[1]


@pytest.mark.slow
def test_generated_pages_do_not_grow_with_the_number_of_categories(tmp_path: Path) -> None:
    sizes = {}
    for categories in (20, 200):
        write_categories(tmp_path / str(categories), 200, categories)
        pages = render_catalog(scan_catalog([str(tmp_path / str(categories))]), RenderOptions())
        sizes[categories] = {rel: len(text) for rel, text in pages.items()}
    agent_pages = [rel for rel in sizes[20] if rel.startswith(("agents/", "downloads/"))]
    assert len(agent_pages) == 600  # each agent's page, download and record (agents/<slug>.json)
    assert all(sizes[20][rel] == sizes[200][rel] for rel in agent_pages)
    # Each category's page lists its own agents only; the index of categories lists them all.
    assert max(size for rel, size in sizes[200].items() if re.fullmatch(r"categories/category-\d+\.md", rel)) < 2000
    assert "categories/index.md" in sizes[20] and "categories/index.md" in sizes[200]


def test_the_index_of_categories_links_every_category_and_takes_no_categorys_name(tmp_path: Path) -> None:
    folder = tmp_path / "agents"
    folder.mkdir()
    for name, category in (("a", "index"), ("b", "Index"), ("c", "data"), ("d", None)):
        (folder / f"{name}.md").write_text(one_line_agent(name, category), encoding="utf-8")
    pages = render_catalog(scan_catalog([str(folder)]), RenderOptions())
    listing = str(pages["categories/index.md"])
    links = re.findall(r'href="([^"]+)"', listing)
    # "index" and "Index" are one category (one spelling), whose page cannot be index.md.
    assert links == ["../index.html", "data.html", "index-2.html", "uncategorized.html"]
    assert "3 categories" in listing
    assert "# Index" in str(pages["categories/index-2.md"]) and "categories/index-3.md" not in pages


# --- findings about groups -----------------------------------------------------------------


def _lint_output(name: str, write: object, count: int) -> tuple[int, str]:
    folder = f"{name}-{count}"
    write(Path(folder), count)  # type: ignore[operator]
    code, stdout, stderr = run("lint", folder)
    assert "Traceback" not in stderr
    return code, stdout


@pytest.mark.parametrize(
    ("code", "write"),
    [("AC301", write_same_name), ("AC140", write_slug_alike), ("AC302", write_collections)],
    ids=["same name", "same page name", "same name in many collections"],
)
def test_findings_about_a_group_grow_linearly_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str, write: object
) -> None:
    monkeypatch.chdir(tmp_path)
    outputs = {count: _lint_output(code, write, count)[1] for count in (100, 200)}
    for count, output in outputs.items():
        lines = [line for line in output.splitlines() if f" {code} " in line]
        assert len(lines) >= count - 1, output[:2000]  # one finding a file (AC140: all but the first)
        assert max(len(line.encode()) for line in lines) < LONGEST_FINDING, max(lines, key=len)
        assert (
            f"and {count - 1 - NAMED_IN_GROUP:,} more" in output or f"and {count - 2 - NAMED_IN_GROUP:,} more" in output
        )
    assert len(outputs[200]) < 2.1 * len(outputs[100])


def test_a_duplicate_names_the_first_few_others_in_path_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = "agents"
    write_same_name(Path(folder), 6)
    code, stdout, _ = run("lint", folder)
    assert code == 1
    first = stdout.splitlines()[0]
    others = ", ".join(f"{folder}/agent-0000{i}.md" for i in (1, 2, 3))
    assert first == f"{folder}/agent-00000.md:2:1: AC301 name 'helper' is also used by {others} and 2 more"


def test_names_of_one_page_name_get_numbered_pages_in_path_order(tmp_path: Path) -> None:
    folder = tmp_path / "agents"
    write_slug_alike(folder, 30)
    catalog = scan_catalog([str(folder)])
    by_path = {agent.display_path.rsplit("/", 1)[1]: agent.slug for agent in catalog.agents}
    assert by_path["agent-00000.md"] == "helper"
    assert [by_path[f"agent-{i:05d}.md"] for i in range(1, 30)] == [f"helper-{n}" for n in range(2, 31)]
    assert len(set(slug_alike_names(30))) == 30


def test_some_of_names_a_few_and_counts_the_rest() -> None:
    assert some_of(["a"], 1) == "a"
    assert some_of(["a", "b", "c"], 3) == "a, b, c"
    assert some_of(["a", "b", "c", "d"], 4) == "a, b, c and 1 more"
    assert some_of(["a", "b", "c"], 10_000) == "a, b, c and 9,997 more"


def _numbered_naively(bases: list[str]) -> list[str]:
    """What Numbering replaced: count up from 1 for every name."""
    taken: set[str] = set()
    result = []
    for base in bases:
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        taken.add(slug)
        result.append(slug)
    return result


@given(st.lists(st.sampled_from(["a", "a-2", "a-3", "b", "a-2-2", "b-2", "c"]), max_size=40))
def test_numbering_gives_what_counting_from_one_each_time_gives(bases: list[str]) -> None:
    numbering = Numbering()
    assert [numbering.next(base) for base in bases] == _numbered_naively(bases)


@given(st.lists(st.text(alphabet="aA-. b", max_size=4), max_size=30))
def test_unique_slugs_are_unique_and_never_reserved(values: list[str]) -> None:
    slugs = unique_slugs(values, ("index", "a"))
    assert len(set(slugs.values())) == len(slugs) == len(set(values))
    assert not {"index", "a"} & set(slugs.values())
    assert all(slug.startswith(slugify(value)) for value, slug in slugs.items())


def _plugin_sidebar(root: Path, categories: int) -> list[str]:
    """The sidebar MkDocs makes (no ``nav`` in mkdocs.yml) for a site with the plugin, of 24
    agents over ``categories`` categories: its pages, as paths."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import get_navigation

    project = root / str(categories)
    write_categories(project / "agents", 24, categories)
    (project / "docs").mkdir()
    (project / "docs" / "index.md").write_text("# Handbook\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        "site_name: Handbook\nplugins:\n  - agent-catalog:\n      sources: [agents]\n      path: catalog/\n",
        encoding="utf-8",
    )
    loaded = load_config(str(project / "mkdocs.yml"))
    config = loaded.plugins.on_config(loaded)
    files = config.plugins.on_files(Files([]), config=config)
    try:
        return [page.file.src_uri for page in get_navigation(files, config).pages]
    finally:
        # The build goes no further: the plugin lets go of the heap it froze in on_files.
        config.plugins.on_shutdown()


def test_the_plugins_pages_in_a_sidebar_of_mkdocs_own_making_do_not_grow_with_the_catalog(tmp_path: Path) -> None:
    few, many = _plugin_sidebar(tmp_path, 2), _plugin_sidebar(tmp_path, 24)
    assert few == many
    assert sorted(many) == ["catalog/categories/index.md", "catalog/index.md", "catalog/rules.md"]
