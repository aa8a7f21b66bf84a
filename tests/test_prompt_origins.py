"""Text an agent's prompt takes from another file than the agent file: Roo Code's mode rules
(appended under a "Rules from <path>:" line, as ``addCustomInstructions`` does), a Kiro agent's
``file://`` prompt, an opencode ``{file:./path}`` prompt.

Each such file is one section of the page, titled by the line its tool puts before it, its own
headings below that title (not an empty title followed by the file's headings as siblings). A
finding about text inside such a file points at that file and line (``path:line:col`` of the
rules file), not at a line of the agent file where the text is not; the agent's page still
lists it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from catalog.layout import RenderOptions
from catalog.lint.check import file_findings, lint_catalog
from catalog.model.sections import prompt_parts
from catalog.pipeline import generate_docs
from catalog.render.jsonout import agent_to_dict
from catalog.types import Agent, Catalog
from tests.test_formats import scan, write

ROOMODES = """customModes:
  - slug: code
    name: Code
    roleDefinition: |-
      You write code.

      ## Role

      Careful.
    groups: [read, edit]
"""
# A rules file whose 3rd line opens an example that is never closed (AC120) and whose
# 7th line is an empty heading (AC502).
RULES = "# Style\n\n<example>\nuser: hi\nassistant: hello\n\n## Empty\n\n## Indent\n\nFour spaces.\n"
RULES_EXAMPLE_LINE, RULES_EMPTY_LINE = 3, 7
FRONTMATTER = "---\nname: k\n---\n"  # a prompt file may repeat its agent's settings above its text

# Each format that reads text from another file: the files, the agent's name, the file the
# text is in and how many lines above RULES that file holds.
CASES = {
    "roo rules folder": ({".roomodes": ROOMODES, ".roo/rules-code/a.md": RULES}, "code", ".roo/rules-code/a.md", 0),
    "roo legacy rules file": ({".roomodes": ROOMODES, ".roorules-code": "\n\n" + RULES}, "code", ".roorules-code", 2),
    "kiro file prompt": (
        {
            ".kiro/agents/k.json": json.dumps({"name": "k", "description": "Does k.", "prompt": "file://./p/k.md"}),
            ".kiro/agents/p/k.md": FRONTMATTER + RULES,
        },
        "k",
        ".kiro/agents/p/k.md",
        3,
    ),
    "opencode file prompt": (
        {
            "opencode.json": json.dumps({"agent": {"rev": {"description": "Reviews.", "prompt": "{file:./p/rev.md}"}}}),
            "p/rev.md": RULES,
        },
        "rev",
        "p/rev.md",
        0,
    ),
}


def one(catalog: Catalog, name: str) -> Agent:
    [agent] = [a for a in catalog.agents if a.name == name]
    return agent


@pytest.mark.parametrize("case", CASES)
def test_a_finding_about_text_in_another_file_points_at_that_file(tmp_path: Path, case: str) -> None:
    files, name, where, above = CASES[case]
    for rel, text in files.items():
        write(tmp_path, rel, text)
    catalog = scan(tmp_path)
    agent = one(catalog, name)
    found = {(f.code, f.path, f.line) for f in lint_catalog(catalog) if f.code in ("AC120", "AC502")}
    shown = f"{tmp_path}/{where}"
    assert found == {("AC120", shown, RULES_EXAMPLE_LINE + above), ("AC502", shown, RULES_EMPTY_LINE + above)}
    # The agent's page lists them: they are its findings, wherever their text is.
    on_page = {
        (f.code, f.path) for f in file_findings(agent, [f for f in catalog.findings if f.owner == agent.display_path])
    }
    assert ("AC120", shown) in on_page and ("AC502", shown) in on_page


def test_each_rules_file_is_one_section_holding_its_own_headings(tmp_path: Path) -> None:
    write(tmp_path, ".roomodes", ROOMODES)
    write(tmp_path, ".roo/rules-code/a.md", "# Style\n\nUse tabs.\n\n## Indent\n\nFour.\n")
    write(tmp_path, ".roo/rules-code/b.md", "Plain rule, no heading.\n")
    agent = one(scan(tmp_path), "code")
    tree = [(s.title, [c.title for c in s.children]) for s in agent.sections]
    assert tree == [
        ("Role", []),
        ("Rules from .roo/rules-code/a.md", ["Style"]),
        ("Rules from .roo/rules-code/b.md", []),
    ]
    # The page: no part has a title and nothing under it, and the rules' text is under its file's title.
    parts = prompt_parts(agent.body, agent.body_line, agent.sections)
    assert [(p.title, p.depth) for p in parts] == [
        ("", 0),
        ("Role", 1),
        ("Rules from .roo/rules-code/a.md", 1),
        ("Style", 2),
        ("Rules from .roo/rules-code/b.md", 1),
    ]
    texts = {p.title: p.markdown for p in parts}
    assert texts["Rules from .roo/rules-code/b.md"] == "Plain rule, no heading."
    assert "Use tabs." in texts["Style"] and "Rules from" not in texts["Role"]


def test_a_bold_rules_from_line_written_in_a_prompt_is_no_file_section(tmp_path: Path) -> None:
    """Only the files the agent reads make such sections, not text that looks like their title."""
    write(tmp_path, ".roomodes", ROOMODES.replace("Careful.", "Careful.\n\n      **Rules from x.md:**\n\n      Some."))
    agent = one(scan(tmp_path), "code")
    assert [s.kind for s in agent.sections if s.title.startswith("Rules from")] != ["file"]


def test_the_page_says_which_file_a_finding_of_another_file_is_in(tmp_path: Path) -> None:
    files, _, where, _ = CASES["roo rules folder"]
    for rel, text in files.items():
        write(tmp_path / "repo", rel, text)
    generate_docs([str(tmp_path / "repo")], tmp_path / "docs", RenderOptions(), cache=False)
    page = (tmp_path / "docs/agents/code.md").read_text(encoding="utf-8")
    assert f'>{where}:{RULES_EXAMPLE_LINE}:1</span> <code class="ac-finding__code">AC120' in page
    assert f'>{where}:{RULES_EMPTY_LINE}:1</span> <code class="ac-finding__code">AC502' in page


def _sections(tree: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    found: dict[str, dict[str, object]] = {}
    for section in tree:
        found[str(section["title"])] = section
        found.update(_sections(section["children"]))  # type: ignore[arg-type]
    return found


@pytest.mark.parametrize("case", CASES)
def test_the_json_record_places_text_from_another_file_in_that_file(tmp_path: Path, case: str) -> None:
    """``scan --json``'s lines are lines of real files: a section (an example too) whose text is
    in another file says that file's line and names the file, never a line past the end of the
    agent file."""
    files, name, where, above = CASES[case]
    for rel, text in files.items():
        write(tmp_path, rel, text)
    record = agent_to_dict(one(scan(tmp_path), name))
    style = _sections(record["sections"])["Style"]
    assert (style["path"], style["line"]) == (where, 1 + above)
    [example] = record["examples"]
    assert (example["path"], example["line"]) == (where, RULES_EXAMPLE_LINE + above)
    assert "path" not in _sections(record["sections"]).get("Role", {})


@pytest.mark.parametrize("extra_keys", range(0, 16, 3))
def test_a_rules_file_line_that_is_also_a_key_line_of_the_modes_file_stays_the_rules_files(
    tmp_path: Path, extra_keys: int
) -> None:
    """The prompt's lines of a rules file are counted on from the mode's prompt, inside the
    numbering of the .roomodes file: with keys written after roleDefinition, a line of the rules
    file has the number of a key's line. A finding about the rules text is still the rules
    file's, and one about a key (AC403) still the .roomodes file's, whatever the numbers."""
    keys = "".join(f"    x{i}: {i}\n" for i in range(extra_keys))
    write(tmp_path, ".roomodes", "customModes:\n  - slug: code\n    roleDefinition: You write code.\n" + keys)
    write(tmp_path, ".roo/rules-code/a.md", RULES)
    catalog = scan(tmp_path)
    found = {(f.code, f.path, f.line) for f in lint_catalog(catalog) if f.code in ("AC120", "AC502", "AC403")}
    rules, modes = f"{tmp_path}/.roo/rules-code/a.md", f"{tmp_path}/.roomodes#code"
    expected = {("AC120", rules, RULES_EXAMPLE_LINE), ("AC502", rules, RULES_EMPTY_LINE)}
    assert found == expected | {("AC403", modes, 4 + i) for i in range(extra_keys)}


@pytest.mark.parametrize("case", CASES)
def test_lint_of_a_file_an_agent_reads_reports_its_findings(
    tmp_path: Path, case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pre-commit names the files a commit changed: a rules or prompt file alone among them is
    checked as part of the agent that reads it, its own findings reported (not those of the
    agent's other files), as the agent's page lists them."""
    from click.testing import CliRunner

    from catalog.cli.main import main

    files, _name, where, above = CASES[case]
    for rel, text in files.items():
        write(tmp_path, rel, text)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["lint", where, "-v"])
    reported = {line.split(" ")[0] + " " + line.split(" ")[1] for line in result.stdout.splitlines() if ": AC" in line}
    assert {
        f"{where}:{RULES_EXAMPLE_LINE + above}:1: AC120",
        f"{where}:{RULES_EMPTY_LINE + above}:1: AC502",
    } <= reported
    assert all(line.startswith(where + ":") for line in reported), reported
    assert "not checked" not in result.stderr


