"""Roo Code's mode rules: ``.roo/rules-<slug>/`` (else ``.roorules-<slug>``, else
``.clinerules-<slug>``) beside a ``.roomodes`` are part of that mode's prompt, as Roo Code
assembles it (``addCustomInstructions``). screwyforcepush/roo-evolve keeps most of each mode's
prompt there: its pages showed a few lines of roleDefinition and lost the rest."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from catalog.discover.find import find_agent_files
from catalog.discover.name_rules import MAX_RULE_FILES, MAX_RULE_FOLDERS
from catalog.layout import RenderOptions
from catalog.lint.check import lint_catalog
from catalog.parse.fences import closed_fence
from catalog.pipeline import generate_docs
from catalog.types import Agent, Catalog
from tests.test_formats import scan, write

MODES = """customModes:
  - slug: code
    name: Code
    roleDefinition: You write code.
    groups: [read, edit]
  - slug: docs
    name: Docs
    roleDefinition: You write docs.
    customInstructions: Be brief.
    groups: [read]
"""


def body(catalog: Catalog, name: str) -> str:
    [agent] = [a for a in catalog.agents if a.name == name]
    return agent.body


def agent(catalog: Catalog, name: str) -> Agent:
    [found] = [a for a in catalog.agents if a.name == name]
    return found


# Each row: the files beside .roomodes, and the rules (by file) the "code" mode's prompt gets.
PLACES = [
    (
        {".roo/rules-code/01-style.md": "Style.", ".roo/rules-code/02-tests.txt": "Tests."},
        ["01-style.md", "02-tests.txt"],
    ),
    # Sorted by file name, case aside, subfolders too (Roo Code reads the folder recursively).
    (
        {".roo/rules-code/B.md": "B.", ".roo/rules-code/a/c.md": "C.", ".roo/rules-code/a.md": "A."},
        ["a.md", "B.md", "c.md"],
    ),
    # Cache and editor files are not rules.
    ({".roo/rules-code/x.md": "X.", ".roo/rules-code/x.md.swp": "junk", ".roo/rules-code/.DS_Store": "junk"}, ["x.md"]),
    ({".roorules-code": "Legacy."}, [".roorules-code"]),
    ({".clinerules-code": "Older."}, [".clinerules-code"]),
    # The folder wins over the files; .roorules over .clinerules; a blank file does not count.
    ({".roo/rules-code/r.md": "R.", ".roorules-code": "no", ".clinerules-code": "no"}, ["r.md"]),
    ({".roorules-code": "Legacy.", ".clinerules-code": "no"}, [".roorules-code"]),
    ({".roorules-code": "  \n", ".clinerules-code": "Older."}, [".clinerules-code"]),
    # Another mode's rules, and every mode's (.roo/rules/), are not this mode's.
    ({".roo/rules-docs/d.md": "D.", ".roo/rules/all.md": "All."}, []),
]


@pytest.mark.parametrize(("files", "expected"), PLACES)
def test_a_modes_rules_are_in_its_prompt_after_its_instructions(
    tmp_path: Path, files: dict[str, str], expected: list[str]
) -> None:
    write(tmp_path, ".roomodes", MODES)
    for rel, text in files.items():
        write(tmp_path, rel, text)
    catalog = scan(tmp_path)
    code = body(catalog, "code")
    shown = [
        line.removeprefix("**Rules from ").removesuffix(":**")
        for line in code.split("\n")
        if line.startswith("**Rules")
    ]
    assert [s.rsplit("/", 1)[-1] for s in shown] == expected
    assert code.startswith("You write code.")
    for rel in shown:
        assert files[rel].strip() in code
    assert [a.name for a in catalog.agents] == ["code", "docs"]  # rules are never agents
    assert catalog.findings == ()


def test_rules_of_a_mode_the_file_does_not_define_are_said_in_scan_v(tmp_path: Path) -> None:
    write(tmp_path, ".roomodes", MODES)
    write(tmp_path, ".roo/rules-ask/a.md", "---\nname: ask\ndescription: Asks.\n---\nAsk.\n")
    discovery = find_agent_files([str(tmp_path)])
    assert [s.entry for s in discovery.sources] == ["code", "docs"]
    reasons = {s.rel_path: s.reason for s in discovery.skipped}
    assert "defines no agent" in reasons[".roo/rules-ask/"]
    assert "Roo Code rules" in reasons[".roo/"]


@pytest.mark.parametrize("slug", ["../outside", "a/b", "..", "x y"])
def test_a_slug_is_never_a_path(tmp_path: Path, slug: str) -> None:
    root = tmp_path / "repo"
    write(tmp_path, "outside/secret.md", "SECRET")
    write(tmp_path, "repo/.roo/secret.md", "SECRET")
    write(tmp_path, ".roorules-..", "SECRET")
    write(root, ".roomodes", f'customModes:\n  - slug: "{slug}"\n    name: X\n    roleDefinition: You.\n')
    catalog = scan(root)
    assert all("SECRET" not in a.body for a in catalog.agents)


def test_rules_never_come_from_outside_the_scanned_folder(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(tmp_path, "secret/s.md", "SECRET")
    write(tmp_path, "secret.txt", "SECRET")
    write(root, ".roomodes", MODES)
    (root / ".roo").mkdir()
    (root / ".roo/rules-code").symlink_to(tmp_path / "secret")
    (root / ".roo/rules-docs").mkdir()
    (root / ".roo/rules-docs/s.md").symlink_to(tmp_path / "secret.txt")
    (root / ".roo/rules-docs/loop").symlink_to(root / ".roo/rules-docs")
    (root / ".roorules-code").symlink_to(tmp_path / "secret.txt")
    catalog = scan(root)
    assert all("SECRET" not in a.body for a in catalog.agents)
    assert [a.name for a in catalog.agents] == ["code", "docs"]


def test_a_fifo_among_the_rules_is_not_opened(tmp_path: Path) -> None:
    write(tmp_path, ".roomodes", MODES)
    write(tmp_path, ".roo/rules-code/a.md", "A.")
    os.mkfifo(tmp_path / ".roo/rules-code/b.md")
    os.mkfifo(tmp_path / ".roorules-docs")
    catalog = scan(tmp_path)  # would block on open()
    assert "A." in body(catalog, "code")


def test_a_folder_of_thousands_of_rules_costs_a_bounded_prompt(tmp_path: Path) -> None:
    write(tmp_path, ".roomodes", MODES)
    for number in range(MAX_RULE_FILES * 3):
        write(tmp_path, f".roo/rules-code/{number:05}.md", f"rule {number}")
    code = body(scan(tmp_path), "code")
    assert code.count("**Rules from") == MAX_RULE_FILES
    assert "rule 0\n" in code + "\n" and f"rule {MAX_RULE_FILES}\n" not in code + "\n"


def test_a_rules_file_too_large_or_not_text_is_a_finding_not_the_prompt(tmp_path: Path) -> None:
    write(tmp_path, ".roomodes", MODES)
    big = tmp_path / ".roo/rules-code/big.md"
    write(tmp_path, ".roo/rules-code/ok.md", "OK.")
    big.write_bytes(b"x" * (3 * 1024 * 1024))
    write(tmp_path, ".roo/rules-docs/nul.md", "a\x00b")
    catalog = scan(tmp_path)
    assert "OK." in body(catalog, "code") and "xxx" not in body(catalog, "code")
    assert sorted((f.path.rsplit("#", 1)[-1], f.code) for f in catalog.findings) == [
        ("code", "AC119"),
        ("docs", "AC119"),
    ]


@pytest.mark.parametrize(
    "change",
    [
        lambda root: (root / ".roo/rules-code/a.md").write_text("Changed rule.", encoding="utf-8"),
        lambda root: write(root, ".roo/rules-code/b.txt", "Added rule."),
        lambda root: write(root, ".roo/rules-docs/d.md", "Added folder."),
        lambda root: write(root, ".roorules-docs", "Added file."),
        lambda root: (root / ".roo/rules-code/a.md").unlink(),
    ],
)
def test_a_change_of_rules_writes_what_a_fresh_run_writes(tmp_path: Path, change: object) -> None:
    root = tmp_path / "repo"
    write(root, ".roomodes", MODES)
    write(root, ".roo/rules-code/a.md", "First rule.")
    docs, fresh = tmp_path / "docs", tmp_path / "fresh"
    generate_docs([str(root)], docs, RenderOptions())
    change(root)  # type: ignore[operator]
    for folder in (root, root / ".roo", root / ".roo/rules-code"):
        stat = os.stat(folder)
        os.utime(folder, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    generate_docs([str(root)], docs, RenderOptions())
    generate_docs([str(root)], fresh, RenderOptions(), cache=False)
    for page in ("agents/code.md", "agents/docs.md", "catalog.json"):
        assert (docs / page).read_text(encoding="utf-8") == (fresh / page).read_text(encoding="utf-8")


def test_a_rules_folder_of_thousands_of_folders_is_walked_no_further_than_a_bound(tmp_path: Path) -> None:
    write(tmp_path, ".roomodes", MODES)
    for number in range(MAX_RULE_FOLDERS * 5):
        (tmp_path / f".roo/rules-code/{number:05}").mkdir(parents=True)
    write(tmp_path, ".roo/rules-code/99999/late.md", "Late.")
    deep = tmp_path / ".roo/rules-docs"
    for _ in range(MAX_RULE_FOLDERS * 2):
        deep = deep / "d"
    write(deep, "deep.md", "Deep.")
    discovery = find_agent_files([str(tmp_path)])
    assert len(discovery.folders) < MAX_RULE_FOLDERS * 3
    catalog = scan(tmp_path)
    assert "Late." not in body(catalog, "code") and "Deep." not in body(catalog, "docs")


def test_rules_that_open_with_a_heading_leave_no_empty_section(tmp_path: Path) -> None:
    # roo-evolve: each rules.md opens with "# ... Mode Rules"; under a "# Rules from" heading
    # that was an AC502 empty-section warning on all nine modes.
    write(tmp_path, ".roomodes", MODES)
    write(tmp_path, ".roo/rules-code/rules.md", "# Code rules\n\n## Style\n\nShort lines.\n")
    write(tmp_path, ".roorules-docs", "Plain rules.\n")
    catalog = scan(tmp_path)
    assert [f.code for f in lint_catalog(catalog)] == []
    # The file's section holds the file's own headings (tests/test_prompt_origins.py).
    [rules] = agent(catalog, "code").sections
    assert (rules.title, [s.title for s in rules.children]) == ("Rules from .roo/rules-code/rules.md", ["Code rules"])


def test_a_modes_rules_are_read_within_one_agent_files_limit_whatever_symlinks_share(tmp_path: Path) -> None:
    # A hundred files just under the 2 MiB file limit made one mode's page 200 MiB; symlinked
    # rules folders made every mode's page so: a few kilobytes of repository, gigabytes of site.
    from catalog.parse.document import MAX_FILE_BYTES

    slugs = [f"m{i}" for i in range(4)]
    write(
        tmp_path,
        ".roomodes",
        "customModes:\n" + "".join(f"  - {{slug: {s}, name: {s}, roleDefinition: Do.}}\n" for s in slugs),
    )
    for number in range(4):
        write(tmp_path, f".roo/rules-m0/{number}.md", f"rule {number} " + "x" * (MAX_FILE_BYTES - 100))
    for slug in slugs[1:]:
        os.symlink("rules-m0", tmp_path / f".roo/rules-{slug}")
    catalog = scan(tmp_path)
    for slug in slugs:
        text = body(catalog, slug)
        assert len(text.encode("utf-8")) <= MAX_FILE_BYTES
        assert "rule 0" in text and "rule 1" not in text
    warned = sorted(f.path.rsplit("#", 1)[-1] for f in catalog.findings if f.code == "AC119")
    assert warned == slugs


def test_rules_folders_outside_the_scanned_folder_are_never_listed(tmp_path: Path) -> None:
    # A .roo that links out of the scanned folder: scan -v named the folders there.
    write(tmp_path, "outside/rules-secret-name/a.md", "Secret.")
    root = tmp_path / "repo"
    write(root, ".roomodes", MODES)
    os.symlink(tmp_path / "outside", root / ".roo")
    discovery = find_agent_files([str(root)])
    assert not [s for s in discovery.skipped if "secret" in s.rel_path + s.reason]
    assert all(f.startswith(os.path.realpath(root)) for f in discovery.folders)
    assert "Secret." not in body(scan(root), "code")


@pytest.mark.parametrize("content", [b"a\x00b", b"Fine rules."])
def test_a_rules_file_whose_name_is_not_utf8_is_shown_escaped(tmp_path: Path, content: bytes) -> None:
    # Its name reached the page and the finding as a lone surrogate: a UnicodeEncodeError
    # traceback in generate.
    write(tmp_path, ".roomodes", MODES)
    (tmp_path / ".roo/rules-code").mkdir(parents=True)
    (tmp_path / os.fsdecode(b".roo/rules-code/\xffbad.md")).write_bytes(content)
    docs = tmp_path / "docs"
    generate_docs([str(tmp_path)], docs, RenderOptions(), cache=False)
    page = (docs / "agents/code.md").read_bytes().decode("utf-8")
    assert "\\xffbad.md" in page


def test_rules_folders_linked_to_one_folder_are_walked_once(tmp_path: Path) -> None:
    # Every mode's rules folder a symlink to one folder of many folders: each mode walked it
    # again (10,000 modes of a 2 MiB .roomodes, a million folders listed and watched).
    slugs = [f"m{i}" for i in range(200)]
    write(
        tmp_path,
        ".roomodes",
        "customModes:\n" + "".join(f"  - {{slug: {s}, name: {s}, roleDefinition: Do.}}\n" for s in slugs),
    )
    for number in range(50):
        write(tmp_path, f"shared/{number:02}/rule.md", f"Rule {number}.")
    (tmp_path / ".roo").mkdir()
    for slug in slugs:
        os.symlink(tmp_path / "shared", tmp_path / f".roo/rules-{slug}")
    discovery = find_agent_files([str(tmp_path)])
    assert len(discovery.folders) < 200
    assert all(len(s.companions) == 50 for s in discovery.sources if s.entry)


def test_the_rules_of_all_modes_of_one_file_stay_within_a_bound(tmp_path: Path) -> None:
    # Forty modes whose rules folders all link to one folder of a 1.9 MiB file: each mode's
    # prompt is within its own limit, yet the site held 40 copies (10,000 modes: 19 GiB).
    from catalog.discover.name_rules import MAX_RULES_BYTES_PER_FILE

    slugs = [f"m{i}" for i in range(40)]
    write(
        tmp_path,
        ".roomodes",
        "customModes:\n" + "".join(f"  - {{slug: {s}, name: {s}, roleDefinition: Do.}}\n" for s in slugs),
    )
    write(tmp_path, "shared/rules.md", "r" * (19 * 1024 * 1024 // 10))
    (tmp_path / ".roo").mkdir()
    for slug in slugs:
        os.symlink(tmp_path / "shared", tmp_path / f".roo/rules-{slug}")
    catalog = scan(tmp_path)
    assert sum(len(a.body) for a in catalog.agents) <= MAX_RULES_BYTES_PER_FILE + 40 * 1000
    assert len(catalog.agents) == 40
    assert 0 < len([f for f in catalog.findings if f.code == "AC119"]) < 40


OPEN_FENCES = {  # the role definition, and how it is closed
    "backticks": ("You write code:\n\n```python\ndef f(): pass\n", "\n```"),
    "tildes, info and a shorter backtick run": ("You write code:\n\n~~~~ sh\nmake\n```\n~~~\n", "\n~~~~"),
    "closed by a longer run": ("You write code:\n\n```\nx\n`````\n", ""),
    "in a list item, where it ends with the item": ("- Steps:\n\n  ```\n  make\n", ""),
}
CLOSED_FENCES = {  # a closed fence that blank lines follow, or lines that end in CRLF
    "spaces": "```\ncode\n```\n   \n",
    "tab": "```\ncode\n```\n\t",
    "indented fences": "  ```\ncode\n  ```\n \n\n",
    "form feed": "~~~\ncode\n~~~\n\x0c\n",
    "CRLF line endings": "```\r\ncode\r\n```",
}


@pytest.mark.parametrize(("role", "closing"), OPEN_FENCES.values(), ids=list(OPEN_FENCES))
def test_an_open_fence_in_a_role_definition_does_not_take_the_rules_into_its_code(
    tmp_path: Path, role: str, closing: str
) -> None:
    # The role definition and each rules file are a Markdown document each: a fence left open
    # at the end of one made the rules files after it code, and the page lost their sections.
    indented = "\n".join(f"      {line}" if line else "" for line in role.splitlines())
    write(tmp_path, ".roomodes", f"customModes:\n  - slug: code\n    name: Code\n    roleDefinition: |\n{indented}\n")
    write(tmp_path, ".roo/rules-code/a.md", "# Style\n\nShort lines.\n\n```\nopen too\n")
    write(tmp_path, ".roo/rules-code/b.md", "# Tests\n\nRun them.\n")
    code = agent(scan(tmp_path), "code")
    sections = [(s.title, [c.title for c in s.children]) for s in code.sections]
    assert sections[-2:] == [
        ("Rules from .roo/rules-code/a.md", ["Style"]),
        ("Rules from .roo/rules-code/b.md", ["Tests"]),
    ]
    # Closed by one line after the code, and only when open: the lines before are as written.
    own, a, b = code.body.split("\n\n**Rules from ")
    assert own == role.rstrip("\n") + closing
    assert a.endswith("open too\n```") and b.endswith("Run them.")


@pytest.mark.parametrize("role", CLOSED_FENCES.values(), ids=list(CLOSED_FENCES))
def test_a_closed_fence_that_blank_lines_follow_is_left_closed(tmp_path: Path, role: str) -> None:
    # The blank lines after a closed fence are no code: read as the fence's last line, they
    # had a fence appended, which opened a code block that took the rules files in.
    mode = {"slug": "code", "name": "Code", "roleDefinition": role}
    write(tmp_path, ".roomodes", json.dumps({"customModes": [mode]}))
    write(tmp_path, ".roo/rules-code/b.md", "# Tests\n\nRun them.\n")
    code = agent(scan(tmp_path), "code")
    assert [s.title for s in code.sections][-1:] == ["Rules from .roo/rules-code/b.md"]
    assert closed_fence(role) == role


# Kilo Code, Roo Code's fork, reads the same modes from .kilocodemodes, its mode rules from
# .kilocode/rules-<slug>/, then Roo Code's folder, then .kilocoderules-<slug>
# (addCustomInstructions in Kilo-Org/kilocode's custom-instructions.ts).
KILO_PLACES = [
    ({".kilocode/rules-code/k.md": "K.", ".roo/rules-code/r.md": "no", ".kilocoderules-code": "no"}, ["k.md"]),
    ({".roo/rules-code/r.md": "R.", ".kilocoderules-code": "no"}, ["r.md"]),
    ({".kilocoderules-code": "Legacy.", ".roorules-code": "no", ".clinerules-code": "no"}, [".kilocoderules-code"]),
    # Roo Code's legacy files are not Kilo Code's.
    ({".roorules-code": "no", ".clinerules-code": "no"}, []),
    ({".kilocode/rules-docs/d.md": "D.", ".kilocode/rules/all.md": "All."}, []),
]


@pytest.mark.parametrize(("files", "expected"), KILO_PLACES)
def test_kilo_codes_modes_take_their_rules_where_kilo_code_reads_them(
    tmp_path: Path, files: dict[str, str], expected: list[str]
) -> None:
    write(tmp_path, ".kilocodemodes", MODES)
    for rel, text in files.items():
        write(tmp_path, rel, text)
    catalog = scan(tmp_path)
    code = agent(catalog, "code")
    shown = [
        line.removeprefix("**Rules from ").removesuffix(":**")
        for line in code.body.split("\n")
        if line.startswith("**Rules")
    ]
    assert [s.rsplit("/", 1)[-1] for s in shown] == expected
    assert code.format.value == "kilo-code-mode" and code.path == ".kilocodemodes#code"
    assert [a.name for a in catalog.agents] == ["code", "docs"]


def test_roo_and_kilo_modes_beside_each_other_each_read_their_own_rules(tmp_path: Path) -> None:
    write(tmp_path, ".roomodes", MODES)
    write(tmp_path, ".kilocodemodes", MODES.replace("slug: code", "slug: build").replace("name: Code", "name: Build"))
    write(tmp_path, ".roo/rules-code/r.md", "Roo's.")
    write(tmp_path, ".kilocode/rules-build/k.md", "Kilo's.")
    catalog = scan(tmp_path)
    by_path = {a.path: a for a in catalog.agents}
    assert sorted(by_path) == [
        ".kilocodemodes#build",
        ".kilocodemodes#docs",
        ".roomodes#code",
        ".roomodes#docs",
    ]
    assert "Roo's." in by_path[".roomodes#code"].body and "Kilo's." in by_path[".kilocodemodes#build"].body
    assert {a.format.value for a in catalog.agents} == {"roo-code", "kilo-code-mode"}
    reasons = {s.rel_path: s.reason for s in find_agent_files([str(tmp_path)]).skipped}
    # Roo Code's rules folder of a Roo Code mode is no Kilo Code rules of a mode it lacks.
    assert not any("rules-code" in rel for rel, why in reasons.items() if "defines no agent" in why)
