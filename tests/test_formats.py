"""The formats beyond Markdown subagents (Codex TOML, Roo Code modes, Kiro JSON, Cursor, Qwen Code,
Factory, Gemini CLI extensions) and the layouts whose content, not path, says their format."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.cli.main import main
from catalog.discover.find import find_agent_files
from catalog.layout import RenderOptions
from catalog.lint.check import lint_catalog
from catalog.lint.values import _of_kind
from catalog.model.dialect_of import LAYOUTS as TOOL_LAYOUTS
from catalog.model.dialects import DIALECTS
from catalog.pipeline import generate_docs, scan_catalog
from catalog.types import Agent, Catalog, Format
from tests.conftest import FIXTURES, Golden
from tests.test_golden_scan import assert_no_absolute_paths

LAYOUTS = FIXTURES / "layouts"


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def scan(root: Path) -> Catalog:
    return scan_catalog([str(root)], jobs=1)


def one(catalog: Catalog, name: str) -> Agent:
    [agent] = [a for a in catalog.agents if a.name == name]
    return agent


def codes(catalog: Catalog) -> list[tuple[str, int, str]]:
    return [(f.path.rsplit("/", 1)[-1], f.line, f.code) for f in catalog.findings]


def scan_json_of(target: str) -> dict[str, Any]:
    old = Path.cwd()
    os.chdir(LAYOUTS.parent)
    try:
        result = CliRunner().invoke(main, ["scan", target, "--json", "-v"])
    finally:
        os.chdir(old)
    data: dict[str, Any] = json.loads(result.stdout)
    data["stderr"] = result.stderr
    return data


# Layouts read as the wrong format before: golden records of each.

LAYOUT_RECORDS = {
    "opencode-in-agents-folder": "agents/careful-reviewer.md",
    "copilot-in-github-agents": ".github/agents/release-notes.md",
    "gemini-extension": "gemini-ext/agents/doc-checker.md",
}


@pytest.mark.parametrize("label", sorted(LAYOUT_RECORDS))
def test_layout_record(label: str, golden: Golden) -> None:
    data = scan_json_of("layouts")
    [record] = [a for a in data["agents"] if a["path"] == LAYOUT_RECORDS[label]]
    assert_no_absolute_paths(record)
    golden.check(f"scan/{label}.json", record)


def test_layouts_formats_and_why() -> None:
    data = scan_json_of("layouts")
    assert {a["path"]: a["format"] for a in data["agents"]} == {
        "agents/careful-reviewer.md": "opencode",
        ".github/agents/release-notes.md": "copilot-agent",
        "gemini-ext/agents/doc-checker.md": "gemini-cli",
    }
    # scan -v says why a file's content decided its format.
    assert "agents/careful-reviewer.md: read as opencode: its frontmatter has mode, permission" in data["stderr"]
    assert "gemini-ext/agents/doc-checker.md: read as Gemini CLI: an agents folder beside" in data["stderr"]
    # Rules, issue templates and documentation are not agents; Markdown without frontmatter
    # beside agents is a finding and no page.
    assert "skipped .claude/rules/: .claude/rules holds no agents" in data["stderr"]
    assert "skipped .github/ISSUE_TEMPLATE/: .github/ISSUE_TEMPLATE holds no agents" in data["stderr"]
    assert "skipped rules/: a rules folder holds no agents" in data["stderr"]
    assert [(f["path"], f["code"]) for f in data["findings"]] == [("layouts/agents/overview.md", "AC110")]


def test_layouts_lint_without_false_claude_code_errors() -> None:
    catalog = scan(LAYOUTS)
    found = [(f.path.rsplit("/", 1)[-1], f.code) for f in lint_catalog(catalog)]
    assert found == [("overview.md", "AC110")]


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("mode: subagent", "opencode"),
        ("permission:\n  bash: deny", "opencode"),
        ("handoffs: []", "copilot-agent"),
        ("target: vscode", "copilot-agent"),
        ("kind: local", "gemini-cli"),
        ("readonly: true", "cursor"),
        ("reasoningEffort: low", "factory"),
        ("permissionMode: plan", "claude-code"),
        ("model: sonnet", "claude-code"),
        ("tools:\n  write: false\n  bash: true", "opencode"),
        ("tools:\n  - Read\n  - Grep", "claude-code"),
        # Keys of two tools: the path does not say, nor does the content: Claude Code.
        ("mode: subagent\npermissionMode: plan", "claude-code"),
        # No key tells, the tools do (sergarb1/awesome-gemini-cli-subagents: 128 Gemini CLI
        # agents in a plain agents/ folder were Claude Code's, with 754 false AC401).
        ("tools: read_file, run_shell_command, glob", "gemini-cli"),
        ("tools:\n  - read_file\n  - google_web_search\n  - mcp_github_search", "gemini-cli"),
        ('tools: ["read_file", "todo_write"]', "qwen-code"),
        # Keys only Qwen Code reads (vansy11/universal-qwen-agentic-harness: 27 of its 30 agents,
        # each with approvalMode and tools Gemini CLI has too, were Gemini CLI's, refused by AC208).
        ("approvalMode: auto-edit\ntools: [read_file, grep_search]", "qwen-code"),
        ("executor:\n  kind: acp\n  command: x", "qwen-code"),
        ("tools: [Read, Create, Execute]", "factory"),
        ("tools: Read, Grep, mcp__github__search, Bash(git diff:*)", "claude-code"),
        ("tools: read_file, Teleport", "claude-code"),
        # Most of them one tool's (89simpson/qwen-agents-collection writes grep for grep_search).
        ("tools:\n  - read_file\n  - edit\n  - grep\n  - todo_write\n  - task", "qwen-code"),
        ("tools: Read, Grep, Glob, read_file", "claude-code"),
        ("tools: read_file\npermissionMode: plan", "claude-code"),
    ],
)
def test_format_from_content_where_the_path_does_not_say(tmp_path: Path, keys: str, expected: str) -> None:
    write(tmp_path, "agents/x.md", f"---\nname: x\ndescription: Does x.\n{keys}\n---\nDo x.\n")
    [source] = find_agent_files([str(tmp_path)]).sources
    assert source.format.value == expected


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        (".cursor/agents/x.md", "cursor"),
        (".qwen/agents/x.md", "qwen-code"),
        (".factory/droids/x.md", "factory"),
        (".github/agents/x.md", "copilot-agent"),
        (".claude/agents/x.md", "claude-code"),
        (".gemini/agents/x.md", "gemini-cli"),
        (".opencode/agents/x.md", "opencode"),
        # Factory plugins keep their droids in droids/ (korallis/Droidz ships them so, in an
        # installer's payload): only Factory calls its agents droids.
        ("droids/x.md", "factory"),
        # A tool folder without its dot, as VictorCostaOliveira/cursor-agents ships it to be copied.
        ("cursor/agents/x.md", "cursor"),
        ("gemini/agents/x.md", "gemini-cli"),
        ("payloads/droid_cli/default/droids/x.md", "factory"),
    ],
)
def test_format_from_path_wins_over_content(tmp_path: Path, rel: str, expected: str) -> None:
    write(tmp_path, rel, "---\nname: x\ndescription: Does x.\nmode: subagent\n---\nDo x.\n")
    [source] = find_agent_files([str(tmp_path)]).sources
    assert source.format.value == expected


# Codex CLI: TOML, developer_instructions is the prompt, the description may be in config.toml.


def test_codex_description_from_config_toml(tmp_path: Path) -> None:
    write(tmp_path, ".codex/config.toml", '[agents."rev"]\ndescription = "Reviews."\nconfig_file = "agents/rev.toml"\n')
    write(
        tmp_path,
        ".codex/agents/rev.toml",
        'name = "rev"\nsandbox_mode = "read-only"\ndeveloper_instructions = """\nReview.\n"""\n',
    )
    catalog = scan(tmp_path)
    agent = one(catalog, "rev")
    assert (agent.format, agent.description, agent.body, agent.body_line) == (Format.CODEX, "Reviews.", "Review.", 3)
    assert agent.disallowed_tools == ("apply_patch",)
    assert lint_catalog(catalog) == []


@pytest.mark.parametrize("listed", ["agents/rev.toml", ".codex/agents/rev.toml", "./agents/rev.toml"])
@pytest.mark.parametrize("described", [True, False])
def test_codex_file_without_name_takes_the_key_config_toml_registers_it_by(
    tmp_path: Path, listed: str, described: bool
) -> None:
    # ANcpLua/codex-forge: [agents.reviewer] config_file = ".codex/agents/reviewer.toml", and the
    # file has no name. Codex names such a role by its key (agent_roles.rs, read_declared_role):
    # no AC201 "codex ignores this file"; without a description anywhere, AC202 still says so.
    description = 'description = "Reviews."\n' if described else ""
    write(
        tmp_path,
        ".codex/config.toml",
        f'[agents]\nmax_threads = 4\n\n[agents.rev]\n{description}config_file = "{listed}"\n',
    )
    write(tmp_path, ".codex/agents/rev.toml", 'model = "gpt-5.4"\ndeveloper_instructions = """\nReview.\n"""\n')
    write(tmp_path, ".codex/agents/loose.toml", 'description = "Loose."\ndeveloper_instructions = "Do."\n')
    catalog = scan(tmp_path)
    agent = one(catalog, "rev")
    assert (agent.description, agent.body) == ("Reviews." if described else "", "Review.")
    codes = sorted((f.path.rsplit("/", 1)[-1], f.code) for f in lint_catalog(catalog) if f.severity == "error")
    # A file config.toml does not register needs its own name, as Codex says.
    assert codes == [("loose.toml", "AC201"), *([] if described else [("rev.toml", "AC202")])]


def test_codex_toml_outside_codex_folder_only_with_instructions(tmp_path: Path) -> None:
    write(tmp_path, "categories/01-x/a.toml", 'name = "a"\ndescription = "A."\ndeveloper_instructions = "Do a."\n')
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n')
    assert [a.name for a in scan(tmp_path).agents] == ["a"]


def test_codex_rules(tmp_path: Path) -> None:
    write(
        tmp_path,
        ".codex/agents/bad.toml",
        'name = "bad"\ndescription = "B."\nsandbox_mode = "yolo"\nmodel = "claude-x"\n',
    )
    write(tmp_path, ".codex/agents/broken.toml", 'name = "broken\n')
    found = sorted((f.path.rsplit("/", 1)[-1], f.line, f.code) for f in lint_catalog(scan(tmp_path)))
    assert found == [
        ("bad.toml", 1, "AC206"),
        ("bad.toml", 3, "AC208"),  # Codex refuses the file: "unknown variant `yolo`"
        ("bad.toml", 4, "AC405"),
        ("broken.toml", 1, "AC108"),
    ]


# Codex reads an agent file into RawAgentRoleFileToml (codex-rs/core/src/config/agent_roles.rs):
# serde deny_unknown_fields with config.toml's ConfigToml flattened in. A key of neither, or a
# value outside a key's choices, and Codex ignores the whole file with a warning ("Ignoring
# malformed agent role definition: ... unknown field"): AC208, not a note that the key is ignored.
CODEX_REFUSED = [
    ('colour = "blue"', "field 'colour'"),
    ("[permissions_profile]\nx = 1", "field 'permissions_profile'"),
    ('sandbox_mode = "workspace-read"', "sandbox_mode 'workspace-read'"),
    ('model_reasoning_effort = "extreme"', "model_reasoning_effort 'extreme'"),
    ('model_reasoning_summary = "short"', "model_reasoning_summary 'short'"),
    ('web_search = "on"', "web_search 'on'"),
    ('approval_policy = "always"', "approval_policy 'always'"),
    # normalize_agent_role_nickname_candidates: one at least, none blank nor twice, ASCII names.
    ("nickname_candidates = []", "nickname_candidates []"),
    ('nickname_candidates = ["Ada", " Ada "]', "nickname_candidates ['Ada', ' Ada ']"),
    ('nickname_candidates = ["Ada", "  "]', "nickname_candidates ['Ada', '  ']"),
    ('nickname_candidates = ["Adá"]', "nickname_candidates ['Adá']"),
    ('nickname_candidates = "Ada"', "nickname_candidates 'Ada'"),
]


@pytest.mark.parametrize(("line", "said"), CODEX_REFUSED)
def test_what_codex_refuses_costs_the_file(tmp_path: Path, line: str, said: str) -> None:
    write(tmp_path, ".codex/agents/x.toml", 'name = "x"\ndescription = "X."\ndeveloper_instructions = "Do x."\n' + line)
    [finding] = lint_catalog(scan(tmp_path))
    assert (finding.code, finding.line, finding.severity) == ("AC208", 4, "error")
    assert said in finding.message and "Codex CLI refuses this file" in finding.message


# config.toml's keys are an agent file's too, tables and dotted keys included; none is refused.
CODEX_ACCEPTED = [
    'model_reasoning_summary = "concise"',
    'personality = "pragmatic"',
    'web_search = "live"',
    "tools.web_search = true",
    '[mcp_servers.github]\ncommand = "gh"\nargs = ["mcp"]',
    '[features]\nshell_tool = false\n[[hooks.PreToolUse]]\nmatcher = "x"',
    'nickname_candidates = ["Ada", "Grace"]\nmodel_verbosity = "low"\nplan_mode_reasoning_effort = "xhigh"',
    'nickname_candidates = ["Grace Hopper", "ada_l-2"]',
]


@pytest.mark.parametrize("line", CODEX_ACCEPTED)
def test_what_codex_takes_is_no_finding(tmp_path: Path, line: str) -> None:
    write(tmp_path, ".codex/agents/x.toml", 'name = "x"\ndescription = "X."\ndeveloper_instructions = "Do x."\n' + line)
    assert lint_catalog(scan(tmp_path)) == []


def test_codex_refuses_blank_developer_instructions(tmp_path: Path) -> None:
    """validate_agent_role_file_developer_instructions: "developer_instructions cannot be blank"."""
    write(tmp_path, ".codex/agents/x.toml", 'name = "x"\ndescription = "X."\ndeveloper_instructions = """\n  \n"""\n')
    [finding] = lint_catalog(scan(tmp_path))
    assert (finding.code, finding.line) == ("AC206", 3)
    assert "'developer_instructions' is blank" in finding.message


def test_codex_reads_the_subfolders_of_its_agents_folder(tmp_path: Path) -> None:
    """collect_agent_role_files_recursive: every .toml below .codex/agents/ is an agent file, with
    or without developer_instructions (Codex then refuses it: AC206), its description from
    .codex/config.toml as for the files directly in agents/."""
    write(tmp_path, ".codex/config.toml", '[agents.deep]\ndescription = "Deep."\n')
    write(tmp_path, ".codex/agents/team/deep.toml", 'name = "deep"\ndeveloper_instructions = "Go deep."\n')
    write(tmp_path, ".codex/agents/team/draft/half.toml", 'name = "half"\ndescription = "Half."\n')
    catalog = scan(tmp_path)
    assert sorted(a.name for a in catalog.agents) == ["deep", "half"]
    assert one(catalog, "deep").description == "Deep."
    assert [(f.path.rsplit("/", 1)[-1], f.line, f.code) for f in lint_catalog(catalog)] == [("half.toml", 1, "AC206")]


# Roo Code: one agent per mode, each with its own lines.

ROOMODES = """customModes:
  - slug: reviewer
    name: 🔍 Reviewer
    roleDefinition: You review code.
    whenToUse: >-
      Use it to review
      a change.
    customInstructions: Be kind.
    groups:
      - read
      - - edit
        - fileRegex: \\.md$
          description: Markdown only
  - slug: bad slug
    name: Bad
    groups: [read, teleport]
