"""No import cycle among the modules of certflow and workflows, function-level imports included.

import-linter's ``acyclic_siblings`` contract (pyproject.toml) looks at the direct imports between
siblings of a package; a cycle that runs through several packages — ``services.workflow →
services.notify → notifications.dispatch → notifications.tasks → services.scheduled →
services.workflow`` was one, kept alive by imports inside functions — is seen only on the
module graph. grimp (import-linter's graph) reads every import, inside functions too.

One pattern is allowed: a blueprint module importing its view modules to register them, each of
which imports the blueprint (``bp``) back — Flask's documented way to split a blueprint.
"""

from __future__ import annotations

import re
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
# Today's cycles, each to be removed (its line below then fails the test: delete it too).
KNOWN_CYCLES: set[frozenset[str]] = set()
_BLUEPRINT = re.compile(r"^bp = Blueprint\(", re.MULTILINE)
_IMPORTS_BP = re.compile(r"\bimport\b.*\bbp\b")


def _source(graph: grimp.ImportGraph, module: str) -> str:
    path = ROOT.joinpath(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    return path.read_text(encoding="utf-8")


def module_graph(graph: grimp.ImportGraph) -> dict[str, set[str]]:
    """Each module's imports of the project's modules, without the blueprints' registration imports."""
    modules = set(graph.modules)
    edges = {m: set(graph.find_modules_directly_imported_by(m)) & modules for m in modules}
    for blueprint in (m for m in modules if _BLUEPRINT.search(_source(graph, m))):
        for view in list(edges[blueprint]):
            details = graph.get_import_details(importer=view, imported=blueprint)
            if any(_IMPORTS_BP.search(d["line_contents"]) for d in details):
                edges[blueprint].discard(view)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (or a module importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(root: str) -> None:  # Tarjan's algorithm, iteratively (no recursion limit)
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges[node]:
                    found.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def _describe(edges: dict[str, set[str]], component: list[str]) -> str:
    members = set(component)
    inside = sorted(f"{a} -> {b}" for a in component for b in sorted(edges[a]) if b in members)
    return "cycle among " + ", ".join(component) + ":\n      " + "\n      ".join(inside)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("certflow", "workflows", cache_dir=None)


def test_no_module_imports_itself_back(graph):
    edges = module_graph(graph)
    found = [c for c in cycles(edges) if frozenset(c) not in KNOWN_CYCLES]
    assert not found, "import cycles (function-level imports included):\n  " + "\n  ".join(
        _describe(edges, c) for c in found
    )


def test_the_known_cycles_are_still_there(graph):
    """A known cycle that was broken is taken off the list, so the list stays true."""
    gone = KNOWN_CYCLES - {frozenset(c) for c in cycles(module_graph(graph))}
    assert not gone, f"these cycles are gone: delete them from KNOWN_CYCLES: {sorted(map(sorted, gone))}"


def test_the_check_sees_a_cycle_through_a_function_level_import():
    edges = {"a.x": {"a.y"}, "a.y": {"b.z"}, "b.z": {"a.x"}, "b.w": {"a.x"}, "c": {"c"}}
    assert cycles(edges) == [["a.x", "a.y", "b.z"], ["c"]]


def test_only_a_blueprints_registration_imports_are_left_out(graph):
    edges = module_graph(graph)
    assert "certflow.admin.teams" not in edges["certflow.admin.routes"]  # registration: teams imports bp back
    assert "certflow.admin.routes" in edges["certflow.admin.teams"]
    assert "certflow.applications.workflow" in edges["certflow.jobs"]
