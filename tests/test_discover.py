"""catalog.discover.find: every layout people use, sorted, and never out of the scanned folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.discover.agent_files import still_an_agent
from catalog.discover.find import Discovery, find_agent_files
from catalog.types import AgentSource

AGENT = "---\nname: {name}\ndescription: An agent.\n---\nYou help.\n"


def write(root: Path, rel: str, text: str | None = None) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    name = path.name.removesuffix(".md").removesuffix(".agent").removesuffix(".chatmode")
    path.write_text(AGENT.format(name=name) if text is None else text, encoding="utf-8")
    return path


def write_json(root: Path, rel: str, data: object) -> None:
    write(root, rel, json.dumps(data))


def discover(root: Path) -> Discovery:
    return find_agent_files([str(root)])


def sources(root: Path) -> dict[str, AgentSource]:
    return {s.rel_path: s for s in discover(root).sources}


def where(source: AgentSource) -> tuple[str, str | None, str | None, str | None, str | None]:
    return (source.format.value, source.collection, source.marketplace, source.plugin, source.category)


def skipped(root: Path) -> dict[str, str]:
    return {s.rel_path: s.reason for s in discover(root).skipped}


# Layouts


def test_claude_code_project_agents(tmp_path: Path) -> None:
    write(tmp_path, ".claude/agents/reviewer.md")
    write(tmp_path, ".claude/agents/team/planner.md")
    found = sources(tmp_path)
    assert where(found[".claude/agents/reviewer.md"]) == ("claude-code", None, None, None, None)
    assert where(found[".claude/agents/team/planner.md"]) == ("claude-code", None, None, None, "team")
    assert all(s.explicit for s in found.values())


def test_agents_folder_any_depth(tmp_path: Path) -> None:
    write(tmp_path, "agents/reviewer.md")
    write(tmp_path, "agents/quality/deep/tester.md")
    found = sources(tmp_path)
    assert set(found) == {"agents/reviewer.md", "agents/quality/deep/tester.md"}
    assert found["agents/reviewer.md"].category is None
    assert found["agents/reviewer.md"].explicit


def test_collection_is_the_top_folder(tmp_path: Path) -> None:
    write(tmp_path, "acme-agents/agents/reviewer.md")
    assert where(sources(tmp_path)["acme-agents/agents/reviewer.md"]) == (
        "claude-code",
        "acme-agents",
        None,
        None,
        None,
    )


def test_plugin_marketplace_layout(tmp_path: Path) -> None:
    write_json(
        tmp_path,
        ".claude-plugin/marketplace.json",
        {
            "name": "acme-market",
            "plugins": [
                {"name": "review-kit", "source": "./plugins/review-kit", "category": "quality"},
                {"name": "ops-kit", "source": "./plugins/ops-kit", "category": "operations"},
            ],
        },
    )
    write_json(tmp_path, "plugins/review-kit/.claude-plugin/plugin.json", {"name": "review-kit"})
    write(tmp_path, "plugins/review-kit/agents/reviewer.md")
    write(tmp_path, "plugins/review-kit/agents/nested/linter.md")
    # The marketplace alone names a plugin, even without a plugin.json.
    write(tmp_path, "plugins/ops-kit/agents/deployer.md")
    found = sources(tmp_path)
    assert where(found["plugins/review-kit/agents/reviewer.md"]) == (
        "claude-code",
        "acme-market",
        "acme-market",
        "review-kit",
        "quality",
    )
    assert found["plugins/review-kit/agents/nested/linter.md"].plugin == "review-kit"
    assert where(found["plugins/ops-kit/agents/deployer.md"]) == (
        "claude-code",
        "acme-market",
        "acme-market",
        "ops-kit",
        "operations",
    )


def test_plugin_json_agents_list_says_which_files_belong(tmp_path: Path) -> None:
    write_json(tmp_path, "kit/.claude-plugin/plugin.json", {"name": "kit", "agents": ["./listed.md"]})
    write(tmp_path, "kit/listed.md")
    write(tmp_path, "kit/unlisted.md")
    found = sources(tmp_path)
    assert (found["kit/listed.md"].plugin, found["kit/listed.md"].explicit) == ("kit", True)
    # Not in the plugin, but still an agent file (it has frontmatter).
    assert (found["kit/unlisted.md"].plugin, found["kit/unlisted.md"].explicit) == (None, False)


def test_plugin_json_agents_entry_may_be_a_folder(tmp_path: Path) -> None:
    write_json(tmp_path, "kit/.claude-plugin/plugin.json", {"name": "kit", "agents": ["./agents"]})
    write(tmp_path, "kit/agents/builder.md")
    assert sources(tmp_path)["kit/agents/builder.md"].plugin == "kit"


def test_plugin_json_agents_entry_may_be_one_string(tmp_path: Path) -> None:
    write_json(tmp_path, "kit/.claude-plugin/plugin.json", {"name": "kit", "agents": "./one.md"})
    write(tmp_path, "kit/one.md")
    write(tmp_path, "kit/two.md")
    found = sources(tmp_path)
    assert (found["kit/one.md"].plugin, found["kit/two.md"].plugin) == ("kit", None)


def test_plugin_without_agents_list_owns_its_agents_folder(tmp_path: Path) -> None:
    write_json(tmp_path, "kit/.claude-plugin/plugin.json", {"name": "kit-name"})
    write(tmp_path, "kit/agents/a.md")
    assert sources(tmp_path)["kit/agents/a.md"].plugin == "kit-name"


def test_numbered_category_folders(tmp_path: Path) -> None:
    write(tmp_path, "categories/01-core-development/api-designer.md")
    write(tmp_path, "categories/10-research_analysis/analyst.md")
    found = sources(tmp_path)
    assert found["categories/01-core-development/api-designer.md"].category == "core-development"
    assert found["categories/10-research_analysis/analyst.md"].category == "research_analysis"


def test_numbered_category_folder_wins_over_the_marketplace_category(tmp_path: Path) -> None:
    # VoltAgent's layout: one plugin per category folder, the marketplace giving a broader category.
    write_json(
        tmp_path,
        ".claude-plugin/marketplace.json",
        {
            "name": "volt",
            "plugins": [{"name": "core", "source": "./categories/01-core-dev", "category": "development"}],
        },
    )
    write_json(tmp_path, "categories/01-core-dev/.claude-plugin/plugin.json", {"name": "core", "agents": ["./a.md"]})
    write(tmp_path, "categories/01-core-dev/a.md")
    assert where(sources(tmp_path)["categories/01-core-dev/a.md"]) == (
        "claude-code",
        "volt",
        "volt",
        "core",
        "core-dev",
    )


@pytest.mark.parametrize("marketplace", [".github/plugin/marketplace.json", ".claude-plugin/marketplace.json"])
def test_copilot_plugins_and_collection_manifests_give_categories(tmp_path: Path, marketplace: str) -> None:
    """awesome-copilot: flat agents/ and chatmodes/, grouped only by manifests elsewhere: a
    plugin's plugin.json lists them as they ship (``./agents/x.md`` for agents/x.agent.md),
    collections/*.collection.yml lists them by path. The smallest group that lists a file names
    its category; a file no manifest lists stays without one; nothing outside the root is read."""
    write(tmp_path, "agents/reviewer.agent.md")
    write(tmp_path, "agents/planner.agent.md")
    write(tmp_path, "agents/lonely.agent.md")
    write(tmp_path, "chatmodes/azure-architect.chatmode.md")
    write_json(
        tmp_path,
        marketplace,
        {
            "name": "copilot",
            "plugins": [
                {"name": "code-review", "source": "plugins/code-review"},
                {"name": "everything", "source": "plugins/everything"},
                {"name": "escape", "source": "../outside"},
            ],
        },
    )
    write_json(
        tmp_path,
        "plugins/code-review/plugin.json",
        {"name": "code-review", "extensions": {"com.github.awesome-copilot": {"agents": ["./agents/reviewer.md"]}}},
    )
    write_json(
        tmp_path,
        "plugins/everything/plugin.json",
        {"name": "everything", "agents": ["./agents/reviewer.md", "./agents/planner.md", "../../../etc/passwd"]},
    )
    write(
        tmp_path,
        "collections/azure.collection.yml",
        "id: azure-cloud\nname: Azure\nitems:\n  - path: chatmodes/azure-architect.chatmode.md\n    kind: chat-mode\n"
        "  - path: instructions/none.instructions.md\n    kind: instruction\n",
    )
    write(tmp_path, "collections/broken.collection.yml", "items: [\n")
    found = {rel: source.category for rel, source in sources(tmp_path).items()}
    assert found == {
        "agents/reviewer.agent.md": "code-review",
        "agents/planner.agent.md": "everything",
        "agents/lonely.agent.md": None,
        "chatmodes/azure-architect.chatmode.md": "azure-cloud",
    }
    assert str(tmp_path / "collections" / "azure.collection.yml") in discover(tmp_path).manifests


def test_copilot_agents_and_chat_modes_anywhere(tmp_path: Path) -> None:
    write(tmp_path, ".github/agents/helper.agent.md")
    write(tmp_path, "agents/planner.agent.md")
    write(tmp_path, "chatmodes/plan.chatmode.md", "---\ndescription: Plan.\n---\nPlan.\n")
    write(tmp_path, "misc/deep/elsewhere.agent.md", "no frontmatter at all\n")
    found = sources(tmp_path)
    assert {rel: s.format.value for rel, s in found.items()} == {
        ".github/agents/helper.agent.md": "copilot-agent",
        "agents/planner.agent.md": "copilot-agent",
        "chatmodes/plan.chatmode.md": "copilot-chatmode",
    }
    # Named like an agent but without frontmatter: Copilot ignores it, and the scan says so.
    found_paths = [(f.path, f.code) for f in discover(tmp_path).findings]
    assert found_paths == [(f"{tmp_path}/misc/deep/elsewhere.agent.md", "AC110")]


def test_copilot_prompts_and_instructions_are_not_agents(tmp_path: Path) -> None:
    write(tmp_path, ".github/prompts/fix.prompt.md")
    write(tmp_path, "x/style.instructions.md")
    assert sources(tmp_path) == {}
    assert skipped(tmp_path) == {
        ".github/prompts/": "a prompts folder holds no agents",
        "x/style.instructions.md": "a Copilot prompt or instructions file, not an agent",
    }


def test_opencode_agents_with_category_json(tmp_path: Path) -> None:
    write(tmp_path, ".opencode/agent/core/builder.md")
    write_json(tmp_path, ".opencode/agent/core/0-category.json", {"name": "Core Things", "agents": {}})
    write(tmp_path, ".opencode/agent/misc/helper.md")
    write(tmp_path, ".opencode/agent/top.md")
    write(tmp_path, ".opencode/agents/other.md")
    found = sources(tmp_path)
    assert where(found[".opencode/agent/core/builder.md"]) == ("opencode", None, None, None, "Core Things")
    assert found[".opencode/agent/misc/helper.md"].category == "misc"
    assert where(found[".opencode/agent/top.md"]) == ("opencode", None, None, None, None)
    assert found[".opencode/agents/other.md"].format.value == "opencode"


def test_broken_category_json_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    write(tmp_path, ".opencode/agent/core/builder.md")
    write(tmp_path, ".opencode/agent/core/0-category.json", "{not json")
    result = discover(tmp_path)
    assert [s.category for s in result.sources] == ["core"]
    assert [(f.code, f.severity) for f in result.findings] == [("AC130", "warning")]
    assert result.findings[0].path.endswith(".opencode/agent/core/0-category.json")


def test_gemini_cli_agents(tmp_path: Path) -> None:
    write(tmp_path, ".gemini/agents/researcher.md")
    assert where(sources(tmp_path)[".gemini/agents/researcher.md"]) == ("gemini-cli", None, None, None, None)


def test_plain_folder_of_agent_files(tmp_path: Path) -> None:
    write(tmp_path, "reviewer.md")
    write(tmp_path, "notes.md", "# Just notes\n")
    found = sources(tmp_path)
    assert list(found) == ["reviewer.md"]
    assert where(found["reviewer.md"]) == ("claude-code", None, None, None, None)
    assert not found["reviewer.md"].explicit
    # Beside agents, a file without frontmatter is one its tool ignores: a finding, no page.
    assert skipped(tmp_path) == {"notes.md": NO_FRONTMATTER}
    assert [(f.path, f.code) for f in discover(tmp_path).findings] == [(f"{tmp_path}/notes.md", "AC110")]


def test_markdown_without_frontmatter_alone_in_a_plain_folder_is_passed_over(tmp_path: Path) -> None:
    write(tmp_path, "notes/ideas.md", "# Ideas\n")
    write(tmp_path, "team/reviewer.md")
    assert list(sources(tmp_path)) == ["team/reviewer.md"]
    assert skipped(tmp_path) == {"notes/ideas.md": "no frontmatter, and not in an agent folder"}
    assert discover(tmp_path).findings == ()


NO_FRONTMATTER = "no frontmatter: its tool ignores this file (an agent file starts with a '---' line)"


@pytest.mark.parametrize(
    "rel", ["agents/broken.md", ".claude/agents/broken.md", ".cursor/agents/broken.md", ".factory/droids/broken.md"]
)
def test_file_without_frontmatter_in_an_agents_folder_is_a_finding_not_a_page(tmp_path: Path, rel: str) -> None:
    # One rule for every layout: its tool ignores the file, so it is no agent, and a finding says so.
    write(tmp_path, rel, "You help.\n")
    result = discover(tmp_path)
    assert result.sources == ()
    assert [(f.path, f.line, f.code, f.severity) for f in result.findings] == [
        (f"{tmp_path}/{rel}", 1, "AC110", "error")
    ]


def test_a_file_given_directly(tmp_path: Path) -> None:
    path = write(tmp_path, "somewhere/notes-agent.md", "no frontmatter\n")
    result = find_agent_files([str(path)])
    assert result.sources == ()
    assert [(f.path, f.code) for f in result.findings] == [(str(path), "AC110")]
    agent = write(tmp_path, "somewhere/helper.md")
    result = find_agent_files([str(agent)])
    assert [(s.rel_path, s.display_path, s.explicit) for s in result.sources] == [("helper.md", str(agent), True)]


def test_missing_path_is_a_finding(tmp_path: Path) -> None:
    result = find_agent_files([str(tmp_path / "nope")])
    assert result.sources == ()
    assert [(f.code, f.severity) for f in result.findings] == [("AC100", "error")]


def test_display_path_starts_with_the_root_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "repo/agents/a.md")
    monkeypatch.chdir(tmp_path)
    [relative] = find_agent_files(["repo"]).sources
    assert (relative.rel_path, relative.display_path) == ("agents/a.md", "repo/agents/a.md")
    monkeypatch.chdir(tmp_path / "repo")
    [here] = find_agent_files(["."]).sources
    assert (here.rel_path, here.display_path) == ("agents/a.md", "agents/a.md")


# What is not an agent, and why


def test_docs_readmes_commands_and_skills_are_skipped_with_reasons(tmp_path: Path) -> None:
    write(tmp_path, "README.md")
    write(tmp_path, "CONTRIBUTING.md")
    write(tmp_path, "agents/README.md")
    write(tmp_path, "agents/reviewer.md")
    write(tmp_path, "docs/guide.md")
    write(tmp_path, "commands/deploy.md")
    write(tmp_path, "skills/pdf/SKILL.md")
    write(tmp_path, "node_modules/pkg/agent.md")
    write(tmp_path, ".hidden/agent.md")
    assert list(sources(tmp_path)) == ["agents/reviewer.md"]
    assert skipped(tmp_path) == {
        ".hidden/": "hidden folder",
        "CONTRIBUTING.md": "CONTRIBUTING.md is documentation, not an agent",
        "README.md": "README.md is documentation, not an agent",
        "agents/README.md": "README.md is documentation, not an agent",
        "commands/": "a commands folder holds no agents",
        "docs/": "a docs folder holds no agents",
        "node_modules/": "tool or version-control folder",
        "skills/": "a skills folder holds no agents",
    }


@pytest.mark.parametrize("file_name", ["security.md", "SUPPORT.md", "changelog.md"])
@pytest.mark.parametrize(
    ("folder", "agent_folder"),
    [(".claude/agents", True), ("agents", True), (".opencode/agents", True), ("droids", True), ("", False)],
)
@pytest.mark.parametrize(
    ("frontmatter", "agent_frontmatter"),
    [("name: x\ndescription: Reviews.\n", True), ("description: Reviews.\n", True), ("title: Policy\n", False)],
)
def test_a_documentation_name_in_an_agent_folder_is_an_agent_when_its_frontmatter_says_so(
    tmp_path: Path, file_name: str, folder: str, agent_folder: bool, frontmatter: str, agent_frontmatter: bool
) -> None:
    # Over a thousand repositories have a .claude/agents/security.md, a security reviewer that
    # Claude Code loads: it was skipped as documentation. Outside agent folders (a SECURITY.md
    # policy), or without a name or description, such a file stays documentation; a rename of
    # its keys is seen by the incremental check as by discovery.
    rel = f"{folder}/{file_name}".lstrip("/")
    path = write(tmp_path, rel, f"---\n{frontmatter}---\nYou review.\n")
    found = sources(tmp_path)
    assert (rel in found) == (agent_folder and agent_frontmatter)
    if rel in found:
        assert still_an_agent(found[rel])
        path.write_text("---\ntitle: Policy\n---\nReport issues.\n", encoding="utf-8")
        assert not still_an_agent(found[rel])
        assert rel not in sources(tmp_path)
    else:
        assert skipped(tmp_path)[rel] == f"{file_name} is documentation, not an agent"


def test_excluded_output_folder_is_skipped(tmp_path: Path) -> None:
    write(tmp_path, "agents/a.md")
    write(tmp_path, "site/agents/a.md")
    result = find_agent_files([str(tmp_path)], exclude=[tmp_path / "site"])
    assert [s.rel_path for s in result.sources] == ["agents/a.md"]
    assert {s.rel_path: s.reason for s in result.skipped} == {"site": "output folder of this tool"}


# Order


def test_discovery_is_sorted_and_repeatable(tmp_path: Path) -> None:
    for rel in ["agents/b.md", "agents/a-b/c.md", "agents/a/z.md", "agents/A.md", "agents/a.md", "x.agent.md"]:
        write(tmp_path, rel)
    first = [s.rel_path for s in discover(tmp_path).sources]
    assert first == sorted(first, key=lambda rel: rel.split("/"))
    assert first == ["agents/A.md", "agents/a/z.md", "agents/a-b/c.md", "agents/a.md", "agents/b.md", "x.agent.md"]
    assert [s.rel_path for s in discover(tmp_path).sources] == first


# Symlinks


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    write(folder, "secret.md")
    return folder


def test_symlink_to_a_file_outside_the_root_is_not_followed(tmp_path: Path, outside: Path) -> None:
    root = tmp_path / "root"
    write(root, "agents/a.md")
    (root / "agents/secret.md").symlink_to(outside / "secret.md")
    (root / "agents/elsewhere").symlink_to(outside, target_is_directory=True)
    assert list(sources(root)) == ["agents/a.md"]
    assert skipped(root) == {
        "agents/elsewhere": "symlink leads outside the scanned folder; not followed",
        "agents/secret.md": "symlink leads outside the scanned folder; not followed",
    }


def test_symlink_inside_the_root_is_read_once(tmp_path: Path) -> None:
    write(tmp_path, "agents/a.md")
    (tmp_path / "agents/b.md").symlink_to(tmp_path / "agents/a.md")
    assert list(sources(tmp_path)) == ["agents/a.md"]
    assert skipped(tmp_path) == {"agents/b.md": "same file as one already found (symlink)"}


def test_symlink_loop_terminates(tmp_path: Path) -> None:
    write(tmp_path, "agents/a.md")
    (tmp_path / "agents/up").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "agents/self").symlink_to(tmp_path / "agents", target_is_directory=True)
    assert list(sources(tmp_path)) == ["agents/a.md"]
    assert skipped(tmp_path) == {
        "agents/self/": "symlink loop; not followed",
        "agents/up/": "symlink loop; not followed",
    }


def test_dangling_symlink_is_skipped(tmp_path: Path) -> None:
    write(tmp_path, "agents/a.md")
    (tmp_path / "agents/gone.md").symlink_to(tmp_path / "agents/missing.md")
    assert list(sources(tmp_path)) == ["agents/a.md"]
    assert skipped(tmp_path) == {"agents/gone.md": "dangling or looping symlink; not followed"}
    findings = find_agent_files([str(tmp_path)]).findings
    assert [(f.code, f.severity) for f in findings] == [("AC132", "warning")]


# Where agents are, by name: a dangling symlink there leaves its tool with no agent. Its name
# is all there is to go by (locnguyenx/agentbanking-backend commits .qwen/agents as a link to
# /Users/me/..., so Qwen Code finds no agent on any other machine, and the scan said nothing).
AGENT_PLACES = [
    ".claude/agents",
    ".qwen/agents",
    ".opencode/agent",
    ".github/chatmodes",
    ".factory",
    "agents",
    "droids",
    ".roomodes",
    "opencode.json",
    "agents/design",
    ".kiro/agents/reviewer.json",
    ".codex/agents/reviewer.toml",
]
# Elsewhere a dangling link is none of the catalog's business.
OTHER_PLACES = ["src/lib", "package.json", "config.toml", "docs/notes.txt", "agents/notes.txt"]


@pytest.mark.parametrize("rel", AGENT_PLACES + OTHER_PLACES)
def test_a_dangling_symlink_where_agents_are_is_reported(tmp_path: Path, rel: str) -> None:
    write(tmp_path, "team/agents/a.md")
    (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / rel).symlink_to(tmp_path / "gone")
    found = find_agent_files([str(tmp_path)])
    assert [s.rel_path for s in found.sources] == ["team/agents/a.md"]
    expected = [(f"{tmp_path}/{rel}", "AC132", "warning")] if rel in AGENT_PLACES else []
    assert [(f.path, f.code, f.severity) for f in found.findings] == expected


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX-only")
def test_fifo_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "agents").mkdir()
    os.mkfifo(tmp_path / "agents/pipe.md")
    assert sources(tmp_path) == {}
    assert skipped(tmp_path) == {"agents/pipe.md": "not a regular file (a FIFO, socket or device); not read"}
    findings = find_agent_files([str(tmp_path)]).findings
    assert [(f.code, f.severity) for f in findings] == [("AC101", "error")]


def test_keys_that_tell_the_format_are_read_up_to_a_long_closing_rule(tmp_path: Path) -> None:
    # The frontmatter ends at a line of three dashes or more, in discovery as in the parse stage:
    # keys past a rule of dashes are body, not frontmatter, and keys before it tell the format.
    write(tmp_path, "team/helper.md", "---\ndescription: Helps.\nmode: subagent\n" + "-" * 40 + "\nkind: local\n")
    assert where(sources(tmp_path)["team/helper.md"])[0] == "opencode"


FRONTMATTER_KEYS = ("name", "description", "id", "title", "subtitle", "author", "theme", "tools", "model", "date")


@settings(max_examples=60, deadline=None)
@given(
    keys=st.lists(st.sampled_from(FRONTMATTER_KEYS), unique=True, max_size=5),
    folder=st.sampled_from(["seminar", "agents", ".claude/agents", "droids"]),
)
def test_frontmatter_without_name_or_description_outside_agent_folders_is_a_document(
    keys: list[str], folder: str
) -> None:
    # enkogu/oh-my-droid's seminar/slides.md (title, subtitle, author, theme) was a Claude Code
    # agent "slides", with AC201 and AC202, and made its neighbours' missing frontmatter AC110
    # errors. Outside agent folders a file is an agent only when its frontmatter has a name or
    # a description; in them, every file with frontmatter is one (and lint says what is missing).
    # Discovery and the incremental run's check (still_an_agent) agree.
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = write(root, f"{folder}/x.md", "---\n" + "".join(f"{k}: v\n" for k in keys) + "---\nText.\n")
        found = {s.rel_path: s for s in discover(root).sources}
        # Empty frontmatter has no keys to tell: a broken agent, as a list would be (AC116). A
        # name needs a description, tools or a model; a description, a name, tools or a model.
        named = bool({"name", "id"} & set(keys)) and "description" in keys
        named = named or (bool({"name", "description", "id"} & set(keys)) and bool({"tools", "model"} & set(keys)))
        agent = folder != "seminar" or not keys or named
        assert (f"{folder}/x.md" in found) == agent
        if agent:
            assert still_an_agent(found[f"{folder}/x.md"])
            path.write_text("---\ntitle: Slides\n---\nText.\n", encoding="utf-8")
            assert still_an_agent(found[f"{folder}/x.md"]) == (folder != "seminar")
            assert (f"{folder}/x.md" in sources(root)) == (folder != "seminar")


@pytest.mark.parametrize(
    ("keys", "what"),
    [
        ("inclusion: always\ndescription: Aliases.\n", "a Kiro steering file"),
        ("inclusion: fileMatch\nfileMatchPattern: '*.ts'\n", "a Kiro steering file"),
        ("description: TypeScript rules\nglobs: '*.ts'\nalwaysApply: false\n", "a Cursor rule"),
        ("applyTo: '**/*.py'\ndescription: Python style\n", "an instructions file"),
        # awesome-copilot's workflows/: 8 were Claude Code agents, their triggers and
        # permissions AC403 and their GitHub tools AC401.
        ("name: Daily Report\ndescription: Reports.\non:\n  schedule: daily\n", "a GitHub agentic workflow"),
        ("description: Triage.\non: issues\npermissions: read-all\n", "a GitHub agentic workflow"),
    ],
)
def test_a_steering_file_or_rule_outside_agent_folders_is_no_agent(tmp_path: Path, keys: str, what: str) -> None:
    # Theadd/kiro-agents keeps its Kiro steering sources (inclusion: always, and a description)
    # in src/core/: 5 were Claude Code agents with AC201, and made the protocols beside them
    # AC110 errors. In an agent folder the same file is an agent (and lint says what is wrong).
    write(tmp_path, "src/core/aliases.md", f"---\n{keys}---\nBody.\n")
    write(tmp_path, "agents/aliases.md", f"---\n{keys}---\nBody.\n")
    write(tmp_path, "powers/kiro/POWER.md", "---\nname: kiro\ndescription: A Kiro power.\n---\nBody.\n")
    assert list(sources(tmp_path)) == ["agents/aliases.md"], what
    assert "steering" in skipped(tmp_path)["src/core/aliases.md"]
    assert skipped(tmp_path)["powers/kiro/POWER.md"] == "POWER.md is documentation, not an agent"


