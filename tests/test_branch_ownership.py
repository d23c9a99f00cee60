"""A branch belongs to one committee (issue 29.1). Phường Thục Phán's (xa's) 2026 return named «01279.001», a branch
of phường Nùng Trí Cao (01279): it was accepted, 01279's own valid return was then refused («đã có trong báo cáo
của đơn vị khác cùng năm»), and the squatter's figures joined 01279's previous year, because tables joined on
(year, branch code) only. Now a return names only its own unit's branches (codes «01273.…»), with the cell at
fault named, and every join across years or tables carries the unit."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import polars as pl
import pytest

import etl.annual_return
from dashboard import data, db, reporting
from dashboard.data import Filters, Scope
from etl import cycle, settings
from etl.annual_return import parse_returns
from etl.load import check_files, load_files
from etl.schema import HEAD_ROLES
from etl.store import commit, current_snapshot
from tests.conftest import ROOT, signed_in
from tests.fixtures import FULL_UNIT_FIELDS, branch, full_meetings, member, return_bytes

XA, OWNER = "01273", "01279"  # phường Thục Phán (the demo account «xa»), phường Nùng Trí Cao


@pytest.fixture(scope="module")
def sample_rows(province) -> dict:
    from synthetic.sample import SampleBuilder

    return SampleBuilder(province).build().returns()


def squatting(rows: dict) -> tuple[list, list, list]:
    """xa's 2025 return carried into 2026, with Nùng Trí Cao's first branch copied into it (the issue's attack)."""
    mine, committee, heads = rows[(XA, 2025)]
    theirs = rows[(OWNER, 2025)][0][0]
    assert theirs["branch_code"] == f"{OWNER}.001"
    return [*mine, dict(theirs)], committee, heads


# ------------------------------------------------------------------------------------- through the upload


def test_a_commune_cannot_name_another_communes_branch_on_its_upload_page(sample_store, province, sample_rows):
    """As xa on «Nộp báo cáo»: the file is refused, the table names sheet, row and column, and nothing is written
    (submitting it records «đã nộp, có lỗi» only: the next test)."""
    path = cycle.cycle_log(settings.PARQUET_DIR)
    assert settings.DATA_DIR.name.startswith("partydash-test-") and not path.exists()
    cycle.open_period(2026, dt.date(2027, 1, 15), province, "quantri", "admin")
    try:
        mine, committee, heads = squatting(sample_rows)
        upload = return_bytes(province, XA, 2026, mine, committee, heads, is_sample=True)
        at = signed_in("xa", "nop_bao_cao")
        before = (settings.PARQUET_DIR / "CURRENT").read_bytes()
        at.file_uploader(key="submit_upload-0").set_value([("bao-cao-2026.xlsx", upload, "application/zip")])
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        # the copied branch on «Chi bộ» and its row on «Sinh hoạt chi bộ»: the last of each (data from row 7)
        assert any("Tệp có 2 lỗi" in e.value for e in at.error), [e.value for e in at.error]
        (table,) = [d.value for d in at.table]  # a static table: the messages wrap
        row = 6 + len(mine)
        assert table[["Trang", "Dòng", "Cột"]].values.tolist() == [
            ["Chi bộ", str(row), "B"],
            ["Sinh hoạt chi bộ", str(row), "B"],
        ]
        message = table["Nội dung lỗi"][0]
        assert message.startswith(f"Mã chi bộ «{OWNER}.001» không thuộc đơn vị {XA}: đây là mã của một chi bộ thuộc")
        assert (settings.PARQUET_DIR / "CURRENT").read_bytes() == before
    finally:
        shutil.rmtree(path.parent)


def test_the_squat_is_refused_and_the_owner_submits_its_own(sample_store, province, sample_rows, tmp_path):
    """The issue's order: xa submits first (refused: a file with errors is no submission, nothing written), then 01279 submits its
    own return and it is accepted; 01279.001's admission rate is its own: 2026 admissions over its 2025 members."""
    root = tmp_path / "parquet"
    shutil.copytree(sample_store, root, symlinks=True)
    cycle.open_period(2026, dt.date(2027, 1, 15), province, "quantri", "admin", root=root)
    mine, committee, heads = squatting(sample_rows)
    squat = check_files(
        [("xa.xlsx", return_bytes(province, XA, 2026, mine, committee, heads, is_sample=True))],
        province,
        parallel=False,
    )
    found = [(f.sheet, f.row, f.column, f.rule) for f in squat.refused["xa.xlsx"]]
    row = 6 + len(mine)  # the copied branch on «Chi bộ» and its row on «Sinh hoạt chi bộ»
    assert found == [("Chi bộ", row, "B", "foreign_branch"), ("Sinh hoạt chi bộ", row, "B", "foreign_branch")]
    before = current_snapshot(root)
    with pytest.raises(ValueError, match="Tệp có 2 lỗi nên không nộp được"):
        reporting.submit_return(2026, squat, "xa", "commune", XA, province, root)
    assert current_snapshot(root) == before

    own, own_committee, own_heads = sample_rows[(OWNER, 2025)]
    first = dict(own[0], admitted=3, members=own[0]["members"] + 3, good=own[0]["good"] + 3)
    owner = check_files(
        [
            (
                "ntc.xlsx",
                return_bytes(province, OWNER, 2026, [first, *own[1:]], own_committee, own_heads, is_sample=True),
            )
        ],
        province,
        parallel=False,
    )
    assert not owner.refused, owner.refused
    assert reporting.submit_return(2026, owner, "ntc", "commune", OWNER, province, root).startswith("Đã nộp")
    got = data.indicator(
        "admission_rate", Filters(years=(2026,), units=(OWNER,)), Scope.province(), by=("branch",), root=root
    )
    row = got.filter(pl.col("branch_code") == f"{OWNER}.001").row(0, named=True)
    assert (row["unit_code"], row["numerator"], row["denominator"]) == (OWNER, 3, own[0]["members"])


def test_every_sheet_keyed_by_a_branch_code_is_checked(province, tmp_path):
    """A committee member, a village head or a branch's meetings of another unit's branch are refused at their own
    cell, once (not also as «not on the sheet «Chi bộ»»): every sheet keyed by «Mã chi bộ» is checked the same way."""
    b = branch(f"{XA}.001", "tt_cap_tren", "xom", good=3, resident_members=3)
    m = member("BT-1", f"{OWNER}.001", "bi_thu", "trung_cap", True, "biet")
    h = {"branch_code": f"{OWNER}.002", **dict.fromkeys(HEAD_ROLES, "khong_co")}
    meetings = full_meetings([b, dict(b, branch_code=f"{OWNER}.003")])
    data = return_bytes(province, XA, 2026, [b], [m], [h], meetings=meetings, unit_fields=FULL_UNIT_FIELDS)
    (result,) = parse_returns([("xa.xlsx", data)], province)
    got = sorted((f.sheet, f.row, f.column, f.rule) for f in result.findings if f.severity == "error")
    assert got == [
        ("Cấp uỷ", 7, "C", "foreign_branch"),
        ("Sinh hoạt chi bộ", 8, "B", "foreign_branch"),
        ("Trưởng xóm, đoàn thể", 7, "B", "foreign_branch"),
    ]


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        (1273.084, f"{XA}.084"),
        ("1273.084", f"{XA}.084"),
        (f"{XA}.084", f"{XA}.084"),
        ("04-UBND.220", None),
        ("84", None),
    ],
)
def test_a_new_branch_is_coded_in_its_units_space(province, typed, read):
    """What an office types for a new branch: the next code after its last («01273.084»), which Excel may have
    turned into the number 1273.084 (read back as typed); a code of another unit, or a bare number, is refused."""
    rows = [branch(f"{XA}.001", "co_so", "dang", good=2), branch(typed, "co_so", "dang", good=1)]
    (result,) = parse_returns([("xa.xlsx", return_bytes(province, XA, 2025, rows))], province)
    if read is None:
        (f,) = [f for f in result.findings if f.severity == "error"]
        assert (f.row, f.column, f.rule) == (8, "B", "foreign_branch")
        assert f"mã bắt đầu bằng «{XA}.» (chi bộ mới: mã tiếp theo, ví dụ «{XA}.002»" in f.message
    else:
        assert result.branches["branch_code"].to_list() == [f"{XA}.001", read]


