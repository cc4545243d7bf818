"""The package's imports form no cycle: each module can be read, tested and changed from the bottom up.

Lazy imports (inside functions) count too: a cycle through one still means two modules that each need the
other. Imports under ``TYPE_CHECKING`` do not run and are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

HELPERS = Path(__file__).resolve().parent.parent / "helpers"


def _module(path: Path) -> str:
    parts = path.relative_to(HELPERS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph() -> dict[str, set[str]]:
    """Module → the helpers modules it imports (``from helpers.x import y`` is ``helpers.x.y`` where that is one)."""
    modules = {_module(p): p for p in HELPERS.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}

    def visit(name: str, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import):
                graph[name] |= {a.name for a in child.names if a.name in modules}
            elif isinstance(child, ast.ImportFrom) and (child.module or "").startswith("helpers"):
                for alias in child.names:
                    full = f"{child.module}.{alias.name}"
                    graph[name].add(full if full in modules else child.module)
            visit(name, child)

    for name, path in modules.items():
        visit(name, ast.parse(path.read_text(encoding="utf-8")))
        graph[name].discard(name)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import that closes a loop, as the path from the importer back to itself."""
    found = []
    for start in sorted(graph):
        for first in sorted(graph[start]):
            path, seen, stack = {first: [start, first]}, {first}, [first]
            while stack:
                here = stack.pop()
                if here == start:
                    found.append(path[here])
                    break
                for nxt in sorted(graph.get(here, ())):
                    if nxt not in seen:
                        seen.add(nxt)
                        path[nxt] = [*path[here], nxt]
                        stack.append(nxt)
    return found


def test_the_graph_is_read():
    graph = _graph()
    assert "helpers.sources.replay" in graph and "helpers.preflight" in graph
    assert "helpers.lexicon" in graph["helpers.analyse"]  # a known import is seen


def test_no_import_cycle():
    cycles = _cycles(_graph())
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_a_cycle_is_found():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [
        ["a", "b", "c", "a"],
        ["b", "c", "a", "b"],
        ["c", "a", "b", "c"],
    ]
