"""An agent page stays within its budget (``render.PAGE_BUDGET``, 50 KB) when it can: a long
prompt is rendered once, and the page leaves out the file's exact copy rather than pass it."""

from __future__ import annotations

from pathlib import Path

from catalog.pipeline import scan_catalog
from catalog.render import PAGE_BUDGET, render_catalog
from catalog.types import Catalog


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
            continue  # a definition its entry's page shows (catalog.variants)
        page = str(pages[f"agents/{agent.slug}.md"])
        if len(page.encode()) > PAGE_BUDGET:
            assert 'id="ac-raw-text"' not in page, agent.display_path
            over.append(agent.display_path)
    # Only files whose prompt, rendered once, is longer than the budget on its own (38-53 KB files).
    assert len(over) <= 3, over
