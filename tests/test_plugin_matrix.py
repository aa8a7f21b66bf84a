"""The plugin beside the other MkDocs plugins a team's site runs, listed before ours and after.

Each build: a site of hand-written pages (an index.md, a guide) whose mkdocs.yml lists Material's
search, one other plugin (with what it needs: a blog, a literate nav, a git repository...) and
ours, reading a small catalog of hostile agents, agents whose text is other plugins' directives
(include-markdown, snippets, mkdocstrings, tags, macros) and this repository's examples. The bar:
no traceback; every agent a page; the catalog's overview in the navigation and no agent page
in it; the search finds an agent by its text; no page runs script from an agent file or loads
anything from outside; no directive read a file into the site; and, for the plugins that stamp
pages, two builds give the same bytes. A plugin that cannot take generated pages (mkdocs-static-
i18n) stops the build with a message that says what to do, and what it says works.

A plugin that is not installed is skipped, saying which package brings it (the ``test`` extra
brings the light, pure-Python ones).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import posixpath
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from catalog.mkdocs_site.neighbours import drop_dates_of_no_commit
from tests.hostile_fixtures import OUTSIDE, Fixture, agent, write, write_content_catalog, yaml_string
from tests.hostile_support import audit_site, run_cli, text_of

ROOT = Path(__file__).resolve().parent.parent
SECRET = "SECRET-PLUGIN-MATRIX-5b1e"
# Other plugins' directives, in every field of an agent: each must stay text.
DIRECTIVES = [
    '{% include-markdown "../SECRET.txt" %}',
    '{% include "../SECRET.txt" %}',
    '{% include-markdown "SECRET.txt" %}',
    '{% include "SECRET.txt" %}',
    "{!../SECRET.txt!}",
    '--8<-- "SECRET.txt"',
    "::: tinypkg",
    "::: os",
    "<!-- material/tags -->",
    "{{ config.site_name }}MACRO",
    f"![outside image]({OUTSIDE}.png)",
    f'<img src="{OUTSIDE}.png">',
]
RAN = ("MatrixMACRO", 'class="doc doc-', SECRET)  # a macro ran, mkdocstrings rendered, a file was read


def _tags(p: Path) -> None:
    write(p / "docs" / "tags.md", "# Tags\n\n<!-- material/tags -->\n")
    write(p / "docs" / "guide.md", "---\ntags: [manual]\n---\n# Guide\n\nWritten by hand.\n")


def _blog(p: Path) -> None:
    write(p / "docs" / "blog" / "index.md", "# Blog\n")
    write(p / "docs" / "blog" / "posts" / "first.md", "---\ndate: 2024-01-31\n---\n# First post\n\nHello.\n")


def _git(p: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = {**os.environ, "GIT_AUTHOR_DATE": "2024-01-31T12:00:00Z", "GIT_COMMITTER_DATE": "2024-01-31T12:00:00Z"}
    for command in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]):
        subprocess.run(["git", *command], cwd=p, check=True, env=env, capture_output=True)


GEN_FILES_SCRIPT = "import mkdocs_gen_files\n\nwith mkdocs_gen_files.open('made.md', 'w') as f:\n    f.write('# A')\n"


def _files(texts: dict[str, str]) -> Callable[[Path], None]:
    def setup(project: Path) -> None:
        for name, text in texts.items():
            write(project / name, text)

    return setup


@dataclass(frozen=True)
class Neighbour:
    module: str  # what is imported when the plugin is installed
    package: str  # what pip installs
    entries: tuple[str, ...]  # the plugins: lines of mkdocs.yml
    setup: Callable[[Path], None] = lambda project: None
    twice: bool = False  # built twice: the two sites must be the same bytes


NEIGHBOURS = {
    "tags": Neighbour("material", "mkdocs-material", ("tags",), _tags),
    "blog": Neighbour("material", "mkdocs-material", ("blog",), _blog),
    "privacy": Neighbour("material", "mkdocs-material", ("privacy",)),
    "offline": Neighbour("material", "mkdocs-material", ("offline",)),
    "meta": Neighbour("material", "mkdocs-material", ("meta",), _files({"docs/.meta.yml": "hide: [footer]\n"})),
    "group": Neighbour("mkdocs_minify_plugin", "mkdocs-minify-plugin", ("group: {enabled: true, plugins: [minify]}",)),
    "typeset": Neighbour("material", "mkdocs-material", ("typeset",)),
    "awesome-pages": Neighbour(
        "mkdocs_awesome_pages_plugin",
        "mkdocs-awesome-pages-plugin",
        ("awesome-pages",),
        _files({"docs/.pages": "nav:\n  - index.md\n  - guide.md\n  - ...\n"}),
    ),
    "awesome-nav": Neighbour("mkdocs_awesome_nav", "mkdocs-awesome-nav", ("awesome-nav",)),
    # A folder in the navigation, as literate-nav's README shows: the plugin makes it of the files there.
    "literate-nav": Neighbour(
        "mkdocs_literate_nav",
        "mkdocs-literate-nav",
        ("literate-nav",),
        _files({"docs/SUMMARY.md": "* [Home](index.md)\n* [Guide](guide.md)\n* [Catalog](catalog/)\n"}),
    ),
    # No navigation file: the plugin makes the whole navigation of the files.
    "literate-nav-implicit": Neighbour("mkdocs_literate_nav", "mkdocs-literate-nav", ("literate-nav",)),
    "section-index": Neighbour("mkdocs_section_index", "mkdocs-section-index", ("section-index",)),
    "gen-files": Neighbour(
        "mkdocs_gen_files",
        "mkdocs-gen-files",
        ("gen-files: {scripts: [gen.py]}",),
        _files({"gen.py": GEN_FILES_SCRIPT}),
    ),
    "redirects": Neighbour(
        "mkdocs_redirects",
        "mkdocs-redirects",
        ("redirects: {redirect_maps: {old.md: catalog/agents/postgres-tuner.md, old-catalog.md: catalog/index.md}}",),
    ),
    "minify": Neighbour(
        "mkdocs_minify_plugin",
        "mkdocs-minify-plugin",
        ("minify: {minify_html: true, minify_js: true, minify_css: true, cache_safe: true}",),
    ),
    "glightbox": Neighbour("mkdocs_glightbox", "mkdocs-glightbox", ("glightbox",)),
    "macros": Neighbour("mkdocs_macros", "mkdocs-macros-plugin", ("macros",)),
    "git-revision-date": Neighbour(
        "mkdocs_git_revision_date_localized_plugin",
        "mkdocs-git-revision-date-localized-plugin",
        ("git-revision-date-localized: {enable_creation_date: true}",),
        _git,
        twice=True,
    ),
    "exclude": Neighbour("mkdocs_exclude", "mkdocs-exclude", ("exclude: {glob: ['drafts/*', '*.tmp']}",)),
    "include-markdown": Neighbour(
        "mkdocs_include_markdown_plugin",
        "mkdocs-include-markdown-plugin",
        ("include-markdown",),
        _files({"docs/included.md": '# Included\n\n{% include-markdown "../inc.md" %}\n', "inc.md": "Inc.\n"}),
    ),
    "mkdocstrings": Neighbour(
        "mkdocstrings_handlers.python",
        "mkdocstrings[python]",
        ("mkdocstrings: {handlers: {python: {paths: [pkg]}}}",),
        _files({"pkg/tinypkg/__init__.py": '"""A tiny package."""\n', "docs/api.md": "# API\n\n::: tinypkg\n"}),
    ),
    "i18n": Neighbour(
        "mkdocs_static_i18n",
        "mkdocs-static-i18n",
        ("i18n: {languages: [{locale: en, default: true, name: English}, {locale: fr, name: Fr}]}",),
        _files({"docs/index.fr.md": "# Accueil\n"}),
    ),
}
REFUSED = {"i18n"}  # the plugin stops the build, saying why
ORDERS = ("before", "after")  # the other plugin listed before ours, after ours
OURS = "agent-catalog: {{sources: [{catalog}], path: catalog/}}"
ENV = {"DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}


@dataclass(frozen=True)
class Catalog:
    root: Path
    fixture: Fixture


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    root = tmp_path_factory.mktemp("plugin-matrix-catalog")
    fixture = write_content_catalog(root)
    body = "\n\n".join(DIRECTIVES) + "\n\n" + "".join(f"## {d}\n\n{d}\n\n" for d in DIRECTIVES)
    name, description = yaml_string(f"directives {DIRECTIVES[0]}"), yaml_string(" ".join(DIRECTIVES))
    write(root / "agents" / "directives.md", agent(f"name: {name}\ndescription: {description}\ntags: [a]", body))
    write(root / "agents" / "SECRET.txt", f"{SECRET}-beside-the-agents\n")
    fixture.good.append("agents/directives.md")
    write(root / "examples" / "postgres-tuner.md", (ROOT / "agents" / "backend" / "postgres-tuner.md").read_bytes())
    fixture.good.append("examples/postgres-tuner.md")
    return Catalog(root, fixture)


def installed(name: str) -> Neighbour:
    neighbour = NEIGHBOURS[name]
    if any(importlib.util.find_spec(m) is None for m in (neighbour.module.split(".")[0], neighbour.module)):
        pytest.skip(f"{name}: {neighbour.package} is not installed (pip install {neighbour.package})")
    return neighbour


def listing(neighbour: Neighbour, order: str, catalog: Catalog) -> list[str]:
    """mkdocs.yml's plugins: search, and the other plugin before ours or after."""
    ours = OURS.format(catalog=json.dumps(str(catalog.root)))
    return ["search", *neighbour.entries, ours] if order == "before" else ["search", ours, *neighbour.entries]


