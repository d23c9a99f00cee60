"""Contract tests that keep the layers honest (STYLE rule 11): staging is 1:1 with the store's tables, every
indicator view has a hand-computed test, views read only their own or earlier layers, declared grains hold on
real data, every SQL file has its header, no SQL in dashboard/data.py is built from a caller's value, only the data
layer queries the store, and only the data layer and the entry points that say who is asking build a scope."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from dashboard import data, db, registry
from etl import views
from etl.settings import QUERIES_DIR
from etl.store import current_snapshot

TESTS = Path(__file__).resolve().parent
FILES = {p.stem: p for p in QUERIES_DIR.glob("*/*.sql")}
# the table a view reads (of a list, the first: the others are empty tables of every column, etl/views.py)
_READER = re.compile(r"\bread_(?:parquet|json|csv)\s*\(\s*\[?'([^']+)'")


def _layer(name: str) -> int:
    return int(FILES[name].parent.name.split("_")[0])


def _table_of(pattern: str) -> str:
    """'branch_year/*/*.parquet' → 'branch_year'; 'codes.parquet' → 'codes'; 'log/audit/*.jsonl' → 'log/audit'."""
    return re.sub(r"(/\*)*/\*\.\w+$|\.parquet$", "", pattern)


def _store_tables(root: Path) -> set[str]:
    snap = current_snapshot(root)
    # derived/ holds what views compute (etl/views.py), read under the views' own names: no input table
    tables = {p.name for p in snap.iterdir() if p.is_dir() and p.name != "derived"}
    tables |= {p.stem for p in snap.glob("*.parquet")}
    tables |= {f"log/{p.name}" for p in (root / "log").iterdir() if p.is_dir()}
    return tables


# ------------------------------------------------------------------------------------------------ staging


def test_every_store_table_has_exactly_one_staging_view(sample_store):
    reads: dict[str, list[str]] = {}
    for name, path in FILES.items():
        patterns = _READER.findall(path.read_text(encoding="utf-8"))
        if name.startswith("stg_"):
            assert len(patterns) == 1, f"{name} must read exactly one table, reads {patterns}"
            reads.setdefault(_table_of(patterns[0]), []).append(name)
        else:
            assert not patterns, f"{name}: only staging views read files"
    assert set(reads) == _store_tables(sample_store)
    assert {t: v for t, v in reads.items() if len(v) != 1} == {}


def test_staging_views_read_no_other_view():
    for name in FILES:
        if name.startswith("stg_"):
            assert db.dependencies(name, FILES) == set(), name


# ------------------------------------------------------------------------------------------------- layers


def test_every_view_reads_only_its_own_or_earlier_layers():
    wrong = {name: sorted(d for d in db.dependencies(name, FILES) if _layer(d) > _layer(name)) for name in FILES}
    assert {k: v for k, v in wrong.items() if v} == {}


def test_layer_folders_and_prefixes_agree():
    prefixes = {
        "10": ("stg_",),
        "20": ("int_",),
        "30": ("ind_",),
        "40": ("prg_",),
        "45": ("tbl_",),
        "50": ("dq_", "rec_"),
    }
    for name, path in FILES.items():
        assert name.startswith(prefixes[path.parent.name.split("_")[0]]), name


# ------------------------------------------------------------------------------------------------ headers


def _header(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    head = []
    for line in lines:
        if not line.startswith("--"):
            break
        head.append(line[2:].strip())
    return head


def test_every_sql_file_opens_with_a_header_stating_its_grain():
    for name, path in FILES.items():
        head = _header(path)
        assert head and len(head[0]) > 20, f"{name}: first line must say what the view is"
        assert any(h.startswith("Grain:") for h in head), f"{name}: no «-- Grain:» line in the header"
        if name.startswith("ind_"):
            assert any("Unit:" in h for h in head), f"{name}: an indicator header states its unit"


# ------------------------------------------------------------------------------------------------ indicators


def test_every_indicator_view_has_a_hand_computed_test():
    text = (TESTS / "test_indicators.py").read_text(encoding="utf-8")
    views = {n for n in FILES if n.startswith("ind_")}
    assert views == {f"ind_{i}" for i in registry.indicators()}
    missing = [
        v
        for v in sorted(views)
        if not re.search(rf"def test_{v[4:]}(\b|_)", text) or not re.search(rf"rows\(tiny_store, \"{v[4:]}\"", text)
    ]
    assert missing == []


def test_indicator_views_share_one_shape(tiny_store):
    cur = db.cursor(tiny_store)
    for ind in registry.indicators().values():
        cols = [r[0] for r in cur.sql(f"describe {ind.view}").fetchall()]
        assert cols == [
            "year",
            "unit_code",
            "branch_code",
            "level",
            "branch_type",
            "subgroup",
            "numerator",
            "denominator",
            "value",
        ], ind.id


# -------------------------------------------------------------------------------------------------- grain

# The header's words for a column, where they differ from the column's name.
GRAIN_ALIASES = {"stg_ref_corrections": {"table": "bieu", "column": "column_name"}}
# Views whose grain comment names no columns, and why.
GRAIN_UNPARSEABLE = {
    "stg_audit": "one row per event; the header says outright that time × event × user is not unique",
    "stg_load_findings": "one row per finding, which has no id of its own (load_id × finding)",
}


def grain_columns(name: str, columns: list[str]) -> list[str] | None:
    """The columns of the `-- Grain:` line, or None when it does not name columns of the view."""
    line = next(h for h in _header(FILES[name]) if h.startswith("Grain:"))
    text = re.split(r"\.(?:\s|$)", line[len("Grain:") :], maxsplit=1)[0]
    text = re.sub(r"\([^)]*\)", "", text)  # "(null when not broken down)", "(+ the row keys)"
    aliases = GRAIN_ALIASES.get(name, {})
    cols = [aliases.get(w.strip(), w.strip()) for w in text.split("×")]
    return cols if set(cols) <= set(columns) else None


def _columns(cur, view: str) -> list[str]:
    return [r[0] for r in cur.sql(f"describe {view}").fetchall()]


def _duplicates(cur, view: str, cols: list[str]) -> list:
    keys = ", ".join(cols)
    return cur.sql(f"select {keys}, count(*) as n from {view} group by {keys} having count(*) > 1 limit 3").fetchall()


def test_grain_comments_parse(tiny_store):
    cur = db.cursor(tiny_store)
    unparsed = {n for n in FILES if grain_columns(n, _columns(cur, n)) is None}
    assert unparsed == set(GRAIN_UNPARSEABLE)


@pytest.mark.parametrize("store", [pytest.param("sample", marks=pytest.mark.slow), "tiny"])
def test_every_declared_grain_is_unique(request, store):
    root = request.getfixturevalue("sample_store" if store == "sample" else "tiny_store")
    cur = db.cursor(root)
    empty, wrong = [], {}
    for name in sorted(FILES):
        cols = grain_columns(name, _columns(cur, name))
        if cols is None:
            assert name in GRAIN_UNPARSEABLE, f"{name}: the grain names columns the view lacks"
            continue
        if cur.sql(f"select count(*) from {name}").fetchall()[0][0] == 0:
            empty.append(name)
        dups = _duplicates(cur, name, cols)
        if dups:
            wrong[name] = dups
    assert wrong == {}
    meetings = {n for n in FILES if {"stg_branch_meeting", "stg_unit_year"} & views.upstream((n,))}
    if store == "sample":  # the check is not vacuous: every parsed view has rows on the sample …
        # … but the views of the meetings sheet (the calibrated sample, 2021–2025, invents no meeting history) and
        # those EMPTY_ON_THE_SAMPLE says why
        assert [n for n in empty if n not in meetings] == list(EMPTY_ON_THE_SAMPLE)
    else:  # … and those have rows on the tiny store, whose 2025 has a meetings baseline (but one: no branch of it;
        # and Cao Bằng fixes no meeting day)
        assert [n for n in empty if n in meetings] == ["ind_meet_fixed_day", "ind_meet_higher_quarterly"]
        assert "prg_published" not in empty  # checked with rows here


# Views without rows on the sample store, and why (their grain is checked on the tiny store, where they have rows,
# or on the other folders' stores: tests/test_organisations.py).
EMPTY_ON_THE_SAMPLE = {
    "prg_published": "the sample has returns for every year the published Biểu cover: no point is taken from them",
    "stg_ref_target_units": "Cao Bằng's targets are all the province's; the other folders' name their units",
}


# ---------------------------------------------------------------------------------------- no spliced values

# What an f-string of SQL in dashboard/data.py may interpolate, and where each comes from.
ALLOWED_IN_SQL = {
    "alias": "a table alias literal passed by data.py itself ('' or 'm.')",
    "col": "a column from the fixed tuple in _where",
    "name": "a parameter name from the fixed tuple in _where",
    "select": "columns looked up in BY_COLUMNS (an unknown key raises KeyError)",
    "',' if cols else ''": "a comma",
    "ind.view": "the view of a registry entry (registry.get raises KeyError for unknown ids)",
    "source": "either the registry entry's view or the literal prg_indicator_sum",
    "where": "built by _where (values as $parameters) or a literal",
    "' and '.join(parts)": "literal conditions with $parameters",
    "t": "a name from the BIEU_TABLES constant",
    "cond": "Scope.units_sql on a literal column of data.py (the unit codes as $parameters)",
}
_SQL_WORDS = re.compile(r"\b(select|from|where|group by|order by|join)\b|= any\(", re.I)


def _is_sqlish(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Constant) and isinstance(n.value, str) and _SQL_WORDS.search(n.value) for n in ast.walk(node)
    )


def test_sql_in_data_py_interpolates_only_closed_names():
    tree = ast.parse(Path(data.__file__).read_text(encoding="utf-8"))
    seen = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and _is_sqlish(node):
            for part in node.values:
                if isinstance(part, ast.FormattedValue):
                    seen.add(ast.unparse(part.value))
        # no str.format or %-formatting of SQL
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            assert not _is_sqlish(node.func.value), ast.unparse(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            assert not _is_sqlish(node.left), ast.unparse(node)
        # concatenated SQL is made of literals and checked f-strings only
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and _is_sqlish(node):
            for side in (node.left, node.right):
                leaves = [side.body, side.orelse] if isinstance(side, ast.IfExp) else [side]
                for leaf in leaves:
                    assert isinstance(leaf, (ast.Constant, ast.JoinedStr, ast.BinOp)), ast.unparse(node)
    unexpected = seen - set(ALLOWED_IN_SQL)
    assert unexpected == set(), f"SQL built from {unexpected}: bind values as $parameters"
    assert seen, "the check found no SQL f-string at all: the detection is broken"


def test_where_binds_every_value():
    hostile = "x' or 1=1 --"
    f = data.Filters(years=(2024,), units=(hostile,), levels=(hostile,), types=(hostile,))
    sql, params = data._where(f, alias="m.")
    assert hostile not in sql
    assert sql == (
        "true and m.year = any($years) and m.unit_code = any($units) and m.level = any($levels) "
        "and m.branch_type = any($types)"
    )
    assert params == {"years": [2024], "units": [hostile], "levels": [hostile], "types": [hostile]}


def test_grouping_and_indicator_names_come_from_closed_sets(tiny_store):
    with pytest.raises(KeyError):
        data.indicator(
            "member_good", data.Filters(), data.Scope.province(), by=("year; drop table x",), root=tiny_store
        )
    with pytest.raises(KeyError):
        registry.get("member_good from ind_member_good --")


# ------------------------------------------------------------------------------------------ one home for SQL

APP = TESTS.parent
# The only modules of the app that query the store: the connection, the data layer (scope applied to the views,
# checked above) and the parameterised one-off lookups of constant SQL. Every figure is a view of queries/.
QUERYING = {"dashboard/db.py", "dashboard/data.py", "dashboard/lookups.py"}


def _app_modules() -> dict[str, ast.AST]:
    paths = [*APP.glob("dashboard/**/*.py"), *APP.glob("pages/*.py"), *APP.glob("reports/*.py")]
    return {p.relative_to(APP).as_posix(): ast.parse(p.read_text(encoding="utf-8")) for p in paths}


def _imported(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return names


def test_only_the_data_layer_queries_the_store():
    modules = _app_modules()
    assert set(QUERYING) <= set(modules)
    querying = {name for name, tree in modules.items() if _imported(tree) & {"duckdb", "dashboard.db"}}
    assert querying == QUERYING


def test_the_lookups_are_constant_sql():
    tree = _app_modules()["dashboard/lookups.py"]
    spliced = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        or (isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)) and _is_sqlish(node))
        or (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format")
    ]
    assert spliced == []
    assert any(_is_sqlish(node) for node in ast.walk(tree)), "no SQL found in lookups.py: the check is broken"


# ------------------------------------------------------------------------------------------ who builds a scope

# The modules that may build a Scope: the data layer (which widens it only to compare with the province, and says
# so), and the entry points that say who is asking — the signed-in user (login.py) and the operator of a command
# line on the server (its --scope-commune). Anything else (pages, the UI, documents, exports) passes the scope it
# was given: a page that built Scope.province() itself would show a commune user what only the province may see.
SCOPE_BUILDERS = {
    "dashboard/scope.py": "defines it",
    "dashboard/data.py": "the data layer: the province's benchmark, coverage, targets and unit names",
    "dashboard/login.py": "the signed-in user's scope",
    "dashboard/query.py": "the command line's operator (python -m dashboard.query)",
    "reports/__main__.py": "the command line's operator (python -m reports)",
}


def _builds_a_scope(node: ast.AST) -> bool:
    """Scope(…), Scope.province() / .commune() / .of_province(), and dataclasses.replace(…) of a scope's fields."""
    if not isinstance(node, ast.Call):
        return False
    f = node.func

    def named(e: ast.AST) -> bool:
        return (isinstance(e, ast.Name) and e.id == "Scope") or (isinstance(e, ast.Attribute) and e.attr == "Scope")

    if named(f) or (isinstance(f, ast.Attribute) and named(f.value)):
        return True
    called = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
    return called == "replace" and any(k.arg in ("role", "unit_code", "province_code") for k in node.keywords)


def test_only_the_data_layer_and_the_entry_points_build_a_scope():
    modules = _app_modules()
    assert set(SCOPE_BUILDERS) <= set(modules)
    built = {
        f"{name}:{node.lineno}: {ast.unparse(node)}"
        for name, tree in modules.items()
        if name not in SCOPE_BUILDERS
        for node in ast.walk(tree)
        if _builds_a_scope(node)
    }
    assert built == set()
    # the check sees what it must: the data layer does build the province's scope
    assert any(_builds_a_scope(n) for n in ast.walk(modules["dashboard/data.py"]))
