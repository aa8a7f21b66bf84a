"""Round three: what the commands print reaches a CI log, and GitHub's runner obeys workflow
commands in any line of it (stdout and stderr): a line that starts, after white space, with
``::`` and has ``::`` further on, and a line with ``##[`` anywhere (the old form, which
``ActionCommandManager.TryProcessCommand`` still tries). File names, agent names and
descriptions from a stranger's pull request must not become ``::add-mask::``,
``::stop-commands::`` or ``##[set-output]`` in the log of ``agent-catalog lint`` or ``build``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from catalog.terminal import inert_json, safe_text
from tests.hostile_fixtures import write
from tests.hostile_support import run_cli

PAYLOADS = [
    "::add-mask::secret",
    "  ::stop-commands::tok",
    "\t::set-output name=a::b",
    "##[add-mask]secret",
    "x ##[set-output name=a;]b",
    "%0A::warning::pwned",
    "a\n::error::pwned",
    "\u2003::notice::pwned",  # white space to .NET's TrimStart too
]

# The commands the runner knows (its command extensions and stop-commands).
_V2 = re.compile(r"\s*::([^ :]*)")


def workflow_command(line: str) -> str | None:
    """The command GitHub's runner would read in ``line`` (ActionCommand.TryParseV2, then
    TryParse), or None."""
    v2 = _V2.match(line)
    if v2 is not None and line.find("::", v2.start(1)) >= 0:
        return v2.group(1)
    at = line.find("##[")
    if at >= 0 and line.find("]", at) >= 0:
        return line[at + 3 : line.find("]", at)].split(" ")[0]
    return None


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ci-log")
    for i, payload in enumerate(PAYLOADS):
        file_part = payload.replace("\n", " ").replace("/", " ").strip()
        quoted = json.dumps(payload)
        # Findings for each: a name that is no slug, a tool that does not exist, a YAML error.
        write(
            root / "agents" / f"{file_part}{i}.md",
            f"---\nname: {quoted}\ndescription: {quoted}\ntools: [{quoted}]\n---\n{payload}\n",
        )
        write(root / f"{file_part}{i}.md", f"---\nname: {quoted}\ndescription: a: b: {payload}\n---\n{payload}\n")
    return root


COMMANDS = [
    ["scan", "."],
    ["scan", "-v", "."],
    ["scan", "--json", "."],
    ["lint", "."],
    ["lint", "-v", "--format", "json", "."],
    ["lint", "--format", "sarif", "."],
    ["lint", "--format", "github", "."],
    ["generate", ".", "--docs-dir", "../docs-ci"],
    ["generate", ".", "--docs-dir", "../docs-ci", "--check"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_no_line_of_any_command_is_a_workflow_command_but_its_annotations(tree: Path, args: list[str]) -> None:
    result = run_cli(args, tree)
    out, err = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
    assert (out + err).strip()
    ours = args[-2:] == ["github", "."]
    for stream, text in (("stdout", out), ("stderr", err)):
        for line in text.splitlines():
            command = workflow_command(line)
            if ours and stream == "stdout":
                assert command in ("error", "warning", "notice"), line
                assert line.startswith(f"::{command} file="), line
            else:
                assert command is None, f"{stream}: {line}"
    if "--json" in args or "json" in args or "sarif" in args:
        assert "##[" in json.dumps(json.loads(out), ensure_ascii=False), "the JSON lost the text it reports"


def test_annotations_name_the_file_as_it_is(tree: Path) -> None:
    result = run_cli(["lint", "--format", "github", "."], tree)
    files = set(re.findall(r"^::\w+ file=([^,]*),", result.stdout.decode("utf-8"), re.MULTILINE))
    unescaped = {f.replace("%3A", ":").replace("%2C", ",").replace("%25", "%") for f in files}
    assert "##[add-mask]secret3.md" in unescaped and "::add-mask::secret0.md" in unescaped


@given(st.text(alphabet=st.sampled_from(":#[] \t\u2003\nax%"), max_size=30))
@example("::a::b")
@example(" \u2003::a::b")
@example("x ##[a]")
@example("###[a]")
def test_safe_text_is_never_a_workflow_command(text: str) -> None:
    assert workflow_command(safe_text(text)) is None


@given(st.recursive(st.text(alphabet=st.sampled_from(':#[]\\"ax'), max_size=12), lambda inner: st.lists(inner)))
def test_inert_json_is_the_same_json(value: object) -> None:
    for indent in (None, 2):
        text = inert_json(json.dumps(value, indent=indent))
        assert json.loads(text) == value
        assert all(workflow_command(line) is None for line in text.splitlines())