"""


def test_roo_modes_are_one_agent_each(tmp_path: Path) -> None:
    write(tmp_path, ".roomodes", ROOMODES)
    catalog = scan(tmp_path)
    assert [(a.name, a.path) for a in catalog.agents] == [
        ("bad slug", ".roomodes#mode-2"),
        ("reviewer", ".roomodes#reviewer"),
    ]
    reviewer = one(catalog, "reviewer")
    assert (reviewer.title, reviewer.description) == ("🔍 Reviewer", "Use it to review a change.")
    assert reviewer.body == "You review code.\n\nBe kind."
    assert reviewer.tools == ("read", "edit(\\.md$)")
    assert reviewer.disallowed_tools == ("browser", "command", "mcp")
    assert reviewer.key_lines["slug"] == 2 and reviewer.body_line == 4
    found = sorted((f.path.rsplit("/", 1)[-1], f.line, f.code) for f in lint_catalog(catalog))
    assert found == [
        (".roomodes#mode-2", 14, "AC202"),
        (".roomodes#mode-2", 14, "AC205"),
        (".roomodes#mode-2", 14, "AC206"),
        (".roomodes#mode-2", 16, "AC208"),
    ]


# Roo Code and Kilo Code check a file's modes against one schema (customModesSettingsSchema):
# a group outside toolGroups fails it, and none of the file's modes load. "modes" is a group
# (switch_mode, new_task) every mode has, listed or not.
@pytest.mark.parametrize(("file", "label"), [(".roomodes", "Roo Code"), (".kilocodemodes", "Kilo Code mode")])
def test_a_group_the_tool_does_not_know_costs_every_mode_of_the_file(tmp_path: Path, file: str, label: str) -> None:
    modes = "customModes:\n" + "".join(
        f"  - slug: m{i}\n    name: M{i}\n    roleDefinition: You do {i}.\n    groups: [{groups}]\n"
        for i, groups in enumerate(["read, modes", "read, ask"])
    )
    write(tmp_path, file, modes)
    catalog = scan(tmp_path)
    first = one(catalog, "m0")
    assert first.disallowed_tools == ("browser", "command", "edit", "mcp")  # "modes" is never denied
    found = [(f.path.rsplit("/", 1)[-1], f.line, f.code, f.message) for f in lint_catalog(catalog)]
    assert found == [
        (f"{file}#m1", 9, "AC208", f"unknown group 'ask': not a {label} group: {label} loads none of this file's modes")
    ]


@pytest.mark.parametrize(
    "file_name", [".roomodes", "custom_modes.yaml", "cline_custom_modes.json", "Custom_Modes.YAML"]
)
def test_roo_codes_global_modes_files_are_read_as_roomodes(tmp_path: Path, file_name: str) -> None:
    # jtgsystems/Custom-Modes-Roo-Code ships its 186 modes in vs-code/converted_modes/custom_modes.yaml,
    # the file Roo Code reads its global modes from (GlobalFileNames.customModes), with the modes'
    # .roo/rules-<slug>/ beside it: none was found. cline_custom_modes.json is its older name.
    text = (
        ROOMODES
        if file_name.endswith(("modes", ".yaml", ".YAML"))
        else json.dumps(
            {
                "customModes": [
                    {"slug": "reviewer", "name": "R", "roleDefinition": "You review code.", "groups": ["read"]}
                ]
            }
        )
    )
    write(tmp_path, f"vs-code/modes/{file_name}", text)
    write(tmp_path, "vs-code/modes/.roo/rules-reviewer/1_rules.md", "Check the tests.\n")
    write(tmp_path, "vs-code/modes/other_modes.yaml", text)  # no file Roo Code reads
    catalog = scan(tmp_path)
    reviewer = one(catalog, "reviewer")
    assert (reviewer.format, reviewer.path) == (Format.ROO_CODE, f"vs-code/modes/{file_name}#reviewer")
    assert reviewer.body.startswith("You review code.") and reviewer.body.endswith("Check the tests.")
    assert all(a.path.startswith(f"vs-code/modes/{file_name}#") for a in catalog.agents)


@pytest.mark.parametrize(
    "agent_file",
    [(".roomodes", ROOMODES), ("reviewer.toml", 'name = "reviewer"\ndeveloper_instructions = "You review."\n')],
)
def test_markdown_beside_agents_that_are_not_markdown_is_documentation(
    tmp_path: Path, agent_file: tuple[str, str]
) -> None:
    # Basilakis/roocode-agents keeps meet-the-team.md beside its .roomodes: Roo Code, like Codex,
    # reads no Markdown as an agent, so a guide without frontmatter there is no agent its tool
    # ignores (AC110 was an error on each), only a file the walk passes over.
    write(tmp_path, agent_file[0], agent_file[1])
    write(tmp_path, "meet-the-team.md", "# The team\n\nWho does what.\n")
    discovery = find_agent_files([str(tmp_path)])
    assert [f.code for f in discovery.findings] == []
    assert [s.rel_path for s in discovery.skipped] == ["meet-the-team.md"]
    assert discovery.sources


@pytest.mark.parametrize(
    ("written", "description"),
    [
        ("", "You are Roo, an accessibility specialist"),
        ("    whenToUse: Use it for audits.\n", "Use it for audits."),
        ("    description: Audits pages.\n    whenToUse: Use it for audits.\n", "Audits pages."),
    ],
)
def test_a_roo_mode_without_description_is_described_as_roo_code_describes_it(
    tmp_path: Path, written: str, description: str
) -> None:
    # Basilakis/roocode-agents: 14 modes with neither description nor whenToUse. Roo Code then
    # shows the model the first sentence of roleDefinition (its modes section); they had an
    # empty description and a false AC202 error ("never chosen") each.
    write(
        tmp_path,
        ".roomodes",
        "customModes:\n  - slug: a11y\n    name: A11y\n"
        + written
        + "    roleDefinition: |-\n      You are Roo, an accessibility\n      specialist. You check pages.\n"
        "    groups: [read]\n",
    )
    catalog = scan(tmp_path)
    assert one(catalog, "a11y").description == description
    assert [f.code for f in lint_catalog(catalog)] == []


def test_roo_modes_in_json(tmp_path: Path) -> None:
    modes = {
        "customModes": [
            {
                "slug": "docs",
                "name": "Docs",
                "roleDefinition": "You write.",
                "description": "Writes docs.",
                "groups": ["read"],
            }
        ]
    }
    write(tmp_path, ".roomodes", json.dumps(modes, indent=2))
    agent = one(scan(tmp_path), "docs")
    assert (agent.format, agent.description, agent.body, agent.key_lines["slug"]) == (
        Format.ROO_CODE,
        "Writes docs.",
        "You write.",
        4,
    )


def test_a_broken_roomodes_is_one_finding(tmp_path: Path) -> None:
    write(tmp_path, ".roomodes", "customModes:\n  - slug: [unclosed\n")
    catalog = scan(tmp_path)
    assert [f.code for f in catalog.findings] == ["AC108"]


def test_editing_one_roo_mode_renders_that_mode_again(tmp_path: Path) -> None:
    path = write(tmp_path, "repo/.roomodes", ROOMODES)
    docs = tmp_path / "docs"
    generate_docs([str(tmp_path / "repo")], docs, RenderOptions())
    before = (docs / "agents/reviewer.md").read_text(encoding="utf-8")
    path.write_text(ROOMODES.replace("You review code.", "You review code twice."), encoding="utf-8")
    generate_docs([str(tmp_path / "repo")], docs, RenderOptions())
    after = (docs / "agents/reviewer.md").read_text(encoding="utf-8")
    assert "twice" not in before and "twice" in after
    fresh = tmp_path / "fresh"
    generate_docs([str(tmp_path / "repo")], fresh, RenderOptions(), cache=False)
    assert after == (fresh / "agents/reviewer.md").read_text(encoding="utf-8")


FORMAT_TELLING = ["", "mode: subagent\n", "tools: read_file, run_shell_command\n", "tools: [Read, Execute]\n"]


@pytest.mark.parametrize("after", FORMAT_TELLING)
@pytest.mark.parametrize("before", FORMAT_TELLING)
def test_an_edit_that_changes_what_the_content_tells_writes_what_a_fresh_run_writes(
    tmp_path: Path, before: str, after: str
) -> None:
    # Outside a tool's folder the keys or tools say the format: an edit of them made the cached
    # generate keep the old format (a Claude Code page for what a fresh run reads as Gemini CLI).
    def agent(telling: str, body: str) -> str:
        return f"---\nname: helper\ndescription: Helps with things.\n{telling}---\n{body}\n"

    path = write(tmp_path, "repo/team/helper.md", agent(before, "You help."))
    docs, fresh = tmp_path / "docs", tmp_path / "fresh"
    generate_docs([str(tmp_path / "repo")], docs, RenderOptions())
    path.write_text(agent(after, "You help more."), encoding="utf-8")
    os.utime(path, (os.stat(path).st_atime, os.stat(path).st_mtime + 5))
    generate_docs([str(tmp_path / "repo")], docs, RenderOptions())
    generate_docs([str(tmp_path / "repo")], fresh, RenderOptions(), cache=False)
    for page in ("agents/helper.json", "catalog.json"):
        assert (docs / page).read_text(encoding="utf-8") == (fresh / page).read_text(encoding="utf-8")


# Kiro: JSON, the prompt may be a file:// path relative to the JSON file, read only inside the scan.


def kiro(prompt: str) -> str:
    return json.dumps(
        {"name": "k", "description": "Does k.", "prompt": prompt, "tools": ["read", "shell"], "allowedTools": ["read"]}
    )


def test_kiro_prompt_file_is_read_and_is_not_an_agent(tmp_path: Path) -> None:
    write(tmp_path, ".kiro/agents/k.json", kiro("file://./prompts/k.md"))
    write(tmp_path, ".kiro/agents/prompts/k.md", "# K\n\nYou do k.\n")
    catalog = scan(tmp_path)
    [agent] = catalog.agents
    assert (agent.format, agent.body, catalog.findings) == (Format.KIRO, "# K\n\nYou do k.", ())
    assert agent.permissions == (("read", "allow"), ("shell", "ask"))


@pytest.mark.parametrize("prompt", ["file://../../../secret.md", "file:///etc/hostname", "file://~/secret.md"])
def test_kiro_prompt_outside_the_scanned_folder_is_never_read(tmp_path: Path, prompt: str) -> None:
    write(tmp_path, "secret.md", "TOP SECRET\n")
    root = tmp_path / "repo"
    write(root, ".kiro/agents/k.json", kiro(prompt))
    catalog = scan(root)
    [agent] = catalog.agents
    assert "SECRET" not in agent.body and agent.body == ""
    assert [f.code for f in catalog.findings] == ["AC119"]


def test_editing_a_kiro_prompt_file_renders_the_agent_again(tmp_path: Path) -> None:
    write(tmp_path, "repo/.kiro/agents/k.json", kiro("file://./prompts/k.md"))
    prompt = write(tmp_path, "repo/.kiro/agents/prompts/k.md", "You do k.\n")
    docs = tmp_path / "docs"
    generate_docs([str(tmp_path / "repo")], docs, RenderOptions())
    prompt.write_text("You do k, carefully and at length.\n", encoding="utf-8")
    generate_docs([str(tmp_path / "repo")], docs, RenderOptions())
    assert "carefully" in (docs / "agents/k.md").read_text(encoding="utf-8")


def test_a_factory_plugin_names_its_droids_collection_plugin_and_category(tmp_path: Path) -> None:
    # enkogu/oh-my-droid is a Factory plugin: .factory-plugin/plugin.json and marketplace.json at
    # its root, its droids in droids/. They were read as Claude Code agents of no plugin (their
    # Factory models "custom:..." then AC405 bad-model, 32 times).
    write(tmp_path, ".factory-plugin/plugin.json", json.dumps({"name": "omd", "skills": "./skills/"}))
    market = {"name": "omd-market", "plugins": [{"name": "omd", "source": "./", "category": "productivity"}]}
    write(tmp_path, ".factory-plugin/marketplace.json", json.dumps(market))
    write(tmp_path, "droids/analyst.md", "---\nname: analyst\ndescription: Analyses.\nmodel: custom:GLM-5\n---\nA.\n")
    # Factory reads droids/*.md, not the folders below: a template there is no droid, and a droid
    # there one it never loads (AC207), in a plugin's droids/ as in a project's .factory/droids/.
    write(tmp_path, "droids/templates/base-agent.md", "# Base agent\n\nFill in the role.\n")
    write(tmp_path, ".factory/droids/templates/base-agent.md", "---\nname: base\ndescription: Base.\n---\nRole.\n")
    catalog = scan(tmp_path)
    analyst = one(catalog, "analyst")
    assert (analyst.format, analyst.collection, analyst.marketplace, analyst.plugin, analyst.category) == (
        Format.FACTORY,
        "omd-market",
        "omd-market",
        "omd",
        "productivity",
    )
    assert [(f.path.removeprefix(f"{tmp_path}/"), f.code) for f in lint_catalog(catalog)] == [
        (".factory/droids/templates/base-agent.md", "AC207")
    ]
    assert [a.name for a in catalog.agents] == ["analyst", "base"]
    assert {s.rel_path: s.reason for s in catalog.skipped if "templates" in s.rel_path} == {
        "droids/templates/base-agent.md": "not an agent: Factory droid reads its agents folder's own files",
    }


def test_gemini_cli_tools_are_checked_against_gemini_cli_names(tmp_path: Path) -> None:
    write(
        tmp_path,
        ".gemini/agents/g.md",
        "---\nname: g\ndescription: G.\ntools: [read_file, grep_search, mcp_github_get_issue, Teleport]\n---\nG.\n",
    )
    found = [(f.line, f.code, f.message) for f in lint_catalog(scan(tmp_path))]
    # Gemini CLI's schema refuses a file with a tool name it does not know (isValidToolName).
    assert found == [(4, "AC208", "unknown tool 'Teleport': not a Gemini CLI tool: Gemini CLI refuses this file")]


# Factory, Qwen Code, Cursor: Markdown, each with its own rules.


def test_factory_qwen_cursor_rules(tmp_path: Path) -> None:
    write(tmp_path, ".factory/droids/d.md", "---\nname: Bad Name\ndescription: D.\ntools: [Read, Teleport]\n---\nD.\n")
    write(
        tmp_path,
        ".qwen/agents/q.md",
        "---\nname: qa\ndescription: Q.\ntools: [read_file, Bash]\nmodel: gpt-4\n---\nYou answer questions.\n",
    )
    write(tmp_path, ".cursor/agents/c.md", "---\nname: c\ndescription: C.\nreadonly: true\n---\nC.\n")
    catalog = scan(tmp_path)
    found = sorted((f.path.rsplit("/", 1)[-1], f.line, f.code) for f in lint_catalog(catalog))
    # Factory's DroidValidator fails a droid with a tool it does not know (AC208); Qwen Code ignores
    # it, and takes any model id (parseSubagentModelSelection): gpt-4 is no bad model.
    assert found == [("d.md", 2, "AC205"), ("d.md", 4, "AC208"), ("q.md", 4, "AC401")]
    cursor = one(catalog, "c")
    assert (cursor.format, cursor.tools, "edit" in cursor.disallowed_tools) == (Format.CURSOR, None, True)


@pytest.mark.parametrize("model", ["qwen3-coder-plus", "openai:kimi-k2.7-code", "qwen/qwen3-coder", "fast", "inherit"])
def test_qwen_code_reads_its_own_keys_and_any_models(tmp_path: Path, model: str) -> None:
    # Qwen Code's loader (subagent-manager.ts) reads approvalMode, executor and Claude Code's
    # keys, and serves any configured model, "authType:" before it or not (modelId.ts): none
    # of them is an AC403 or AC405 (vansy11's 30 agents each had both).
    keys = "approvalMode: auto-edit\ndisallowedTools: [run_shell_command]\nmaxTurns: 5\nbackground: false"
    body = "You answer questions."  # a name of 2 characters at least, a prompt of 10 (SubagentValidator)
    write(tmp_path, ".qwen/agents/q.md", f"---\nname: qa\ndescription: Q.\nmodel: {model}\n{keys}\n---\n{body}\n")
    assert lint_catalog(scan(tmp_path)) == []


# The real corpus: every agent file of every format loads with the right format.

# Each collection's format, and the files in it that are agents of another one.
CORPUS_FORMATS = {
    "0xfurai__claude-code-subagents": "claude-code",
    "VoltAgent__awesome-claude-code-subagents": "claude-code",
    "wshobson__agents": "claude-code",
    "davepoon__claude-code-subagents-collection": "claude-code",
    "davila7__claude-code-templates": "claude-code",
    "darrenhinde__OpenAgentsControl": "opencode",
    "uplift-labs__opencode-agents-and-skills": "opencode",
    "VoltAgent__awesome-codex-subagents": "codex",
    "AIGeekSquad__AIContext": "roo-code",
    "kyleseaman__kiro-code-reviews": "kiro",
    "choms0521__oh-qwen-code": "qwen-code",
    "jmagly__ai-writing-guide": "factory",
}
OAK = {
    ".claude": "claude-code",
    ".cursor": "cursor",
    ".gemini": "gemini-cli",
    ".github": "copilot-agent",
    ".codex": "codex",
}


def expected_format(path: str) -> str:
    top, rest = path.split("/", 1)
    if top == "oaknational__oak-python-starter":
        return OAK[rest.split("/", 1)[0]]
    if top == "github__awesome-copilot":
        return "copilot-chatmode" if path.endswith(".chatmode.md") else "copilot-agent"
    return CORPUS_FORMATS[top]


@pytest.mark.corpus
def test_every_corpus_agent_has_its_format_a_name_and_a_description_or_a_finding(corpus_catalog: Catalog) -> None:
    lint = lint_catalog(corpus_catalog)
    flagged = {f.path for f in lint if f.code in ("AC201", "AC202", "AC110", "AC108")}
    wrong = [(a.path, a.format.value) for a in corpus_catalog.agents if a.format.value != expected_format(a.path)]
    assert wrong == []
    assert [a.path for a in corpus_catalog.agents if not a.name.strip()] == []
    missing = [a.path for a in corpus_catalog.agents if not a.description.strip() and a.display_path not in flagged]
    assert missing == []


@pytest.mark.corpus
def test_every_corpus_file_of_the_new_formats_is_read(corpus_dir: Path, corpus_catalog: Catalog) -> None:
    paths = {a.path for a in corpus_catalog.agents}
    files = [
        *(corpus_dir.glob("VoltAgent__awesome-codex-subagents/categories/*/*.toml")),
        *(corpus_dir.glob("*/.codex/agents/*.toml")),
        *(corpus_dir.glob("*/.kiro/agents/*.json")),
        *(corpus_dir.glob("*/.qwen/agents/*.md")),
        *(corpus_dir.glob("*/.factory/droids/*.md")),
        *(corpus_dir.glob("*/.cursor/agents/*.md")),
    ]
    assert len(files) == 172 + 5 + 7 + 19 + 93 + 5
    assert sorted(str(f.relative_to(corpus_dir)) for f in files if str(f.relative_to(corpus_dir)) not in paths) == []
    assert len([p for p in paths if p.startswith("AIGeekSquad__AIContext/.roomodes#")]) == 7
    # Kiro's prompt files are read as prompts, not listed as agents.
    assert not [p for p in paths if "/prompts/" in p]
    kiro = [a for a in corpus_catalog.agents if a.format is Format.KIRO]
    assert all(a.body.strip() for a in kiro)


@pytest.mark.corpus
def test_opencode_permission_is_the_tools(corpus_catalog: Catalog) -> None:
    agents = [a for a in corpus_catalog.agents if a.path.startswith("uplift-labs__")]
    assert len(agents) == 15
    for agent in agents:
        assert {"bash", "edit"} <= set(agent.disallowed_tools), agent.path
        assert ("read", "allow") in agent.permissions


# Files from strangers: nothing in them reads outside the scanned folder, hangs or breaks a path.


def test_a_symlinked_prompt_or_config_leading_outside_is_never_read(tmp_path: Path) -> None:
    write(tmp_path, "secret.md", "TOP SECRET\n")
    write(tmp_path, "secret.toml", '[agents."c"]\ndescription = "TOP SECRET"\n')
    root = tmp_path / "repo"
    write(root, ".kiro/agents/k.json", kiro("file://./p.md"))
    (root / ".kiro/agents/p.md").symlink_to(tmp_path / "secret.md")
    write(root, ".codex/agents/c.toml", 'name = "c"\ndeveloper_instructions = "C."\n')
    (root / ".codex/config.toml").symlink_to(tmp_path / "secret.toml")
    catalog = scan(root)
    assert not any("SECRET" in a.body or "SECRET" in a.description for a in catalog.agents)
    assert [f.code for f in lint_catalog(catalog) if f.code in ("AC119", "AC202")] == ["AC202", "AC119"]


def test_a_fifo_prompt_is_not_opened(tmp_path: Path) -> None:
    write(tmp_path, ".kiro/agents/k.json", kiro("file://./p.md"))
    os.mkfifo(tmp_path / ".kiro/agents/p.md")
    catalog = scan(tmp_path)  # would block forever if opened
    # The FIFO itself is reported as what it is (AC101), and the prompt as not read (AC119).
    assert sorted((f.code, "not a regular file" in f.message) for f in catalog.findings) == [
        ("AC101", True),
        ("AC119", True),
    ]


@pytest.mark.parametrize(
    ("rel", "text"),
    [
        (".roomodes", "customModes: &a [" + "[" * 3000 + "]" * 3000 + "]\n"),
        (
            ".roomodes",
            "a: &a [x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                for p, c in zip("abcdefgh", "bcdefghi", strict=True)
            )
            + "customModes: [*i]\n",
        ),
        (".codex/agents/x.toml", "x = " + "[" * 5000 + "]" * 5000 + "\n"),
        (".kiro/agents/x.json", "[" * 100000 + "]" * 100000),
        (".kiro/agents/x.json", '{"prompt": "file://' + "../" * 200 + 'etc/passwd"}'),
        (".roomodes", 'customModes:\n  - slug: "a/../../b\\nc"\n    roleDefinition: x\n'),
        (".roomodes", "[1, 2]\n"),
        (".roomodes", "customModes:\n  - 1\n  - [x]\n  - null\n"),
        (".codex/agents/x.toml", "\x00\xff binary"),
    ],
)
def test_hostile_config_files_give_findings_not_tracebacks(tmp_path: Path, rel: str, text: str) -> None:
    write(tmp_path, rel, text)
    catalog = scan(tmp_path)
    findings = lint_catalog(catalog)
    for agent in catalog.agents:
        assert "\n" not in agent.path and ".." not in agent.path.split("#", 1)[-1].split("/")
    assert all("\n" not in f.message for f in findings)


@pytest.mark.parametrize(
    ("permission", "tools", "disallowed", "asks"),
    [
        ({"edit": "deny", "bash": "deny"}, None, ("edit", "bash"), ()),
        ({"*": "deny", "read": "allow", "grep": "allow"}, ("read", "grep"), (), ()),
        ({"*": "deny", "bash": {"git *": "allow", "*": "deny"}}, ("bash",), (), ()),
        ({"*": "ask", "edit": "deny"}, None, ("edit",), ("*",)),
        ({"bash": {"*": "ask", "rm *": "deny"}, "webfetch": "allow"}, None, (), ("bash",)),
        ({}, None, (), ()),
    ],
)
def test_opencode_permission_maps_onto_tools(
    tmp_path: Path,
    permission: dict[str, Any],
    tools: tuple[str, ...] | None,
    disallowed: tuple[str, ...],
    asks: tuple[str, ...],
) -> None:
    import yaml

    front = yaml.safe_dump({"description": "D.", "permission": permission}, sort_keys=False)
    write(tmp_path, ".opencode/agents/x.md", f"---\n{front}---\nX.\n")
    [agent] = scan(tmp_path).agents
    assert (agent.tools, agent.disallowed_tools) == (tools, disallowed)
    assert tuple(tool for tool, rule in agent.permissions if rule == "ask") == asks


def test_a_gemini_extension_makes_only_its_agents_folder_gemini(tmp_path: Path) -> None:
    write(tmp_path, "ext/gemini-extension.json", "{}")
    write(tmp_path, "ext/agents/a.md", "---\nname: a\ndescription: A.\n---\nA.\n")
    write(tmp_path, "ext/notes/b.md", "---\nname: b\ndescription: B.\n---\nB.\n")
    found = {s.rel_path: s.format.value for s in find_agent_files([str(tmp_path)]).sources}
    assert found == {"ext/agents/a.md": "gemini-cli", "ext/notes/b.md": "claude-code"}


# One agent defined for several tools in one repository: each definition names the others.

HARNESSES = {
    ".claude/agents/reviewer.md": "---\nname: reviewer\ndescription: Reviews.\n---\nReview.\n",
    ".cursor/agents/reviewer.md": "---\nname: reviewer\ndescription: Reviews.\nreadonly: true\n---\nReview.\n",
    ".github/agents/reviewer.agent.md": "---\ndescription: Reviews.\ntools: [read]\n---\nReview.\n",
    ".codex/agents/reviewer.toml": 'name = "reviewer"\ndescription = "Reviews."\ndeveloper_instructions = "Review."\n',
    ".claude/agents/writer.md": "---\nname: writer\ndescription: Writes.\n---\nWrite.\n",
}


def test_an_agent_defined_for_several_tools_lists_where_it_is_available(tmp_path: Path) -> None:
    for rel, text in HARNESSES.items():
        write(tmp_path, f"repo/{rel}", text)
    catalog = scan(tmp_path / "repo")
    available = {a.slug: (a.entry, [(f.value, s) for f, s in a.available_as]) for a in catalog.agents}
    others = {
        "reviewer": (
            "",
            [("copilot-agent", "reviewer-copilot-agent"), ("cursor", "reviewer-cursor"), ("codex", "reviewer-codex")],
        ),
        "reviewer-codex": (
            "reviewer",
            [("claude-code", "reviewer"), ("copilot-agent", "reviewer-copilot-agent"), ("cursor", "reviewer-cursor")],
        ),
        "reviewer-copilot-agent": (
            "reviewer",
            [("claude-code", "reviewer"), ("cursor", "reviewer-cursor"), ("codex", "reviewer-codex")],
        ),
        "reviewer-cursor": (
            "reviewer",
            [("claude-code", "reviewer"), ("copilot-agent", "reviewer-copilot-agent"), ("codex", "reviewer-codex")],
        ),
        "writer": ("", []),
    }
    assert available == others


def test_renaming_one_definition_updates_the_pages_of_the_others(tmp_path: Path) -> None:
    for rel, text in HARNESSES.items():
        write(tmp_path, f"repo/{rel}", text)
    docs = tmp_path / "docs"
    generate_docs([str(tmp_path / "repo")], docs, RenderOptions())
    page = (docs / "agents/reviewer.md").read_text(encoding="utf-8")
    assert 'href="#ac-format-cursor">Cursor</a>' in page and 'id="ac-format-cursor"' in page
    assert not (docs / "agents/reviewer-cursor.md").exists() and (docs / "downloads/reviewer-cursor.md.txt").is_file()
    write(
        tmp_path,
        "repo/.cursor/agents/reviewer.md",
        HARNESSES[".cursor/agents/reviewer.md"].replace("name: reviewer", "name: auditor"),
    )
    generate_docs([str(tmp_path / "repo")], docs, RenderOptions())
    fresh = tmp_path / "fresh"
    generate_docs([str(tmp_path / "repo")], fresh, RenderOptions(), cache=False)
    assert sorted(p.name for p in (docs / "agents").glob("*.md")) == ["auditor.md", "reviewer.md", "writer.md"]
    for name in ("reviewer", "auditor"):
        page = (docs / f"agents/{name}.md").read_text(encoding="utf-8")
        assert page == (fresh / f"agents/{name}.md").read_text(encoding="utf-8")
    assert "Cursor</a>" not in (docs / "agents/reviewer.md").read_text(encoding="utf-8")


def test_the_same_name_in_two_repositories_is_two_agents(tmp_path: Path) -> None:
    write(tmp_path, "one/.claude/agents/reviewer.md", HARNESSES[".claude/agents/reviewer.md"])
    write(tmp_path, "two/.cursor/agents/reviewer.md", HARNESSES[".cursor/agents/reviewer.md"])
    for roots in ([str(tmp_path)], [str(tmp_path / "one"), str(tmp_path / "two")]):
        assert [a.available_as for a in scan_catalog(roots, jobs=1).agents] == [(), ()]


# Tools that read the files directly in their agents folder only: Gemini CLI (agentLoader.ts,
# loadAgentsFromDirectory reads one folder's entries) and Factory (docs.factory.ai, Custom
# Droids: "the CLI scans these folders (top-level files only)"), a plugin's droids/ too, and
# opencode's mode folders (ConfigAgent.loadMode: "{mode,modes}/*.md", where agents are
# "{agent,agents}/**/*.md"), and Qwen Code (listSubagentsAtLevel: fs.readdir of .qwen/agents/).
# All are treated alike: an agent in a subfolder has its page and
# AC207 (its tool never loads it); a file there without frontmatter (a template) is no agent
# and no error.
FLAT_FOLDERS = {
    "Gemini CLI": ".gemini/agents",
    "Factory": ".factory/droids",
    "Factory plugin": "plugin/droids",
    "opencode mode": ".opencode/mode",
    "opencode modes": ".opencode/modes",
    "Qwen Code": ".qwen/agents",
}


@pytest.mark.parametrize("tool", FLAT_FOLDERS)
def test_the_subfolders_of_a_folder_read_flat_are_alike_for_every_tool(tmp_path: Path, tool: str) -> None:
    folder = FLAT_FOLDERS[tool]
    if tool == "Factory plugin":
        write(tmp_path, "plugin/.factory-plugin/plugin.json", json.dumps({"name": "p"}))
    write(tmp_path, f"{folder}/top.md", "---\nname: top\ndescription: Top.\n---\nYou are the top one.\n")
    write(tmp_path, f"{folder}/team/below.md", "---\nname: below\ndescription: Below.\n---\nYou are below.\n")
    write(tmp_path, f"{folder}/templates/base.md", "# Base agent\n\nFill in the role.\n")
    catalog = scan(tmp_path)
    fmt = {
        "Gemini CLI": Format.GEMINI_CLI,
        "opencode mode": Format.OPENCODE,
        "opencode modes": Format.OPENCODE,
        "Qwen Code": Format.QWEN_CODE,
    }
    assert {a.path.rsplit("/", 1)[-1]: a.format for a in catalog.agents} == dict.fromkeys(
        ("top.md", "below.md"), fmt.get(tool, Format.FACTORY)
    )
    found = [(f.path, f.code) for f in lint_catalog(catalog) if f.severity != "info"]
    assert found == [(f"{tmp_path}/{folder}/team/below.md", "AC207")]
    assert "not an agent" in {s.rel_path: s.reason for s in catalog.skipped}[f"{folder}/templates/base.md"]


# The agents folders of Markdown tools that read their subfolders too (Claude Code, Copilot...).
DEEP_FOLDERS = sorted(
    f"{folder}/{child}"
    for folder, children, fmt in TOOL_LAYOUTS
    for child in children
    if not DIALECTS[fmt].install_dir_flat
    and DIALECTS[fmt].syntax == "markdown"
    and f"{folder}/{child}/" not in DIALECTS[fmt].flat_folders
)


@pytest.mark.parametrize("folder", DEEP_FOLDERS)
def test_a_subfolder_named_as_a_flat_read_folder_is_not_that_tools(tmp_path: Path, folder: str) -> None:
    """A folder in a tool's own agents folder named as another tool's agents folder (droids/ in
    .claude/agents/) is that tool's folder still: its files are as its other subfolders' are,
    not passed over as a folder Factory reads flat."""
    for sub in ("droids", "other"):
        write(tmp_path, f"{folder}/{sub}/team/notes.md", "# Notes\n\nNo frontmatter.\n")
    catalog = scan(tmp_path)
    skipped = {s.rel_path: s.reason for s in catalog.skipped}
    codes = {f.path.removeprefix(f"{tmp_path}/"): f.code for f in catalog.findings}
    other, droids = f"{folder}/other/team/notes.md", f"{folder}/droids/team/notes.md"
    assert (skipped.get(droids), codes.get(droids)) == (skipped.get(other), codes.get(other))


# Whatever else of a mode fails modeConfigSchema costs the whole file too; "groups: []" is an
# orchestrator's (the tools every mode has), not "no tools at all".
MODE_PROBLEMS = [
    ("    name: A\n    roleDefinition: You a.\n", 2, "no 'groups' field"),
    ("    roleDefinition: You a.\n    groups: [read]\n", 2, "no 'name' field"),
    (
        "    name: A\n    roleDefinition: You a.\n    groups: [read, [read, {fileRegex: x}]]\n",
        5,
        "group 'read' is listed twice",
    ),
    (
        "    name: A\n    roleDefinition: You a.\n    groups: [read]\n    source: team\n",
        6,
        "source 'team' is not global or project",
    ),
    ("    name: A\n    roleDefinition: You a.\n    groups: [read]\n    whenToUse: [x]\n", 6, "'whenToUse' is not text"),
    # The name and the description are texts of the schema too, though the model takes them apart.
    ("    name: [A]\n    roleDefinition: You a.\n    groups: [read]\n", 3, "'name' is not text"),
    (
        "    name: A\n    roleDefinition: You a.\n    groups: [read]\n    description: 5\n",
        6,
        "'description' is not text",
    ),
]


@pytest.mark.parametrize(("keys", "line", "problem"), MODE_PROBLEMS)
@pytest.mark.parametrize(("file", "label"), [(".roomodes", "Roo Code"), (".kilocodemodes", "Kilo Code mode")])
def test_a_mode_the_schema_refuses_costs_every_mode_of_the_file(
    tmp_path: Path, file: str, label: str, keys: str, line: int, problem: str
) -> None:
    write(
        tmp_path,
        file,
        "customModes:\n  - slug: a\n" + keys + "  - slug: b\n    name: B\n    roleDefinition: B.\n    groups: []\n",
    )
    found = [(f.path.rsplit("/", 1)[-1], f.line, f.code, f.message) for f in lint_catalog(scan(tmp_path))]
    assert found == [(f"{file}#a", line, "AC208", f"{problem}: {label} loads none of this file's modes")]


# Roo Code and Kilo Code parse a file their YAML parser refuses again after replacing what a
# web page or a word processor puts in pasted text (cleanInvisibleCharacters): a no-break space
# as indentation, zero-width characters, typographic quotes. Such a file loads in the tool; it
# was AC108 ("does not load") here. A file that parses as it is keeps its characters.
@pytest.mark.parametrize(
    "pasted",
    [
        "customModes:\n  - slug: a\n\u00a0\u00a0\u00a0 name: A\n    roleDefinition: You a.\n    groups: [read]\n",
        "customModes:\n  - slug: a\n    name: \u201cA: the mode\u201d\n"
        "    roleDefinition: You a.\n    groups: [read]\n",
        "customModes:\u200b\n  - slug: a\n    name: A\n    roleDefinition: You a.\n    groups: [read]\n",
    ],
)
def test_a_file_of_modes_pasted_with_typographic_characters_loads_as_in_roo_code(tmp_path: Path, pasted: str) -> None:
    write(tmp_path, ".roomodes", pasted)
    catalog = scan(tmp_path)
    [agent] = catalog.agents
    assert (agent.name, agent.body, catalog.findings) == ("a", "You a.", ())
    assert not [f for f in lint_catalog(catalog) if f.severity == "error"]


def test_typographic_characters_in_a_file_that_loads_are_kept(tmp_path: Path) -> None:
    write(
        tmp_path,
        ".roomodes",
        "customModes:\n  - slug: a\n    name: A\n"
        "    roleDefinition: You \u201cquote\u201d \u2014 a.\n    groups: [read]\n",
    )
    assert one(scan(tmp_path), "a").body == "You \u201cquote\u201d \u2014 a."


# opencode refuses an agent whose known fields have values of another kind (AC208); the values
# of frontmatter read line by line (not valid YAML) are the same values, and pass as they are.
def test_opencode_values_of_a_file_read_leniently_are_no_refusal(tmp_path: Path) -> None:
    write(
        tmp_path,
        ".opencode/agent/x.md",
        "---\ndescription: Helps: with things: a lot\nmode: subagent\ntemperature: 0.1\nsteps: 3\nhidden: true\n"
        'color: "#00FF00"\npermission:\n  edit: deny\n  bash:\n    "git *": allow\n---\nBody.\n',
    )
    assert [f.code for f in lint_catalog(scan(tmp_path))] == ["AC115"]


@pytest.mark.parametrize(
    ("field", "value", "refused"),
    [
        ("temperature", "0", False),
        ("temperature", "-1.5", False),
        ("temperature", ".nan", True),
        ("temperature", "'0.3'", False),  # text that reads as a number: the benefit of the doubt
        ("temperature", "[0.1]", True),
        ("top_p", "true", True),
        ("steps", "1", False),
        ("steps", "2.0", False),
        ("steps", "2.5", True),
        ("steps", "-3", True),
        # Past a float's range JSON and YAML loaders give Infinity, no number opencode takes;
        # ours keeps the int, which no float holds (OverflowError was a traceback).
        ("steps", "9" * 400, True),
        ("temperature", "-" + "9" * 400, True),
        ("maxSteps", "many", True),
        ("hidden", "false", False),
        ("hidden", "1", True),
        ("disable", "'true'", False),
        ("permission", "deny", False),
        ("permission", "{webfetch: ask, bash: {'rm *': deny}}", False),
        ("permission", "yes", True),
        ("permission", "[read]", True),
        ("permission", "{bash: {'rm *': {x: deny}}}", True),
        ("color", "'#abcdef'", False),
        ("color", "'#abc'", True),
        ("color", "primary", False),
        ("color", "cyan", True),
        ("mode", "all", False),
        ("mode", "Subagent", True),
    ],
)
def test_opencode_refuses_a_value_of_another_kind(tmp_path: Path, field: str, value: str, refused: bool) -> None:
    write(tmp_path, ".opencode/agents/x.md", f"---\ndescription: Helps.\n{field}: {value}\n---\nBody.\n")
    found = [(f.code, f.line) for f in lint_catalog(scan(tmp_path))]
    assert found == ([("AC208", 3)] if refused else []), found


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(sorted({kind for d in DIALECTS.values() for _, kind in d.value_kinds})),
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.integers(min_value=10**309) | st.floats() | st.text(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=8,
    ),
)
def test_a_value_of_any_kind_is_judged_not_a_traceback(kind: str, value: object) -> None:
    assert _of_kind(value, kind) in (True, False)


# opencode names an agent as ConfigAgent.load does (packages/opencode/src/config/agent.ts):
# {name: configEntryNameFromPath(...), ...frontmatter}, so a name key wins, and without one the
# path below the agents folder, its subfolders kept; an opencode.json agent by its key.
@pytest.mark.parametrize(
    ("rel", "frontmatter", "name"),
    [
        (".opencode/agent/doc.md", "", "doc"),
        (".opencode/agent/team/planner.md", "", "team/planner"),
        (".opencode/agents/a/b/c.md", "", "a/b/c"),
        (".opencode/agent/agents/x.md", "", "agents/x"),
        (".opencode/agent/team/lead.md", "name: Lead\n", "Lead"),
        (".opencode/agent/team/lead.md", "id: lead-id\n", "team/lead"),
        ("proj/.opencode/agent/core/openagent.md", "", "core/openagent"),
    ],
)
def test_opencode_names_an_agent_by_its_name_else_its_path(
    tmp_path: Path, rel: str, frontmatter: str, name: str
) -> None:
    write(tmp_path, rel, f"---\n{frontmatter}description: Helps.\n---\nYou help.\n")
    [agent] = scan(tmp_path).agents
    assert (agent.format, agent.name) == (Format.OPENCODE, name)


# The name is opencode's wherever the scan starts: in the agents folder, in a subfolder of it,
# or at the file itself (the pre-commit hook names files), not "planner" there and
# "team/planner" from the project.
@pytest.mark.parametrize("start", [".", ".opencode", ".opencode/agent", ".opencode/agent/team", "FILE"])
@pytest.mark.parametrize("tool", [".opencode", ".kilo"])
def test_an_opencode_agent_has_its_name_wherever_the_scan_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start: str, tool: str
) -> None:
    write(tmp_path, f"{tool}/agent/team/planner.md", "---\ndescription: Plans.\n---\nYou plan.\n")
    monkeypatch.chdir(tmp_path)
    given = f"{tool}/agent/team/planner.md" if start == "FILE" else start.replace(".opencode", tool)
    [agent] = scan_catalog([given]).agents
    assert agent.name == "team/planner"
    monkeypatch.chdir(tmp_path / tool / "agent")
    [agent] = scan_catalog(["."]).agents
    assert agent.name == "team/planner"


def test_two_opencode_agents_of_one_name_are_one_agent_to_opencode(tmp_path: Path) -> None:
    """result[config.name] = ...: the later file of a name replaces the earlier, as
    darrenhinde's core/opencoder.md and eval-runner.md (both name: OpenCoder) do."""
    write(tmp_path, ".opencode/agent/core/opencoder.md", "---\nname: OpenCoder\ndescription: Codes.\n---\nCode.\n")
    write(tmp_path, ".opencode/agent/eval-runner.md", "---\nname: OpenCoder\ndescription: Runs.\n---\nRun.\n")
    write(
        tmp_path, "opencode.json", '{"agent": {"reviewer": {"name": "Rev", "description": "Reviews.", "prompt": "R."}}}'
    )
    catalog = scan(tmp_path)
    assert sorted(a.name for a in catalog.agents) == ["OpenCoder", "OpenCoder", "reviewer"]
    assert [f.code for f in lint_catalog(catalog)].count("AC301") == 2


