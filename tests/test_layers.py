"""The direction of the imports, read from the source with `ast` (every import: at the top, in a function, under
TYPE_CHECKING). etl/ is the bottom layer: it imports nothing of the packages built on it; its modules import each
other one way (no circle); reports/ builds on dashboard/, never the reverse (the pages call the documents)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

ABOVE_ETL = ("synthetic", "forms", "dashboard", "reports", "pages", "tools", "benchmarks", "deploy")
# The ETL's command line is the one file of etl/ that may reach up, and only inside its functions: `sample` writes the
# synthetic returns (synthetic/) and `template` the workbook to fill in (forms/) before loading them.
ETL_CLI = "etl/__main__.py"


def module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, tree: ast.AST | None = None) -> list[tuple[str, int]]:
    """(module imported, line) of every import in the file or `tree`; `from a.b import c` names a.b.c when c is a
    module of the repository, else a.b."""
    tree = tree or ast.parse(path.read_text(encoding="utf-8"))
    me = module_of(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            for a in node.names:
                sub = f"{base}.{a.name}"
                is_module = (ROOT / (sub.replace(".", "/") + ".py")).exists() or (ROOT / sub.replace(".", "/")).is_dir()
                out.append((sub if is_module else base, node.lineno))
    return out


def top_level(tree: ast.Module) -> ast.Module:
    """The module without its functions' and classes' bodies (what runs at import)."""
    body = [n for n in tree.body if not isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
    return ast.Module(body=body, type_ignores=[])


def sources(*folders: str) -> list[Path]:
    return sorted(p for f in folders for p in (ROOT / f).rglob("*.py"))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles of graph (its strongly connected components of more than one module, Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while (w := stack.pop()) != v:
                comp.append(w)
            if comp:
                found.append(sorted([v, *comp]))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_etl_imports_nothing_above_it():
    upward = []
    for path in sources("etl"):
        rel = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # the CLI's lazy imports are allowed; at its top level it is held like every other module
        found = imports(path, top_level(tree) if rel == ETL_CLI else tree)
        upward += [f"{rel}:{line} imports {m}" for m, line in found if m.split(".")[0] in ABOVE_ETL]
    assert upward == []


def test_no_import_circle_inside_the_packages():
    """Each file's dependencies point one way: no circle among the modules of etl/ (annual_return/read ↔ validate,
    excel ↔ sheet_size, province ↔ settings were), nor across etl/, forms/, synthetic/, dashboard/, reports/."""
    paths = sources("etl", "forms", "synthetic", "dashboard", "reports")
    modules = {module_of(p): p for p in paths}
    graph = {m: {i for i, _ in imports(p) if i in modules and i != m} for m, p in modules.items()}
    assert cycles(graph) == []


def test_reports_build_on_the_dashboard_never_the_reverse():
    back = [
        f"{p.relative_to(ROOT)}:{line} imports {m}"
        for p in sources("dashboard")
        for m, line in imports(p)
        if m.split(".")[0] == "reports"
    ]
    assert back == []


def test_the_circle_finder_finds_circles():
    """The check above cannot pass by finding nothing: a known circle and a one-way chain."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    found = {m for m, _ in imports(ROOT / "etl" / "annual_return" / "read.py")}
    assert {"etl.annual_return.rows", "etl.findings", "polars"} <= found  # `from etl import x` names etl.x
