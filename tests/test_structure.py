"""The shape of the package (issue 17): no import cycle between catalog's modules, no module over
400 lines, and no format comparison outside the dialect table."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "catalog"
TEMPLATES = ROOT / "site_templates"
MAX_LINES = 400

# No edge of an import cycle is allowed (issue 17: the last one, pipeline <-> update, went with
# update.py when the incremental rewrite landed). Nothing may be added here.
ALLOWED_CYCLE_EDGES: frozenset[tuple[str, str]] = frozenset()

# Issue 17: modules over the limit still. A module leaves this as soon as it fits; site left it
# split into site (the docs folder's writer), docs_manifest and site_dir.
OVER_THE_LIMIT_FOR_NOW: frozenset[str] = frozenset()


def module_names() -> list[str]:
    """catalog's modules as dotted names below the package: 'pipeline', 'model.dialects', ..."""
    return sorted(".".join(p.relative_to(PACKAGE).with_suffix("").parts) for p in PACKAGE.rglob("*.py"))


def module_path(name: str) -> Path:
    return PACKAGE.joinpath(*name.split(".")).with_suffix(".py")


def imported_modules(name: str, known: set[str]) -> set[str]:
    """Every catalog module ``name`` imports anywhere in its file: at the top, inside functions,
    under ``TYPE_CHECKING``; a cycle through any of them is a cycle in the design."""
    tree = ast.parse(module_path(name).read_text(encoding="utf-8"))
    package = name.split(".")[:-1]
    found: set[str] = set()

    def resolve(dotted: str) -> str | None:
        """The longest catalog module a dotted import path names ('catalog.a.b.c' -> 'a.b')."""
        parts = dotted.split(".")
        if parts[0] != "catalog":
            return None
        for end in range(len(parts), 1, -1):
            candidate = ".".join(parts[1:end])
            if candidate in known:
                return candidate
            if f"{candidate}.__init__" in known:
                return f"{candidate}.__init__"
        return None

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(["catalog", *package[: len(package) - node.level + 1]])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            # `from catalog import lint` imports the module catalog.lint.check
            targets = [module] + [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            resolved = resolve(target)
            if resolved is not None and resolved != name:
                found.add(resolved)
    return found


def import_graph() -> dict[str, set[str]]:
    names = module_names()
    known = set(names)
    return {name: imported_modules(name, known) for name in names}


def strongly_connected(graph: dict[str, set[str]]) -> Iterator[list[str]]:
    """Tarjan's algorithm: the groups of modules that reach each other (cycles), largest first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    yield from sorted((g for g in groups if len(g) > 1), key=len, reverse=True)


def test_the_graph_sees_function_level_imports() -> None:
    """The checker reads imports inside functions too (most of catalog's imports are there)."""
    graph = import_graph()
    assert "model.agent" in graph["load"]  # `from catalog.model.agent import build_agent` inside a function
    assert "lint.check" in graph["cli.main"]  # `from catalog import lint as linting` inside a command


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert list(strongly_connected(graph)) == [["a", "b", "c"]]


def test_no_import_cycle_in_catalog() -> None:
    graph = import_graph()
    for source, target in ALLOWED_CYCLE_EDGES:
        if target in graph.get(source, set()):
            graph[source] = graph[source] - {target}
    cycles = list(strongly_connected(graph))
    assert not cycles, "modules that import each other (directly or around a circle): " + "; ".join(
        " <-> ".join(group) for group in cycles
    )


def test_the_allowed_cycle_edges_are_still_needed() -> None:
    """Once the pipeline/update circle is gone the allow-list must go too (issue 17)."""
    graph = import_graph()
    for source, target in ALLOWED_CYCLE_EDGES:
        assert target in graph.get(source, set()), f"{source} no longer imports {target}: drop it from the allow-list"


def line_count(name: str) -> int:
    return len(module_path(name).read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("name", [n for n in module_names() if n not in OVER_THE_LIMIT_FOR_NOW])
def test_no_module_over_the_limit(name: str) -> None:
    lines = line_count(name)
    assert lines <= MAX_LINES, f"catalog/{name.replace('.', '/')}.py has {lines} lines (at most {MAX_LINES})"


def test_the_modules_over_the_limit_for_now_still_are() -> None:
    """A module that fits leaves the exemption list, so it cannot grow back unnoticed."""
    fits = sorted(n for n in OVER_THE_LIMIT_FOR_NOW if n not in module_names() or line_count(n) <= MAX_LINES)
    assert not fits, f"these modules fit in {MAX_LINES} lines now: remove them from OVER_THE_LIMIT_FOR_NOW: {fits}"


# Modules allowed to name formats: the dialect table, and the enum itself.
FORMAT_MODULES = frozenset({"dialects", "dialect_of", "types"})


def _names_a_format(node: ast.AST) -> bool:
    """``agent.format``, ``source.format.value``, ``fmt``: an expression that is a format."""
    if isinstance(node, ast.Attribute) and node.attr == "value":
        node = node.value
    return (isinstance(node, ast.Attribute) and node.attr == "format") or (
        isinstance(node, ast.Name) and node.id in ("fmt", "format")
    )


def _string_test_of_a_format(node: ast.Attribute) -> bool:
    return node.attr in ("startswith", "endswith") and _names_a_format(node.value)


def _format_member(node: ast.Attribute) -> bool:
    """``Format.CODEX``: naming one format is asking about it."""
    return isinstance(node.value, ast.Name) and node.value.id == "Format" and node.attr.isupper()


def format_tests_in_python(source: str) -> list[tuple[int, str]]:
    """(line, code) of each place a module asks which format something is: a comparison of a
    format (other than with None), a match on one, a string test of one, or a Format member."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            none = any(isinstance(o, ast.Constant) and o.value is None for o in operands)
            if any(_names_a_format(o) for o in operands) and not none:
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Match) and _names_a_format(node.subject):
            found.append((node.lineno, f"match {ast.unparse(node.subject)}"))
        elif isinstance(node, ast.Attribute) and (_string_test_of_a_format(node) or _format_member(node)):
            found.append((node.lineno, ast.unparse(node)))
    return found


def format_tests_in_template(source: str) -> list[tuple[int, str]]:
    """The same for a Jinja2 template: comparisons and tests of ``x.format`` or ``fmt``."""
    from jinja2 import Environment, nodes

    def names_a_format(node: nodes.Node) -> bool:
        if isinstance(node, nodes.Getattr) and node.attr == "value":
            node = node.node
        return (isinstance(node, nodes.Getattr) and node.attr == "format") or (
            isinstance(node, nodes.Name) and node.name in ("fmt", "format")
        )

    found: list[tuple[int, str]] = []
    tree = Environment().parse(source)
    for compare in tree.find_all(nodes.Compare):
        if names_a_format(compare.expr) or any(names_a_format(op.expr) for op in compare.ops):
            found.append((compare.lineno, "comparison of a format"))
    for test in tree.find_all(nodes.Test):
        if names_a_format(test.node):
            found.append((test.lineno, f"'is {test.name}' test of a format"))
    for call in tree.find_all(nodes.Call):
        func = call.node
        if isinstance(func, nodes.Getattr) and func.attr in ("startswith", "endswith") and names_a_format(func.node):
            found.append((call.lineno, f"{func.attr} of a format"))
    return found


def test_the_format_test_finder_finds_them() -> None:
    python = (
        "if agent.format is Format.CODEX: pass\n"
        "x = {'a': 1}.get(agent.format)\n"
        "y = agent.format.value == 'claude-code'\n"
        "z = fmt in (a, b)\n"
        "w = source.format.value.startswith('copilot')\n"
        "ok = ctx.format is not None and DIALECTS[agent.format].syntax == 'toml'\n"
    )
    assert sorted(line for line, _ in format_tests_in_python(python)) == [1, 1, 3, 4, 5]
    template = (
        '{% if agent.format.value == "claude-code" %}x{% endif %}\n'
        '{% if "copilot" in agent.format %}y{% endif %}\n'
        "{% if agent.format is sameas(f) %}z{% endif %}\n"
        "{{ dialects[agent.format].label }}{% if dialects[agent.format].install %}i{% endif %}\n"
    )
    assert [line for line, _ in format_tests_in_template(template)] == [1, 2, 3]


@pytest.mark.parametrize("name", [n for n in module_names() if n.split(".")[-1] not in FORMAT_MODULES])
def test_no_module_but_the_dialect_table_asks_for_a_format(name: str) -> None:
    """What differs between formats is an attribute of its Dialect (catalog/model/dialects.py):
    labels, suffixes, install text, model patterns, name rules. Nothing else asks which one."""
    found = format_tests_in_python(module_path(name).read_text(encoding="utf-8"))
    assert not found, f"catalog/{name}.py tests a format; use an attribute of its Dialect: {found}"


@pytest.mark.parametrize("template", sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.j2")))
def test_no_template_asks_for_a_format(template: str) -> None:
    found = format_tests_in_template((TEMPLATES / template).read_text(encoding="utf-8"))
    assert not found, f"site_templates/{template} tests a format; use dialects[agent.format].<attribute>: {found}"


# Issue 17: the cache layer calls the stages; no stage imports it. Only the wiring starts it.
CACHE_LAYER = "incremental"
CALLS_THE_CACHE = frozenset({"pipeline"})


def test_no_stage_imports_the_cache_layer() -> None:
    graph = import_graph()
    found = sorted(
        (source, target)
        for source, targets in graph.items()
        for target in targets
        if target.split(".")[0] == CACHE_LAYER and source.split(".")[0] != CACHE_LAYER and source not in CALLS_THE_CACHE
    )
    assert not found, f"stages that import the cache layer (it calls them, not the other way): {found}"


def test_the_file_list_shows_the_pipeline() -> None:
    """Each stage with helpers is a sub-package (issue 17): its helpers are not top-level files."""
    stages = {"discover", "parse", "model", "lint", "render", "output", "incremental", "mkdocs_site", "cli"}
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py") if p.parent.name != "site_templates"}
    assert stages <= packages, f"stages that are not packages: {sorted(stages - packages)}"