@pytest.mark.parametrize("kind", ["user", "feedback", "project", "'reference'"])
def test_a_claude_code_memory_file_outside_agent_folders_is_no_agent(tmp_path: Path, kind: str) -> None:
    # vansy11/universal-qwen-agentic-harness ships Claude Code memory files in memories/: a name,
    # a description and their type. 3 were Claude Code agents, and the plain notes beside them
    # (MEMORY.md, its index) 6 AC110 errors. A type with an agent's key is an agent's all the same.
    memory = f"---\nname: output-language\ndescription: Answer in English.\ntype: {kind}\n---\nWhy.\n"
    write(tmp_path, "memories/feedback-language.md", memory)
    write(tmp_path, "memories/MEMORY.md", "- [output-language](feedback-language.md)\n")
    write(tmp_path, "agents/language.md", memory)
    write(tmp_path, "roles/typed.md", memory.replace("type:", "model: sonnet\ntype:"))
    write(tmp_path, "roles/other-type.md", memory.replace(f"type: {kind}", "type: agent"))
    assert sorted(sources(tmp_path)) == ["agents/language.md", "roles/other-type.md", "roles/typed.md"]
    found = find_agent_files([str(tmp_path)])
    assert [f.code for f in found.findings] == []
    assert "document" in skipped(tmp_path)["memories/feedback-language.md"]