def test_the_template_keeps_typed_codes_as_text(province):
    """The code column of the blank template is formatted as text, so a typed «01273.084» stays what was typed."""
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(return_bytes(province, XA, 2026)))
    ws = wb["Chi bộ"]
    assert ws.column_dimensions["B"].number_format == "@"


@pytest.mark.parametrize(
    "province_code, unit, rows, example",
    [("04", "01279", 0, "01279.001"), ("04", XA, 2, f"{XA}.003"), ("12", "03390", 0, "03390.001")],
)
def test_the_instructions_show_a_new_code_in_the_units_own_space(province_code, unit, rows, example):
    """The instructions' example of a new branch's code is the unit's next free one (it was Cao Bằng's «01273.084»
    in every unit's template, a Lai Châu commune's too: a code the rule refuses there)."""
    import io

    import openpyxl

    from etl.province import load_province

    prov = load_province(province_code)
    branches = [branch(f"{unit}.{i:03d}", "co_so", "dang", good=2) for i in range(1, rows + 1)]
    wb = openpyxl.load_workbook(io.BytesIO(return_bytes(prov, unit, 2026, branches)))
    text = "\n".join(str(r[0].value) for r in wb["Hướng dẫn"].iter_rows() if r[0].value)
    assert f"(ví dụ {example})" in text
    assert "01273.084" not in text


