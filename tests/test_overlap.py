"""catalog.lint.overlap: which agents compete for the same requests ("Similar agents", AC303).

The browser side (the list scored from catalog-data.js) is checked against these functions in
tests/test_browser_similar.py; here: the terms each agent carries, the score, the rule's
findings, and that no agent's page depends on another agent's text.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.cli.main import main
from catalog.lint import overlap
from catalog.lint.overlap import (
    CONFUSABLE_THRESHOLD,
    CROWD,
    SHARED_WORDS,
    SIMILAR_LIMIT,
    SIMILAR_THRESHOLD,
    TERM_CHARS,
    OverlapIndex,
    confusable,
    confusable_pairs,
    overlap_text,
    parse_terms,
    rounded,
    terms_of,
    terms_of_text,
    words_of,
)
from catalog.model.names import NAMED_IN_GROUP
from catalog.pipeline import scan_catalog
from catalog.render.facets import data_row
from catalog.render.pages import render_catalog
from catalog.types import Agent
from tests.catalog_data import catalog_data

AGENTS = {
    "pg.md": "---\nname: pg\ndescription: Tunes slow PostgreSQL queries, reads EXPLAIN plans and adds indexes.\n"
    "---\nx\n",
    "sql.md": "---\nname: sql\ndescription: >-\n  Speeds up slow queries.\n  <example>\n  user: My PostgreSQL "
    "query ignores its indexes, read the EXPLAIN plan\n  assistant: I will ask the sql agent.\n  </example>\n---\nx\n",
    "docs.md": "---\nname: docs\ndescription: Writes release notes and changelogs for each version.\n---\nx\n",
}


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_the_user_turns_count_and_the_assistant_turns_do_not(tmp_path: Path) -> None:
    agents = {a.name: a for a in scan_catalog([str(write(tmp_path / "agents", AGENTS))]).agents}
    text = overlap_text(agents["sql"])
    assert "My PostgreSQL query ignores its indexes" in text
    assert "sql agent" not in text and "<example>" not in text
    assert terms_of(agents["sql"]) == "query:2 speed slow postgresql ignore index read explain plan"


def test_words_are_lowercased_singular_and_without_stop_words() -> None:
    assert words_of(
        "The Agent reviews Queries, Indexes and Processes in Databases; use it for APIs, C++ and node.js."
    ) == [
        "review",
        "query",
        "index",
        "process",
        "database",
        "apis",
        "c++",
        "node.js",
    ]


WORDS = st.sampled_from("index query plan vacuum review release docs test deploy cache kubernetes helm".split())
TEXTS = st.lists(st.lists(WORDS, max_size=12).map(" ".join), min_size=1, max_size=12)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(alphabet="abcdefghij xyz.-+#:\n", max_size=80) | WORDS, max_size=400).map(" ".join))
def test_an_agents_terms_fit_and_keep_the_most_used_words(text: str) -> None:
    terms = terms_of_text(text)
    assert len(terms) <= TERM_CHARS
    assert terms == terms.strip() and "  " not in terms
    parsed = parse_terms(terms)
    counts = {word: words_of(text).count(word) for word in set(words_of(text))}
    assert all(min(counts[word], 99) == n for word, n in parsed.items())
    left_out = set(counts) - set(parsed)
    if left_out:  # a word left out is one that did not fit, after every word used more often
        assert max(counts[w] for w in left_out) <= min(counts[w] for w in parsed) or len(terms) > TERM_CHARS - 45
    assert list(parsed.values()) == sorted(parsed.values(), reverse=True)


@settings(max_examples=60, deadline=None)
@given(TEXTS)
def test_scores_are_symmetric_cosines_and_lists_follow_their_rules(texts: list[str]) -> None:
    terms = [terms_of_text(text) for text in texts]
    index = OverlapIndex(terms)
    slugs = [f"a{i:02}" for i in range(len(texts))]
    for i, j in itertools.combinations(range(len(texts)), 2):
        score = index.score(i, j)
        assert score == index.score(j, i)  # to the last bit: the browser adds in the same order
        assert 0 <= score <= 1 + 1e-12
        shared = set(index.weights[i]) & set(index.weights[j])
        assert (score > 0) == (len(shared) >= SHARED_WORDS)
        if terms[i] == terms[j] and len(index.weights[i]) >= SHARED_WORDS:
            assert rounded(score) == 1.0
        assert (j in index.candidates(i)) == (len(shared) >= SHARED_WORDS)
    for i in range(len(texts)):
        found = index.similar(i, slugs)
        assert len(found) <= SIMILAR_LIMIT
        assert i not in {r.index for r in found}
        assert all(r.score >= SIMILAR_THRESHOLD for r in found)
        assert [(-r.score, slugs[r.index]) for r in found] == sorted((-r.score, slugs[r.index]) for r in found)
        everyone = [rounded(index.score(i, j)) for j in range(len(texts)) if j != i]
        passing = sorted((s for s in everyone if s >= SIMILAR_THRESHOLD), reverse=True)
        assert [r.score for r in found] == passing[:SIMILAR_LIMIT]


def test_rounding_is_halves_up_as_the_browser_rounds() -> None:
    # Math.floor(100 * s + 0.5) / 100, not Python's round() (halves to even, 0.125 -> 0.12).
    assert rounded(0.125) == 0.13 and rounded(0.245) == math.floor(24.5 + 0.5) / 100
    assert rounded(1.0000000002) == 1.0


@settings(max_examples=40, deadline=None)
@given(TEXTS, st.lists(st.sampled_from("ab"), min_size=12, max_size=12))
def test_the_rule_reports_every_close_pair_of_one_scope_and_no_other(texts: list[str], scopes: list[str]) -> None:
    agents = scan_free_agents(texts)
    scope = dict(zip((a.display_path for a in agents), scopes, strict=False))
    found = confusable_pairs(agents, scope=lambda a: scope[a.display_path])
    index = OverlapIndex([terms_of(a) for a in agents])
    expected = [
        (agents[i].display_path, agents[j].display_path, rounded(index.score(i, j)))
        for i, j in itertools.combinations(range(len(agents)), 2)
        if scope[agents[i].display_path] == scope[agents[j].display_path]
        and rounded(index.score(i, j)) >= CONFUSABLE_THRESHOLD
    ]
    assert [(a.display_path, b.display_path, s) for a, b, s in found] == expected


@functools.lru_cache(maxsize=1)
def _template() -> Agent:
    folder = Path(tempfile.mkdtemp(prefix="overlap-template-"))
    agent = scan_catalog([str(write(folder, {"t.md": AGENTS["pg.md"]}))]).agents[0]
    shutil.rmtree(folder)
    return agent


def scan_free_agents(texts: list[str]) -> list[Agent]:
    """Agents with these descriptions, made without files (hypothesis runs this often)."""
    return [
        _template().evolve(display_path=f"agents/a{i:02}.md", slug=f"a{i:02}", description=t, summary=t, examples=())
        for i, t in enumerate(texts)
    ]


def test_lint_names_the_pair_and_the_score(tmp_path: Path) -> None:
    write(tmp_path / "agents", {**AGENTS, "sql.md": AGENTS["pg.md"].replace("name: pg", "name: sql")})
    result = CliRunner().invoke(main, ["lint", str(tmp_path / "agents")])
    found = [line for line in result.stdout.splitlines() if " AC303 " in line]
    root = tmp_path / "agents"
    assert found == [
        f"{root}/pg.md:3:1: AC303 description overlaps {root}/sql.md (score 1.00): the tool may pick either",
        f"{root}/sql.md:3:1: AC303 description overlaps {root}/pg.md (score 1.00): the tool may pick either",
    ]
    assert result.exit_code == 0  # info


def test_many_rivals_are_one_finding_a_file_naming_the_closest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    files = {
        f"agent-{i:03}.md": f"---\nname: a{i}\ndescription: Tunes PostgreSQL queries and indexes, "
        f"reads EXPLAIN plans{', vacuum' * (i % 3)}.\n---\nx\n"
        for i in range(40)  # under 50: no word is left out for being common
    }
    write(tmp_path / "agents", files)
    result = CliRunner().invoke(main, ["lint", "agents"])
    lines = [line for line in result.stdout.splitlines() if " AC303 " in line]
    assert len(lines) == 40
    assert all(len(line.encode()) < 400 and line.count("(score ") == NAMED_IN_GROUP for line in lines)
    assert all(line.endswith("and 36 more: the tool may pick either") for line in lines), lines[0]


def test_an_agents_page_does_not_depend_on_other_agents(tmp_path: Path) -> None:
    """The class of the held-back design's cost: one description edit changing other pages."""
    alone = write(tmp_path / "alone", {"pg.md": AGENTS["pg.md"]})
    crowd = {
        f"rival-{i}.md": f"---\nname: rival-{i}\ndescription: Tunes slow PostgreSQL queries {i}, reads EXPLAIN "
        f"plans.\n---\nx\n"
        for i in range(60)
    }
    crowded = write(tmp_path / "crowded", {"pg.md": AGENTS["pg.md"], **crowd, **AGENTS})
    pages = [render_catalog(scan_catalog([str(folder)])) for folder in (alone, crowded)]
    assert pages[0]["agents/pg.md"] == pages[1]["agents/pg.md"]
    edited = write(tmp_path / "crowded", {"sql.md": AGENTS["docs.md"].replace("name: docs", "name: sql")})
    after = render_catalog(scan_catalog([str(edited)]))
    pages_of = [rel for rel in after if rel.startswith("agents/") and rel.endswith(".md")]
    changed = sorted(rel for rel in pages_of if after[rel] != pages[1][rel])
    assert changed == ["agents/sql.md"]


