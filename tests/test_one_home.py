"""One home per rule (issue 31.3): the rules that used to be typed in several modules are now defined once and the
others use them. These tests hold the ones a grep can hold: role names, the Vietnamese number format."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from etl.roles import Role

ROOT = Path(__file__).resolve().parent.parent
CODE = [
    p
    for folder in ("dashboard", "pages", "reports", "etl", "forms", "deploy", "tools", "synthetic")
    for p in sorted((ROOT / folder).rglob("*.py"))
]
ROLE_NAMES = {r.value for r in Role}


def _names(node: ast.AST) -> set[str]:
    """The identifiers an expression reads («user.role» → {"user", "role"})."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
    }


def _role_literals(node: ast.AST) -> set[str]:
    """The role names written as strings in an expression: "admin", ("province", "admin"), {"commune", …}."""
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and n.value in ROLE_NAMES}


def test_no_module_compares_role_names_as_strings():
    """Every comparison with a role, and every set of roles, uses etl.roles.Role (its one home), never «"admin"»."""
    found = []
    for path in CODE:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(any("role" in n.lower() for n in _names(s)) for s in sides) and any(
                    _role_literals(s) for s in sides
                ):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            elif isinstance(node, ast.Assign) and any("ROLE" in n for t in node.targets for n in _names(t)):
                if _role_literals(node.value):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, f"role names compared as strings (use etl.roles.Role): {found}"


def test_the_contract_sees_a_string_comparison():
    """The test above can fail: a role compared as a string is found."""
    tree = ast.parse('if user.role == "admin" or role in ("province",):\n    pass\nUPLOAD_ROLES = {"commune"}')
    compares = [n for n in ast.walk(tree) if isinstance(n, ast.Compare)]
    assert len(compares) == 2 and all(_role_literals(ast.Tuple([*c.comparators], ast.Load())) for c in compares)


def test_a_role_is_its_stored_name():
    """users.json, the audit log and the cycle's log hold the plain names: a Role equals and prints as them."""
    assert Role.COMMUNE == "commune" and f"{Role.ADMIN}" == "admin" and Role("province") is Role.PROVINCE


def test_the_vietnamese_number_format_has_one_home():
    """Only etl/text.py turns Python's «1,462.5» into «1.462,5»; dashboard/fmt.py and the ETL's messages use it."""
    from dashboard import fmt
    from etl.text import vn_int, vn_num

    assert (fmt.num(17239.15, 2), vn_num(17239.15, 2), vn_int(1048576)) == ("17.239,15", "17.239,15", "1.048.576")
    typed = [
        str(p.relative_to(ROOT))
        for p in CODE
        if p != ROOT / "etl" / "text.py"
        and re.search(r':,[^}]*}"\.(replace|translate)\(|get_group_symbol', p.read_text(encoding="utf-8"))
    ]
    assert not typed, f"the number format typed again (use etl.text.vn_num / vn_int): {typed}"


def test_good_or_better_says_the_same_in_sql_and_python():
    """«Hoàn thành tốt nhiệm vụ trở lên»: the views that count it and etl/schema.py (for a return not yet in the
    store: warnings, previews, versions) name the same ratings and member grades."""
    from etl.schema import GOOD_GRADES, GOOD_RATINGS
    from etl.settings import QUERIES_DIR

    for view in ("ind_branch_good", "ind_grassroots_good", "ind_suborg_good"):
        sql = (QUERIES_DIR / "30_indicators" / f"{view}.sql").read_text(encoding="utf-8")
        assert re.findall(r"rating in \(([^)]*)\)", sql) == [", ".join(f"'{r}'" for r in GOOD_RATINGS)], view
    sql = (QUERIES_DIR / "30_indicators" / "ind_member_good.sql").read_text(encoding="utf-8")
    assert f"{' + '.join(GOOD_GRADES)} as numerator" in sql
    sql = (QUERIES_DIR / "45_tables" / "tbl_bieu07.sql").read_text(encoding="utf-8")  # Biểu 07's own column
    assert f"sum({' + '.join(GOOD_GRADES)})::bigint as good_or_better" in sql


def test_a_returns_good_shares_are_sum_over_sum():
    """Hand-computed: branches xs, tot, ht and one unrated → 2/3 rated good or better; members 3+4 good of 10 rated
    (the unrated branch's members count as rated, as in int_branch_year), nothing rated → no figure."""
    import polars as pl

    from etl.schema import good_branch_share, good_member_share

    df = pl.DataFrame(
        {
            "rating": ["xs", "tot", "ht", None],
            "excellent": [1, 0, 0, 0],
            "good": [2, 4, 0, 0],
            "completed": [0, 1, 1, 0],
            "not_completed": [0, 0, 0, 1],
        }
    )
    assert good_branch_share(df) == 2 / 3 * 100 and good_member_share(df) == 7 / 10 * 100
    assert good_branch_share(df.head(0)) is None and good_member_share(df.head(0)) is None


def test_the_progress_thresholds_say_the_same_in_sql_and_python():
    """prg_progress.sql (every page's statuses) and dashboard/methods.py (the texts, the Python method) use the same
    thresholds of R; the words on the targets page come from methods.py."""
    from dashboard import methods
    from dashboard.ui.targets import STATUS_SCALE
    from etl.settings import QUERIES_DIR

    sql = (QUERIES_DIR / "40_progress" / "prg_progress.sql").read_text(encoding="utf-8")
    found = {s: float(r) for r, s in re.findall(r"when ratio >= ([0-9.]+) then '(\w+)'", sql)}
    assert found == {
        "on_track": methods.ON_TRACK_RATIO,
        "needs_acceleration": methods.ACCELERATE_RATIO,
        "limited_progress": 0,
    }
    assert "Cần đẩy nhanh (60% đến dưới 95% mức cần)" in STATUS_SCALE