def make_project(project: Path, plugins: list[str], setup: Callable[[Path], None]) -> Path:
    """A site of the user's own: hand-written pages, and a secret beside them for a directive to read."""
    write(project / "docs" / "index.md", "# Home\n\nOur own front page.\n")
    write(project / "docs" / "guide.md", "# Guide\n\nWritten by hand.\n")
    write(project / "docs" / "SECRET.txt", f"{SECRET}-in-the-docs\n")
    write(project / "SECRET.txt", f"{SECRET}-beside-mkdocs-yml\n")
    listed = "".join(f"  - {p}\n" for p in plugins)
    write(
        project / "mkdocs.yml",
        f"site_name: Matrix\nuse_directory_urls: false\ntheme:\n  name: material\n  font: false\nplugins:\n{listed}",
    )
    setup(project)  # last: a git repository commits it all
    return project


def mkdocs_build(project: Path, site: str = "site") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", site],
        cwd=project,
        capture_output=True,
        timeout=300,
        check=False,
        env={**os.environ, **ENV},
    )


@dataclass(frozen=True)
class Built:
    name: str
    project: Path
    catalog: Catalog
    returncode: int
    output: str

    @property
    def site(self) -> Path:
        return self.project / "site"


BUILDS = [(name, order) for name in NEIGHBOURS if name not in REFUSED for order in ORDERS]


