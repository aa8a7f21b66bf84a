"""The property tests' randomness is the profile's alone (tests/conftest.py): a gate run draws the
same examples every time, and HYPOTHESIS_PROFILE=explore draws new ones for every property. A
test that set ``derandomize`` itself would stay out of every exploration."""

from __future__ import annotations

import ast
import os
from pathlib import Path

from hypothesis import settings

TESTS = Path(__file__).resolve().parent


def _modules_setting_derandomize() -> list[str]:
    found = []
    for path in sorted(TESTS.glob("*.py")):
        if path.name == "conftest.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and any(k.arg == "derandomize" for k in node.keywords):
                found.append(f"{path.name}:{node.lineno}")
    return found


def test_no_test_sets_derandomize_itself() -> None:
    assert _modules_setting_derandomize() == []


def test_the_loaded_profile_is_derandomized_unless_exploring() -> None:
    exploring = os.environ.get("HYPOTHESIS_PROFILE") == "explore"
    assert settings().derandomize is not exploring
