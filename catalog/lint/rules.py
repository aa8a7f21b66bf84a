"""The lint rules: each with a stable code, a severity, a one-line summary and documentation.

Agent rules look at one agent; catalog rules compare agents. Scan findings (AC1xx) are
registered here too, so that every code can be explained and switched off the same way. The
rules each tool reads its own way are in ``catalog.lint.rules_format``; how rules are registered is
``catalog.lint.registry``.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterator

from catalog.config import MAX_DESCRIPTION_TOKENS, MAX_TOTAL_DESCRIPTION_TOKENS
from catalog.lint import rules_format  # noqa: F401 - registers the format rules
from catalog.lint.overlap import CROWD, confusable
from catalog.lint.registry import RULES, Hit, LintSettings, Rule, _line, _rule, _scan_rule, estimate_tokens, rule_table
from catalog.model.dialects import DIALECTS
from catalog.model.growth import out_of_proportion
from catalog.model.names import NAMED_IN_GROUP, some_of
from catalog.model.sections import prompt_parts
from catalog.types import Agent, Section

__all__ = ["RULES", "LintSettings", "Rule", "estimate_tokens", "rule_table"]

_scan_rule("AC100", "missing-path", "error", "A path given on the command line does not exist.", "Check the path.")
_scan_rule(
    "AC101",
    "unreadable-file",
    "error",
    "The file cannot be read.",
    "Permissions, or not a regular file (a FIFO, a device). The agent gets no page content.",
)
_scan_rule(
    "AC102",
    "file-too-large",
    "error",
    "The file is larger than 2 MiB and is not parsed.",
    "Agent files are a few kilobytes; a huge file is a mistake or an attack. Nothing in it is read.",
)
_scan_rule(
    "AC103",
    "bad-encoding",
    "error",
    "The file is not UTF-8.",
    "Invalid bytes are replaced (error); UTF-16 with a BOM is decoded (warning). Save the file as UTF-8.",
)
_scan_rule("AC104", "bom", "warning", "The file starts with a byte-order mark.", "Remove the BOM: some loaders "
           "then miss the opening '---'.")  # fmt: skip
_scan_rule("AC105", "nul-bytes", "error", "The file contains NUL bytes.", "They were removed. A text file has none.")
_scan_rule("AC106", "crlf", "info", "CRLF or CR line endings.", "Read as LF. Most tools cope; git can normalize them.")
_scan_rule(
    "AC108",
    "config-not-parsed",
    "error",
    "A Codex TOML, Kiro JSON or Roo Code or Kilo Code file of modes does not load.",
    "Its tool refuses the whole file: fix the syntax at the line given. Nothing in it was read.",
)
_scan_rule(
    "AC109",
    "file-failed",
    "error",
    "Reading the file failed in a way agent-catalog did not foresee.",
    "A bug in agent-catalog, found by this file's bytes: the file is left out and the rest of the catalog is "
    "built. Please report it with the file.",
)
_scan_rule(
    "AC110",
    "no-frontmatter",
    "error",
    "No frontmatter: the file must start with a '---' line.",
    "Without frontmatter no tool loads the file as an agent.",
)
_scan_rule(
    "AC111",
    "frontmatter-not-first",
    "warning",
    "The frontmatter does not start on the first line.",
    "Blank lines before '---' make strict loaders miss the frontmatter.",
)
_scan_rule(
    "AC112",
    "indented-file",
    "warning",
    "The whole file is indented.",
    "The closing '---' is then not at the start of a line; python-frontmatter returns no metadata at all.",
)
_scan_rule(
    "AC113",
    "unclosed-frontmatter",
    "error",
    "The frontmatter is not closed by a '---' line.",
    "Everything after the opening line would be frontmatter; only the key lines before the first blank line were read.",
)
_scan_rule(
    "AC114",
    "unsafe-yaml",
    "error",
    "The frontmatter cannot be loaded safely.",
    "An unsafe tag (!!python/...), an alias bomb, a recursive alias or nesting too deep. Nothing was loaded.",
)
_scan_rule(
    "AC115",
    "lenient-yaml",
    "warning",
    "The frontmatter is not valid YAML, or lines of example dialogue are YAML keys: read leniently.",
    "Claude Code reads such files as meant; tools that load YAML strictly reject the first kind and, in the "
    "second, end the field (the description) at the first dialogue line ('user: ...' unindented) and load it as "
    "a key. On a Claude Code file the finding is a note (info) for whoever uses the file with another tool. "
    "Quote values that contain ': ' or use a block scalar (description: |), its lines indented.",
)
_scan_rule(
    "AC116",
    "frontmatter-not-mapping",
    "error",
    "The frontmatter is a list or a single value.",
    "Frontmatter must map keys to values.",
)
_scan_rule("AC117", "duplicate-key", "warning", "A key appears twice.", "YAML keeps only the last one, silently.")
_scan_rule(
    "AC118",
    "unbuildable-value",
    "warning",
    "A frontmatter value is YAML that cannot be built (an impossible date, a bad tag, a huge integer).",
    "It is read as its raw text. Quote it if text is what you meant.",
)
_scan_rule(
    "AC120",
    "unclosed-example",
    "warning",
    "An <example> is not closed by </example>.",
    "The example runs to the next <example> or the end of the text.",
)
_scan_rule(
    "AC119",
    "companion-not-read",
    "warning",
    "A file an agent is read from is missing, outside the scanned folder, does not load, or is shared too widely.",
    "A Kiro or opencode prompt file, Roo Code rules or a Codex .codex/config.toml. Files outside the scanned "
    "folder are never read: a catalog publishes only what is inside the folders it was given. A file several "
    "agents read is read by each until the copies in the catalog would pass 16 MiB: each page shows it whole.",
)
_scan_rule("AC121", "stray-example-close", "warning", "A </example> has no opening tag.", "Remove it or add <example>.")
_scan_rule(
    "AC131",
    "unreadable-folder",
    "error",
    "A folder (or an entry in it) cannot be read.",
    "Agents in it are missing from the catalog. Check its permissions.",
)
_scan_rule(
    "AC132",
    "symlink-not-followed",
    "warning",
    "A symlink leads outside the scanned folder, nowhere, or into a loop.",
    "It is never followed: a catalog publishes only what is inside the folders it was given.",
)
_scan_rule(
    "AC133",
    "name-not-utf8",
    "warning",
    "A file or folder name is not valid UTF-8.",
    "It is read, and shown with its bad bytes as \\xNN. Pages, links and the JSON output need text: rename it.",
)
_scan_rule(
    "AC140",
    "page-name-collision",
    "warning",
    "Two agents' names give the same page name (they differ only in case, accents or punctuation).",
    "Both get a page; this one's name is numbered. Rename one of them so links stay stable.",
)
_scan_rule(
    "AC150",
    "page-not-built",
    "error",
    "MkDocs failed on the agent's page (a plugin, a Markdown extension or the theme raised an error).",
    "A short page stands in for it and the rest of the site is built. The message is MkDocs' error.",
)
_scan_rule(
    "AC130",
    "bad-manifest",
    "warning",
    "A marketplace.json, plugin.json or category JSON could not be read.",
    "Collection, plugin and category then come from folders only.",
)


@_rule(
    "AC202",
    "missing-description",
    "error",
    "No 'description': the agent is skipped (Claude Code, opencode) or never chosen.",
    "The description is what the main conversation reads to decide when to delegate. Claude Code skips a file "
    "with a name but no description; opencode requires it.",
)
def missing_description(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    if not agent.description.strip() and agent.key_lines:
        yield _line(agent, "description"), 1, "no 'description': the agent is skipped and never delegated to"


@_rule(
    "AC301",
    "duplicate-name",
    "error",
    "Two files in one scope have the same name; only one of them loads.",
    "Which one wins depends on the file system's order. Scope: one format in one collection (or plugin).",
)
def catalog_duplicate_name(agents: tuple[Agent, ...], settings: LintSettings) -> Iterator[tuple[Agent, Hit]]:
    scopes: dict[tuple[str, str, str, str], list[Agent]] = defaultdict(list)
    for agent in agents:
        scopes[(agent.collection or "", agent.plugin or "", agent.format.value, agent.name.casefold())].append(agent)
    for same in scopes.values():
        if len(same) > 1:
            # One finding a file, naming a few of the others: n files of one name are n
            # findings of one line each, not n lines of n paths.
            firsts = heapq.nsmallest(NAMED_IN_GROUP + 1, same, key=lambda a: (a.display_path, a.path))
            for agent in same:
                others = some_of([a.display_path for a in firsts if a is not agent], len(same) - 1)
                yield agent, (_line(agent, "name"), 1, f"name {agent.name!r} is also used by {others}")


@_rule(
    "AC302",
    "name-across-collections",
    "info",
    "The same name appears in several collections, for the same tool.",
    "Installing agents from both collections into one project would make one shadow the other. Agents of "
    "different tools live in different folders (.claude/agents/, .github/agents/, ...): their names never clash.",
)
def catalog_cross_collection(agents: tuple[Agent, ...], settings: LintSettings) -> Iterator[tuple[Agent, Hit]]:
    by_name: dict[tuple[str, str], list[Agent]] = defaultdict(list)
    for agent in agents:
        by_name[(DIALECTS[agent.format].install_dir, agent.name.casefold())].append(agent)
    for same in by_name.values():
        collections = sorted({a.collection or "" for a in same})
        if len(collections) > 1:
            named = [c for c in collections if c]  # "": files in no collection
            firsts = named[: NAMED_IN_GROUP + 1]
            for agent in same:
                others = some_of([c for c in firsts if c != agent.collection], len(named) - bool(agent.collection))
                yield agent, (_line(agent, "name"), 1, f"name {agent.name!r} also exists in {others or 'another'}")


@_rule(
    "AC303",
    "overlapping-descriptions",
    "info",
    "Two agents one tool loads together (one collection, one tool) claim the same requests: it may pick either.",
    "The tool delegates by reading the descriptions, so two agents whose descriptions use the same words "
    "compete for the same requests. The overlap score (also on each agent page, under Similar agents): an "
    "agent's text is its description without the examples plus the user turns of its examples; its words are "
    "lowercased, singular, without stop words, the most used first up to 240 characters. With N agents in "
    "the catalog and df the number using a word, the word weighs (1 + ln count) x (1 + ln((1 + N) / (1 + df))), "
    "and in a catalog of 50 or more, words used by more than a tenth of the agents are left out. The score is "
    "the cosine of the two agents' weights, from 0 to 1 (1: the same words in the same proportions), 0 when "
    "they share fewer than two words, rounded to two decimals. Pairs of one collection and one tool (Copilot "
    "agents and chat modes are one) scoring 0.5 or more are reported, at both files. Make each description "
    f"say what sets the agent apart, or keep one of the two. An agent is compared with at most {CROWD} others of "
    "its collection and tool (those sharing the most words with it); a finding that says so may have more.",
)
def catalog_overlap(agents: tuple[Agent, ...], settings: LintSettings) -> Iterator[tuple[Agent, Hit]]:
    rivals: dict[int, list[tuple[float, str]]] = defaultdict(list)  # by id(agent): (score, other's path)
    found = confusable(agents)
    for one, other, score in found.pairs:
        rivals[id(one)].append((score, other.display_path))
        rivals[id(other)].append((score, one.display_path))
    crowded = {id(agents[index]) for index in found.crowded}
    for agent in agents:
        close = rivals.get(id(agent))
        if close:
            # One finding a file, the closest few named: n rivals are one line, not n.
            closest = heapq.nsmallest(NAMED_IN_GROUP, close, key=lambda pair: (-pair[0], pair[1]))
            named = some_of([f"{path} (score {score:.2f})" for score, path in closest], len(close))
            # Near-copies by the hundred: compared with CROWD of them, the agent may have more.
            crowd = id(agent) in crowded
            partly = f" (more than {CROWD} agents share its words, compared with {CROWD} at most)" if crowd else ""
            yield (
                agent,
                (_line(agent, "description"), 1, f"description overlaps {named}{partly}: the tool may pick either"),
            )


@_rule(
    "AC406",
    "no-tools",
    "warning",
    "'tools: []' gives the agent no tools at all.",
    "Rarely meant: to allow every tool, leave 'tools' out. Not for Roo Code or Kilo Code modes: 'groups: []' "
    "leaves a mode the tools every mode has (new_task, switch_mode), as the built-in Orchestrator's.",
)
def no_tools(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    if agent.tools == () and DIALECTS[agent.format].permission_model != "roo-groups":
        yield _line(agent, "tools"), 1, "'tools' is empty: the agent can use no tool at all"


@_rule(
    "AC501",
    "example-without-user",
    "warning",
    "An example dialogue has no user turn.",
    "Examples teach the main conversation when to delegate: each needs what the user said. "
    "In the system prompt, an example with no turn at all (a sample of output) is not a dialogue.",
    prompt_lines=True,
)
def example_without_user(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    for number, example in enumerate(agent.examples, 1):
        in_prompt = example.line >= agent.body_line
        if not any(turn.role == "user" for turn in example.turns) and (example.turns or not in_prompt):
            yield example.line, 1, f"example {number} has no 'user:' turn"


@_rule(
    "AC502",
    "empty-section",
    "warning",
    "A Markdown heading in the system prompt has nothing under it.",
    "An empty heading usually means text was lost or never written.",
    prompt_lines=True,
)
def empty_section(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    def walk(sections: tuple[Section, ...]) -> Iterator[Hit]:
        for section in sections:
            empty = not (section.text or section.items or section.children or section.markdown.strip())
            if empty and section.kind == "heading":
                yield section.line, 1, f"section {section.title!r} is empty"
            yield from walk(section.children)

    yield from walk(agent.sections)


@_rule(
    "AC503",
    "markdown-out-of-proportion",
    "warning",
    "Markdown that would render out of proportion to its size: shown without tables and reference links.",
    "A link reference definition is copied into every link that uses it, and a table row short of cells is "
    "filled with empty ones: a few kilobytes of either can be gigabytes of HTML. Text where they could render "
    "over 48 times its size is shown on its page without tables and reference links.",
    prompt_lines=True,
)
def markdown_out_of_proportion(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    texts = [(_line(agent, "description"), agent.summary or agent.description)]
    texts += [(part.line, part.markdown) for part in prompt_parts(agent.body, agent.body_line, agent.sections)]
    for example in agent.examples:
        texts += [(example.line, text or "") for text in (example.context, example.commentary)]
        texts += [(example.line, turn.text) for turn in example.turns]
    for line, text in texts:
        why = out_of_proportion(text)
        if why:
            yield line, 1, f"Markdown out of proportion ({why}): shown without tables and reference links"


@_rule(
    "AC601",
    "description-tokens",
    "warning",
    "The description is long: it costs context in every conversation.",
    "Every agent's description is loaded into the main conversation. The estimate is about four characters a "
    f"token; the threshold is max-description-tokens in [tool.agent-catalog] (default {MAX_DESCRIPTION_TOKENS}).",
)
def description_tokens(agent: Agent, settings: LintSettings) -> Iterator[Hit]:
    tokens = estimate_tokens(agent.description)
    if tokens > settings.max_description_tokens:
        yield (
            _line(agent, "description"),
            1,
            f"description is about {tokens:,} tokens (over {settings.max_description_tokens:,})",
        )


@_rule(
    "AC602",
    "catalog-tokens",
    "warning",
    "All descriptions together are long: installing the whole catalog costs that much context.",
    f"The threshold is max-total-description-tokens in [tool.agent-catalog] (default {MAX_TOTAL_DESCRIPTION_TOKENS})."
    " Reported once, at "
    "the agent with the longest description.",
)
def catalog_total_tokens(agents: tuple[Agent, ...], settings: LintSettings) -> Iterator[tuple[Agent, Hit]]:
    total = sum(estimate_tokens(a.description) for a in agents)
    if agents and total > settings.max_total_description_tokens:
        longest = max(agents, key=lambda a: (estimate_tokens(a.description), a.path))
        yield longest, total_tokens_hit(len(agents), total, longest, settings)


def total_tokens_hit(count: int, total: int, longest: Agent, settings: LintSettings) -> Hit:
    """AC602's hit at the longest of ``count`` descriptions totalling ``total`` tokens (over
    the limit): also made without the catalog, from its figures (``catalog.incremental.changes``)."""
    return (
        _line(longest, "description"),
        1,
        f"all {count:,} descriptions are about {total:,} tokens "
        f"(over {settings.max_total_description_tokens:,}); this one is the longest",
    )