@pytest.mark.parametrize(
    "keys",
    [
        "name: 李林\n",  # ysankpia/oh-story-claudecode's demo novel: 6 characters were agents
        "name: Jane Doe\nrole: CTO\nimage: jane.png\n",  # a site's team page
        "id: 42\nname: Pasta\nauthor: Ann\ntags: [dinner]\n",  # a recipe card
        # A description alone: a MkDocs page (Material's meta description), a blog post.
        "title: Home\ndescription: Our product's documentation.\nhide:\n  - navigation\n",
        "description: How to install it.\nicon: material/download\n",
        "title: Release 2.0\ndescription: What is new.\ndate: 2024-01-01\ntags: [news]\n",
    ],
)
def test_a_name_or_a_description_alone_outside_agent_folders_is_no_agent(tmp_path: Path, keys: str) -> None:
    # Claude Code skips a file without a description, and no tool reads these files: they were
    # agents with AC202 errors (and numbered pages: AC140). In an agent folder the same file is
    # an agent, whose missing description lint reports; with tools or a model, a broken agent.
    write(tmp_path, "demo/people/x.md", f"---\n{keys}---\nBody.\n")
    write(tmp_path, "agents/x.md", f"---\n{keys}---\nBody.\n")
    write(tmp_path, "demo/broken/y.md", f"---\n{keys}model: sonnet\n---\nBody.\n")
    assert sorted(sources(tmp_path)) == ["agents/x.md", "demo/broken/y.md"]
    assert "agent key" in skipped(tmp_path)["demo/people/x.md"]


