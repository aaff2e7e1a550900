"""No import circles between the portal's modules, counting the imports inside functions.

The graph is read from the source with `ast`, not by importing: an import put inside a
function to dodge a circle is still an edge, and so is a package's `__init__` importing its
own submodules.
"""

import ast
from pathlib import Path

import portal

ROOT = Path(portal.__file__).parent


def _module_name(path: Path) -> str:
    parts = ["portal", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(name: str, modules: set[str]) -> str | None:
    """The portal module `name` stands for: itself, or the package holding the name
    (`from portal.jobs import queue` names the module; `from portal.policy import X` the
    module holding X)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _imported(tree: ast.Module, module: str, is_package: bool) -> set[str]:
    """Every dotted name the module's imports reach, wherever in the module they are."""
    package = module if is_package else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module
            # `from a import b`: b may be a submodule (an edge to it) or a name in a.
            names.update(f"{source}.{alias.name}" for alias in node.names)
    return names


def import_graph() -> dict[str, set[str]]:
    paths = {_module_name(path): path for path in ROOT.rglob("*.py")}
    modules = set(paths)
    graph = {}
    for module, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = {_resolve(name, modules)
                   for name in _imported(tree, module, path.name == "__init__.py")}
        graph[module] = {target for target in targets if target and target != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The graph's strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _a_circle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One circle through the component's first module, to show how it closes."""
    members, start = set(component), component[0]
    paths, seen = [[start]], {start}
    while paths:
        path = paths.pop(0)
        for successor in sorted(graph[path[-1]] & members):
            if successor == start:
                return [*path, start]
            if successor not in seen:
                seen.add(successor)
                paths.append([*path, successor])
    return component


def test_the_graph_sees_function_level_and_relative_imports():
    tree = ast.parse("from . import queue\nfrom .models import Job\n"
                     "def f():\n    from portal.policy import can_x\n")
    assert _imported(tree, "portal.jobs.runner", False) == {
        "portal.jobs.queue", "portal.jobs.models.Job", "portal.policy.can_x"}
    assert _imported(ast.parse("from . import services"), "portal.jobs", True) == {
        "portal.jobs.services"}


def test_no_import_circles():
    graph = import_graph()
    found = cycles(graph)
    for component in found:
        print(" → ".join(_a_circle(graph, component)), f"({len(component)} modules)")
    assert found == []
