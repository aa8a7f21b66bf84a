"""Shared fixtures: the real corpus beside the repo, the seed file, and golden-file handling."""

from __future__ import annotations

import difflib
import gc
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from catalog.pipeline import scan_catalog
from catalog.types import Catalog
from tests import offline

# The repo and ../shared sit side by side: /work/main and /work/shared.
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
GOLDEN = Path(__file__).resolve().parent / "golden"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Property tests draw the same examples on every run unless asked to explore: a run that gates
# a commit (CI, the pre-commit of a change) must not go red on an example no earlier run drew.
# Explore with ``HYPOTHESIS_PROFILE=explore python3 -m pytest`` (new examples each run),
# and keep what it finds as a plain test beside the property.
settings.register_profile("gate", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "gate"))

_ABSENT = "../shared/corpus is absent: the real-data tests need the shared corpus beside the repo (CI has it)"


# Modules whose tests build whole sites with MkDocs, run other programs' builds or kill
# builds: "slow", left out of the fast lane (``pytest -m "not slow"``) with the browser tests.
_BUILDS_SITES = frozenset(
    {
        "test_build_paths",
        "test_hostile_all",
        "test_hostile_content",
        "test_hostile_files",
        "test_hostile_names",
        "test_hostile_output",
        "test_integration_mkdocs",
        "test_markdown_matrix",
        "test_newcomer",
        "test_page_not_built",
        "test_plugin_matrix",
        "test_plugin_offline",
        "test_precommit",
        "test_site_build",
        "test_theme_values",
        "test_wheel",
    }
)


def pytest_configure(config: pytest.Config) -> None:
    """No test reaches the network (tests/offline.py): set up before any test module runs,
    in each xdist worker too."""
    offline.install()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py")
        if module in _BUILDS_SITES or item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.slow)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="Rewrite tests/golden/ from the current output instead of comparing with it.",
    )


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        pytest.skip(_ABSENT)
    return corpus


@pytest.fixture(scope="session")
def seed_file() -> Path:
    seed = SHARED / "seed" / "backend-specialist.md"
    if not seed.is_file():
        pytest.skip(_ABSENT)
    return seed


@pytest.fixture(scope="session")
def template_bytecode(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for Jinja's compiled templates: ``render_catalog``'s ``bytecode_dir``, the cache
    the incremental `generate` keeps. A test that renders many catalogs in a loop (a hypothesis
    property) and is not about compiling the templates passes it, and compiles them once for
    the worker instead of once a catalog (a quarter of a second, most of a small render). Jinja
    checks each template's source against its bytecode's: the pages are the same."""
    return tmp_path_factory.mktemp("templates")


@pytest.fixture(scope="session")
def corpus_catalog(corpus_dir: Path) -> Catalog:
    """One scan of the whole corpus, shared by every test that only reads it."""
    return scan_catalog([str(corpus_dir)])


class Golden:
    """Compare a JSON value with ``tests/golden/<name>``, or rewrite the file under --update-goldens."""

    def __init__(self, update: bool) -> None:
        self.update = update

    def check(self, name: str, value: Any) -> None:
        path = GOLDEN / name
        text = json.dumps(value, ensure_ascii=False, indent=2) + "\n"
        if self.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        if not path.is_file():
            pytest.fail(f"golden file {path.relative_to(GOLDEN.parent)} is missing: run pytest --update-goldens")
        expected = path.read_text(encoding="utf-8")
        if json.loads(expected) != value:
            diff = "".join(
                difflib.unified_diff(
                    expected.splitlines(keepends=True), text.splitlines(keepends=True), "golden", "now", n=2
                )
            )
            pytest.fail(
                f"differs from {path.relative_to(GOLDEN.parent)} (pytest --update-goldens rewrites it):\n{diff[:6000]}"
            )


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    return Golden(bool(request.config.getoption("--update-goldens")))


@pytest.fixture(autouse=True)
def _heap_let_go() -> Iterator[None]:
    """A test that leaves the heap frozen (a build that entered ``catalog.parallel.frozen_heap``
    and was never finished) fails itself, instead of the frozen-heap tests that run after it
    in the same worker; the heap is let go for the next test."""
    from catalog import parallel

    before = parallel._FROZEN[0]
    yield
    if parallel._FROZEN[0] > before:
        gc.unfreeze()
        pytest.fail("the test left the heap frozen: a build entered frozen_heap and was never finished")


@pytest.fixture(autouse=True)
def _private_generate_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own cache for `generate`, never the user's ~/.cache."""
    monkeypatch.setenv("AGENT_CATALOG_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