def test_a_row_grows_by_its_terms_alone(tmp_path: Path) -> None:
    words = " ".join(f"word{i}x" for i in range(5000))
    write(tmp_path / "agents", {"big.md": f"---\nname: big\ndescription: {words}\n---\nx\n"})
    agent = scan_catalog([str(tmp_path / "agents")]).agents[0]
    row = json.loads(data_row(agent, "agents/big.html"))
    assert row[7] == terms_of(agent) and len(row[7]) <= TERM_CHARS
    assert len(json.dumps(row[7])) + 1 <= TERM_CHARS + 3  # the comma and quotes


def test_lint_scores_a_pair_as_its_pages_do_when_agents_have_definitions_for_several_tools(tmp_path: Path) -> None:
    """N and df count the catalog's entries, one row each in catalog-data.js, not the files."""
    extra = {
        "vacuum.md": "---\nname: vacuum\ndescription: Schedules PostgreSQL VACUUM and ANALYZE, watches table bloat "
        "and slow autovacuum.\n---\nx\n",
        "release.md": "---\nname: release\ndescription: Writes release notes from merged pull requests.\n---\nx\n",
    }
    repo = tmp_path / "repo"
    write(repo / ".claude" / "agents", {**AGENTS, **extra})
    write(repo / ".cursor" / "agents", {name: AGENTS[name] for name in ("pg.md", "sql.md", "docs.md")})
    catalog = scan_catalog([str(repo)])
    assert sum(1 for a in catalog.agents if a.entry) == 3  # the Cursor definitions join their entries
    pages = render_catalog(catalog)
    rows = catalog_data(lambda rel: str(pages[rel]))["agents"]
    index = OverlapIndex([row[7] for row in rows])
    at = {row[0]: i for i, row in enumerate(rows)}
    pairs = confusable_pairs(catalog.agents)
    tools = sorted({(a.format.value, b.format.value) for a, b, _ in pairs})
    assert tools == [("claude-code", "claude-code"), ("cursor", "cursor")]  # each tool's pair
    for one, other, score in pairs:
        first, second = (agent.entry or agent.slug for agent in (one, other))
        assert score == rounded(index.score(at[first], at[second])), (one.display_path, other.display_path)


