"""What in a tool's own folder is an agent: only its agents folder, and never a file another agent
reads as part of it. Moifek/kiro-dev-team's .kiro/templates/*.md (frontmatter with a name and a
description) were two Claude Code agents, and its five prompt files, which have frontmatter,
five more Kiro agents beside the JSON agents that name them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.discover.find import find_agent_files
from catalog.lint.check import lint_catalog
from catalog.model.dialect_of import AGENT_FOLDERS, LAYOUTS
from catalog.pipeline import scan_catalog

AGENT = "---\nname: {name}\ndescription: An agent.\n---\nYou help.\n"
TOOL_FOLDERS = sorted({folder for folder, _, _ in LAYOUTS})
OTHER_FOLDERS = ["templates", "scripts", "specs", "notes"]


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("other", OTHER_FOLDERS)
@pytest.mark.parametrize("tool", TOOL_FOLDERS)
def test_a_tool_folder_holds_agents_only_in_its_agents_folder(tmp_path: Path, tool: str, other: str) -> None:
    agents = [f"{folder}/{child}" for folder, children, _ in LAYOUTS if folder == tool for child in children]
    for index, folder in enumerate(agents):
        write(tmp_path, f"{folder}/agent-{index}.md", AGENT.format(name=f"agent-{index}"))
    write(tmp_path, f"{tool}/{other}/template.md", AGENT.format(name="template"))
    discovery = find_agent_files([str(tmp_path)])
    assert sorted(s.rel_path for s in discovery.sources) == [f"{f}/agent-{i}.md" for i, f in enumerate(agents)]
    reasons = {s.rel_path: s.reason for s in discovery.skipped}
    assert reasons[f"{tool}/{other}/"].startswith(f"{tool}/{other} holds no agents")


@pytest.mark.parametrize("prompt", ["file://./k-prompt.md", "file://prompts/k.md", "file://./../agents/k-prompt.md"])
def test_a_prompt_file_with_frontmatter_is_part_of_its_agent_not_an_agent(tmp_path: Path, prompt: str) -> None:
    agent = {"name": "k", "description": "Does k.", "prompt": prompt, "tools": ["read"]}
    write(tmp_path, ".kiro/agents/k.json", json.dumps(agent))
    target = prompt.removeprefix("file://").removeprefix("./").replace("../agents/", "")
    write(tmp_path, f".kiro/agents/{target}", "---\nname: k\ndescription: Does k.\n---\nYou do k.\n")
    catalog = scan_catalog([str(tmp_path)], jobs=1)
    assert [(a.path, a.name) for a in catalog.agents] == [(".kiro/agents/k.json", "k")]
    # Its frontmatter is the agent's settings again, not its prompt (as Markdown, its closing
    # line made them a heading: an AC502 empty section on each of kiro-dev-team's agents).
    assert catalog.agents[0].body == "You do k."
    skipped = {s.rel_path: s.reason for s in find_agent_files([str(tmp_path)]).skipped}
    assert "read as part of" in skipped.get(f".kiro/agents/{target}", "read as part of")


@pytest.mark.parametrize(
    "target",
    [".claude/agents/reviewer.md", ".kiro/agents/reviewer.md", ".github/agents/reviewer.agent.md"],
)
def test_a_prompt_path_never_takes_another_agents_page(tmp_path: Path, target: str) -> None:
    # A Kiro agent whose prompt is another agent's file shows that text, and the other agent
    # keeps its page.
    write(tmp_path, target, "---\nname: reviewer\ndescription: Reviews.\n---\nYou review.\n")
    depth = "../" * (target.count("/") and 2)
    evil = {"name": "evil", "description": "Evil.", "prompt": f"file://./{depth}{target}"}
    write(tmp_path, ".kiro/agents/evil.json", json.dumps(evil))
    catalog = scan_catalog([str(tmp_path)], jobs=1)
    assert sorted(a.path for a in catalog.agents) == sorted([".kiro/agents/evil.json", target])


@pytest.mark.parametrize(
    "owner, config, victim",
    [
        # A Kiro agent of another repository named as the victim, its prompt the victim's file.
        (
            "a/.kiro/agents/reviewer.json",
            {"name": "reviewer", "description": "E.", "prompt": "file://{path}"},
            "b/.claude/agents/reviewer.md",
        ),
        # The same in one repository: a Kiro agent whose prompt is the Claude Code agent's file
        # (one prompt for two tools); Claude Code still loads its agent.
        (
            ".kiro/agents/reviewer.json",
            {"name": "reviewer", "description": "E.", "prompt": "file://{path}"},
            ".claude/agents/reviewer.md",
        ),
        # An opencode.json agent whose prompt is a file named as the configuration file.
        (
            "a/opencode.json",
            {"agent": {"x": {"description": "E.", "prompt": "{{file:{path}}}"}}},
            "b/.claude/agents/opencode.md",
        ),
        (
            "a/opencode.json",
            {"agent": {"x": {"description": "E.", "prompt": "{{file:{path}}}"}}},
            "b/.opencode/agent/opencode.md",
        ),
    ],
)
def test_a_prompt_file_of_the_same_name_elsewhere_keeps_its_page(
    tmp_path: Path, owner: str, config: dict[str, object], victim: str
) -> None:
    name = victim.rsplit("/", 1)[-1].removesuffix(".md")
    write(tmp_path, victim, f"---\nname: {name}\ndescription: Reviews.\n---\nYou review.\n")
    path = "/".join([".."] * owner.count("/") + [victim])
    write(tmp_path, owner, json.dumps(config).replace("{path}", path))
    write(tmp_path, "a/README.md", "A.\n")
    write(tmp_path, "b/README.md", "B.\n")
    catalog = scan_catalog([str(tmp_path)], jobs=1)
    assert victim in [a.path for a in catalog.agents]


def test_an_opencode_json_agents_own_markdown_prompt_is_part_of_it(tmp_path: Path) -> None:
    # opencode.json's agent "reviewer" whose prompt is .opencode/agent/reviewer.md: one agent
    # (opencode merges the two), not the same agent twice; "opencode" was taken for its name.
    config = {"agent": {"reviewer": {"description": "Reviews.", "prompt": "{file:./.opencode/agent/reviewer.md}"}}}
    write(tmp_path, "opencode.json", json.dumps(config))
    write(tmp_path, ".opencode/agent/reviewer.md", AGENT.format(name="reviewer"))
    catalog = scan_catalog([str(tmp_path)], jobs=1)
    assert [a.path for a in catalog.agents] == ["opencode.json#reviewer"]


# A folder name without its dot (gemini/agents/, droids/) says the format inside the scanned
# folder only: the folders above it are where a user keeps the checkout (one named kilo or
# codex, a home folder droids), not what the agents are. The worktree of this test's author was
# /work/wt/kilo: every agent of agents/ was read as Kilo Code.
UNDOTTED = sorted({(folder[1:], child, fmt.value) for folder, children, fmt in LAYOUTS for child in children})


@pytest.mark.parametrize(("folder", "child", "fmt"), UNDOTTED)
def test_a_tool_folder_without_its_dot_above_the_scanned_folder_says_nothing(
    tmp_path: Path, folder: str, child: str, fmt: str
) -> None:
    write(tmp_path, f"{folder}/{child}/a.md", AGENT.format(name="a"))
    [above] = scan_catalog([str(tmp_path / folder / child)]).agents
    # The scanned folder's own name counts: droids/ is Factory's wherever it is.
    assert above.format.value == (AGENT_FOLDERS[child].value if child in AGENT_FOLDERS else "claude-code")
    [inside] = scan_catalog([str(tmp_path)]).agents
    assert inside.format.value == fmt


# A file named on the command line (as the pre-commit hook and `scan x.md` name them): the folders
# of the path as given are the user's, as a scanned folder's are; those above it say nothing.
@pytest.mark.parametrize(("folder", "child", "fmt"), UNDOTTED)
def test_a_file_named_with_its_tool_folder_without_its_dot_is_that_tools(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str, child: str, fmt: str
) -> None:
    write(tmp_path, f"{folder}/{child}/a.md", AGENT.format(name="a"))
    monkeypatch.chdir(tmp_path)
    [named] = scan_catalog([f"{folder}/{child}/a.md"]).agents
    assert named.format.value == fmt
    [walked] = scan_catalog(["."]).agents
    assert walked.format.value == fmt
    monkeypatch.chdir(tmp_path / folder / child)
    [alone] = scan_catalog(["a.md"]).agents
    assert alone.format.value == (AGENT_FOLDERS[child].value if child in AGENT_FOLDERS else "claude-code")


@pytest.mark.parametrize("folder", sorted(AGENT_FOLDERS))
def test_a_folder_only_one_tool_names_counts_from_the_scanned_folder_down(tmp_path: Path, folder: str) -> None:
    write(tmp_path, f"{folder}/repo/a.md", AGENT.format(name="a"))
    assert [a.format.value for a in scan_catalog([str(tmp_path / folder / "repo")]).agents] == ["claude-code"]
    expected = AGENT_FOLDERS[folder].value
    assert [a.format.value for a in scan_catalog([str(tmp_path / folder)]).agents] == [expected]


# Kilo Code (its CLI and the extension built on it), opencode's fork, reads agents from
# {agent,agents}/**/*.md of .kilo/ and .kilocode/ and from the "agent" map of kilo.json(c).
@pytest.mark.parametrize(
    "rel",
    [
        ".kilo/agents/a.md",
        ".kilo/agent/a.md",
        ".kilocode/agents/a.md",
        ".kilocode/agent/team/a.md",
        ".kilo/mode/a.md",  # ConfigAgent.loadMode in Kilo's fork too: {mode,modes}/*.md, read flat
        ".kilocode/modes/a.md",
    ],
)
def test_kilo_codes_agent_folders(tmp_path: Path, rel: str) -> None:
    write(tmp_path, rel, "---\ndescription: Does a.\nmode: subagent\npermission:\n  edit: deny\n---\nYou do a.\n")
    write(tmp_path, ".kilocode/rules-a/r.md", "A rule.")  # a legacy mode's rules: no agent
    [agent] = scan_catalog([str(tmp_path)]).agents
    # Named as opencode names it: its path below the agents folder (team/a).
    name = rel.split("/", 2)[2].removesuffix(".md")
    assert (agent.format.value, agent.name, agent.body.strip()) == ("kilo-code", name, "You do a.")
    assert "edit" in agent.disallowed_tools


@pytest.mark.parametrize("rel", ["kilo.json", "kilo.jsonc", ".kilo/kilo.jsonc"])
def test_kilo_codes_configuration_defines_agents(tmp_path: Path, rel: str) -> None:
    write(tmp_path, rel, json.dumps({"agent": {"tester": {"description": "Runs tests.", "prompt": "You test."}}}))
    [agent] = scan_catalog([str(tmp_path)]).agents
    assert (agent.format.value, agent.name, agent.body) == ("kilo-code", "tester", "You test.")


@pytest.mark.parametrize("kilo", [".kilo/agents", ".kilocode/agents"])
def test_a_kilo_code_agent_and_a_claude_code_one_of_a_name_are_one_entry(tmp_path: Path, kilo: str) -> None:
    write(tmp_path, "repo/.claude/agents/reviewer.md", AGENT.format(name="reviewer"))
    write(tmp_path, f"repo/{kilo}/reviewer.md", "---\ndescription: Reviews.\nmode: subagent\n---\nYou review.\n")
    agents = {a.format.value: a for a in scan_catalog([str(tmp_path)]).agents}
    assert agents["kilo-code"].entry == agents["claude-code"].slug


# A tool's agents folder is no category, whether the repository or the tool's folder itself is
# scanned (init names .kilo or .opencode as the folder to scan): `agent-catalog scan .kilo`
# put every Kilo Code agent of .kilo/agent/ in a category "agent", and renamed its page.
@pytest.mark.parametrize(("folder", "child"), sorted({(f, c) for f, children, _ in LAYOUTS for c in children}))
def test_a_tools_agents_folder_is_no_category(tmp_path: Path, folder: str, child: str) -> None:
    write(tmp_path, f"{folder}/{child}/a.md", AGENT.format(name="a"))
    for scanned in (tmp_path, tmp_path / folder):
        [agent] = scan_catalog([str(scanned)]).agents
        assert (agent.category, agent.slug) == (None, "a"), scanned


# VS Code's Copilot agents (microsoft/vscode, promptSyntax/config/promptFileLocations.ts and
# utils/promptFilesLocator.ts): a file without a header is an agent all the same, the whole text
# its prompt and its file name its name; .github/agents/ is read flat, README.md left out.
HEADERLESS = "You review pull requests.\n\n## Focus\nCorrectness.\n"


@pytest.mark.parametrize(
    "rel", [".github/agents/reviewer.agent.md", ".github/agents/reviewer.md", "agents/reviewer.agent.md"]
)
def test_a_copilot_agent_without_frontmatter_is_an_agent_as_vs_code_loads_it(tmp_path: Path, rel: str) -> None:
    write(tmp_path, rel, HEADERLESS)
    catalog = scan_catalog([str(tmp_path)])
    assert [(a.name, a.format.value, a.body) for a in catalog.agents] == [("reviewer", "copilot-agent", HEADERLESS)]
    assert [f.code for f in catalog.findings] == []


def test_what_vs_code_does_not_load_without_frontmatter_stays_no_agent(tmp_path: Path) -> None:
    """Claude Code's agents need their frontmatter, VS Code reads no subfolder nor README.md."""
    for rel in (".claude/agents/x.md", ".github/agents/README.md", ".github/agents/team/y.agent.md"):
        write(tmp_path, rel, HEADERLESS)
    catalog = scan_catalog([str(tmp_path)])
    assert catalog.agents == ()
    assert [(f.path.rsplit("/", 3)[-3:], f.code) for f in catalog.findings] == [
        ([".claude", "agents", "x.md"], "AC110")
    ]