@pytest.fixture(scope="module", params=[pytest.param(b, id=f"{b[0]}-{b[1]}") for b in BUILDS])
def built(request: pytest.FixtureRequest, catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> Built:
    name, order = request.param
    neighbour = installed(name)
    folder = tmp_path_factory.mktemp(f"{name}-{order}")
    project = make_project(folder, listing(neighbour, order, catalog), neighbour.setup)
    result = mkdocs_build(project)
    output = (result.stdout + result.stderr).decode("utf-8", "replace")
    assert "Traceback (most recent call last)" not in output, output
    return Built(name, project, catalog, result.returncode, output)


def _built(built: Built) -> Built:
    assert built.returncode == 0, built.output
    return built


class _Links(HTMLParser):
    """The navigation's links of a page, and its agent page links anywhere."""

    def __init__(self) -> None:
        super().__init__()
        self.nav: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and "md-nav__link" in (values.get("class") or "").split():
            self.nav.append(values.get("href") or "")


def nav_links(page: Path) -> list[str]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.nav


def test_every_agent_has_a_page(built: Built) -> None:
    built = _built(built)
    data = json.loads((built.site / "catalog" / "catalog.json").read_text(encoding="utf-8"))
    paths = {str(entry["path"]) for entry in data["agents"]}
    missing = [p for p in built.catalog.fixture.good if not any(q.endswith(p) for q in paths)]
    assert not missing, missing
    for entry in data["agents"]:
        assert (built.site / "catalog" / "agents" / f"{entry['slug']}.html").is_file(), entry["path"]
    assert "Our own front page." in (built.site / "index.html").read_text(encoding="utf-8")


def test_the_catalog_is_in_the_navigation_and_its_agents_are_not(built: Built) -> None:
    built = _built(built)
    for page in ("index.html", "guide.html", "catalog/agents/postgres-tuner.html"):
        links = [posixpath.normpath(posixpath.join(posixpath.dirname(page), a)) for a in nav_links(built.site / page)]
        assert "catalog/index.html" in links, (page, links)
        assert not [a for a in links if a.startswith("catalog/agents/") and "#" not in a], (page, links)


def test_the_search_finds_an_agent_by_its_text(built: Built) -> None:
    built = _built(built)
    index = built.site / "search" / "search_index.json"
    if not index.is_file():  # the offline plugin's
        index = built.site / "search" / "search_index.js"
    text = index.read_text(encoding="utf-8")
    assert "catalog/agents/postgres-tuner.html" in text
    assert "grounded in query plans" in text


def test_no_script_from_agents_nothing_from_outside_no_file_read(built: Built) -> None:
    built = _built(built)
    audit = audit_site(built.site)
    risks = [r for r in audit if "pwned" in repr(r.key).lower() or OUTSIDE in repr(r.key)]
    assert not risks, risks
    outside = [r for r in audit if r.key[0] in ("outside", "script-src", "link") and "//" in repr(r.key)]
    assert not outside, outside
    for path in built.site.rglob("*"):
        if path.is_file() and path.name != "SECRET.txt":  # (the docs folder's own file, copied)
            data = path.read_text(encoding="utf-8", errors="replace")
            ran = [marker for marker in RAN if marker in data and not path.name.startswith(("api", "included"))]
            assert not ran, (path, ran)


def _tree(site: Path) -> dict[str, str]:
    files = (p for p in site.rglob("*") if p.is_file())
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("name", sorted(name for name, n in NEIGHBOURS.items() if n.twice))
def test_two_builds_give_the_same_site(name: str, order: str, catalog: Catalog, tmp_path: Path) -> None:
    """A plugin that stamps pages (with the time of the build, when git has no history of them)."""
    neighbour = installed(name)
    project = make_project(tmp_path, listing(neighbour, order, catalog), neighbour.setup)
    for site in ("site", "again"):
        result = mkdocs_build(project, site)
        assert result.returncode == 0, result.stderr.decode()
    first, second = _tree(project / "site"), _tree(project / "again")
    differ = sorted(p for p in first.keys() | second.keys() if first.get(p) != second.get(p))
    assert not differ, differ


def test_a_refused_build_says_why_and_what_to_do(catalog: Catalog, tmp_path: Path) -> None:
    """mkdocs-static-i18n builds only files of the docs folder: the plugin says so, under
    ``mkdocs build`` and ``agent-catalog build``, and the way it gives builds the site."""
    neighbour = installed("i18n")
    project = make_project(tmp_path, listing(neighbour, "before", catalog), neighbour.setup)
    ours = OURS.format(catalog=json.dumps(str(catalog.root)))
    result = mkdocs_build(project)
    output = (result.stdout + result.stderr).decode("utf-8", "replace")
    assert result.returncode == 1 and "Traceback" not in output, output
    assert "mkdocs-static-i18n" in output and "agent-catalog generate" in output, output
    cli = run_cli(["build", str(catalog.root)], project, timeout=300, env=ENV)
    assert cli.returncode == 2, text_of(cli)
    assert "mkdocs-static-i18n" in text_of(cli) and "agent-catalog generate" in text_of(cli), text_of(cli)
    # What it says to do: the pages written into the docs folder, the plugin finishing them.
    generate = run_cli(["generate", str(catalog.root), "--docs-dir", "docs/catalog"], project, timeout=300)
    assert generate.returncode in (0, 1), text_of(generate)
    mkdocs_yml = project / "mkdocs.yml"
    mkdocs_yml.write_text(mkdocs_yml.read_text(encoding="utf-8").replace(ours, OURS.format(catalog="")), "utf-8")
    result = mkdocs_build(project)
    assert result.returncode == 0, result.stderr.decode()
    for language in ("", "fr/"):
        assert (project / "site" / language / "catalog" / "agents" / "postgres-tuner.html").is_file()
        links = nav_links(project / "site" / language / "guide.html")
        assert "catalog/index.html" in links and not [a for a in links if "/agents/" in a], links


def test_pages_generated_into_the_docs_folder_stay_out_of_the_navigation(catalog: Catalog, tmp_path: Path) -> None:
    """`agent-catalog build` with a user's mkdocs.yml that has no nav and does not list the
    plugin writes the pages into the docs folder; MkDocs would list every agent in the sidebar."""
    make_project(tmp_path, ["search"], lambda project: None)
    (tmp_path / "docs" / "index.md").unlink()  # the catalog's overview is the home page
    result = run_cli(["build", str(catalog.root)], tmp_path, timeout=300, env=ENV)
    assert result.returncode in (0, 1), text_of(result)
    for page in ("index.html", "guide.html", "agents/postgres-tuner.html"):
        links = [
            posixpath.normpath(posixpath.join(posixpath.dirname(page), a)) for a in nav_links(tmp_path / "site" / page)
        ]
        assert {"rules.html", "categories/index.html", "guide.html"} <= set(links), (page, links)
        assert not [a for a in links if a.startswith("agents/") and "#" not in a], (page, links)


def test_dates_of_no_commit_go_the_others_stay() -> None:
    meta = {
        "title": "x",
        "git_revision_date_localized": "now",
        "git_revision_date_localized_hash": "",
        "git_revision_date_localized_tag": "",
        "git_revision_date_localized_raw_iso_date": "2026-12-08",
        "git_site_revision_date_localized": "January 31, 2024",
        "git_site_revision_date_localized_hash": "abc123",
        "git_site_revision_date_localized_raw_date": "January 31, 2024",
        "git_creation_date_localized": "now",
        "git_creation_date_localized_hash": "",
    }
    drop_dates_of_no_commit(meta)
    assert meta == {
        "title": "x",
        "git_site_revision_date_localized": "January 31, 2024",
        "git_site_revision_date_localized_hash": "abc123",
        "git_site_revision_date_localized_raw_date": "January 31, 2024",
    }


@pytest.mark.parametrize("baselevel", [2, 3])
def test_the_search_finds_agents_whatever_the_toc_baselevel(baselevel: int, catalog: Catalog, tmp_path: Path) -> None:
    """The toc extension's ``baselevel`` moves every heading down: a page converted by Markdown
    (MkDocs does, for a toc setting ``finish`` does not reproduce) has its sections there, and
    what the search leaves out (the prompt's section titles, the install commands) is found
    there, not the agent's description a level above."""
    make_project(tmp_path, listing(Neighbour("mkdocs", "mkdocs", ()), "after", catalog), lambda project: None)
    with (tmp_path / "mkdocs.yml").open("a", encoding="utf-8") as mkdocs_yml:
        mkdocs_yml.write(f"markdown_extensions:\n  - toc: {{permalink: true, baselevel: {baselevel}}}\n")
    result = mkdocs_build(tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    entries = json.loads((tmp_path / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    tuner = {
        e["location"].partition("#")[2]: e["text"] for e in entries if "agents/postgres-tuner.html" in e["location"]
    }
    assert "grounded in query plans" in tuner.get("when-to-use", ""), tuner
    assert "core-expertise" not in tuner and "install" not in tuner, sorted(tuner)
