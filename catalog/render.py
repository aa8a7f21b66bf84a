"""Stage 5: render a catalog into documentation pages, ``{relative path: text}``.

Templates are Jinja2, found through a loader chain: a user's folder first, then the defaults
shipped in the wheel (also reachable as ``default:agent.md.j2`` to extend them). Agent text
only ever enters a template as data, through a filter for the context it lands in.
"""

from __future__ import annotations

import posixpath
from collections import Counter, defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import frontmatter
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
)

from catalog import textsafe
from catalog.facets import FORMAT_LABELS, UNCATEGORIZED, catalog_data_script, category_of, models_of
from catalog.jsonout import catalog_to_dict, dumps
from catalog.layout import ASSETS, RenderOptions, default_template_dir
from catalog.lint import token_summary
from catalog.names import slugify, titleize
from catalog.parallel import map_forked
from catalog.parse import read_agent_file
from catalog.rules import rule_table
from catalog.types import Agent, Catalog, Finding, Format

INSTALL_DIRS = {
    Format.CLAUDE_CODE: ".claude/agents",
    Format.COPILOT_AGENT: ".github/agents",
    Format.COPILOT_CHATMODE: ".github/chatmodes",
    Format.OPENCODE: ".opencode/agent",
    Format.GEMINI_CLI: ".gemini/agents",
}