def test_a_copilot_agent_in_a_subfolder_of_github_agents_is_one_vs_code_never_loads(tmp_path: Path) -> None:
    write(tmp_path, ".github/agents/team/y.agent.md", "---\ndescription: An agent.\n---\nYou help.\n")
    catalog = scan_catalog([str(tmp_path)])
    assert [a.name for a in catalog.agents] == ["y"]
    assert [(f.code, f.message.split(":")[0]) for f in lint_catalog(catalog)] == [
        ("AC207", "Copilot agent reads the files directly in .github/agents/ only, not its subfolders")
    ]


def test_a_chat_mode_is_named_by_its_name_key_as_vs_code_names_a_custom_agent(tmp_path: Path) -> None:
    write(tmp_path, ".github/chatmodes/m.chatmode.md", "---\nname: planner\ndescription: Plans.\n---\nYou plan.\n")
    write(tmp_path, ".github/chatmodes/n.chatmode.md", "---\ndescription: Plans.\n---\nYou plan.\n")
    assert sorted(a.name for a in scan_catalog([str(tmp_path)]).agents) == ["n", "planner"]


KIRO_PART = {"name": "k", "description": "Does k.", "tools": ["read"]}
OPENCODE_PART = {"agent": {"reviewer": {"description": "Reviews."}}}
# (the agent's file, its settings with the prompt that names the part, the part): each part a
# Markdown file without frontmatter where agents are, as Kiro's docs and opencode's write them.
BARE_PARTS = {
    "Kiro, beside its JSON": (".kiro/agents/k.json", {**KIRO_PART, "prompt": "file://./k.md"}, ".kiro/agents/k.md"),
    "Kiro, no ./": (".kiro/agents/k.json", {**KIRO_PART, "prompt": "file://k-prompt.md"}, ".kiro/agents/k-prompt.md"),
    "Kiro, a subfolder": (".kiro/agents/k.json", {**KIRO_PART, "prompt": "file://./p/k.md"}, ".kiro/agents/p/k.md"),
    "opencode, its agents folder": (
        "opencode.json",
        {"agent": {"reviewer": {**OPENCODE_PART["agent"]["reviewer"], "prompt": "{file:./.opencode/agent/r.md}"}}},
        ".opencode/agent/r.md",
    ),
    "opencode, beside Markdown agents": (
        "opencode.json",
        {"agent": {"reviewer": {**OPENCODE_PART["agent"]["reviewer"], "prompt": "{file:./agents/r-prompt.md}"}}},
        "agents/r-prompt.md",
    ),
}


