"""Which agents compete for the same requests: "Similar agents" on each page, and AC303.

A harness picks the agent to delegate to by reading the descriptions, so two agents whose
descriptions (and the requests of their examples) use the same words get confused.

The work is split so that no agent's page depends on another agent's text:

- each agent gives its own **terms** (``terms_of``), a short string that depends on its file
  alone: its words, most used first, as ``word`` or ``word:count``. They are the last field of
  its row in ``assets/catalog-data.js``, which is written again on every change anyway;
- the agent page's "Similar agents" list is scored in the browser from every agent's terms
  (``site_templates/assets/agent-catalog.js``), so an edit rewrites no other agent's page;
- lint's AC303 scores the same way here (``OverlapIndex``), for pairs of agents that one tool
  loads together (one collection, one tool), so its score is the one the page shows.

The score (documented for users in README.md and in AC303's explanation; the browser does the
same arithmetic in the same order, so the two agree to the last bit but for ``Math.log``):

- an agent's text is its description without the examples, then the user turns of its
  examples; its words are runs of ASCII letters and digits (with ``+ # . -`` inside:
  ``c++``, ``node.js``), lowercased, a plural's ``s`` taken off (``es`` after ``x`` or
  ``ss``; ``ies`` becomes ``y``; only from a last part of four letters or more, after any
  ``.`` or ``-``), stop words and words of fewer than three or more than 40
  characters left out. Its terms are its words, most used first (then in the order they
  come), as many as fit in ``TERM_CHARS`` characters;
- with N agents in the catalog (its entries: an agent defined for several tools counts once,
  by the definition its page shows) and df(w) the number of them whose terms hold w, a word
  weighs (1 + ln count) x (1 + ln((1 + N) / (1 + df(w)))); when N >= 50, words that more
  than a tenth of the agents use are left out (they tell no agent apart);
- the score of two agents is the sum, over the words they share (taken in code point order),
  of the product of their weights, divided by the product of the two vectors' lengths (each
  the square root of the sum of its weights' squares, in its terms' order): the cosine, 0
  to 1. Pairs that share fewer than two words score 0. It is rounded down from the half:
  floor(100 x score + 0.5) / 100;
- a page lists the ``SIMILAR_LIMIT`` agents of the catalog scoring at least
  ``SIMILAR_THRESHOLD``, highest first, then by slug; AC303 reports pairs of one collection
  and one tool scoring at least ``CONFUSABLE_THRESHOLD``.
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import NamedTuple

from catalog.frozen import frozen
from catalog.model.dialects import DIALECTS
from catalog.types import Agent

TERM_CHARS = 240  # characters of terms per agent, at most (its row grows by this and a few)
SIMILAR_THRESHOLD = 0.25  # an agent page lists the agents at least this close...
SIMILAR_LIMIT = 5  # ...and at most this many
CONFUSABLE_THRESHOLD = 0.5  # AC303 reports pairs at least this close
COMMON_SHARE = 0.1  # words used by more than this share of the agents are left out...
COMMON_FROM = 50  # ...in a catalog of at least this many agents
# AC303 compares an agent with at most this many others of its scope: those sharing the most
# words with it among the first this many (in catalog order) of its scope using each of its
# words. Real catalogs stay under it (the corpus: 101 agents of one collection use one word);
# thousands of near-copies cost each agent this many comparisons, not one per copy.
CROWD = 128
# Two short descriptions that share one word ("Test authoring", "Documentation authoring")
# are not rivals: a pair scores only with at least this many words in common.
SHARED_WORDS = 2
_LONGEST_WORD = 40
_MOST_COUNTED = 99  # a count above this is written as this

_WORD = re.compile(r"[a-z][a-z0-9+#]*(?:[.-][a-z0-9+#]+)*")
# English function words, and the words every agent description uses to say it is one.
_STOP = frozenset(
    """
    about above after again against all also among and any are aren around because been before being below
    between both but can cannot could did does doing don down during each either else etc even ever every
    for from further had has have having her here hers him his how however i'd i'll i'm i've into its it's
    itself just let like may might more most much must need needs no nor not now off once one only other
    our ours out over own per same shall she should since some such than that the their them then there
    these they this those though through thus too under until upon use used uses using very via was were
    what when whenever where whether which while who whom whose why will with within without would yet you
    your yours yourself
    agent agents assistant user example examples commentary context proactively specialist specialized
    expert expertise task tasks help helps helping want wants please invoke invoked launch delegate
    """.split()
)


def overlap_text(agent: Agent) -> str:
    """What the harness matches a request against: the description without its examples,
    then what the user says in each example."""
    asked = [turn.text for example in agent.examples for turn in example.turns if turn.role == "user"]
    return "\n".join([agent.summary or agent.description, *asked])


def words_of(text: str) -> list[str]:
    """The words of ``text`` that can tell agents apart, lowercased and singular."""
    found = []
    for word in _WORD.findall(text.lower()):
        if len(word) < 3 or len(word) > _LONGEST_WORD or word in _STOP:
            continue
        tail = len(word) - max(word.rfind("."), word.rfind("-")) - 1  # "js" of "node.js" is no plural
        if tail > 4 and word.endswith("ies"):
            word = word[:-3] + "y"
        elif tail > 4 and word.endswith(("xes", "sses")):
            word = word[:-2]
        elif tail > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        found.append(word)
    return found


def terms_of(agent: Agent) -> str:
    """The agent's terms: what its row of ``catalog-data.js`` carries for the overlap score,
    from its own file alone. Its words, most used first and then in the order they come, as
    ``word`` or ``word:count``, space-separated, as many as fit in ``TERM_CHARS`` characters."""
    return terms_of_text(overlap_text(agent))


def terms_of_text(text: str) -> str:
    """``terms_of`` an agent whose ``overlap_text`` is ``text``."""
    counts = Counter(words_of(text))  # in the order the words first come
    kept: list[str] = []
    used = -1  # no space before the first
    for word in sorted(counts, key=lambda w: -counts[w]):  # stable: ties keep their order
        n = min(counts[word], _MOST_COUNTED)
        term = word if n == 1 else f"{word}:{n}"
        if used + 1 + len(term) <= TERM_CHARS:
            kept.append(term)
            used += 1 + len(term)
    return " ".join(kept)


def parse_terms(terms: str) -> dict[str, int]:
    """``terms_of``'s string as word -> count, in its order."""
    parsed: dict[str, int] = {}
    for term in terms.split():
        word, _, count = term.partition(":")
        parsed[word] = int(count) if count.isdigit() and int(count) > 0 else 1
    return parsed


