"""An agent page stays within its budget (``render.PAGE_BUDGET``, 50 KB) when it can: a long
prompt is rendered once, and the page leaves out the file's exact copy rather than pass it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from catalog.discover.manifests import cut_group_name
from catalog.pipeline import scan_catalog
from catalog.render.pages import PAGE_BUDGET, render_catalog
from catalog.render.textsafe import PAGE_LIST_LIMIT
from catalog.types import FINDINGS_PER_CODE, Catalog


def write_agent(root: Path, name: str, body: str) -> None:
    (root / ".claude" / "agents").mkdir(parents=True, exist_ok=True)
    text = f"---\nname: {name}\ndescription: Helps with {name}.\n---\n\n{body}"
    (root / ".claude" / "agents" / f"{name}.md").write_text(text, encoding="utf-8")


def test_a_long_prompt_leaves_out_the_copy_not_the_budget(tmp_path: Path) -> None:
    paragraph = "You check every query plan and every index before you answer the user. " * 4
    write_agent(tmp_path, "short", "## Role\n\n" + paragraph)
    write_agent(tmp_path, "long", "".join(f"## Part {n}\n\n{paragraph}\n\n" for n in range(80)))  # ~30 KB
    pages = render_catalog(scan_catalog([str(tmp_path)]))
    short, long = str(pages["agents/short.md"]), str(pages["agents/long.md"])
    assert 'id="ac-raw-text"' in short and 'data-ac-copy="ac-raw-text"' in short and "data-ac-download" in short
    assert len(long.encode()) <= PAGE_BUDGET
    assert (
        'id="ac-raw-text"' not in long and 'data-ac-copy="ac-raw-text"' not in long and "data-ac-download" not in long
    )
    assert long.count("### Part 79") == 1 and long.count("You check every query plan") == 80 * 4  # once
    assert 'download="long.md"' in long  # still downloadable
    assert pages["downloads/long.md.txt"] == (tmp_path / ".claude" / "agents" / "long.md").read_text(encoding="utf-8")


def test_corpus_pages_within_the_budget_or_without_the_copy(corpus_catalog: Catalog) -> None:
    pages = render_catalog(corpus_catalog)
    over = []
    for agent in corpus_catalog.agents:
        if f"agents/{agent.slug}.md" not in pages:
            continue  # a definition its entry's page shows (catalog.model.variants)
        page = str(pages[f"agents/{agent.slug}.md"])
        if len(page.encode()) > PAGE_BUDGET:
            assert 'id="ac-raw-text"' not in page, agent.display_path
            over.append(agent.display_path)
    # Only files whose prompt, rendered once, is longer than the budget on its own (38-53 KB files).
    assert len(over) <= 3, over


def lists_of(count: int) -> dict[str, str]:
    """One agent for three tools whose files give ``count`` tools, denied tools, tags,
    frontmatter keys (each a finding: a date YAML cannot build) and permission rules."""
    items = range(count)
    claude = (
        f"name: many\ndescription: Has many of everything.\ntools: {', '.join(f't{i}' for i in items)}\n"
        f"disallowedTools: {', '.join(f'd{i}' for i in items)}\ntags: [{', '.join(f'g{i}' for i in items)}]\n"
        + "".join(f"k{i}: 2024-02-30\n" for i in items)
    )
    opencode = "description: Has many of everything.\npermission:\n  bash:\n" + "".join(
        f'    "c{i} *": ask\n' for i in items
    )
    return {
        ".claude/agents/many.md": f"---\n{claude}---\n\nYou help.\n",
        ".cursor/agents/many.md": f"---\n{claude}---\n\nYou help.\n",
        ".opencode/agent/many.md": f"---\n{opencode}---\n\nYou help.\n",
    }


def test_a_page_shows_a_few_of_each_list_however_long_the_file_makes_it(tmp_path: Path) -> None:
    """The class: a list a file gives (tools, denied tools, tags, keys, findings, permission
    rules), on the agent's page and on its entry's page for another tool, costs the page the
    same whatever its length past PAGE_LIST_LIMIT (100,000 tools in a 300 KB file were a
    31 MB page); the record and the download keep every item."""
    sizes = {}
    for count in (PAGE_LIST_LIMIT + 200, 10 * PAGE_LIST_LIMIT):
        root = tmp_path / str(count)
        for rel, text in lists_of(count).items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        catalog = scan_catalog([str(root)])
        assert {a.format.value for a in catalog.agents} == {"claude-code", "cursor", "opencode"}
        # A finding for each key, at most FINDINGS_PER_CODE and one counting the rest, in each file
        assert sum(f.code == "AC118" for f in catalog.findings) == 2 * (FINDINGS_PER_CODE + 1)
        pages = render_catalog(catalog)
        page = str(pages["agents/many.md"])
        sizes[count] = len(page.encode())
        # Tools, denied tools, keys and findings of both files (the entry's and Cursor's), tags
        # of the entry: each list shows PAGE_LIST_LIMIT items and counts the rest.
        assert page.count('<span class="ac-more">and ') == 9, page.count('<span class="ac-more">and ')
        assert f"and {count - PAGE_LIST_LIMIT:,} more</span>" in page  # the tools, the tags, the keys
        assert page.count('<li class="ac-finding ') == 2 * PAGE_LIST_LIMIT
        assert page.count('class="ac-tool"') == 2 * PAGE_LIST_LIMIT
        reported = re.search(r"<code>agent-catalog lint</code> reports (\d+) findings for this file", page)
        assert reported is not None and int(reported[1]) > PAGE_LIST_LIMIT  # all counted, a few shown
        record = json.loads(str(pages["agents/many.json"]))
        assert len(record["tools"]) == len(record["tags"]) == count and len(record["extra"]) >= count
    assert sizes[10 * PAGE_LIST_LIMIT] - sizes[PAGE_LIST_LIMIT + 200] < 200, sizes


def oversized_catalog(root: Path, size: int) -> None:
    """Three plain agents, and one whose every field a reader sees in a list is ``size``
    characters: name, description, model, color, category, a tag, a tool, and its marketplace
    and plugin names."""
    for name in ("alpha", "beta", "gamma"):
        write_agent(root, name, "You help.\n")
    plugin = root / "plugins" / "p"
    (plugin / "agents").mkdir(parents=True)
    (plugin / "agents" / "big.md").write_text(
        f"---\nname: {'n' * size}\ndescription: {'word ' * (size // 5)}\nmodel: {'m' * size}\n"
        f"color: {'r' * size}\ncategory: {'c' * size}\ntags: [{'g' * size}]\ntools: {'t' * size}\n---\n\nYou help.\n",
        encoding="utf-8",
    )
    (root / ".claude-plugin").mkdir()
    marketplace = {"name": "M" * size, "plugins": [{"name": "P" * size, "source": "./plugins/p"}]}
    (root / ".claude-plugin" / "marketplace.json").write_text(json.dumps(marketplace), encoding="utf-8")


def test_one_oversized_file_costs_the_shared_pages_and_other_agents_nothing(tmp_path: Path) -> None:
    """The class: what one agent puts on the pages every reader loads (overview, group pages,
    catalog-data.js, catalog.json) and on other agents' pages is bounded, whatever the length
    of its name, model, color, category, tags, tools, marketplace or plugin name (a 500 KB
    name and a 300 KB model made a 906 KB overview and a 3 MB catalog-data.js)."""
    sizes = {}
    for size in (1_000, 100_000):
        root = tmp_path / str(size)
        oversized_catalog(root, size)
        catalog = scan_catalog([str(root)])
        big = next(a for a in catalog.agents if a.name.startswith("nnn"))
        # Its own model read whole; the marketplace's name, which every agent of it holds, cut.
        assert big.model == "m" * size and big.collection == cut_group_name("M" * size)
        pages = render_catalog(catalog)
        sizes[size] = {rel: len(str(text).encode()) for rel, text in pages.items()}
        mine = {f"agents/{big.slug}.md", f"agents/{big.slug}.json", f"downloads/{big.slug}.md.txt"}
        assert all(rel in pages for rel in mine)
        sizes[size] = {rel: n for rel, n in sizes[size].items() if rel not in mine}
    assert sizes[1_000].keys() == sizes[100_000].keys()
    grown = {rel: sizes[100_000][rel] - sizes[1_000][rel] for rel in sizes[1_000]}
    assert {rel: n for rel, n in grown.items() if n > 2_000} == {}
    assert any(rel.startswith("categories/") for rel in grown) and "assets/catalog-data.js" in grown