# ------------------------------------------------------------------------------------------------ the joins

# A store written before the rule (or by hand): in 2025 xa (A) named «01279.001», which Nùng Trí Cao (B) also names.
#
#  year unit code        members admitted   committee
#  2024 A    01273.001   35      0
#  2024 B    01279.001   54      0
#  2025 A    01273.001   37      2          1 secretary
#  2025 A    01279.001    5      1          1 secretary (A's)
#  2025 B    01279.001   58      4          1 secretary (B's)
#
# Admission rate 2025 (admitted / members of the same branch of the same unit the year before):
#   A: 01273.001 2/35; A's 01279.001 has no 2024 row of A's: left out          → A 2/35
#   B: 01279.001 4/54                                                           → B 4/54
#   province 6/89.  Joined on (year, code) only, A's 01279.001 took B's 54: A 3/89, province 7/143.
LEGACY = [
    (XA, 2024, [branch(f"{XA}.001", "co_so", "dang", good=35)], []),
    (OWNER, 2024, [branch(f"{OWNER}.001", "co_so", "dang", good=54)], []),
    (
        XA,
        2025,
        [
            branch(f"{XA}.001", "co_so", "dang", good=37, admitted=2),
            branch(f"{OWNER}.001", "co_so", "nha_nuoc", good=5, admitted=1),
        ],
        [
            member("A-BT", f"{XA}.001", "bi_thu", "trung_cap", True, "biet"),
            member("A-BT2", f"{OWNER}.001", "bi_thu", "so_cap", False, "biet"),
        ],
    ),
    (
        OWNER,
        2025,
        [branch(f"{OWNER}.001", "co_so", "dang", good=58, admitted=4)],
        [member("B-BT", f"{OWNER}.001", "bi_thu", "cao_cap", True, "biet")],
    ),
]


@pytest.fixture(scope="module")
def legacy_store(province, tmp_path_factory) -> Path:
    """LEGACY written as it would have been before the rule: parsed in this process with the rule switched off,
    committed with the store's own writer (which now keeps a branch per unit, so both returns of 2025 load)."""
    root = tmp_path_factory.mktemp("legacy") / "parquet"
    files = [(f"{y}_{u}.xlsx", return_bytes(province, u, y, b, c)) for u, y, b, c in LEGACY]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(etl.annual_return, "check_own_branches", lambda *a, **k: None)
        parsed = parse_returns(files, province)
    assert all(not isinstance(p, Exception) for p in parsed), parsed
    commit(parsed, province, "test", root, replace_all=True)
    data.clear_cache()
    return root


def _rate(root: Path, by: tuple[str, ...]) -> list[tuple]:
    df = data.indicator("admission_rate", Filters(years=(2025,)), Scope.province(), by=by, root=root)
    return df.select(*[data.BY_COLUMNS[b] for b in by], "numerator", "denominator").rows()


def test_a_branch_joins_its_own_units_previous_year(legacy_store):
    assert _rate(legacy_store, ("unit",)) == [(XA, 2, 35), (OWNER, 4, 54)]
    assert _rate(legacy_store, ()) == [(6, 89)]