# Qwen Code skips a subagent file that parseSubagentContent or SubagentValidator
# (packages/core/src/subagents/) refuses: a name other than 2 to 50 letters, digits, '-' and
# '_' (neither first nor last) or a reserved one, a prompt under 10 characters, an approvalMode
# outside plan, default, auto-edit, yolo. What it only warns about (a mixed-case name) is none.
QWEN_OK = "---\nname: {name}\ndescription: Helps.\n{more}---\n{body}\n"


@pytest.mark.parametrize(
    ("name", "more", "body", "found"),
    [
        ("helper", "", "You help with things.", []),
        ("代码审查", "", "You help with things.", []),
        ("Code_Reviewer-2", "", "You help with things.", []),
        ("h", "", "You help with things.", [(2, "AC205")]),
        ("x" * 51, "", "You help with things.", [(2, "AC205")]),
        ("-helper", "", "You help with things.", [(2, "AC205")]),
        ("helper_", "", "You help with things.", [(2, "AC205")]),
        ("code reviewer", "", "You help with things.", [(2, "AC205")]),
        ("Config", "", "You help with things.", [(2, "AC205")]),
        ("helper", "", "Help.", [(1, "AC206")]),
        ("helper", "", "", [(1, "AC206")]),
        ("helper", "approvalMode: auto-edit\n", "You help with things.", []),
        ("helper", "approvalMode: auto\n", "You help with things.", [(4, "AC208")]),
        ("helper", "disallowedTools: [write_file]\nbackground: true\n", "You help with things.", []),
        ("helper", "tools: [ReadFile, Shell, grep_search, ListFiles]\n", "You help with things.", []),
        ("helper", "model: openai:gpt-4o\n", "You help with things.", []),
    ],
)
def test_what_qwen_code_refuses(tmp_path: Path, name: str, more: str, body: str, found: list[tuple[int, str]]) -> None:
    write(tmp_path, ".qwen/agents/x.md", QWEN_OK.format(name=name, more=more, body=body))
    assert [(f.line, f.code) for f in lint_catalog(scan(tmp_path))] == found


