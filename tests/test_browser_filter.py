"""Faceted browsing and search of the built example site, in headless Chromium, opened from disk.

The expected views are computed here in Python from the catalog itself (``agent-catalog scan
--json`` and ``catalog.render.facets``), never read back from the page: the filter must show exactly
the agents the data says. Every request outside the site is blocked and counted (there must be
none), and no page may log a console error. Screenshots of the overview, a filtered view, the
search results and an agent page, light and dark, desktop and phone, go to
test-artifacts/screenshots/filter-*.png for people to look at.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from catalog.cli.main import main
from catalog.pipeline import scan_catalog
from catalog.render.facets import facet_labels, facet_values, search_text
from catalog.types import Agent

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.is_file():
    pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium; .ci/run does it)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")

# The launch and watch helpers of the site's browser tests: the same browser, the same rules.
from tests.test_browser import SIZES, Watch, open_page  # noqa: E402
from tests.test_browser import browser as browser  # noqa: E402  (the module's Chromium fixture)

REPO = Path(__file__).resolve().parents[1]
AGENTS = REPO / "agents"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
VISIBLE = ".ac-agent-list[data-ac-all] li[data-agent]:not([hidden])"
SEARCH_INPUT = "input.md-search__input"
SEARCH_LINKS = ".md-search-result__item a.md-search-result__link"
WORD = re.compile(r"[a-z]{6,}")


# --- the data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    slug: str
    name: str
    title: str
    summary: str
    tools: tuple[str, ...]
    example_text: str  # context and turns of the example dialogues, as the filter reads them
    facets: dict[str, list[str]]
    text: str  # what the filter box matches (catalog.render.facets.search_text)


@dataclass(frozen=True)
class Data:
    entries: dict[str, Entry]
    labels: dict[str, dict[str, str]]  # facet -> key -> label
    sources: dict[str, str]  # slug -> the agent file's text, lowercased

    def with_facets(self, **wanted: list[str]) -> set[str]:
        """Slugs with, for every facet given, at least one of the wanted keys."""
        return {
            slug
            for slug, entry in self.entries.items()
            if all(set(entry.facets.get(facet, [])) & set(keys) for facet, keys in wanted.items())
        }

    def with_text(self, query: str) -> set[str]:
        words = query.lower().split()
        return {slug for slug, entry in self.entries.items() if all(w in entry.text for w in words)}

    @property
    def all(self) -> set[str]:
        return set(self.entries)


@pytest.fixture(scope="module")
def data() -> Data:
    result = CliRunner().invoke(main, ["scan", "--json", str(AGENTS)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    scanned = {row["slug"]: row for row in json.loads(result.stdout)["agents"]}
    agents = {agent.slug: agent for agent in scan_catalog([str(AGENTS)]).agents}
    assert set(scanned) == set(agents) and len(agents) >= 10, (sorted(scanned), sorted(agents))
    entries = {}
    for slug, row in scanned.items():
        examples = " ".join(
            " ".join([ex.get("context") or "", *(turn["text"] for turn in ex["turns"])]) for ex in row["examples"]
        )
        entries[slug] = Entry(
            slug=slug,
            name=row["name"],
            title=row["title"],
            summary=row["summary"] or "",
            tools=tuple(row["tools"] or ()),
            example_text=" ".join(examples.split()),
            facets={k: v for k, v in facet_values(agents[slug]).items() if v},
            text=search_text(agents[slug]),
        )
    labels = {facet: dict(pairs) for facet, pairs in facet_labels(list(agents.values())).items()}
    sources = {slug: agent.source.read_text(encoding="utf-8").lower() for slug, agent in agents.items()}
    return Data(entries, labels, sources)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example agents, built with the built-in configuration (no mkdocs.yml in the cwd)."""
    root = tmp_path_factory.mktemp("filter-site")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        mp.setenv("AGENT_CATALOG_CACHE_DIR", str(root / "cache"))
        result = CliRunner().invoke(main, ["build", str(AGENTS), "--site-dir", "site"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (root / "site" / "assets" / "catalog-data.js").is_file()
    return root / "site"


@pytest.fixture(scope="module")
def picks(data: Data) -> dict[str, str]:
    """A model whose agents span several categories, the category holding most of them, another model."""
    counts = Counter(key for e in data.entries.values() for key in e.facets["model"])

    def categories(model: str) -> Counter[str]:
        return Counter(data.entries[s].facets["category"][0] for s in data.with_facets(model=[model]))

    spread = [m for m in counts if len(categories(m)) >= 2]
    assert spread, "the example agents need a model shared across categories"
    # The model then the category narrow the list step by step, to more than one agent if possible.
    model = min(spread, key=lambda m: (-max(categories(m).values()), -counts[m], m))
    category = min(categories(model), key=lambda c: (-categories(model)[c], c))
    other_model = min((m for m in counts if m != model), key=lambda m: (-counts[m], m))
    return {"model": model, "category": category, "other_model": other_model}


# --- page helpers -------------------------------------------------------------------------


@pytest.fixture
def opened(browser: Any) -> Iterator[Any]:
    """Open pages with ``opened(url, ...)``; each one is checked for outside requests and errors at the end."""
    pages: list[tuple[Any, Watch]] = []

    def open_(url: str, **kwargs: Any) -> Any:
        page, watch = open_page(browser, url, **kwargs)
        pages.append((page, watch))
        return page

    yield open_
    try:
        for _, watch in pages:
            watch.assert_clean()
    finally:
        for page, _ in pages:
            page.context.close()


def overview(site: Path, query: str = "") -> str:
    return (site / "index.html").as_uri() + query


def visible(page: Any) -> set[str]:
    return set(page.eval_on_selector_all(VISIBLE, "els => els.map(e => e.dataset.agent)"))


def checked(page: Any) -> dict[str, set[str]]:
    pairs = page.eval_on_selector_all(
        "#ac-filter input[type=checkbox]:checked", "els => els.map(e => [e.dataset.facet, e.value])"
    )
    found: dict[str, set[str]] = {}
    for facet, key in pairs:
        found.setdefault(facet, set()).add(key)
    return found


def query_of(page: Any) -> dict[str, list[str]]:
    """The page URL's query, each facet's comma-joined values split."""
    return {k: v[0].split(",") if k != "q" else v for k, v in parse_qs(urlsplit(page.url).query).items()}


def wait_shown(page: Any, expected: set[str]) -> None:
    """Wait for the filter to show ``len(expected)`` entries, then compare the entries themselves."""
    with contextlib.suppress(Exception):  # on a timeout the comparison below says what differs
        page.wait_for_function(
            "n => document.getElementById('ac-filter').dataset.acShown === String(n)", arg=len(expected), timeout=3000
        )
    assert visible(page) == expected
    assert page.get_attribute("#ac-filter", "data-ac-shown") == str(len(expected))


def ready(page: Any) -> None:
    page.wait_for_selector("#ac-filter[data-ac-ready] input.ac-filter__query", timeout=5000)


def facet_option(page: Any, facet: str, label: str) -> Any:
    """The option of a facet, its group opened (every group starts closed)."""
    group = page.locator("#ac-filter details.ac-facet", has=page.locator("summary", has_text=facet.capitalize()))
    if group.count() == 1 and group.get_attribute("open") is None:
        group.locator("summary").click()
    return group.locator(
        "label.ac-facet__option", has=page.locator("span", has_text=re.compile(f"^{re.escape(label)}$"))
    )


def click_facet(page: Any, data: Data, facet: str, key: str) -> None:
    option = facet_option(page, facet, data.labels[facet][key])
    assert option.count() == 1, f"no single {facet} option {data.labels[facet][key]!r}"
    option.click()


# --- faceted browsing ---------------------------------------------------------------------


def test_overview_lists_every_agent_and_the_facets(opened: Any, site: Path, data: Data) -> None:
    page = opened(overview(site))
    ready(page)
    assert visible(page) == data.all
    assert page.locator("li[data-agent]").count() == len(data.all)
    assert page.inner_text(".ac-filter__status").strip() == f"{len(data.all)} agents"
    assert page.locator(".ac-filter__clear").is_hidden()
    for facet in ("category", "model"):
        counts = Counter(key for e in data.entries.values() for key in e.facets.get(facet, []))
        for key, label in data.labels[facet].items():
            option = facet_option(page, facet, label)
            assert option.is_visible(), f"{facet} {label} is not shown"
            assert option.locator(".ac-facet__count").inner_text() == str(counts[key]), (facet, key)


def test_filter_by_model_then_category(opened: Any, site: Path, data: Data, picks: dict[str, str]) -> None:
    model, category = picks["model"], picks["category"]
    page = opened(overview(site))
    ready(page)

    click_facet(page, data, "model", model)
    by_model = data.with_facets(model=[model])
    assert data.all > by_model
    wait_shown(page, by_model)
    assert query_of(page) == {"model": [model]}
    # The category counts now say what each category would show within this model.
    in_model = Counter(data.entries[s].facets["category"][0] for s in by_model)
    for key, label in data.labels["category"].items():
        count = facet_option(page, "category", label).locator(".ac-facet__count").inner_text()
        assert count == str(in_model[key]), (key, count)

    click_facet(page, data, "category", category)
    both = data.with_facets(model=[model], category=[category])
    assert by_model > both and both
    wait_shown(page, both)
    assert query_of(page) == {"model": [model], "category": [category]}
    assert checked(page) == {"model": {model}, "category": {category}}
    assert page.inner_text(".ac-filter__status").strip() == f"{len(both)} of {len(data.all)} agents"
    hidden = sorted(data.all - both)[0]
    assert page.locator(f"li[data-agent='{hidden}']").is_hidden()

    # A second value of the same facet widens the view; the URL joins the values with a comma.
    click_facet(page, data, "model", picks["other_model"])
    either = data.with_facets(model=[model, picks["other_model"]], category=[category])
    wait_shown(page, either)
    assert re.search(r"[?&]model=[^&]*,", page.url), page.url
    assert set(query_of(page)["model"]) == {model, picks["other_model"]}


def test_shared_url_gives_the_same_view(opened: Any, site: Path, data: Data, picks: dict[str, str]) -> None:
    model, category = picks["model"], picks["category"]
    page = opened(overview(site))
    ready(page)
    click_facet(page, data, "model", model)
    click_facet(page, data, "category", category)
    expected = data.with_facets(model=[model], category=[category])
    wait_shown(page, expected)
    shared = page.url

    fresh = opened(shared)
    ready(fresh)
    wait_shown(fresh, expected)
    assert checked(fresh) == {"model": {model}, "category": {category}}

    # Hand-written shared URLs: several values of one facet, and the text.
    two = f"{model},{picks['other_model']}"
    page2 = opened(overview(site, f"?model={two}"))
    ready(page2)
    wait_shown(page2, data.with_facets(model=[model, picks["other_model"]]))
    assert checked(page2) == {"model": {model, picks["other_model"]}}

    word = data.entries[sorted(expected)[0]].title.split()[0].lower()
    page3 = opened(overview(site, f"?q={word}&category={category}"))
    ready(page3)
    wait_shown(page3, data.with_text(word) & data.with_facets(category=[category]))
    assert page3.input_value("input.ac-filter__query") == word
    # Material's search reads `q` as well: it must not open over the list for the filter's
    # text, nor drop `q` from the URL when it closes.
    assert not page3.evaluate("document.getElementById('__search').checked")
    assert page3.locator(f"li[data-agent='{sorted(expected)[0]}']").is_visible()
    search(page3, "agent")
    page3.keyboard.press("Escape")
    page3.wait_for_function("() => !document.getElementById('__search').checked")
    assert query_of(page3) == {"q": [word], "category": [category]}


def test_back_button_restores_the_previous_view(opened: Any, site: Path, data: Data, picks: dict[str, str]) -> None:
    model, category = picks["model"], picks["category"]
    page = opened(overview(site))
    ready(page)
    click_facet(page, data, "model", model)
    wait_shown(page, data.with_facets(model=[model]))
    click_facet(page, data, "category", category)
    wait_shown(page, data.with_facets(model=[model], category=[category]))

    page.go_back()
    wait_shown(page, data.with_facets(model=[model]))
    assert checked(page) == {"model": {model}}
    assert query_of(page) == {"model": [model]}

    page.go_back()
    wait_shown(page, data.all)
    assert checked(page) == {}
    assert urlsplit(page.url).query == ""

    page.go_forward()
    wait_shown(page, data.with_facets(model=[model]))
    assert checked(page) == {"model": {model}}


def test_clear_filters_shows_all(opened: Any, site: Path, data: Data, picks: dict[str, str]) -> None:
    model, category = picks["model"], picks["category"]
    word = data.entries[sorted(data.with_facets(model=[model], category=[category]))[0]].name.split("-")[0]
    page = opened(overview(site, f"?model={model}&category={category}&q={word}"))
    ready(page)
    assert visible(page) != data.all
    clear = page.locator(".ac-filter__clear")
    assert clear.is_visible()
    clear.click()
    wait_shown(page, data.all)
    assert checked(page) == {}
    assert page.input_value("input.ac-filter__query") == ""
    assert urlsplit(page.url).query == ""
    assert clear.is_hidden()
    assert page.inner_text(".ac-filter__status").strip() == f"{len(data.all)} agents"


def text_words(data: Data) -> dict[str, tuple[str, str]]:
    """Per field, a word of one agent's that field, found by the filter box: kind -> (word, slug)."""
    found: dict[str, tuple[str, str]] = {}
    others = {
        slug: " ".join([e.name, e.title, e.summary, " ".join(e.tools)]).lower() for slug, e in data.entries.items()
    }
    for slug, entry in sorted(data.entries.items()):
        fields = {
            "name": entry.name.replace("-", " ").lower(),
            "summary": entry.summary.lower(),
            "tool": " ".join(entry.tools).lower(),
            # Only in the examples' start (the filter keeps the first 700 characters) and in no
            # agent's name, summary or tools: found only because the examples are searched.
            "example": entry.example_text[:400].lower(),
        }
        for kind, text in fields.items():
            if kind in found:
                continue
            for word in sorted(set(WORD.findall(text))):
                matched = data.with_text(word)
                if slug not in matched or len(matched) == len(data.entries):
                    continue
                if kind == "example" and any(word in other for other in others.values()):
                    continue
                if kind == "tool" and word in entry.summary.lower():
                    continue
                found[kind] = (word, slug)
                break
    assert set(found) == {"name", "summary", "tool", "example"}, found
    return found


def test_text_box_filters_as_you_type(opened: Any, site: Path, data: Data) -> None:
    page = opened(overview(site))
    ready(page)
    box = page.locator("input.ac-filter__query")
    for kind, (word, slug) in text_words(data).items():
        box.fill("")
        wait_shown(page, data.all)
        box.click()
        for i in range(1, len(word) + 1):
            page.keyboard.type(word[i - 1])
            shown = visible(page)  # the filter applies on `input`, before any pause
            assert shown == data.with_text(word[:i]), (kind, word[:i])
        assert slug in shown, (kind, word, slug)
        page.wait_for_function("w => new URLSearchParams(location.search).get('q') === w", arg=word, timeout=3000)
    # Several words: every one must match.
    first, second = text_words(data)["name"][0], text_words(data)["tool"][0]
    box.fill(f"{first} {second}")
    wait_shown(page, data.with_text(first) & data.with_text(second))
    box.fill("zzqxnotaword")
    wait_shown(page, set())
    assert page.inner_text(".ac-filter__status").strip() == f"0 of {len(data.all)} agents"


# --- search -------------------------------------------------------------------------------


def only_word(site: Path, data: Data) -> tuple[str, str]:
    """A word of one agent's example dialogue found in no other agent file and no other search entry."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]

    def entries_with(word: str) -> list[str]:
        stem = word[:6]  # lunr stems words: no other entry may share the start either
        return [d["location"] for d in index if stem in (d["title"] + " " + d["text"]).lower()]

    for slug, entry in sorted(data.entries.items()):
        for word in sorted(set(WORD.findall(entry.example_text.lower())), key=lambda w: (-len(w), w)):
            if any(word in text for other, text in data.sources.items() if other != slug):
                continue
            if word in " ".join([entry.name, entry.title, entry.summary]).lower():
                continue
            locations = entries_with(word)
            if locations and all(loc.startswith(f"agents/{slug}.html#example") for loc in locations):
                return word, slug
    raise AssertionError("no word of the example dialogues is unique to one agent")


def search(page: Any, text: str) -> None:
    """Open Material's search (a header button at phone width) and type ``text``."""
    button = page.locator("label.md-header__button[for='__search']")
    box = page.locator(SEARCH_INPUT)
    if button.is_visible() and not page.evaluate("document.getElementById('__search').checked"):
        button.click()
        box.wait_for()
    else:
        box.click()
    box.press("Control+a")
    box.press("Backspace")  # Material reads the box on keyup: an empty query empties the results
    page.wait_for_function("() => !document.querySelector('.md-search-result__item')", timeout=5000)
    page.keyboard.type(text)


def result_paths(page: Any) -> list[str]:
    hrefs = page.eval_on_selector_all(SEARCH_LINKS, "els => els.map(e => e.href)")
    return [urlsplit(h).path.split("/site/", 1)[-1] for h in hrefs]


def test_search_finds_a_word_of_one_example_dialogue(opened: Any, site: Path, data: Data) -> None:
    word, slug = only_word(site, data)
    page = opened(overview(site))
    search(page, word)
    page.locator(SEARCH_LINKS).first.wait_for(timeout=10_000)
    paths = result_paths(page)
    assert f"agents/{slug}.html" in paths, (word, paths)
    page.locator(SEARCH_LINKS).filter(has_text=re.compile(word, re.I)).first.click()
    page.wait_for_url(re.compile(rf"/agents/{re.escape(slug)}\.html"))
    assert page.locator("h1").first.inner_text() == data.entries[slug].title
    assert page.locator("mark[data-md-highlight]", has_text=re.compile(word, re.I)).count() >= 1


def test_an_agents_name_puts_its_page_first(opened: Any, site: Path, data: Data) -> None:
    page = opened(overview(site))
    misses = []
    for slug, entry in sorted(data.entries.items()):
        for name in dict.fromkeys([entry.title, entry.name]):
            search(page, name)
            want = f"agents/{slug}.html"
            try:
                page.wait_for_function(
                    """want => {
                        const a = document.querySelector('.md-search-result__item a.md-search-result__link');
                        return a && new URL(a.href).pathname.endsWith('/' + want);
                    }""",
                    arg=want,
                    timeout=5000,
                )
            except Exception:
                misses.append((name, result_paths(page)[:3]))
    assert not misses, f"an agent's own page is not the first result for its name: {misses}"


QUICK_LINKS = ".ac-quick .ac-quick__item a.ac-quick__link"


def quick_slugs(page: Any) -> list[str]:
    return list(page.eval_on_selector_all(QUICK_LINKS, "els => els.map(e => e.dataset.agent)"))


def quick_search_for_first_agent(opened: Any, site: Path, data: Data) -> tuple[Any, Entry]:
    """The first agent's title typed into the search box on the last agent's page, and the
    quick results listed."""
    entry = data.entries[sorted(data.entries)[0]]
    other = data.entries[sorted(data.entries)[-1]]
    page = opened((site / "agents" / f"{other.slug}.html").as_uri())
    search(page, entry.title)
    page.wait_for_function("() => document.querySelector('.ac-quick .ac-quick__item')", timeout=5000)
    return page, entry


def test_quick_agent_search_answers_before_materials_index(opened: Any, site: Path, data: Data) -> None:
    """What is typed into the search box lists the matching agents at once, from catalog-data.js,
    on any page (the data loads when the box is first used), each agent's own name first."""
    page, entry = quick_search_for_first_agent(opened, site, data)
    found = quick_slugs(page)
    assert found[0] == entry.slug, found
    matching = data.with_text(entry.title)
    assert set(found) <= matching and len(found) == min(8, len(matching)), (found, matching)
    meta = page.locator(".ac-quick__meta").inner_text()
    n = len(matching)
    expected = "1 agent matches" if n == 1 else f"{n} agents match" if n <= 8 else f"{n} agents match, the first 8 here"
    assert meta == expected
    page.locator(QUICK_LINKS).first.click()
    page.wait_for_url(re.compile(rf"/agents/{re.escape(entry.slug)}\.html"))
    assert page.locator("h1").first.inner_text() == entry.title


def test_quick_agent_search_matches_example_dialogue_text(opened: Any, site: Path, data: Data) -> None:
    word, slug = only_word(site, data)
    page = opened(overview(site))
    search(page, word)
    page.wait_for_function("() => document.querySelector('.ac-quick .ac-quick__item')", timeout=5000)
    assert quick_slugs(page) == sorted(data.with_text(word)) == [slug]
    # An agent-less word hides the block; Material's own results still come.
    search(page, "zzqqxxnothing")
    page.wait_for_timeout(300)
    assert page.locator(".ac-quick").is_hidden()


TWIN = "twin-reviewer"  # the name four agents of the large catalog share, in four categories


@pytest.fixture(scope="module")
def thousands(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[Agent, ...]]:
    """A synthetic catalog of 1,004 agents (benchmarks.bench_build), four of them named alike
    in four categories, built once for this module: its site and its agents."""
    from benchmarks.bench_build import CATEGORIES, generate_agents

    root = tmp_path_factory.mktemp("thousands")
    generate_agents(root / "agents", 1_000)
    for category in CATEGORIES[:4]:
        text = f"---\nname: {TWIN}\ndescription: Reviews {category} changes before they merge.\n---\nYou review.\n"
        (root / "agents" / category / f"{TWIN}.md").write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        mp.setenv("AGENT_CATALOG_CACHE_DIR", str(root / "cache"))
        result = CliRunner().invoke(main, ["build", "agents", "--site-dir", "site"], catch_exceptions=False)
    # Exit 1 only for the lenient-YAML warnings some synthetic agents are written to give.
    assert result.exit_code in (0, 1), result.output
    assert result.exit_code == 0 or "AC115" in result.output
    agents = scan_catalog([str(root / "agents")]).agents
    assert len(agents) == 1_004 and sum(a.name == TWIN for a in agents) == 4
    return root / "site", agents


def test_filter_with_thousands_of_entries(opened: Any, thousands: tuple[Path, tuple[Agent, ...]]) -> None:
    """Entries past the first batch change in later frames; the list settles on what the data says."""
    site, agents = thousands
    texts = {agent.slug: search_text(agent) for agent in agents}
    page = opened((site / "index.html").as_uri())
    ready(page)
    box = page.locator("input.ac-filter__query")
    # Each step hides or shows more entries than a batch (150): later frames finish the list.
    counts = Counter(word for text in texts.values() for word in set(re.findall(r"[a-z]{4,}", text)))
    half = min(counts, key=lambda word: (abs(counts[word] - len(texts) // 2), word))  # about half of them
    queries = ["data", "", half, "data"]
    shown = len(texts)
    for query in queries:
        now = sum(all(w in text for w in query.split()) for text in texts.values())
        assert abs(now - shown) > 150, (query, now, shown)
        shown = now
    for query in queries:
        box.fill(query)
        expected = {slug for slug, text in texts.items() if all(w in text for w in query.lower().split())}
        page.wait_for_function("() => document.getElementById('ac-filter').dataset.acSettled === '1'", timeout=10_000)
        assert page.get_attribute("#ac-filter", "data-ac-shown") == str(len(expected))
        assert visible(page) == expected, query


# --- a catalog of a thousand agents: the list first, agents told apart -----------------------


FIRST = ".ac-agent-list[data-ac-all] li[data-agent]:not([hidden])"
# The filter shows n entries, every batch of them toggled (agent-filter.js).
SETTLED = (
    "n => (f => f.dataset.acShown === String(n) && f.dataset.acSettled === '1')(document.getElementById('ac-filter'))"
)


def top_and_bottom(page: Any, selector: str) -> tuple[float, float]:
    box = page.eval_on_selector(selector, "e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom]; }")
    return float(box[0]), float(box[1])


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_filter_and_the_first_agents_are_on_the_first_screen(
    opened: Any, thousands: tuple[Path, tuple[Agent, ...]], size: str
) -> None:
    """Categories, collections and figures come before the list only as a line or two: the
    filter box and the first agent entry are within the first 900 px at 1280 wide (the first
    844 at 390), and so is the one entry a filter leaves."""
    site, agents = thousands
    screen = 900 if size == "desktop" else SIZES[size]["height"]
    page = opened((site / "index.html").as_uri(), size=size)
    ready(page)
    assert top_and_bottom(page, "input.ac-filter__query")[1] < screen
    assert top_and_bottom(page, FIRST)[0] < screen - 80, "the first agent entry is below the first screen"
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    # The index page stays small per agent: no card, table row or block of its own besides its entry.
    per_agent = (site / "index.html").stat().st_size / len(agents)
    assert per_agent < 900, f"{per_agent:.0f} bytes of the overview per agent"
    texts = [search_text(a) for a in agents]
    alone = next(a for a in agents if sum(all(w in t for w in a.slug.split("-")) for t in texts) == 1 and "-" in a.slug)
    page.fill("input.ac-filter__query", alone.slug.replace("-", " "))
    page.wait_for_function(SETTLED, arg=1, timeout=10_000)
    assert visible(page) == {alone.slug}
    assert top_and_bottom(page, FIRST)[1] < screen, "the one agent the filter leaves is below the first screen"


def test_agents_of_one_name_are_told_apart_in_the_list_and_the_quick_search(
    opened: Any, thousands: tuple[Path, tuple[Agent, ...]]
) -> None:
    """Four agents named alike: each entry of the overview's list, each quick search result
    and each entry of a category page shows where it comes from in its visible text."""
    site, agents = thousands
    twins = sorted(a.slug for a in agents if a.name == TWIN)
    page = opened((site / "index.html").as_uri())
    ready(page)
    page.fill("input.ac-filter__query", "twin reviewer")
    page.wait_for_function(SETTLED, arg=4, timeout=10_000)
    assert visible(page) == set(twins)
    heads = [page.inner_text(f"li[data-agent='{slug}'] .ac-agent__head") for slug in twins]
    assert len(set(heads)) == 4, heads

    other = next(a for a in agents if a.name != TWIN)
    page = opened((site / "agents" / f"{other.slug}.html").as_uri())
    search(page, "twin reviewer")
    page.wait_for_function("() => document.querySelectorAll('.ac-quick .ac-quick__item').length === 4", timeout=5000)
    assert sorted(quick_slugs(page)) == twins
    shown = page.eval_on_selector_all(".ac-quick .ac-quick__item h1", "els => els.map(e => e.innerText)")
    assert len(set(shown)) == 4 and all(text.startswith("Twin Reviewer") for text in shown), shown


def test_a_category_page_has_the_filter_over_its_agents(opened: Any, site: Path, data: Data) -> None:
    """A category's page: the overview's filter, preset to the category (its agents only, no
    category facet), and its text box and facets narrow that list."""
    counts = Counter(e.facets["category"][0] for e in data.entries.values())
    category = min(counts, key=lambda c: (-counts[c], c))
    members = data.with_facets(category=[category])
    page = opened((site / "categories" / f"{category}.html").as_uri())
    ready(page)
    wait_shown(page, members)
    assert page.inner_text(".ac-filter__status").strip() == f"{len(members)} agents"
    assert page.locator("#ac-filter details.ac-facet summary", has_text="Category").count() == 0
    entry = data.entries[sorted(members)[0]]
    page.fill("input.ac-filter__query", entry.title)
    wait_shown(page, members & data.with_text(entry.title))
    assert entry.slug in visible(page)
    page.fill("input.ac-filter__query", "")
    model = sorted({m for slug in members for m in data.entries[slug].facets["model"]})[0]
    facet = page.locator("#ac-filter details.ac-facet summary", has_text="Model")
    if facet.count():
        click_facet(page, data, "model", model)
        wait_shown(page, members & data.with_facets(model=[model]))
        assert query_of(page)["model"] == [model]


# --- screenshots --------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", sorted(SIZES))
def test_screenshots(opened: Any, site: Path, data: Data, picks: dict[str, str], size: str, scheme: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    word, slug = only_word(site, data)
    shots = {
        "overview": overview(site),
        "filtered": overview(site, f"?model={picks['model']}&category={picks['category']}"),
        "search": overview(site),
        "agent": (site / "agents" / f"{slug}.html").as_uri(),
    }
    page = None
    for name, url in shots.items():
        # One page of this size and scheme goes from URL to URL (a new page costs a renderer
        # process); ``opened`` checks what it loaded, every URL of it, at the end.
        if page is None:
            page = opened(url, size=size, scheme=scheme)
        else:
            page.goto(url, wait_until="load")
        assert page.url == url
        expected = "slate" if scheme == "dark" else "default"
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected
        if name in ("overview", "filtered"):
            ready(page)
        if name == "filtered":
            wait_shown(page, data.with_facets(model=[picks["model"]], category=[picks["category"]]))
        # The first screen is what the overview must get right (and a full page of a large
        # catalog costs seconds to paint); an agent's page is shown whole.
        full = name == "agent"
        if name == "search":
            search(page, word)
            page.locator(SEARCH_LINKS).first.wait_for(timeout=10_000)
        page.wait_for_timeout(200)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        page.screenshot(path=str(SCREENSHOTS / f"filter-{name}-{size}-{scheme}.png"), full_page=full)
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {size} width"


def test_quick_agent_search_results_are_reached_with_the_keyboard(opened: Any, site: Path, data: Data) -> None:
    """The arrow keys move from the box through the quick results (Material's own keyboard
    handling, which takes up links in its search result); Enter opens the focused one; Enter
    in the box opens the agent whose name was typed."""
    page, entry = quick_search_for_first_agent(opened, site, data)
    found = quick_slugs(page)
    focused = "() => document.activeElement && document.activeElement.dataset.agent"
    page.keyboard.press("ArrowDown")
    assert page.evaluate(focused) == found[0]
    if len(found) > 1:
        page.keyboard.press("ArrowDown")
        assert page.evaluate(focused) == found[1]
        page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("() => document.activeElement.matches('input.md-search__input')")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/agents/{re.escape(entry.slug)}\.html"))

    page, _ = quick_search_for_first_agent(opened, site, data)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/agents/{re.escape(entry.slug)}\.html"))
