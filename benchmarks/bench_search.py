"""Benchmark the overview's filter and Material's search in headless Chromium, opened from disk.

Not a test: a script to run by hand and read.

    python benchmarks/bench_search.py --sizes 100 1000 5000 --runs 3

For each size it generates that many synthetic agents with ``bench_build.generate_agents``
(deterministic), builds the site once with ``agent-catalog build`` (built-in configuration),
and opens ``site/index.html`` from disk in Debian's Chromium (every request outside the site
is blocked and counted), ``--runs`` times, each in a fresh browser context (no cache):

* filter: the time from dispatching an ``input`` event on the filter box to the end of the
  DOM update (the filter applies synchronously on ``input``), for 20 keystrokes typing an
  agent's name character by character; then the same including the style and layout of the
  changed list (a forced reflow), and until the next frame; the same for six facet clicks
  (check and uncheck category, model and tools values);
* search, cold: the time from the page's ``load`` event until the first quick agent search
  result (``.ac-quick__item``, listed by agent-catalog.js above Material's results) and the
  first of Material's own ``.md-search-result__item`` appear, typing a word found in one agent's page only as soon
  as the search box is ready after load (and until that agent's page is among the results);
* search, warm: once the index is built, the time from a query (``keyup``) to the results
  holding the agent that has the word, for a few such words;
* sizes: bytes per agent of ``search/search_index.json`` (and of ``search_index.js``, the copy
  a page from disk loads), of ``assets/catalog-data.js`` and of the overview page.

The issue's targets, at 5,000 agents: filtering reacts to a keystroke in under 50 ms, and
search returns first results within 1 s of page load.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_build import agent_catalog_command, generate_agents

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")
KEYSTROKES = 20
FILTER_TARGET_MS = 50.0
SEARCH_TARGET_MS = 1000.0
SEARCH_INPUT = "input.md-search__input"
SEARCH_TIMEOUT_MS = 180_000

# Installed before the page's own scripts: watches the search result list from the start.
WATCH_SEARCH = """
(() => {
  const b = (window.__bench = {
    target: TARGET, word: WORD, firstItem: null, targetAt: null, typed: null, quickAt: null, quickTargetAt: null
  });
  // The quick agent search (agent-catalog.js) lists matching agents above Material's results.
  new MutationObserver(() => {
    const now = performance.now();
    if (b.quickAt === null && document.querySelector(".ac-quick__item")) b.quickAt = now;
    if (b.quickTargetAt === null && document.querySelector('.ac-quick a[href*="' + b.target + '"]')) {
      b.quickTargetAt = now;
    }
  }).observe(document, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", () => {
    const list = document.querySelector(".md-search-result__list");
    if (!list) return;
    new MutationObserver(() => {
      const now = performance.now();
      if (b.firstItem === null && list.querySelector(".md-search-result__item")) b.firstItem = now;
      if (b.targetAt === null && list.querySelector('a[href*="' + b.target + '"]')) b.targetAt = now;
    }).observe(list, { childList: true, subtree: true });
  });
  // Type the word as soon as the page has loaded: focus the box (which opens the search),
  // put the word in and send the keyup Material listens to.
  addEventListener("load", () => setTimeout(() => {
    const box = document.querySelector("input.md-search__input");
    if (!box) return;
    b.typed = performance.now();
    box.focus();
    box.value = b.word;
    box.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
  }, 0));
})();
"""

NEXT_FRAME = "new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)))"

TYPE_IN_FILTER = """
async (word) => {
  const box = document.querySelector("input.ac-filter__query");
  const root = document.getElementById("ac-filter");
  const times = [];
  box.value = "";
  box.dispatchEvent(new Event("input", { bubbles: true }));
  await NEXT_FRAME;
  for (const ch of word) {
    box.value += ch;
    const t0 = performance.now();
    box.dispatchEvent(new Event("input", { bubbles: true }));
    const t1 = performance.now();
    void document.body.offsetHeight;  // style and layout of the changed list
    const t2 = performance.now();
    await NEXT_FRAME;
    times.push([t1 - t0, t2 - t0, performance.now() - t0, Number(root.dataset.acShown)]);
  }
  box.value = "";
  box.dispatchEvent(new Event("input", { bubbles: true }));
  await NEXT_FRAME;
  return times;
}
""".replace("NEXT_FRAME", NEXT_FRAME)

CLICK_FACETS = """
async () => {
  const first = (facet) => document.querySelector('#ac-filter input[type=checkbox][data-facet="' + facet + '"]');
  const boxes = ["category", "model", "tools"].map(first).filter(Boolean);
  const root = document.getElementById("ac-filter");
  const times = [];
  for (const box of [...boxes, ...boxes.slice().reverse()]) {
    const t0 = performance.now();
    box.click();  // change -> filter -> URL (pushState)
    const t1 = performance.now();
    void document.body.offsetHeight;
    const t2 = performance.now();
    await NEXT_FRAME;
    times.push([t1 - t0, t2 - t0, performance.now() - t0, Number(root.dataset.acShown)]);
  }
  return times;
}
""".replace("NEXT_FRAME", NEXT_FRAME)

WARM_QUERY = """
async ([word, target]) => {
  const box = document.querySelector("input.md-search__input");
  const list = document.querySelector(".md-search-result__list");
  box.value = "";
  box.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
  for (let i = 0; i < 100 && list.querySelector(".md-search-result__item"); i++) {
    await new Promise((done) => setTimeout(done, 20));
  }
  return await new Promise((resolve) => {
    let t0 = 0;
    const observer = new MutationObserver(() => {
      if (list.querySelector('a[href*="' + target + '"]')) {
        observer.disconnect();
        resolve(performance.now() - t0);
      }
    });
    observer.observe(list, { childList: true, subtree: true });
    setTimeout(() => { observer.disconnect(); resolve(null); }, 30000);
    box.value = word;
    t0 = performance.now();
    box.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
  });
}
"""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the site -----------------------------------------------------------------------------


@dataclass
class Site:
    agents: int
    root: Path
    build_seconds: float
    filter_word: str  # an agent's name: typed into the filter box
    search_word: str  # found in one agent's page only (cold search)
    search_target: str  # that agent's page, agents/<slug>.html
    search_pages: int  # how many pages have the word (1 unless no word is found in one page only)
    warm: list[tuple[str, str]]  # more (word, page) pairs for the warm index

    def bytes_per_agent(self, relative: str) -> float:
        return (self.root / relative).stat().st_size / self.agents


def build_site(size: int, scratch: Path, reuse: bool) -> Site:
    base = scratch / f"n{size}"
    agents, cwd = base / "agents", base / "cwd"
    site = cwd / "site"
    if reuse and (site / "index.html").is_file():
        say(f"[{size}] reusing {site}")
        return site_facts(size, site, float("nan"))
    shutil.rmtree(base, ignore_errors=True)
    cwd.mkdir(parents=True)
    say(f"[{size}] generating agents in {agents}")
    generate_agents(agents, size)
    say(f"[{size}] agent-catalog build (once)")
    env = {**os.environ, "AGENT_CATALOG_CACHE_DIR": str(base / "cache")}
    started = time.perf_counter()
    result = subprocess.run(
        [*agent_catalog_command(), "build", str(agents), "--site-dir", "site"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"agent-catalog build failed ({result.returncode}):\n{result.stderr[-4000:]}")
    say(f"[{size}] built in {seconds:.1f} s")
    return site_facts(size, site, seconds)


def site_facts(size: int, site: Path, seconds: float) -> Site:
    """The words to type, found in the built site."""
    words = rare_words(site)
    if not words:
        sys.exit(f"[{size}] no agent page in the search index")
    # Words found in one agent's page only if there are such; else the rarest there are.
    fewest = min(n for _, n in words.values())
    pages = sorted(page for page, (_, n) in words.items() if n == fewest)
    # The agent in the middle of the list for the cold search, others for the warm index.
    chosen = list(dict.fromkeys(pages[(len(pages) * k) // 7] for k in (3, 0, 1, 2, 4, 5, 6)))
    pairs = [(words[page][0], page) for page in chosen]
    data = (site / "assets" / "catalog-data.js").read_text(encoding="utf-8")
    rows = json.loads(data[data.index("{") : data.rindex("}") + 1])["agents"]
    names = [row[1].split(" ", 1)[0] for row in rows]  # the search text starts with the name
    filter_word = max(names[len(names) // 2 :][:50], key=len)
    return Site(size, site, seconds, filter_word, pairs[0][0], pairs[0][1], fewest, pairs[1:])


def rare_words(site: Path) -> dict[str, tuple[str, int]]:
    """Agent page -> (its rarest word of 7+ letters in the search index, how many pages have it).

    Rarest: in the fewest pages, then with the fewest other words starting alike (lunr stems
    words and Material adds a trailing wildcard).
    """
    docs = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    per_page: dict[str, set[str]] = {}
    for doc in docs:
        page = doc["location"].split("#", 1)[0]
        text = html.unescape(re.sub(r"<[^>]+>", " ", f"{doc['title']} {doc['text']}")).lower()
        per_page.setdefault(page, set()).update(re.findall(r"[a-z]{7,}", text))
    counts = Counter(word for words in per_page.values() for word in words)
    starts = Counter(word[:6] for word in counts)
    found: dict[str, tuple[str, int]] = {}
    for page, words in sorted(per_page.items()):
        if page.startswith("agents/") and words:
            word = min(words, key=lambda w: (counts[w], starts[w[:6]], w))
            found[page] = (word, counts[word])
    return found


# --- the browser --------------------------------------------------------------------------


@dataclass
class Run:
    load_ms: float
    keystrokes: list[list[float]]  # [handler, +layout, next frame, shown]
    clicks: list[list[float]]
    first_item_ms: float | None  # after the load event
    target_ms: float | None
    typed_ms: float | None  # when typing started, after the load event
    warm_ms: list[float | None]
    quick_ms: float | None = None  # first quick agent search result, after the load event
    quick_target_ms: float | None = None  # the agent among the quick results
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def one_run(browser: Any, site: Site) -> Run:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, service_workers="block")
    outside: list[str] = []
    errors: list[str] = []

    def route(route: Any) -> None:
        if route.request.url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    script = WATCH_SEARCH.replace("TARGET", json.dumps(site.search_target)).replace(
        "WORD", json.dumps(site.search_word)
    )
    context.add_init_script(script)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(SEARCH_TIMEOUT_MS)

    # Search, cold: type as soon as the page has loaded and the box is there.
    page.goto((site.root / "index.html").as_uri(), wait_until="load")
    page.wait_for_function("() => window.__bench.targetAt !== null || window.__bench.firstItem !== null")
    try:
        page.wait_for_function("() => window.__bench.targetAt !== null", timeout=30_000)
    except Exception:
        say(f"[{site.agents}] {site.search_target} never showed up for {site.search_word!r}")
    timing = page.evaluate(
        """() => {
            const nav = performance.getEntriesByType("navigation")[0];
            const b = window.__bench, since = (t) => (t === null ? null : t - nav.loadEventEnd);
            return { load: nav.loadEventEnd, first: since(b.firstItem), target: since(b.targetAt),
                     typed: since(b.typed), quick: since(b.quickAt), quickTarget: since(b.quickTargetAt) };
        }"""
    )
    # Search, warm: the index is built; one query each.
    warm = [page.evaluate(WARM_QUERY, [word, target]) for word, target in site.warm]
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.getElementById('__search').checked")

    # Filter: keystrokes, then facet clicks.
    page.locator("input.ac-filter__query").wait_for(state="attached")
    keystrokes = page.evaluate(TYPE_IN_FILTER, site.filter_word[:KEYSTROKES])
    clicks = page.evaluate(CLICK_FACETS)
    context.close()
    return Run(
        load_ms=timing["load"],
        keystrokes=keystrokes,
        clicks=clicks,
        first_item_ms=timing["first"],
        target_ms=timing["target"],
        typed_ms=timing["typed"],
        quick_ms=timing["quick"],
        quick_target_ms=timing["quickTarget"],
        warm_ms=warm,
        outside=outside,
        errors=errors,
    )


# --- the report ---------------------------------------------------------------------------


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def spread(values: list[float]) -> str:
    """median / max"""
    return f"{ms(statistics.median(values))} / {ms(max(values))}" if values else "-"


def table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        print(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))


def report(site: Site, runs: list[Run]) -> dict[str, Any]:
    keys = [k for run in runs for k in run.keystrokes]
    clicks = [c for run in runs for c in run.clicks]
    first = [r.first_item_ms for r in runs if r.first_item_ms is not None]
    target = [r.target_ms for r in runs if r.target_ms is not None]
    quick = [r.quick_ms for r in runs if r.quick_ms is not None]
    quick_target = [r.quick_target_ms for r in runs if r.quick_target_ms is not None]
    warm = [w for r in runs for w in r.warm_ms if w is not None]
    outside = sum(len(r.outside) for r in runs)
    errors = [e for r in runs for e in r.errors]
    per_agent = {
        "search_index.json": site.bytes_per_agent("search/search_index.json"),
        "search_index.js": site.bytes_per_agent("search/search_index.js"),
        "catalog-data.js": site.bytes_per_agent("assets/catalog-data.js"),
        "index.html": site.bytes_per_agent("index.html"),
    }
    built = "built earlier" if math.isnan(site.build_seconds) else f"built once in {site.build_seconds:.1f} s"
    print(f"\n{site.agents:,} agents: {built}; {len(runs)} browser run(s)")
    print(
        f"filter word {site.filter_word[:KEYSTROKES]!r} ({len(keys) // max(len(runs), 1)} keystrokes a run), "
        f"search word {site.search_word!r} -> {site.search_target}"
        f"{'' if site.search_pages == 1 else f' (the word is in {site.search_pages} pages)'}\n"
    )
    table(
        [
            ("measure", "median / max (ms)", "runs", "target"),
            ("page load event", spread([r.load_ms for r in runs]), str(len(runs)), ""),
            ("filter keystroke: handler", spread([k[0] for k in keys]), str(len(keys)), "< 50 ms"),
            ("filter keystroke: + layout", spread([k[1] for k in keys]), str(len(keys)), ""),
            ("filter keystroke: next frame", spread([k[2] for k in keys]), str(len(keys)), ""),
            ("facet click: handler", spread([c[0] for c in clicks]), str(len(clicks)), "< 50 ms"),
            ("facet click: + layout", spread([c[1] for c in clicks]), str(len(clicks)), ""),
            ("facet click: next frame", spread([c[2] for c in clicks]), str(len(clicks)), ""),
            ("search word typed (after load)", spread([r.typed_ms for r in runs if r.typed_ms is not None]), "", ""),
            ("quick agent search: first result", spread(quick), f"{len(quick)}/{len(runs)}", "< 1000 ms"),
            ("quick agent search: the agent listed", spread(quick_target), f"{len(quick_target)}/{len(runs)}", ""),
            ("Material search first result (after load)", spread(first), f"{len(first)}/{len(runs)}", ""),
            ("Material search: the agent listed", spread(target), f"{len(target)}/{len(runs)}", ""),
            ("search warm: query -> agent listed", spread(warm), str(len(warm)), ""),
        ]
    )
    print()
    table(
        [
            ("file", "bytes", "bytes / agent"),
            *[
                (name, f"{value * site.agents:,.0f}", f"{value:,.0f}")
                for name, value in (
                    ("search/search_index.json", per_agent["search_index.json"]),
                    ("search/search_index.js", per_agent["search_index.js"]),
                    ("assets/catalog-data.js", per_agent["catalog-data.js"]),
                    ("index.html (overview)", per_agent["index.html"]),
                )
            ],
        ]
    )
    print(f"\nblocked requests outside the site: {outside}; console errors: {len(errors)}")
    for error in errors[:5]:
        print(f"  {error}")
    return {
        "agents": site.agents,
        "keystroke": statistics.median([k[0] for k in keys]),
        "keystroke_max": max(k[0] for k in keys),
        "keystroke_frame": statistics.median([k[2] for k in keys]),
        "keystroke_frame_max": max(k[2] for k in keys),
        "click_frame": statistics.median([c[2] for c in clicks]),
        "first": statistics.median(first) if first else None,
        "quick": statistics.median(quick) if quick else None,
        "warm": statistics.median(warm) if warm else None,
        **per_agent,
    }


def summary(rows: list[dict[str, Any]]) -> None:
    print("\nSummary (medians; keystroke and click in ms, search in ms after the load event)\n")
    table(
        [
            (
                "agents",
                "keystroke",
                "(max)",
                "to frame",
                "(max)",
                "facet to frame",
                "quick 1st",
                "Material 1st",
                "warm",
                "index B/agent",
                "data B/agent",
                "overview B/agent",
            ),
            *[
                (
                    f"{r['agents']:,}",
                    ms(r["keystroke"]),
                    ms(r["keystroke_max"]),
                    ms(r["keystroke_frame"]),
                    ms(r["keystroke_frame_max"]),
                    ms(r["click_frame"]),
                    ms(r["quick"]),
                    ms(r["first"]),
                    ms(r["warm"]),
                    f"{r['search_index.json']:,.0f}",
                    f"{r['catalog-data.js']:,.0f}",
                    f"{r['index.html']:,.0f}",
                )
                for r in rows
            ],
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--runs", type=int, default=3, help="browser runs per size (the site is built once)")
    parser.add_argument("--scratch", type=Path, help="where to generate and build (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the generated agents and sites")
    parser.add_argument("--reuse", action="store_true", help="use a site built earlier in --scratch (with --keep)")
    args = parser.parse_args()
    if not CHROMIUM.is_file():
        sys.exit(f"{CHROMIUM} is absent (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="bench-search-"))
    scratch.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
            for size in args.sizes:
                site = build_site(size, scratch, args.reuse)
                runs = []
                for n in range(args.runs):
                    runs.append(one_run(browser, site))
                    run = runs[-1]
                    say(
                        f"[{size}] run {n + 1}/{args.runs}: load {ms(run.load_ms)} ms, quick agent search "
                        f"{ms(run.quick_ms)} ms and Material search {ms(run.first_item_ms)} ms after load, "
                        "keystroke median "
                        f"{ms(statistics.median(k[0] for k in run.keystrokes))} ms"
                    )
                rows.append(report(site, runs))
                sys.stdout.flush()
                if not args.keep:
                    shutil.rmtree(scratch / f"n{size}", ignore_errors=True)
            browser.close()
        summary(rows)
        print(
            f"\ntargets at 5,000 agents: keystroke < {FILTER_TARGET_MS:.0f} ms, "
            f"first search results < {SEARCH_TARGET_MS:.0f} ms after load"
        )
    finally:
        if not args.keep and not args.scratch:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
