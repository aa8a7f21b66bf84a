"""The Jinja2 environment the pages are rendered in: a user's template folder first, then the
defaults shipped in the wheel (``default:`` extends them), strict undefined values, and the
filters that escape agent text for the context it lands in."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog.layout import default_template_dir
from catalog.model.names import titleize
from catalog.model.origins import finding_place, prompt_start
from catalog.model.sections import prompt_parts
from catalog.model.tool_scope import only_other_tools
from catalog.render import textsafe
from catalog.render.facets import label

if TYPE_CHECKING:
    from jinja2 import Environment


def make_environment(template_dir: Path | None = None, bytecode_dir: Path | None = None) -> Environment:
    from jinja2 import (
        ChoiceLoader,
        Environment,
        FileSystemBytecodeCache,
        FileSystemLoader,
        PrefixLoader,
        StrictUndefined,
    )

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
        # An environment renders one run's pages (``environment``): no stat of the template's
        # file at each get_template and include to see whether it changed meanwhile.
        auto_reload=False,
        # Compiled templates kept between runs: compiling them is a third of a small update;
        # without a folder, kept for this process (serve's rebuilds, a script's several builds).
        bytecode_cache=FileSystemBytecodeCache(str(bytecode_dir)) if bytecode_dir else _in_memory(),
    )
    env.filters.update(
        md=textsafe.markdown_to_html,
        h=textsafe.escape_html,
        mdi=textsafe.escape_markdown_inline,
        md_inline=textsafe.markdown_inline_to_html,
        fence=textsafe.fence,
        html_block=textsafe.html_block,
        excerpt=textsafe.excerpt,
        css_color=textsafe.css_color,
        color_name=textsafe.color_name,
        titleize=titleize,
        sh=shlex.quote,
        label=label,
        few=textsafe.first_few,
        more=textsafe.more_than_shown,
    )
    env.globals.update(
        prompt_parts=prompt_parts,
        only_other_tools=only_other_tools,
        prompt_start=prompt_start,
        finding_place=finding_place,
    )
    return env


def environment(template_dir: Path | None, bytecode_dir: Path | None) -> Environment:
    """The environment for ``template_dir``: the one ``warm_environment`` compiled in this
    process (taken once), or a new one (kept compiled in ``bytecode_dir`` between runs)."""
    warm = _WARM.pop(template_dir, None) if bytecode_dir is None else None
    return warm if warm is not None else make_environment(template_dir, bytecode_dir)


# Environments whose templates are compiled already (``warm_environment``), by template folder.
_WARM: dict[Path | None, Environment] = {}


def warm_environment(template_dir: Path | None) -> None:
    """Make the environment of the next ``render_context`` for ``template_dir`` in this process,
    and compile its page templates now: work for a process that waits anyway (for the workers
    that scan). Else the workers that render the agent pages each compile them for themselves,
    and this process the shared pages' after them."""
    env = make_environment(template_dir)
    for name in env.list_templates(filter_func=lambda name: name.endswith(".j2") and ":" not in name):
        env.get_template(name)
    _WARM[template_dir] = env


_MEMORY: list[Any] = []  # this process's in-memory bytecode cache, made on first use


def _in_memory() -> Any:
    """Templates compiled once a process: Jinja checks each one's source against the code kept
    (a template edited meanwhile is compiled again). 0.24 s of every in-process build went to
    compiling ours again (suite10's profile: 133 s of the suite's test time)."""
    if not _MEMORY:
        from jinja2 import BytecodeCache
        from jinja2.bccache import Bucket

        class InMemory(BytecodeCache):
            def __init__(self) -> None:
                self.code: dict[str, bytes] = {}

            def load_bytecode(self, bucket: Bucket) -> None:
                if bucket.key in self.code:
                    bucket.bytecode_from_string(self.code[bucket.key])

            def dump_bytecode(self, bucket: Bucket) -> None:
                self.code[bucket.key] = bucket.bytecode_to_string()

        _MEMORY.append(InMemory())
    return _MEMORY[0]
