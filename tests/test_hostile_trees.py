"""Random repository trees made of the layouts strangers use (tool folders, Roo Code rules, Kiro
prompt files, collection markers, symlinks out and in loops): discovery and reading never raise,
never read outside the scanned folder, never take a file twice, and every agent gets a page."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.discover.find import find_agent_files
from catalog.pipeline import scan_catalog

AGENT = "---\nname: {name}\ndescription: Helps with {name}.\n---\nYou help.\n"
FOLDERS = [
    ".claude",
    "agents",
    ".roo",
    "rules-a",
    "rules-b",
    ".kiro",
    "templates",
    "src",
    "team",
    ".github",
    "chatmodes",
    ".gemini",
    "x",
    "plugins",
]
SECRET = "SECRET-OUTSIDE"
AGENT_FOLDERS_OF = {
    ".claude": {"agents"},
    ".kiro": {"agents"},
    ".github": {"agents", "chatmodes"},
    ".gemini": {"agents"},
}


def _file(kind: str, name: str) -> tuple[str, str]:
    """A file name and its text, of one of the kinds strangers write."""
    if kind == "agent":
        return f"{name}.md", AGENT.format(name=name)
    if kind == "prompt":  # a Kiro prompt file naming the agent of the same name
        return f"{name}-prompt.md", AGENT.format(name=name)
    if kind == "kiro":
        return f"{name}.json", json.dumps({"name": name, "description": "K.", "prompt": f"file://./{name}-prompt.md"})
    if kind == "kiro-out":  # a prompt outside the scanned folder
        return f"{name}.json", json.dumps({"name": name, "description": "K.", "prompt": "file://../../../../secret.md"})
    if kind == "roomodes":
        modes = "".join(f"  - slug: {slug}\n    name: {slug}\n    roleDefinition: You {slug}.\n" for slug in "ab")
        return ".roomodes", "customModes:\n" + modes
    if kind == "roorules":
        return f".roorules-{name[:1]}", f"Rule for {name}.\n"
    if kind == "readme":
        return "README.md", "# Read me\n"
    if kind == "marker":
        return "LICENSE", "MIT\n"
    return f"{name}.md", "# No frontmatter\n"


KINDS = ["agent", "prompt", "kiro", "kiro-out", "roomodes", "roorules", "readme", "marker", "plain"]
entries = st.lists(
    st.tuples(
        st.lists(st.sampled_from(FOLDERS), max_size=3),
        st.sampled_from(KINDS),
        st.sampled_from(["a", "b", "reviewer"]),
    ),
    min_size=1,
    max_size=12,
)
links = st.lists(
    st.tuples(st.lists(st.sampled_from(FOLDERS), max_size=2), st.sampled_from(["out", "loop", "root"])), max_size=3
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries, links)
def test_random_trees_are_read_inside_the_folder_once_each(
    files: list[tuple[list[str], str, str]], symlinks: list[tuple[list[str], str]]
) -> None:
    base = Path(tempfile.mkdtemp())
    try:
        (base / "secret.md").write_text(AGENT.format(name="secret") + SECRET, encoding="utf-8")
        (base / "outside").mkdir()
        (base / "outside" / "o.md").write_text(AGENT.format(name="outside") + SECRET, encoding="utf-8")
        root = base / "repo" / "r"
        root.mkdir(parents=True)
        for folders, kind, name in files:
            file_name, text = _file(kind, name)
            folder = root.joinpath(*folders)
            folder.mkdir(parents=True, exist_ok=True)
            if not (folder / file_name).exists() and not (folder / file_name).is_symlink():
                (folder / file_name).write_text(text, encoding="utf-8")
        for number, (folders, target) in enumerate(symlinks):
            folder = root.joinpath(*folders)
            folder.mkdir(parents=True, exist_ok=True)
            link = folder / f"link-{number}"
            if not link.exists():
                link.symlink_to({"out": base / "outside", "loop": folder, "root": root}[target])

        discovery = find_agent_files([str(root)])
        real_root = os.path.realpath(root)
        seen = [(str(s.path), s.entry) for s in discovery.sources]
        assert len(seen) == len(set(seen))
        for source in discovery.sources:
            for path in (str(source.path), *source.companions):
                assert os.path.realpath(path).startswith(real_root + os.sep), path
            assert "/.roo/" not in f"/{source.rel_path}"
            # A collection is a top folder, or a project inside the repository (a folder holding a tool folder).
            parts = source.rel_path.split("#")[0].split("/")
            projects = {parts[i - 1] for i, part in enumerate(parts) if i and part.startswith(".")}
            assert source.collection in {None, *projects, *(p.name for p in root.iterdir())}

            # In a tool's folder, only its agents folders hold agents (.kiro/templates/ does not).
            for index, part in enumerate(parts[:-1]):
                if part in AGENT_FOLDERS_OF and index + 1 < len(parts) - 1:
                    assert parts[index + 1] in AGENT_FOLDERS_OF[part], source.rel_path

        catalog = scan_catalog([str(root)], jobs=1)
        for agent in catalog.agents:
            if agent.path.endswith((".roomodes#a", ".roomodes#b")):
                # A mode's rules folder beside its .roomodes is in its prompt.
                workspace = root / agent.path.rsplit("/", 1)[0] if "/" in agent.path else root
                slug = agent.path[-1]
                rules = workspace / ".roo" / f"rules-{slug}"
                texts = [p for p in rules.glob("*.md") if p.is_file() and not p.is_symlink()] if rules.is_dir() else []
                assert not texts or f"**Rules from .roo/rules-{slug}/" in agent.body, agent.body
        assert not [f for f in catalog.findings if f.code == "AC109"]
        assert len(catalog.agents) == len(discovery.sources)
        for agent in catalog.agents:
            assert SECRET not in agent.body and SECRET not in agent.description
    finally:
        shutil.rmtree(base)
