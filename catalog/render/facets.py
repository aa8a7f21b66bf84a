"""The data the overview's filter and the search box's quick agent search work on.

It is written as a script (``assets/catalog-data.js``) that sets one global, so that a page
opened from disk can use it: browsers refuse ``fetch`` from ``file://``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from catalog.lint.overlap import terms_of
from catalog.model.dialects import DIALECTS
from catalog.model.names import slugify, titleize
from catalog.model.variants import formats_of
from catalog.render.textsafe import excerpt
from catalog.types import Agent, clipped

T = TypeVar("T")

FORMAT_LABELS = {fmt: dialect.label for fmt, dialect in DIALECTS.items()}
UNCATEGORIZED = "uncategorized"
_WRITE_TOOLS = frozenset(
    {
        "write",
        "edit",
        "multiedit",
        "notebookedit",
        "bash",
        "patch",
        "edit/editfiles",
        "write_file",
        "create",
        "applypatch",
        "apply_patch",
        "replace",
        "shell",
        "command",
        "run_shell_command",
        "execute",
    }
)
TOOL_LABELS = {
    "all": "All tools",
    "bash": "Can run Bash",
    "read-only": "Read-only (no Write, Edit or Bash)",
    "web": "Uses the web",
    "mcp": "Uses MCP tools",
    "none": "No tools",
}
SEARCH_TEXT_LIMIT = 700  # characters of example dialogue text per agent
# What one agent puts on the pages every agent shares (the overview, the group pages,
# catalog-data.js) is cut to these: a label (category, collection, plugin, model, color) and
# the searched name, title, summary, tags and tools. A file's 500 KB name or model costs the
# shared pages no more than a long one; its own page and record have it whole. The corpus's
# longest: a label of 60 characters, a searched text of 1,263.
LABEL_LIMIT = 100
SEARCH_HEAD_LIMIT = 2000
QUICK_SUMMARY_LIMIT = 110  # characters of summary a quick search result shows


def label(text: str) -> str:
    """``text`` as the shared pages show it: at most ``LABEL_LIMIT`` characters."""
    return clipped(text, LABEL_LIMIT)


def category_of(agent: Agent) -> str:
    return agent.category or UNCATEGORIZED


def tool_traits(agent: Agent) -> list[str]:
    """What an agent's tools let it do, as facet values."""
    if agent.tools is None:
        denied = {t.split("(", 1)[0].strip().lower() for t in agent.disallowed_tools}
        can_run = not denied & {"bash", "shell", "execute", "run_shell_command", "command"}
        if not can_run and denied & {"edit", "write", "apply_patch", "create"}:
            return ["read-only"]
        return ["all", "bash"] if can_run else ["all"]
    names = {tool.split("(", 1)[0].strip().lower() for tool in agent.tools}
    traits = []
    if not names:
        traits.append("none")
    if names & {
        "bash",
        "execute",
        "terminalcommand",
        "runcommands",
        "runinterminal",
        "shell",
        "command",
        "run_shell_command",
    } or any(n.startswith("execute/") for n in names):
        traits.append("bash")
    if not names & _WRITE_TOOLS and not any(n.startswith(("edit", "execute")) for n in names):
        traits.append("read-only")
    if names & {"webfetch", "websearch", "fetch", "web", "web/fetch", "web_fetch", "web_search", "fetchurl", "browser"}:
        traits.append("web")
    if any(n.startswith("mcp__") for n in names):
        traits.append("mcp")
    return traits


def counted(values: Iterable[T]) -> Counter[T]:
    """``Counter(values)``, the same object counted by its identity first: thousands of agents
    share a few tuples of facets or models (one object each in the generate cache's fragments),
    and a tuple does not keep its hash: each would be hashed again for every count."""
    items = list(values)
    one = dict(zip(map(id, items), items, strict=True))
    counts: Counter[T] = Counter()
    for key, agents in Counter(map(id, items)).items():
        counts[one[key]] += agents
    return counts


def model_counts(per_agent: Iterable[Sequence[str]]) -> Counter[str]:
    """How many agents name each model, spellings that are one facet value (``GPT-4.1``,
    ``gpt-4.1``: one key) counted as one, under the label the filter shows for it.
    (Agents of the same models are counted together: thousands of agents name a few models.)"""
    return model_counts_of(counted(map(tuple, per_agent)))


def model_counts_of(agents_of: Counter[tuple[str, ...]]) -> Counter[str]:
    """``model_counts`` of the agents counted by their models, in catalog order."""
    spellings: Counter[tuple[str, str]] = Counter()
    for models, agents in agents_of.items():
        for pair in _one_per_key(models).items():
            spellings[pair] += agents
    label: dict[str, str] = {}
    for (key, model), _ in sorted(spellings.items(), key=lambda item: (-item[1], item[0][1])):
        label.setdefault(key, model)
    return Counter({label[key]: n for key, n in _by_key(spellings).items()})


