"""What `agent-catalog init` adds to a repository that has agents: starter files, never
overwriting one that exists.

Folder names and the site name come from the repository (anyone's pull request can add a
folder): each value goes through the quoting of every language it lands in (YAML, the shell
of a CI step, GitHub's expressions, a regular expression), so it stays a value whatever it holds.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

from catalog.frozen import frozen

MKDOCS_YML = """\
# The agent catalog's site: `agent-catalog build` (or `mkdocs build`, thanks to the plugin).
site_name: {site_name}
use_directory_urls: false
theme:
  name: material
  font: false  # no Google Fonts: the site makes no request outside itself
  features:
    - navigation.top
    - navigation.sections
    - search.highlight
    - toc.follow
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      primary: indigo
      accent: indigo
      toggle:
        icon: material/weather-night
        name: Switch to dark mode
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      primary: indigo
      accent: light blue
      toggle:
        icon: material/weather-sunny
        name: Switch to light mode
plugins:
  - search
  - offline
  - agent-catalog:
      sources: [{sources}]
      path: ""
markdown_extensions:
  - toc
  - tables
  - admonition
extra:
  polyfills:
    - assets/iframe-worker-shim.js
  generator: false
validation:
  nav:
    omitted_files: ignore
"""

PRE_COMMIT = """\
repos:
  - repo: https://github.com/agent-catalog/agent-catalog
    rev: v0.1.0
    hooks:
      - id: agent-catalog-lint
        files: {pattern}
"""

WORKFLOW = """\
# Lints the agents and publishes the catalog site to GitHub Pages.
name: agent catalog
on:
  push:
  pull_request:
jobs:
  catalog:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      pages: write
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install agent-catalog
      - run: {lint}
      - run: {build}
      - uses: actions/upload-pages-artifact@v3
        if: github.ref == 'refs/heads/main'
        with:
          path: site
      - uses: actions/deploy-pages@v4
        if: github.ref == 'refs/heads/main'
"""


@frozen
class StarterFile:
    path: str
    text: str


def starter_files(sources: list[str], site_name: str) -> list[StarterFile]:
    """The files init offers, for agents in ``sources`` (paths relative to the repository)."""
    listed = ", ".join(map(yaml_scalar, sources))
    # pre-commit matches paths relative to the repository: "." is all of them.
    pattern = "^(?:" + "|".join("" if s == "." else re.escape(s) + "/" for s in sources) + ")"
    args = " ".join(shlex.quote(s) for s in sources)
    return [
        StarterFile("mkdocs.yml", MKDOCS_YML.format(site_name=yaml_scalar(site_name), sources=listed)),
        StarterFile(".pre-commit-config.yaml", PRE_COMMIT.format(pattern=yaml_scalar(pattern))),
        StarterFile(
            ".github/workflows/agent-catalog.yml",
            WORKFLOW.format(
                lint=yaml_scalar(_literal_in_actions(f"agent-catalog lint --format github {args}")),
                build=yaml_scalar(_literal_in_actions(f"agent-catalog build {args}")),
            ),
        ),
        # MkDocs wants its docs folder to exist, even when the plugin makes every page; git
        # keeps no empty folder, and MkDocs leaves files whose names start with a dot out.
        StarterFile("docs/.gitkeep", ""),
    ]


def yaml_scalar(value: str) -> str:
    """``value`` as one double-quoted YAML scalar on one line: every character escaped that
    could end it, start a comment or a new key, or be read as anything but this string."""
    dumped: str = yaml.safe_dump(value, default_style='"', width=float("inf"), allow_unicode=True)
    return dumped.rstrip("\n")


def _literal_in_actions(script: str) -> str:
    """A ``run:`` script whose text GitHub Actions keeps as written: it evaluates ``${{ ... }}``
    before the shell sees the line (a folder named ``${{ github.event.issue.title }}`` would put
    a stranger's text into the script); the expression ``${{ '${{' }}`` gives the two braces."""
    return script.replace("${{", "${{ '${{' }}")


def write_new_files(root: Path, files: list[StarterFile]) -> list[tuple[str, bool]]:
    """Write each file that does not exist yet; (path, written) for each."""
    outcome = []
    for starter in files:
        target = root / starter.path
        if target.exists() or target.is_symlink():
            outcome.append((starter.path, False))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
            handle.write(starter.text)
        outcome.append((starter.path, True))
    return outcome
