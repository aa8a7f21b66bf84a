"""One category, one model, however the files spell it; and the counts on a page agree.

Categories that differ only in case or separators (``Development``, ``development``,
``data_ai``, ``Data AI``) are one category with one name; model names that differ only so
(``GPT-4.1``, ``gpt-4.1``) are one value of the model facet and one row of the overview.
"""

from __future__ import annotations

import html
import json
import re
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.model.names import slugify, titleize
from catalog.pipeline import scan_catalog
from catalog.render.pages import render_catalog

CATEGORY_SPELLINGS = ("Development", "development", "DEVELOPMENT", "data_ai", "Data AI", "data-ai", "ops")
MODEL_SPELLINGS = ("GPT-4.1", "gpt-4.1", "Gpt 4.1", "sonnet", "Claude Sonnet 4.5", "claude-sonnet-4.5")
# The overview's list of categories: a link to each page, with its count.
CARD = re.compile(
    r'<a class="ac-group" href="categories/[^"]*">([^<]*)&nbsp;<span class="ac-group__count">(\d+)</span>'
)
MODEL_ROW = re.compile(r'<tr><td><code class="ac-counts__model" title="([^"]*)">.*?</code></td><td>(\d+)</td></tr>')


def agent_file(index: int, category: str, models: list[str]) -> str:
    model = f"model: [{', '.join(json.dumps(m) for m in models)}]\n" if models else ""
    return (
        f"---\nname: agent-{index}\ndescription: Agent number {index}.\n"
        f"category: {json.dumps(category)}\n{model}---\nBody.\n"
    )


AGENTS = st.lists(
    st.tuples(
        st.sampled_from(CATEGORY_SPELLINGS),
        st.lists(st.sampled_from(MODEL_SPELLINGS), min_size=0, max_size=3),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=8, deadline=None)
@given(AGENTS)
def test_spellings_of_one_category_or_model_are_one_and_the_counts_agree(
    template_bytecode: Path, agents: list[tuple[str, list[str]]]
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "agents"
        folder.mkdir()
        for index, (category, models) in enumerate(agents):
            (folder / f"agent-{index}.md").write_text(agent_file(index, category, models), encoding="utf-8")
        pages = render_catalog(scan_catalog([str(folder)]), bytecode_dir=template_bytecode)
    overview = str(pages["index.md"])

    # Categories: one card and one page for each, named alike everywhere, counts adding up.
    wanted = Counter(slugify(category) for category, _ in agents)
    cards = CARD.findall(overview)
    assert sorted(slugify(html.unescape(title)) for title, _ in cards) == sorted(wanted)
    assert {slugify(html.unescape(title)): int(n) for title, n in cards} == dict(wanted)
    category_pages = [p for p in pages if p.startswith("categories/") and p != "categories/index.md"]  # the list
    assert sorted(category_pages) == sorted(f"categories/{k}.md" for k in wanted)
    data = json.loads(str(pages["assets/catalog-data.js"]).split("=", 1)[1].rstrip().rstrip(";"))
    facet_labels = dict(data["facets"]["category"])
    assert {html.unescape(title) for title, _ in cards} == set(facet_labels.values())
    for page in category_pages:
        title = str(pages[page]).split("\n# ", 1)[1].split("\n", 1)[0]
        assert title == facet_labels[page.removeprefix("categories/").removesuffix(".md")].replace("_", "\\_")

    # Models: one row per model, the filter's label, counted once per agent.
    per_key = Counter(k for _, models in agents for k in {slugify(m) for m in models})
    per_key["not-set"] += sum(1 for _, models in agents if not models)
    rows = {html.unescape(label): int(n) for label, n in MODEL_ROW.findall(overview)}
    assert len(rows) == len({slugify(label) for label in rows})
    assert {slugify(label): n for label, n in rows.items()} == {k: n for k, n in per_key.items() if k != "not-set"}
    model_labels = dict(data["facets"]["model"])
    assert {slugify(label): label for label in rows} == {k: v for k, v in model_labels.items() if k != "not-set"}


def test_a_category_path_is_titled_part_by_part() -> None:
    assert titleize("subagents/system-builder") == "Subagents / System Builder"
    assert titleize("development") == "Development"