def _one_per_key(models: Iterable[str]) -> dict[str, str]:
    """Facet key -> the first of an agent's models with that key."""
    found: dict[str, str] = {}
    for model in models:
        found.setdefault(slugify(model), model)
    return found


def _by_key(spellings: Counter[tuple[str, str]]) -> Counter[str]:
    keys: Counter[str] = Counter()
    for (key, _), n in spellings.items():
        keys[key] += n
    return keys


def models_of(agent: Agent) -> list[str]:
    """An agent's models as listed, or ['not set']."""
    values = agent.model if isinstance(agent.model, tuple) else [agent.model] if agent.model else []
    return [label(str(v)) for v in values] or ["not set"]


def place(agent: Agent) -> str:
    """Where an agent comes from, to tell apart agents of the same name wherever they are
    listed: its collection, then its plugin (or else its category) when that is another name."""
    where = [agent.collection or ""]
    group = agent.plugin or (titleize(agent.category) if agent.category else "")
    if group and group != agent.collection:
        where.append(group)
    return " \u203a ".join(label(w) for w in where if w)


def origin(agent: Agent) -> str:
    """``place`` and the formats: what a quick search result shows under an agent's name."""
    where, formats = place(agent), ", ".join(FORMAT_LABELS[fmt] for fmt in formats_of(agent))
    return f"{where} \u00b7 {formats}" if where else formats


# A collection's key: the slug of its page (``render.pages.page_groups``), unique where two
# names slugify alike (``web/app``, ``web-app``); ``slugify`` when it has no page (the only one).
CollectionKey = Callable[[str], str]


def facet_values(agent: Agent, collection_key: CollectionKey = slugify) -> dict[str, list[str]]:
    """Facet name -> the keys (URL values) of this agent. Categories that slugify alike are one
    (``assemble.one_category_spelling``); collections are not, hence ``collection_key``."""
    return {
        "category": [slugify(category_of(agent))],
        "collection": [collection_key(agent.collection)] if agent.collection else [],
        "format": [fmt.value for fmt in formats_of(agent)],  # an entry's: each of its formats
        "model": list(_one_per_key(models_of(agent))),
        "tools": tool_traits(agent),
        "color": [slugify(agent.color)] if agent.color else [],
    }


def search_text(agent: Agent) -> str:
    """What the filter box matches: name, title, summary, tags, tools and example dialogue text."""
    examples = " ".join(" ".join([ex.context or "", *(turn.text for turn in ex.turns)]) for ex in agent.examples)
    parts = [agent.name, agent.title, agent.summary, " ".join(agent.tags), " ".join(agent.tools or ())]
    text = " ".join(" ".join(parts).split())[:SEARCH_HEAD_LIMIT].lower()
    return f"{text} {' '.join(examples.split())[:SEARCH_TEXT_LIMIT].lower()}".strip()


FacetPairs = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # facet -> its (key, label) pairs


def facet_pairs(agent: Agent, collection_key: CollectionKey = slugify) -> FacetPairs:
    """One agent's facet values with their labels."""
    values = facet_values(agent, collection_key)
    sources: dict[str, Iterable[str]] = {
        "category": [label(titleize(category_of(agent)))],
        "collection": [label(agent.collection)] if agent.collection else [],
        "format": [FORMAT_LABELS[fmt] for fmt in formats_of(agent)],
        "model": list(_one_per_key(models_of(agent)).values()),
        "tools": [TOOL_LABELS[t] for t in values["tools"]],
        "color": [label(agent.color)] if agent.color else [],
    }
    return tuple((name, tuple(zip(keys, sources[name], strict=True))) for name, keys in values.items())


def facets_json(agent: Agent, collection_key: CollectionKey = slugify) -> str:
    """``facet_pairs`` as one compact JSON text, what ``labels_of`` counts: one string per
    agent keeps and loads as one object (the pairs as tuples were 20 objects an agent, 30 ms
    of loading 10,000 agents' fragments), and agents of the same facets count as one key."""
    return json.dumps(facet_pairs(agent, collection_key), ensure_ascii=False, separators=(",", ":"))


