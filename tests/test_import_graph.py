"""The package's imports form no cycle and never run up the layers: each module can be read, tested and
changed from the bottom up.

Lazy imports (inside functions) count too: a cycle or an upward arrow through one is still a module that
needs one above it. Imports under ``TYPE_CHECKING`` do not run and are left out. The layers are those of
docs/contributing.md ("The house").
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


#: Bottom-up: a module imports only from its own layer or the layers below it (longest prefix decides).
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("core", ("paths", "tweets", "text", "lexicon", "model", "ratings", "generate")),
    (
        "pure Python work",
        ("counting", "sample", "state", "event_time", "scorers", "trained_scorer", "settings", "sinks", "waiting"),
    ),
    ("sources", ("sources",)),
    ("Spark set-up", ("infra",)),
    ("engines and Spark jobs", ("dstream", "structured", "sentiment_model", "evaluate")),
    ("runs", ("runs",)),
    ("what a learner sees", ("ui",)),
    ("self-checks and the command line", ("check", "cli", "__main__", "")),
]
#: Self-checks work out right answers in plain Python: no widget, no Spark engine.
CHECKS_NEVER_IMPORT = ("helpers.ui", "helpers.structured", "helpers.dstream", "helpers.infra")


def layer_of(module: str) -> int:
    """The index in LAYERS of ``module``'s layer (the longest matching prefix; ``helpers`` itself is the top)."""
    best, found = -1, None
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            full = f"helpers.{prefix}" if prefix else "helpers"
            if (module == full or module.startswith(full + ".")) and len(full) > best:
                best, found = len(full), i
    if found is None:
        raise KeyError(f"{module} is in no layer: add it to LAYERS (and to docs/contributing.md)")
    return found


def upward(graph: dict[str, set[str]]) -> list[str]:
    """Every import from a lower layer to a higher one, as "importer (layer) -> imported (layer)"."""
    out = []
    for name, targets in sorted(graph.items()):
        for target in sorted(targets):
            if layer_of(target) > layer_of(name):
                out.append(f"{name} ({LAYERS[layer_of(name)][0]}) -> {target} ({LAYERS[layer_of(target)][0]})")
    return out


def test_the_graph_is_read():
    graph = _graph()
    assert "helpers.sources.replay" in graph and "helpers.infra.preflight" in graph
    assert "helpers.lexicon" in graph["helpers.model"]  # a known import is seen


def test_every_module_has_a_layer():
    for name in _graph():
        layer_of(name)  # raises KeyError for a module no layer holds


def test_no_import_runs_up_the_layers():
    found = upward(_graph())
    assert not found, "imports that run up the layers:\n" + "\n".join(found)


def test_an_upward_import_is_found():
    graph = {"helpers.model": {"helpers.ui.plots"}, "helpers.ui.plots": {"helpers.model"}}
    assert upward(graph) == ["helpers.model (core) -> helpers.ui.plots (what a learner sees)"]
    assert layer_of("helpers.sources.files") == layer_of("helpers.sources")
    assert layer_of("helpers") == len(LAYERS) - 1


def test_self_checks_import_no_widget_and_no_engine():
    graph = _graph()
    found = [
        f"{name} -> {target}"
        for name, targets in graph.items()
        if name.startswith("helpers.check")
        for target in targets
        if target.startswith(CHECKS_NEVER_IMPORT)
    ]
    assert not found, "self-checks that import widgets or engines: " + "; ".join(sorted(found))


def test_no_import_cycle():
    cycles = _cycles(_graph())
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_a_cycle_is_found():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [
        ["a", "b", "c", "a"],
        ["b", "c", "a", "b"],
        ["c", "a", "b", "c"],
    ]