def test_a_folder_directly_in_a_collection_groups_its_loose_agents(tmp_path: Path) -> None:
    # contains-studio/agents keeps its agents in design/, marketing/, ... at its root, with no
    # agents folder around them: scanned with other collections, they had no category.
    write(tmp_path, "studio/design/ui-designer.md")
    write(tmp_path, "studio/whimsy.md")
    write(tmp_path, "studio/deep/er/helper.md")
    write(tmp_path, "studio/agents/team/reviewer.md")
    found = {rel: (s.collection, s.category) for rel, s in sources(tmp_path).items()}
    assert found == {
        "studio/design/ui-designer.md": ("studio", "design"),
        "studio/whimsy.md": ("studio", None),
        "studio/deep/er/helper.md": ("studio", None),
        "studio/agents/team/reviewer.md": ("studio", "team"),
    }


def test_a_docs_folder_agent_catalog_generated_is_never_read_as_agents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Generated pages have frontmatter with a description (and their folder is agents/):
    # `generate --docs-dir pages` then `scan .` read them back as 7 more agents. The run's own
    # docs folder is excluded; any other is known by the manifest each generate writes there.
    from click.testing import CliRunner

    from catalog.cli.main import main

    monkeypatch.chdir(tmp_path)
    write(tmp_path, "team/agents/api.md", "---\nname: api\ndescription: Designs APIs.\n---\nBody.\n")
    runner = CliRunner()
    generated = runner.invoke(main, ["generate", ".", "--docs-dir", "pages", "--no-cache"])
    assert generated.exit_code == 0, generated.output
    assert (tmp_path / "pages/agents/api.md").is_file()
    assert list(sources(tmp_path)) == ["team/agents/api.md"]
    assert "generated" in skipped(tmp_path)["pages/"]
    again = runner.invoke(main, ["generate", ".", "--docs-dir", "other", "--no-cache"])
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in (tmp_path / "other/agents").glob("*.md")) == ["api.md"]