# Frontmatter with no key at all, in every tool's agents folder: findings, never a traceback
# (AC206 took a prompt key of Qwen Code and Factory, whose prompt is the body: IndexError).
@pytest.mark.parametrize("text", ["---\n---\nYou help with things.\n", "---\n---\n", "---\n# a comment\n---\nHi\n"])
@pytest.mark.parametrize("folder", sorted({f"{folder}/{children[0]}" for folder, children, _ in TOOL_LAYOUTS}))
def test_frontmatter_without_keys_is_linted_in_every_agents_folder(tmp_path: Path, folder: str, text: str) -> None:
    write(tmp_path, f"{folder}/x.md", text)
    findings = lint_catalog(scan(tmp_path))
    assert all(f.path.endswith("x.md") for f in findings), findings


# opencode loads frontmatter strict YAML refuses when its fallbackSanitization mends it
# (packages/opencode/src/config/markdown.ts): an unindented "key: value" with a ':' in its
# unquoted value becomes a block scalar. AC115 on such a file is a note, as on Claude Code's;
# where the fallback does not mend it, a warning still.
@pytest.mark.parametrize(
    ("rel", "frontmatter", "severity", "says"),
    [
        (".opencode/agent/x.md", "description: Helps: with things\n", "info", "opencode, this file's tool"),
        (".opencode/agent/x.md", "description: Helps\ntools: *all\n", "warning", "read leniently"),
        (".opencode/agent/x.md", "description: Helps\nsteps:\n  - a: b: c\n", "warning", "read leniently"),
        (".claude/agents/x.md", "name: x\ndescription: Helps: with things\n", "info", "Claude Code, this file's tool"),
        # Gemini CLI has no fallback: js-yaml refuses it, and so the file (AC115 an error there).
        (".gemini/agents/x.md", "name: x\ndescription: Helps: with things\n", "error", "Gemini CLI refuses this file"),
    ],
)
def test_opencode_loads_what_its_yaml_fallback_mends(
    tmp_path: Path, rel: str, frontmatter: str, severity: str, says: str
) -> None:
    write(tmp_path, rel, f"---\n{frontmatter}---\nYou help with things.\n")
    [finding] = [f for f in lint_catalog(scan(tmp_path)) if f.code == "AC115"]
    assert finding.severity == severity and says in finding.message, finding
    assert "fallback" not in finding.message