def near_copies(copies: int, others: int) -> list[Agent]:
    """``copies`` agents of one collection that differ by one word, and ``others`` of words
    of their own (so that the copies' words are not left out as common)."""
    shared = " ".join(f"shared{k}word" for k in range(20))
    texts = [f"{shared} own{i}word" for i in range(copies)]
    texts += [f"alone{i}word other{i}word third{i}word" for i in range(others)]
    return scan_free_agents(texts)


def test_near_copies_by_the_hundred_cost_each_agent_a_bounded_number_of_comparisons(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The class: n near-identical agents of one scope were n²/2 comparisons (2,000 took
    seconds); each agent is now compared with at most CROWD others, and says so."""
    calls = [0]
    real_score = OverlapIndex.score

    def counted(self: OverlapIndex, first: int, second: int) -> float:
        calls[0] += 1
        return real_score(self, first, second)

    monkeypatch.setattr(OverlapIndex, "score", counted)
    cost = {}
    for copies in (2 * CROWD, 4 * CROWD):
        calls[0] = 0
        agents = near_copies(copies, 9 * copies)
        found = confusable(agents)
        cost[copies] = calls[0]
        assert calls[0] <= copies * CROWD
        rivals = Counter(agent.display_path for pair in found.pairs for agent in pair[:2])
        assert len(rivals) == copies  # every copy is reported, with at least CROWD - 1 rivals
        assert min(rivals.values()) >= CROWD - 1
        assert found.crowded == frozenset(range(copies))
    # Linear in the copies, not quadratic: each copy more costs at most CROWD comparisons.
    assert cost[4 * CROWD] - cost[2 * CROWD] <= 2 * CROWD * CROWD


@settings(max_examples=60, deadline=None)
@given(TEXTS, st.lists(st.sampled_from("ab"), min_size=12, max_size=12), st.integers(1, 6))
def test_a_crowded_scope_reports_true_pairs_and_every_pair_of_an_agent_not_crowded(
    texts: list[str], scopes: list[str], crowd: int
) -> None:
    agents = scan_free_agents(texts)
    scope = dict(zip((a.display_path for a in agents), scopes, strict=False))
    index = OverlapIndex([terms_of(a) for a in agents])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(overlap, "CROWD", crowd)
        found = confusable(agents, scope=lambda a: scope[a.display_path])
    at = {a.display_path: i for i, a in enumerate(agents)}
    reported = {(at[a.display_path], at[b.display_path]): s for a, b, s in found.pairs}
    assert list(reported) == sorted(reported)  # first by catalog order, once each
    expected = {
        (i, j): rounded(index.score(i, j))
        for i, j in itertools.combinations(range(len(agents)), 2)
        if scope[agents[i].display_path] == scope[agents[j].display_path]
        and rounded(index.score(i, j)) >= CONFUSABLE_THRESHOLD
    }
    assert reported.items() <= expected.items()  # nothing false
    missed = {i for pair in set(expected) - set(reported) for i in pair}
    assert missed <= found.crowded  # an agent that may miss a rival is one the finding says so of


def test_the_finding_of_a_crowded_agent_says_how_far_it_was_compared(tmp_path: Path) -> None:
    shared = " ".join(f"shared{k}word" for k in range(20))
    files = {
        f"copy-{i:03}.md": f"---\nname: copy-{i}\ndescription: {shared} own{i}word\n---\nx\n" for i in range(CROWD + 2)
    }
    files |= {
        f"other-{i:04}.md": f"---\nname: other-{i}\ndescription: alone{i}word other{i}word\n---\nx\n"
        for i in range(9 * (CROWD + 2))
    }
    write(tmp_path / "agents", files)
    result = CliRunner().invoke(main, ["lint", str(tmp_path / "agents")])
    lines = [line for line in result.stdout.splitlines() if " AC303 " in line]
    assert len(lines) == CROWD + 2
    said = f"(more than {CROWD} agents share its words, compared with {CROWD} at most): the tool may pick"
    assert all(said in line for line in lines)