def rounded(score: float) -> float:
    """Two decimals, halves up, as the browser rounds: ``Math.floor(100 * s + 0.5) / 100``."""
    return math.floor(min(score, 1.0) * 100 + 0.5) / 100


def tool_of(agent: Agent) -> str:
    """Which tool loads the agent: the top folder it is installed in (Copilot's agents and
    chat modes are both under ``.github``)."""
    return DIALECTS[agent.format].install_dir.strip("/").split("/")[0]


@frozen
class Rival:
    """Another agent close to one agent."""

    index: int  # in the catalog's order
    score: float  # rounded


class OverlapIndex:
    """Every agent's weighted words, and for each word the agents that can share it."""

    def __init__(self, terms: Sequence[str], counted: Sequence[bool] | None = None) -> None:
        """``counted``: which agents N and df count (default all): the catalog's entries, as
        catalog-data.js has a row for each; the others (an agent's definitions for other
        tools, shown on its entry's page) are weighed with them."""
        counts = [parse_terms(t) for t in terms]
        entries = [count for index, count in enumerate(counts) if counted is None or counted[index]]
        total = len(entries)
        used_by: Counter[str] = Counter(word for count in entries for word in count)
        common = COMMON_SHARE * total if total >= COMMON_FROM else total
        in_rows: Counter[str] = Counter(word for count in counts for word in count)
        self.weights: list[dict[str, float]] = []
        self.lengths: list[float] = []
        self.postings: dict[str, list[int]] = defaultdict(list)
        for index, count in enumerate(counts):
            weights = {
                word: (1 + math.log(n)) * (1 + math.log((1 + total) / (1 + used_by[word])))
                for word, n in count.items()
                if used_by[word] <= common
            }
            squares = 0.0
            for weight in weights.values():  # in order, one by one, as the browser adds them
                squares += weight * weight
            self.weights.append(weights)
            self.lengths.append(math.sqrt(squares))
            for word in weights:
                if in_rows[word] > 1:
                    self.postings[word].append(index)

    def score(self, first: int, second: int) -> float:
        """The cosine of two agents, unrounded; 0 when they share fewer than ``SHARED_WORDS``."""
        one, other = self.weights[first], self.weights[second]
        shared = sorted(one.keys() & other.keys())
        if len(shared) < SHARED_WORDS:
            return 0.0
        dot = 0.0
        for word in shared:
            dot += one[word] * other[word]
        return dot / (self.lengths[first] * self.lengths[second])

    def candidates(self, index: int, keep: Callable[[int], bool] | None = None) -> list[int]:
        """The other agents that share at least ``SHARED_WORDS`` words with agent ``index``
        (and pass ``keep``), in catalog order."""
        shared: Counter[int] = Counter()
        for word in self.weights[index]:
            for other in self.postings.get(word, ()):
                if other != index and (keep is None or keep(other)):
                    shared[other] += 1
        return sorted(other for other, n in shared.items() if n >= SHARED_WORDS)

    def similar(self, index: int, slugs: Sequence[str]) -> list[Rival]:
        """What agent ``index``'s page lists: the ``SIMILAR_LIMIT`` closest at
        ``SIMILAR_THRESHOLD`` or more, closest first, then by slug."""
        found = [Rival(other, rounded(self.score(index, other))) for other in self.candidates(index)]
        found = [r for r in found if r.score >= SIMILAR_THRESHOLD]
        found.sort(key=lambda r: (-r.score, slugs[r.index]))
        return found[:SIMILAR_LIMIT]