def test_every_name_of_a_prompt_file_without_frontmatter_is_part_of_its_agent(tmp_path: Path) -> None:
    # A link beside the prompt file is the same file by another name: read by the agent too.
    write(tmp_path, ".kiro/agents/k.json", json.dumps({**KIRO_PART, "prompt": "file://./k.md"}))
    write(tmp_path, ".kiro/agents/k.md", "You do k.\n")
    (tmp_path / ".kiro/agents/k-link.md").symlink_to("k.md")
    discovery = find_agent_files([str(tmp_path)])
    assert discovery.findings == ()
    reasons = {s.rel_path: s.reason for s in discovery.skipped}
    assert all(reasons[f".kiro/agents/{n}"].startswith("read as part of ") for n in ("k.md", "k-link.md"))


@pytest.mark.parametrize("case", BARE_PARTS.values(), ids=BARE_PARTS.keys())
@pytest.mark.parametrize("text", ["You do k.\n", ""], ids=["text", "empty"])
def test_a_prompt_file_without_frontmatter_is_part_of_its_agent_not_an_ignored_file(
    tmp_path: Path, case: tuple[str, dict[str, object], str], text: str
) -> None:
    # jianquan008/chatbot's eight Kiro agents each name "file://./<name>.md" beside them: each
    # prompt file was an AC110 error ("its tool ignores this file"), and lint failed.
    owner, settings, part = case
    write(tmp_path, owner, json.dumps(settings))
    write(tmp_path, part, text)
    folder = part.rpartition("/")[0]
    write(tmp_path, f"{folder}/other.md", AGENT.format(name="other"))  # Markdown agents beside it
    write(tmp_path, f"{folder}/notes.md", "Notes no agent reads.\n")
    discovery = find_agent_files([str(tmp_path)])
    # The file no agent reads is still one its tool ignores; the prompt file is not.
    assert [(f.path, f.code) for f in discovery.findings] == [(f"{tmp_path}/{folder}/notes.md", "AC110")]
    reasons = {s.rel_path: s.reason for s in discovery.skipped}
    assert reasons[part].startswith("read as part of ") and reasons[part].endswith("not as an agent of its own")
    catalog = scan_catalog([str(tmp_path)], jobs=1)
    agent = next(a for a in catalog.agents if a.path.startswith(owner))
    assert agent.body == text.strip()


def test_a_kilo_code_mode_in_a_subfolder_is_one_kilo_code_never_loads(tmp_path: Path) -> None:
    write(tmp_path, ".kilo/mode/team/a.md", "---\ndescription: Does a.\nmode: primary\n---\nYou do a.\n")
    catalog = scan_catalog([str(tmp_path)])
    assert [a.format.value for a in catalog.agents] == ["kilo-code"]
    assert [f.code for f in lint_catalog(catalog)] == ["AC207"]
