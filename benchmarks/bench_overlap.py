"""What AC303 and the "Similar agents" data cost (catalog/lint/overlap.py).

    python benchmarks/bench_overlap.py [--corpus ../shared/corpus] [--runs 5]

- the corpus (1,727 agents when ../shared/corpus is there) and the corpus grown to 2,000 agents
  (its first agents again, in a collection of their own): every agent's terms, and
  ``confusable_pairs`` (what AC303 runs);
- the worst case for the inverted index: 2,000 agents of one collection in ten groups of 200
  (each group's words used by exactly a tenth of the catalog, the most that is not left out),
  so every agent shares 24 words with 199 others; and 4,000 in ten groups of 400. Each agent
  is compared with at most ``CROWD`` of them (``catalog.lint.overlap``): the cost doubles, not
  quadruples;
- 2,000 near-copies (one word apart) among 20,000 agents: one group of 2,000 whose words are
  used by a tenth of the catalog; compared all with all, that was 2 million pairs;
- how many bytes the terms add to catalog-data.js, per agent (the row's last field, its quotes
  and its comma).

Medians of --runs runs, in this process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalog.lint.overlap import confusable_pairs, terms_of
from catalog.pipeline import scan_catalog
from catalog.types import Agent


def timed(work: Callable[[], object], runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def report(label: str, agents: Sequence[Agent], runs: int) -> None:
    terms_time, terms = timed(lambda: [terms_of(a) for a in agents], runs)
    pairs_time, pairs = timed(lambda: confusable_pairs(agents), runs)
    assert isinstance(terms, list) and isinstance(pairs, list)
    added = [len(t) + 3 for t in terms]
    print(
        f"{label:>28}: {len(agents):>5} agents, terms {terms_time:.3f} s, AC303 pairs {pairs_time:.3f} s "
        f"({len(pairs)} pairs); data +{statistics.mean(added):.0f} bytes an agent (max {max(added)})",
        flush=True,
    )


def worst_case(template: Agent, count: int = 2000, groups: int = 10) -> list[Agent]:
    agents = []
    for index in range(count):
        group = index % groups
        text = " ".join(f"grp{group}word{k}" for k in range(24)) + f" own{index}a own{index}b"
        agents.append(
            template.evolve(
                display_path=f"worst/{index:05}.md",
                slug=f"worst-{index:05}",
                description=text,
                summary=text,
                examples=(),
                collection="worst",
            )
        )
    return agents


def near_copies(template: Agent, copies: int = 2000, others: int = 18000) -> list[Agent]:
    shared = " ".join(f"shared{k}word" for k in range(24))
    texts = [f"{shared} own{i}word" for i in range(copies)]
    texts += [f"alone{i}word other{i}word third{i}word" for i in range(others)]
    return [
        template.evolve(
            display_path=f"copies/{index:05}.md",
            slug=f"copy-{index:05}",
            description=text,
            summary=text,
            examples=(),
            collection="copies",
        )
        for index, text in enumerate(texts)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(Path(__file__).resolve().parents[2] / "shared" / "corpus"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    corpus = list(scan_catalog([args.corpus]).agents)
    if not corpus:
        sys.exit(f"no agents in {args.corpus}")
    report("corpus", corpus, args.runs)
    extra = [a.evolve(display_path=f"copy/{a.display_path}", slug=f"copy-{a.slug}", collection="copy") for a in corpus]
    report("corpus grown to 2,000", [*corpus, *extra][:2000], args.runs)
    report("worst case, 10 groups of 200", worst_case(corpus[0]), args.runs)
    report("worst case, 10 groups of 400", worst_case(corpus[0], 4000), args.runs)
    report("2,000 near-copies in 20,000", near_copies(corpus[0]), args.runs)


if __name__ == "__main__":
    main()