class Confusable(NamedTuple):
    """AC303's pairs, and the agents whose rivals may be more than those found (``CROWD``)."""

    pairs: list[tuple[Agent, Agent, float]]
    crowded: frozenset[int]  # indexes in ``agents`` of the agents met only partly


def confusable_pairs(
    agents: Sequence[Agent], threshold: float = CONFUSABLE_THRESHOLD, scope: Callable[[Agent], Hashable] | None = None
) -> list[tuple[Agent, Agent, float]]:
    """Pairs of agents that one tool loads together (one collection, one tool, or ``scope``)
    scoring at least ``threshold``, with their rounded score, first by catalog order. Scored
    among all ``agents``, as the pages score them."""
    return confusable(agents, threshold, scope).pairs


def confusable(
    agents: Sequence[Agent], threshold: float = CONFUSABLE_THRESHOLD, scope: Callable[[Agent], Hashable] | None = None
) -> Confusable:
    """``confusable_pairs``, and which agents met only ``CROWD`` of the agents sharing their
    words: at most ``CROWD`` candidates an agent, so the cost is linear in the agents however
    many near-copies one scope holds."""
    scope_of = scope or (lambda agent: (agent.collection or "", tool_of(agent)))
    scopes = [scope_of(agent) for agent in agents]
    # N and df count the entries, as the pages do (an agent's definitions for other tools
    # have no row of their own); every definition is scored with those weights.
    index = OverlapIndex([terms_of(agent) for agent in agents], [not agent.entry for agent in agents])
    # The index's postings, split by scope: each agent meets only the agents of its own, and
    # of a word more than CROWD agents of its scope use, the first CROWD of them.
    postings: dict[tuple[Hashable, str], list[int]] = defaultdict(list)
    overflowed: set[tuple[Hashable, str]] = set()
    for position, weights in enumerate(index.weights):
        for word in weights:
            if word in index.postings:
                posting = postings[(scopes[position], word)]
                if len(posting) < CROWD:
                    posting.append(position)
                else:
                    overflowed.add((scopes[position], word))
    crowded: set[int] = set()  # the agents of a word cut short may miss a rival
    near: list[list[int]] = []  # each agent's candidates, in catalog order
    for first, weights in enumerate(index.weights):
        shared: Counter[int] = Counter()
        for word in weights:
            key = (scopes[first], word)
            if key in overflowed:
                crowded.add(first)
            shared.update(postings.get(key, ()))  # counted in C: CROWD a word, for each word
        found_near = [other for other, n in shared.items() if n >= SHARED_WORDS and other != first]
        if len(found_near) > CROWD:  # those that share the most words, then the first
            found_near = heapq.nsmallest(CROWD, found_near, key=lambda other: (-shared[other], other))
            crowded.add(first)
        near.append(sorted(found_near))
    found = []
    for first, candidates in enumerate(near):
        for second in candidates:
            if second < first and _holds(near[second], first):
                continue  # scored from the other side
            pair = (min(first, second), max(first, second))
            score = rounded(index.score(*pair))
            if score >= threshold:
                found.append((pair, score))
    found.sort()
    return Confusable([(agents[i], agents[j], score) for (i, j), score in found], frozenset(crowded))


def _holds(ordered: list[int], value: int) -> bool:
    at = bisect.bisect_left(ordered, value)
    return at < len(ordered) and ordered[at] == value
