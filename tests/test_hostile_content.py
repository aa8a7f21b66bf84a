"""Issue 5: script in any agent text never runs in a reader's browser, and nothing leaks.

One hostile catalog (tests/hostile_fixtures.py: every payload in every field, the file name,
the collection, marketplace and plugin names) is built twice with the CLI: with the built-in
configuration, and with a user's mkdocs.yml that enables attr_list, md_in_html and
pymdownx.snippets (base path unrestricted, a secret .env beside it). Then:

- every page, and Material's search, in headless Chromium from disk: no payload ran, the title
  did not change, no request left the site;
- every built HTML file, parsed: no script, event attribute, style element, frame, form, base,
  meta refresh or javascript:/vbscript:/data: URL that a build of a clean catalog of the same
  shape (same configuration) does not have;
- the payloads still show as text; template syntax stays text; no snippet line is honoured.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hostile_fixtures import (
    HOSTILE_FILE_NAME,
    JINJA,
    JINJA_RESULT,
    OUTSIDE_SECRET,
    SECRET,
    write,
    write_clean_catalog,
    write_content_catalog,
)
from tests.hostile_support import (
    CHROMIUM,
    Browser,
    Session,
    agent_links,
    catalog_slugs,
    launch_browser,
    read_tree,
    run_cli,
    search,
    text_of,
    unexpected_risks,
)

USER_MKDOCS = """\
site_name: Hostile catalog
docs_dir: docs
site_dir: site
use_directory_urls: false
theme:
  name: material
  font: false
plugins:
  - search
  - offline
markdown_extensions:
  - toc
  - tables
  - attr_list
  - md_in_html
  - pymdownx.snippets:
      base_path: [".", "/"]
      restrict_base_path: false
      check_paths: false
"""
# A user page of our own proves the extensions are on: the same syntax in agent text is inert.
CANARY_PAGE = """\
# Canary

--8<-- "canary.txt"

Attribute list canary
{: .attr-list-canary }