@pytest.mark.parametrize("ending", ["\r\n", "bom"])
@pytest.mark.parametrize("case", CASES)
def test_a_file_read_as_part_of_a_prompt_is_read_as_an_agent_file_is(tmp_path: Path, case: str, ending: str) -> None:
    """What an agent file is read despite (CRLF line endings, a byte-order mark: a note, a
    warning) a file of its prompt is read despite too, in each format: not dropped as unread."""
    files, name, where, _above = CASES[case]
    for rel, text in files.items():
        write(tmp_path, rel, text)
    part = tmp_path / where
    text = part.read_text(encoding="utf-8")
    part.write_bytes(text.replace("\n", "\r\n").encode() if ending == "\r\n" else b"\xef\xbb\xbf" + text.encode())
    catalog = scan(tmp_path)
    assert "Four spaces." in one(catalog, name).body
    assert not [f for f in catalog.findings if f.code == "AC119"]


@pytest.mark.parametrize("ending", ["\r\n", "bom"])
def test_a_codex_config_toml_is_read_as_an_agent_file_is(tmp_path: Path, ending: str) -> None:
    """The other file an agent takes part of itself from: .codex/config.toml's description."""
    text = '[agents."rev"]\ndescription = "Reviews."\nconfig_file = "agents/rev.toml"\n'
    data = text.replace("\n", "\r\n").encode() if ending == "\r\n" else b"\xef\xbb\xbf" + text.encode()
    write(tmp_path, ".codex/config.toml", "")
    (tmp_path / ".codex/config.toml").write_bytes(data)
    write(tmp_path, ".codex/agents/rev.toml", 'name = "rev"\ndeveloper_instructions = """\nReview.\n"""\n')
    catalog = scan(tmp_path)
    assert one(catalog, "rev").description == "Reviews."
    assert not [f for f in catalog.findings if f.code == "AC119"]