def make_environment(template_dir: Path | None = None, bytecode_dir: Path | None = None) -> Environment:
    default = FileSystemLoader(str(default_template_dir()))
    loaders: list[Any] = [PrefixLoader({"default": default}, delimiter=":")]
    if template_dir is not None:
        loaders.insert(0, FileSystemLoader(str(template_dir)))
    env = Environment(
        loader=ChoiceLoader([*loaders, default]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # pages are Markdown: each value is escaped for its own context
        # Compiled templates kept between runs: compiling them is a third of a small update.
        bytecode_cache=FileSystemBytecodeCache(str(bytecode_dir)) if bytecode_dir else None,
    )
    env.filters.update(
        md=textsafe.markdown_to_html,
        h=textsafe.escape_html,
        mdi=textsafe.escape_markdown_inline,
        md_inline=textsafe.markdown_inline_to_html,
        fence=textsafe.fence,
        excerpt=textsafe.excerpt,
        css_color=textsafe.css_color,
        color_name=textsafe.color_name,
        titleize=titleize,
    )
    return env


def agent_page_paths(slug: str) -> tuple[str, str]:
    """The files generated for one agent: its page and its download."""
    return f"agents/{slug}.md", f"downloads/{slug}.md.txt"


def render_catalog(
    catalog: Catalog,
    options: RenderOptions | None = None,
    only: set[str] | None = None,
    bytecode_dir: Path | None = None,
) -> dict[str, str]:
    """Every generated page and asset of a catalog, keyed by path relative to the docs folder.

    ``only``: render the pages of just these agent slugs (the overview, category and other
    shared pages are always rendered).
    """
    options = options or RenderOptions()
    env = make_environment(options.template_dir, bytecode_dir)
    by_category: dict[str, list[Agent]] = defaultdict(list)
    by_collection: dict[str, list[Agent]] = defaultdict(list)
    for agent in catalog.agents:
        by_category[category_of(agent)].append(agent)
        by_collection[agent.collection or ""].append(agent)
    collections = sorted(c for c in by_collection if c) if len(by_collection) > 1 else []
    findings_by_path: dict[str, list[Finding]] = defaultdict(list)
    for finding in catalog.findings:
        findings_by_path[finding.path].append(finding)

    def link(source: str, target: str) -> str:
        return page_url(source, target, options.directory_urls)

    common = {
        "options": options,
        "format_labels": FORMAT_LABELS,
        "install_dirs": INSTALL_DIRS,
        "slugify": slugify,
        "category_of": category_of,
        "collections": collections,
        "categories": sorted(by_category),
        "uncategorized": UNCATEGORIZED,
    }
    pages: dict[str, str] = {}

    def agent_pages(agent: Agent) -> tuple[tuple[str, str], tuple[str, str]]:
        path, download = agent_page_paths(agent.slug)
        raw = _raw_text(agent)
        body = env.get_template("agent.md.j2").render(
            agent=agent,
            findings=findings_by_path.get(agent.display_path, []),
            link=lambda target, _source=path: link(_source, target),
            download=download,
            raw=raw,
            edit_url=_edit_url(agent, options),
            **common,
        )
        return (path, _with_meta(body, agent.title, agent.summary or agent.description)), (download, raw)

    def shared_pages() -> None:
        """The overview, category, collection and rules pages and the data files."""
        for category, agents in sorted(by_category.items()):
            path = f"categories/{slugify(category)}.md"
            body = env.get_template("category.md.j2").render(
                category=category, agents=agents, link=lambda t, _s=path: link(_s, t), **common
            )
            pages[path] = _with_meta(body, titleize(category), f"{len(agents)} agents")
        for collection in collections:
            path = f"collections/{slugify(collection)}.md"
            agents = by_collection[collection]
            body = env.get_template("collection.md.j2").render(
                collection=collection, agents=agents, link=lambda t, _s=path: link(_s, t), **common
            )
            pages[path] = _with_meta(body, collection, f"{len(agents)} agents")
        pages["index.md"] = _with_meta(
            env.get_template("overview.md.j2").render(
                catalog=catalog,
                counts=_counts(catalog),
                tokens=token_summary(catalog.agents),
                by_category=dict(sorted(by_category.items())),
                link=lambda t: link("index.md", t),
                **common,
            ),
            options.site_name,
            f"{len(catalog.agents)} agents",
        )
        pages["rules.md"] = _with_meta(
            env.get_template("rules.md.j2").render(rules=rule_table(), link=lambda t: link("rules.md", t), **common),
            "Lint rules",
            "What agent-catalog lint checks, and why",
        )
        pages["catalog.json"] = dumps(catalog_to_dict(catalog), compact=True)
        pages["assets/catalog-data.js"] = catalog_data_script(
            catalog.agents, lambda slug: link("index.md", agent_page_paths(slug)[0])
        )

    wanted = [agent for agent in catalog.agents if only is None or agent.slug in only]
    # Rendering agent Markdown is most of a build's own time; each page stands alone, and
    # the shared pages are rendered here while the workers render them.
    for page, download_file in map_forked(agent_pages, wanted, at_least=200, meanwhile=shared_pages):
        pages.update((page, download_file))
    for asset in ASSETS:
        pages[asset] = (default_template_dir() / asset).read_text(encoding="utf-8")
    return pages


def page_url(source: str, target: str, directory_urls: bool) -> str:
    """The link from one generated page to another, as MkDocs will lay them out."""

    def url(path: str) -> str:
        if not path.endswith(".md"):
            return path
        stem = path[:-3]
        if not directory_urls:
            return f"{stem}.html"
        if stem == "index" or stem.endswith("/index"):
            return stem[: -len("index")]
        return f"{stem}/"

    source_url, target_url = url(source), url(target)
    base = source_url if source_url.endswith("/") else posixpath.dirname(source_url) + "/"
    relative = posixpath.relpath(target_url or ".", base.rstrip("/") or ".")
    if target_url.endswith("/") and not relative.endswith("/"):
        relative += "/"
    return "./" if relative in (".", "./") else relative


def _counts(catalog: Catalog) -> Mapping[str, Counter[str]]:
    models = Counter(model for agent in catalog.agents for model in models_of(agent))
    return {
        "format": Counter(FORMAT_LABELS[a.format] for a in catalog.agents),
        "collection": Counter(a.collection or "(none)" for a in catalog.agents),
        "category": Counter(category_of(a) for a in catalog.agents),
        "model": models,
    }


def _edit_url(agent: Agent, options: RenderOptions) -> str | None:
    if not options.edit_base or not options.repo_root:
        return None
    try:
        rel = agent.source.resolve().relative_to(Path(options.repo_root).resolve())
    except ValueError:
        return None  # an agent outside the repository has no edit link
    return f"{options.edit_base}/{rel.as_posix()}"


def _with_meta(body: str, title: str, description: str) -> str:
    """The page with MkDocs front matter; themes print these values unescaped, so escape them."""
    meta = {"title": textsafe.escape_yaml_meta(title), "description": textsafe.escape_yaml_meta(description, 160)}
    post = frontmatter.Post(body, None, **meta)
    return str(frontmatter.dumps(post, sort_keys=True, allow_unicode=True)) + "\n"


def _raw_text(agent: Agent) -> str:
    """The file as its author wrote it, for download (size-limited, never blocking)."""
    text, _ = read_agent_file(agent.source, agent.path)
    return text or agent.body
