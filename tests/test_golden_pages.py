"""Golden files of rendered agent pages: the seed and one example agent of each format.

The pages are the Markdown that ``render_catalog`` hands to MkDocs. After an intended change,
rewrite them with ``pytest tests/test_golden_pages.py --update-goldens`` and review the diff.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from catalog.pipeline import scan_catalog
from catalog.render.pages import render_catalog
from catalog.types import Catalog, Format

AGENTS = Path(__file__).resolve().parents[1] / "agents"
GOLDEN_PAGES = Path(__file__).resolve().parent / "golden" / "pages"

# One agent of each format from the example catalog.
EXAMPLES = {
    "postgres-tuner": Format.CLAUDE_CODE,
    "accessibility-reviewer": Format.COPILOT_AGENT,
    "debugging-partner": Format.COPILOT_CHATMODE,
    "dependency-auditor": Format.OPENCODE,
    "log-analyst": Format.GEMINI_CLI,
}


def check_golden(request: pytest.FixtureRequest, slug: str, text: str) -> None:
    """Compare ``text`` with ``golden/pages/<slug>.md``, or rewrite it under --update-goldens."""
    path = GOLDEN_PAGES / f"{slug}.md"
    if request.config.getoption("--update-goldens"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        return
    if not path.is_file():
        pytest.fail(f"{path.relative_to(AGENTS.parent)} is missing: run pytest --update-goldens")
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True), text.splitlines(keepends=True), "golden", "rendered", n=2
            )
        )
        pytest.fail(f"page differs from {path.name} (pytest --update-goldens rewrites it):\n{diff[:6000]}")


@pytest.fixture(scope="module")
def example_catalog() -> Catalog:
    return scan_catalog([str(AGENTS)])


@pytest.fixture(scope="module")
def example_pages(example_catalog: Catalog) -> dict[str, str]:
    return render_catalog(example_catalog)


@pytest.mark.parametrize("slug", sorted(EXAMPLES))
def test_example_agent_page(
    request: pytest.FixtureRequest, example_catalog: Catalog, example_pages: dict[str, str], slug: str
) -> None:
    agent = next(a for a in example_catalog.agents if a.slug == slug)
    assert agent.format is EXAMPLES[slug], f"{slug} is no longer the {EXAMPLES[slug].value} example"
    check_golden(request, slug, example_pages[f"agents/{slug}.md"])


# One agent of each format the example catalog does not hold, from tests/fixtures/formats.
FORMAT_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
FIXTURE_EXAMPLES = {
    "migration-planner": Format.CODEX,
    "api-reviewer": Format.ROO_CODE,
    "migration-safety": Format.KILO_CODE_MODE,
    "query-explainer": Format.KILO_CODE,
    "flaky-test-hunter": Format.CURSOR,
    "changelog-writer": Format.KIRO,
    "i18n-checker": Format.QWEN_CODE,
    "dockerfile-linter": Format.FACTORY,
}


@pytest.fixture(scope="module")
def fixture_catalog() -> Catalog:
    return scan_catalog([str(FORMAT_FIXTURES)])


@pytest.mark.parametrize("slug", sorted(FIXTURE_EXAMPLES))
def test_format_fixture_page(request: pytest.FixtureRequest, fixture_catalog: Catalog, slug: str) -> None:
    agent = next(a for a in fixture_catalog.agents if a.slug == slug)
    assert agent.format is FIXTURE_EXAMPLES[slug]
    assert fixture_catalog.findings == ()
    check_golden(request, slug, render_catalog(fixture_catalog)[f"agents/{slug}.md"])


def test_every_format_has_a_golden_page() -> None:
    assert set(EXAMPLES.values()) | set(FIXTURE_EXAMPLES.values()) == set(Format)


def test_seed_page(request: pytest.FixtureRequest, seed_file: Path) -> None:
    catalog = scan_catalog([str(seed_file)])
    assert [a.slug for a in catalog.agents] == ["backend-specialist"]
    page = render_catalog(catalog)["agents/backend-specialist.md"]
    assert page.count('<figure class="ac-dialogue"') == 3
    check_golden(request, "backend-specialist", page)