@pytest.mark.parametrize("name", ["a.md", "r\udcff.md"])
def test_an_origin_names_the_file_read_even_when_its_name_is_not_utf8(tmp_path: Path, name: str) -> None:
    """``Origin.file`` is the file the text was read from (what ``lint FILE`` matches), its
    name as the file system has it, not as a page shows it (``\\xff``)."""
    write(tmp_path, ".roomodes", ROOMODES)
    (tmp_path / ".roo/rules-code").mkdir(parents=True)
    (tmp_path / ".roo/rules-code" / name).write_text(RULES, encoding="utf-8")
    [origin] = one(scan(tmp_path), "code").origins
    assert os.path.samefile(origin.file, tmp_path / ".roo/rules-code" / name)


def test_the_finding_that_counts_the_rest_of_a_code_is_the_agents_too(tmp_path: Path) -> None:
    """Past ``FINDINGS_PER_CODE`` findings of a code, one more counts the rest: made from the
    first of them, in a rules file it is that agent's as they are (its page, ``lint`` of it)."""
    from catalog.types import FINDINGS_PER_CODE

    write(tmp_path, ".roomodes", ROOMODES)
    write(tmp_path, ".roo/rules-code/a.md", "".join(f"## Empty {i}\n\n" for i in range(FINDINGS_PER_CODE + 5)))
    catalog = scan(tmp_path)
    agent = one(catalog, "code")
    found = [f for f in lint_catalog(catalog) if f.code == "AC502"]
    assert len(found) == FINDINGS_PER_CODE + 1 and "5 more" in found[-1].message
    assert {(f.path, f.owner) for f in found} == {(f"{tmp_path}/.roo/rules-code/a.md", agent.display_path)}


@pytest.mark.parametrize("extra_keys", range(0, 10, 3))
def test_an_example_of_the_description_stays_the_agent_files_in_the_json_record(
    tmp_path: Path, extra_keys: int
) -> None:
    """An example in a .roomodes mode's description is at the description's line of the
    .roomodes, which may have the number of a line of the prompt's rules files: the record
    places it in the agent's file all the same, and an example of a rules file in that file."""
    keys = "".join(f"    x{i}: {i}\n" for i in range(extra_keys))
    description = '    description: "Writes code. <example>user: hi\\nassistant: hello</example>"\n'
    write(
        tmp_path,
        ".roomodes",
        "customModes:\n  - slug: code\n    roleDefinition: You write code.\n" + keys + description,
    )
    write(tmp_path, ".roo/rules-code/a.md", RULES)
    record = agent_to_dict(one(scan(tmp_path), "code"))
    places = [(ex.get("path"), ex["line"]) for ex in record["examples"]]
    assert places == [(None, 4 + extra_keys), (".roo/rules-code/a.md", RULES_EXAMPLE_LINE)]