def labels_of(per_agent: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """Facet name -> [(key, label)], most common first, then by label, from each agent's
    ``facets_json``. Values of one key (``GPT-4.1``, ``gpt-4.1``) are one value, labelled as
    most agents spell it."""
    return labels_counted(facet_counts(per_agent))


FacetCounts = Counter[tuple[str, str, str]]  # (facet name, key, label) -> agents


def facet_counts(per_agent: Iterable[str]) -> FacetCounts:
    """Each (facet name, key, label) of these agents' ``facets_json`` with the number of agents
    that have it, in the order they first appear: what ``labels_counted`` takes. Counts of
    agents one after the other add up (a block's, in ``render.blocks.Summary``), so a catalog's
    labels come from a few hundred counts, not from every agent's facets read again."""
    same = Counter(per_agent)  # agents of the same facets counted together
    counted: FacetCounts = Counter()
    # Read in one call: a call for each of thousands of texts cost more than counting them.
    for agents, pairs in zip(same.values(), json.loads(f"[{','.join(same)}]"), strict=True):
        for name, values in pairs:
            for key, label in values:
                counted[(name, key, label)] += agents
    return counted


def labels_counted(counted: FacetCounts) -> dict[str, list[tuple[str, str]]]:
    """``labels_of`` the agents of these ``facet_counts``."""
    names = ("category", "collection", "format", "model", "tools", "color")
    spellings: dict[str, Counter[tuple[str, str]]] = {name: Counter() for name in names}
    counts: dict[str, Counter[str]] = {name: Counter() for name in names}
    for (name, key, label), agents in counted.items():
        spellings[name][(key, label)] += agents
        counts[name][key] += agents
    labels: dict[str, dict[str, str]] = {name: {} for name in names}
    for name, seen in spellings.items():
        for (key, label), _ in sorted(seen.items(), key=lambda item: (-item[1], item[0][1])):
            labels[name].setdefault(key, label)
    return {
        name: sorted(pairs.items(), key=lambda kv: (-counts[name][kv[0]], kv[1].lower(), kv[0]))
        for name, pairs in labels.items()
    }


def facet_labels(agents: Sequence[Agent]) -> dict[str, list[tuple[str, str]]]:
    """Facet name -> [(key, label)], most common first, then by label."""
    return labels_of(facets_json(agent) for agent in agents)


def data_row(agent: Agent, href: str, collection_key: CollectionKey = slugify) -> str:
    """An agent's row of ``catalog-data.js``, as JSON: slug, search text, facets, and for the
    quick search of the search box the title, the page's address relative to the overview, a
    short summary and where the agent comes from (``origin``); last, its terms for the
    "Similar agents" list its page scores in the browser (``overlap.terms_of``)."""
    row = [
        agent.slug,
        search_text(agent),
        {k: v for k, v in facet_values(agent, collection_key).items() if v},
        label(agent.title),
        href,
        excerpt(agent.summary or agent.description, QUICK_SUMMARY_LIMIT),
        origin(agent),
        terms_of(agent),
    ]
    # ensure_ascii plus escaped "<" keep the row inert even if it held "</script>".
    return json.dumps(row, ensure_ascii=True, separators=(",", ":")).replace("<", "\\u003c")


# Rows per part of the filter's data: an edit of one agent rewrites its part, not every row.
DATA_PART = 500
DATA_HEAD = "assets/catalog-data.js"


def data_parts(entries: int) -> list[str]:
    """The parts of the filter's data (``assets/catalog-data-<n>.js``) for this many entries."""
    return [f"assets/catalog-data-{number}.js" for number in range(1, -(-entries // DATA_PART) + 1)]


def data_script(labels: dict[str, list[tuple[str, str]]], rows: Sequence[bytes]) -> dict[str, bytes]:
    """The filter's data: ``assets/catalog-data.js``, one global with the facets, the count of
    rows and the addresses of the parts, and each part (``data_parts``), a script that adds
    ``DATA_PART`` compact rows to it. The pages load the head then the parts, in order; the
    browser scripts take the data once it holds every row."""
    parts = [b",".join(rows[start : start + DATA_PART]) for start in range(0, len(rows), DATA_PART)]
    return data_scripts(labels, len(rows), parts)


def data_scripts(labels: dict[str, list[tuple[str, str]]], total: int, parts: Sequence[bytes]) -> dict[str, bytes]:
    """``data_script`` of ``total`` rows, given as their parts' rows joined with ","."""
    facets = json.dumps(labels, ensure_ascii=True, separators=(",", ":")).replace("<", "\\u003c")
    paths = data_parts(total)
    head = 'window.__agentCatalog = {"facets":%s,"total":%d,"parts":%s,"agents":[]};\n'
    scripts = {DATA_HEAD: (head % (facets, total, json.dumps(paths))).encode()}
    # The rows (``data_row``, as ASCII) are escaped already: each is one agent's fragment
    # (catalog.render.shared_pages).
    for path, some in zip(paths, parts, strict=True):
        scripts[path] = b"window.__agentCatalog && window.__agentCatalog.agents.push(%s);\n" % some
    return scripts