def test_committee_members_join_their_own_units_branch(legacy_store):
    """Each member once, with its own branch's type: A's secretary of «01279.001» is in A's state-office branch, not
    also in B's party-agency branch of the same code."""
    cur = db.cursor(legacy_store)
    members = cur.sql(
        "select unit_code, person_id, branch_type from int_committee_member where year = 2025 order by person_id"
    ).fetchall()
    assert members == [(XA, "A-BT", "dang"), (XA, "A-BT2", "nha_nuoc"), (OWNER, "B-BT", "dang")]
    gaps = cur.sql(
        "select unit_code, branch_code, secretary_untrained from int_branch_gaps where year = 2025 order by all"
    ).fetchall()
    assert gaps == [(XA, f"{XA}.001", False), (XA, f"{OWNER}.001", True), (OWNER, f"{OWNER}.001", False)]


@pytest.mark.slow
def test_the_owners_return_is_not_refused_for_a_code_another_unit_named(legacy_store, province, tmp_path):
    """With the squatter's 2025 row in the store, Nùng Trí Cao re-loads its 2025 return: accepted."""
    root = tmp_path / "parquet"
    shutil.copytree(legacy_store, root, symlinks=True)
    u, y, b, c = LEGACY[3]
    rep = load_files([("ntc.xlsx", return_bytes(province, u, y, b, c))], "test", province, root=root)
    assert rep.ok, rep.messages()


@pytest.mark.slow
def test_two_returns_of_one_unit_still_may_not_both_name_a_branch(province, tmp_path):
    """Before 2025 a unit reports as the communes merged into it: those returns may not both name one branch."""
    import io

    import openpyxl

    def old(name: str) -> bytes:
        wb = openpyxl.load_workbook(
            io.BytesIO(return_bytes(province, XA, 2023, [branch(f"{XA}.001", "co_so", "dang", good=2)]))
        )
        wb["Thông tin"]["B4"] = None
        wb["Thông tin"]["B5"] = name
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    names = [o.name for o in province.old_units if o.new_code == XA][:2]
    assert len(names) == 2
    rep = load_files([(f"{n}.xlsx", old(n)) for n in names], "test", province, root=tmp_path / "parquet")
    assert not rep.ok
    (msg,) = [f.text() for fs in rep.refused.values() for f in fs if f.severity == "error"]
    assert "Mã chi bộ «01273.001» đã có trong một báo cáo khác của đơn vị cùng năm" in msg and "dòng 7, cột B" in msg


# ----------------------------------------------------------------------------------------------- the contract

_JOIN_ON = re.compile(
    r"\bjoin\b.*?\bon\b(.*?)(?=\b(?:left|right|inner|full|cross|join|where|group|order|having|union)\b|\)|$)",
    re.S | re.I,
)
_USING = re.compile(r"\busing\s*\(([^)]*)\)", re.I)
_IN_SELECT = re.compile(r"(\([^()]*\)|\w+)\s+in\s*\(\s*select\b", re.I)


def join_conditions(sql: str) -> list[str]:
    """Every join condition, `using` list and `… in (select …)` test of a SQL text (comments removed)."""
    sql = re.sub(r"--[^\n]*", "", sql)
    return [*_JOIN_ON.findall(sql), *_USING.findall(sql), *_IN_SELECT.findall(sql)]


def _python_sql() -> dict[str, str]:
    """The SQL written inside Python (dashboard/, reports/, etl/): every string constant that joins or sub-selects."""
    import ast

    out = {}
    for folder in ("dashboard", "reports", "etl", "pages"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and re.search(r"\bjoin\b|\bin\s*\(\s*select", node.value, re.I)
                ):
                    out[f"{path.relative_to(ROOT)}:{node.lineno}"] = node.value
                if isinstance(node, ast.JoinedStr):
                    text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
                    if re.search(r"\bjoin\b|\bin\s*\(\s*select", text, re.I):
                        out[f"{path.relative_to(ROOT)}:{node.lineno}"] = text
    return out


@pytest.mark.slow
def test_every_join_on_a_branch_carries_its_unit():
    """A branch is its unit's and its code together: a join, `using` or sub-select on branch_code names unit_code
    too — in every view of queries/ and in the SQL written inside Python."""
    texts = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in (ROOT / "queries").glob("*/*.sql")}
    texts |= _python_sql()
    wrong = {
        where: cond.strip()
        for where, sql in texts.items()
        for cond in join_conditions(sql)
        if "branch_code" in cond and "unit_code" not in cond
    }
    assert wrong == {}
    # not vacuous: the checker finds the joins there are, and would catch one without the unit
    assert sum("branch_code" in c for sql in texts.values() for c in join_conditions(sql)) >= 8
    assert join_conditions("select * from a left join b on a.year = b.year and a.branch_code = b.branch_code where x")