<div markdown="1">*md-in-html-canary*</div>
"""
CANARY_TEXT = "SNIPPETS-ARE-ENABLED-HERE"
CONFIGS = ("default", "user")


@dataclass(frozen=True)
class Built:
    root: Path  # holds catalog/, default/ and user/
    output: dict[str, str]  # config -> CLI output

    def site(self, config: str) -> Path:
        return self.root / config / "site"

    def docs(self) -> Path:
        return self.root / "user" / "docs"


def build_both(root: Path, write_catalog: object) -> Built:
    catalog = root / "catalog"
    write_catalog(catalog)  # type: ignore[operator]
    write(catalog / ".env", f"TOKEN={SECRET}\n")
    (root / "default").mkdir()
    user = root / "user"
    write(user / "mkdocs.yml", USER_MKDOCS)
    write(user / ".env", f"TOKEN={SECRET}\n")
    write(user / "canary.txt", CANARY_TEXT + "\n")
    write(user / "docs" / "canary.md", CANARY_PAGE)
    output = {}
    for config in CONFIGS:
        result = run_cli(["build", "../catalog", "--site-dir", "site"], root / config, timeout=120)
        output[config] = text_of(result)
        assert result.returncode in (0, 1), output[config]
        assert (root / config / "site" / "index.html").is_file(), output[config]
    return Built(root, output)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_both(tmp_path_factory.mktemp("hostile"), write_content_catalog)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_both(tmp_path_factory.mktemp("clean"), write_clean_catalog)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium; .ci/run does it)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    yield from launch_browser()


@pytest.mark.parametrize("config", CONFIGS)
def test_every_hostile_agent_has_a_page(hostile: Built, config: str) -> None:
    site = hostile.site(config)
    slugs = catalog_slugs(site)
    assert len(slugs) == 10, slugs
    linked = agent_links(site)
    for path, slug in slugs.items():
        assert re.fullmatch(r"[a-z0-9-]+", slug), (path, slug)
        assert (site / "agents" / f"{slug}.html").is_file(), f"{path}: no page"
        assert f"agents/{slug}.html" in linked, f"{path}: not linked from the overview"


def test_the_user_configuration_really_enables_the_extensions(hostile: Built) -> None:
    canary = (hostile.site("user") / "canary.html").read_text(encoding="utf-8")
    assert CANARY_TEXT in canary, "pymdownx.snippets is not active: the snippet test would prove nothing"
    assert 'class="attr-list-canary"' in canary, "attr_list is not active"
    assert "<em>md-in-html-canary</em>" in canary, "md_in_html is not active"


@pytest.mark.parametrize("config", CONFIGS)
def test_no_script_event_attribute_or_dangerous_url_beyond_the_themes(
    hostile: Built, clean: Built, config: str
) -> None:
    risks = unexpected_risks(hostile.site(config), clean.site(config))
    assert not risks, "in the built HTML, not from the theme or templates:\n" + "\n".join(map(str, risks[:40]))


@pytest.fixture
def session(browser: Browser) -> Iterator[Session]:
    session = browser.session()
    yield session
    session.close()


@pytest.mark.browser
@pytest.mark.parametrize("config", CONFIGS)
def test_no_payload_runs_in_the_browser(hostile: Built, session: Session, config: str) -> None:
    site = hostile.site(config)
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 12
    problems = [problem for visit in session.visit_all([p.as_uri() for p in pages]) for problem in visit.problems()]
    assert not problems, "\n".join(problems)


@pytest.mark.browser
@pytest.mark.parametrize("config", CONFIGS)
def test_searching_for_payload_words_runs_nothing(hostile: Built, session: Session, config: str) -> None:
    # Words that start a token of indexed payload text (lunr matches by prefix): "svg" and
    # "pwned" only follow "&lt;" or "__" in it, and the Install and Source sections, where the
    # hostile file name stood alone, are no longer indexed.
    words = ["script", "onerror", "javascript", "onload", "src"]
    counts, overview, opened = search(session, (hostile.site(config) / "index.html").as_uri(), words)
    assert all(counts.values()), f"a search found nothing, so it proves nothing: {counts}"
    problems = [*overview.problems(), *(opened.problems() if opened else ["the first result did not open"])]
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_payload_text_is_still_shown_as_text(hostile: Built, session: Session) -> None:
    site = hostile.site("default")
    slugs = catalog_slugs(site)

    def text(path: str, selector: str) -> str:
        page, _ = session.open((site / "agents" / f"{slugs[path]}.html").as_uri())
        try:
            return "\n".join(page.locator(selector).all_text_contents())
        finally:
            page.close()

    prompt = text("agents/body-payloads.md", "div.ac-prompt, div.ac-section")  # the prompt, rendered once
    assert "You are a <role> agent." in prompt
    assert "<script>window.__pwned.push('body');document.title='PWNED'</script>" in prompt
    assert "[md javascript link](javascript:window.__pwned.push('body'))" in prompt
    assert JINJA in prompt
    assert '--8<-- ".env"' in prompt
    heading = text("agents/name-payloads.md", "h1")
    assert "<script>window.__pwned.push('title');document.title='PWNED'</script>" in heading
    assert HOSTILE_FILE_NAME in text(f"agents/{HOSTILE_FILE_NAME}", ".ac-source")


@pytest.mark.parametrize("config", CONFIGS)
def test_template_syntax_stays_text(hostile: Built, config: str) -> None:
    site = hostile.site(config)
    for name, data in read_tree(site).items():
        assert JINJA_RESULT.encode() not in data, f"{name}: agent text was rendered as a template"
    html = (site / "agents" / f"{catalog_slugs(site)['agents/body-payloads.md']}.html").read_text(encoding="utf-8")
    assert "&#123;&#123; 'jinja' ~ 'ran' ~ 4242 &#125;&#125;" in html


def test_generated_pages_hold_no_template_syntax_for_mkdocs_macros(hostile: Built) -> None:
    """mkdocs-macros renders every page's Markdown as a Jinja2 template: agent text must give it
    no ``{{``, ``{%`` or ``{#``."""
    for name, data in read_tree(hostile.docs()).items():
        if not name.endswith(".md"):
            continue  # the downloads are .txt files, which MkDocs copies and macros never sees
        text = data.decode("utf-8")
        for opener in ("{{", "{%", "{#"):
            assert opener not in text, f"{name}: {opener!r} would be run by mkdocs-macros"


def test_build_with_mkdocs_macros(tmp_path: Path) -> None:
    if importlib.util.find_spec("mkdocs_macros") is None:
        pytest.skip("mkdocs-macros-plugin is not installed (pip install -e '.[test]' brings it)")
    write_content_catalog(tmp_path / "catalog")
    write(tmp_path / "user" / "mkdocs.yml", USER_MKDOCS.replace("  - offline\n", "  - offline\n  - macros\n"))
    result = run_cli(["build", "../catalog"], tmp_path / "user", timeout=120)
    assert result.returncode in (0, 1), text_of(result)
    for name, data in read_tree(tmp_path / "user" / "site").items():
        assert JINJA_RESULT.encode() not in data, f"{name}: mkdocs-macros ran agent text"


@pytest.mark.parametrize("config", CONFIGS)
def test_snippet_lines_in_agent_text_are_never_honoured(hostile: Built, config: str) -> None:
    trees = {"site": read_tree(hostile.site(config))}
    if config == "user":
        trees["docs"] = read_tree(hostile.docs())
    passwd = Path("/etc/passwd").read_text(encoding="utf-8").splitlines()[0].encode()
    for where, tree in trees.items():
        for name, data in tree.items():
            assert SECRET.encode() not in data, f"{where}/{name}: the .env secret leaked"
            assert passwd not in data, f"{where}/{name}: /etc/passwd leaked"
            assert OUTSIDE_SECRET.encode() not in data
