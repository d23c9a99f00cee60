"""The annual return: its sheets and columns (template and reader share this) and the validated frame schemas."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

import dataframely as dy
import polars as pl

from etl.codes import code_list
from etl.settings import MAPPINGS_DIR
from etl.text import key


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # Vietnamese header as written in the template
    kind: str  # "text" | "int" | "code" | "year" | "ignore"
    domain: str = ""  # for kind == "code": the code domain (etl/mappings/codes.csv)
    required: bool = False
    group: str = ""  # the merged header above it in the template ("" = none)
    width: int = 14
    help: str = ""


@dataclass(frozen=True)
class SheetSpec:
    key: str
    name: str  # sheet name in the template
    title: str  # title row above the table ("… năm {year}")
    columns: tuple[Column, ...]
    required: bool = True

    def col(self, k: str) -> Column:
        return next(c for c in self.columns if c.key == k)


INFO_FIELDS = {  # sheet «Thông tin»: label in column A, value in column B
    "unit_code": "Mã đơn vị (mã ĐVHC 5 chữ số, hoặc mã đảng bộ trực thuộc)",
    "unit_name": "Tên đảng bộ",
    "year": "Năm báo cáo",
    "report_date": "Ngày lập báo cáo",
    "prepared_by": "Bộ phận lập báo cáo",
}

BRANCHES = SheetSpec(
    "branches",
    "Chi bộ",
    "DANH SÁCH CHI BỘ VÀ KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI NĂM {year}",
    (
        Column("stt", "STT", "ignore", width=5),
        Column("branch_code", "Mã chi bộ", "text", required=True, width=14),
        Column("branch_name", "Tên chi bộ", "text", required=True, width=34),
        Column("level", "Cấp chi bộ", "code", "level", required=True, width=30),
        Column("branch_type", "Loại hình", "code", "branch_type", required=True, width=30),
        Column("border", "Xóm biên giới", "code", "yes_no", width=10),
        Column("members", "Tổng số đảng viên", "int", required=True, width=10),
        Column("resident_members", "Đảng viên tại chỗ", "int", width=10, help="Bắt buộc với chi bộ xóm, tổ dân phố"),
        Column("rating", "Xếp loại chi bộ", "code", "rating", width=14, help="Để trống nếu chi bộ chưa được xếp loại"),
        Column("exempt", "Miễn đánh giá", "int", group="Đánh giá, xếp loại đảng viên", width=9),
        Column("not_rated", "Chưa đánh giá", "int", group="Đánh giá, xếp loại đảng viên", width=9),
        Column("excellent", "HTXSNV", "int", group="Đánh giá, xếp loại đảng viên", width=9),
        Column("good", "HTTNV", "int", group="Đánh giá, xếp loại đảng viên", width=9),
        Column("completed", "HTNV", "int", group="Đánh giá, xếp loại đảng viên", width=9),
        Column("not_completed", "Không HTNV", "int", group="Đánh giá, xếp loại đảng viên", width=9),
        Column("admitted", "Kết nạp mới trong năm", "int", width=10),
        Column("internet", "Internet", "code", "internet", required=True, group="Hạ tầng", width=13),
        Column("computer", "Máy tính", "code", "yes_no", required=True, group="Hạ tầng", width=9),
        Column(
            "ehandbook", "Dùng Sổ tay đảng viên điện tử", "code", "yes_no", required=True, group="Hạ tầng", width=12
        ),
    ),
)

COMMITTEE = SheetSpec(
    "committee",
    "Cấp uỷ",
    "CẤP UỶ CHI BỘ NĂM {year} (không ghi họ tên)",
    (
        Column("stt", "STT", "ignore", width=5),
        Column("person_id", "Mã cán bộ", "text", width=16, help="Mã ẩn danh do đảng bộ đặt; không ghi họ tên"),
        Column("branch_code", "Mã chi bộ", "text", required=True, width=14),
        Column("role", "Chức vụ", "code", "role", required=True, width=13),
        Column("professional", "Trình độ chuyên môn", "code", "professional", required=True, width=16),
        Column("theory", "Lý luận chính trị", "code", "theory", required=True, width=16),
        Column("training", "Bồi dưỡng nghiệp vụ công tác Đảng", "code", "training", required=True, width=14),
        Column("training_year", "Năm bồi dưỡng", "year", width=10),
        Column("it", "Tin học", "code", "it", required=True, width=16),
        Column("also_village_head", "Trưởng xóm, tổ trưởng TDP", "code", "yes_no", group="Kiêm nhiệm", width=11),
        Column("also_front_head", "Trưởng ban công tác Mặt trận", "code", "yes_no", group="Kiêm nhiệm", width=11),
        Column("also_other", "Chức danh khác", "code", "yes_no", group="Kiêm nhiệm", width=11),
    ),
)

HEADS = SheetSpec(
    "heads",
    "Trưởng xóm, đoàn thể",
    "NGƯỜI ĐỨNG ĐẦU XÓM, ĐOÀN THỂ LÀ ĐẢNG VIÊN NĂM {year}",
    (
        Column("stt", "STT", "ignore", width=5),
        Column("branch_code", "Mã chi bộ", "text", required=True, width=14),
        Column("branch_name", "Tên chi bộ", "ignore", width=30),
        *(
            Column(c, lbl, "code", "head_status", required=True, group="Là đảng viên?", width=13)
            for c, lbl in [
                ("truong_xom", "Trưởng xóm, tổ trưởng TDP"),
                ("truong_ban_ctmt", "Trưởng ban công tác Mặt trận"),
                ("hoi_nong_dan", "Chi hội trưởng Hội Nông dân"),
                ("hoi_phu_nu", "Chi hội trưởng Hội Phụ nữ"),
                ("hoi_ccb", "Chi hội trưởng Hội Cựu chiến binh"),
                ("bi_thu_doan", "Bí thư chi đoàn thanh niên"),
            ]
        ),
    ),
)

DATA_SHEETS = (BRANCHES, COMMITTEE, HEADS)
HEAD_ROLES = tuple(code_list("head_role"))  # the six village heads, in sheet order
MEMBER_COUNTS = ("exempt", "not_rated", "excellent", "good", "completed", "not_completed")
GRADE_COUNTS = ("excellent", "good", "completed", "not_completed")


@cache
def header_aliases(sheet_key: str) -> dict[str, str]:
    """key(spelling) -> column key for one sheet: the template header, the group+header, and committed aliases."""
    spec = next(s for s in DATA_SHEETS if s.key == sheet_key)
    out: dict[str, str] = {}
    for c in spec.columns:
        out[key(c.header)] = c.key
        if c.group:
            out[key(c.group + " " + c.header)] = c.key
    with open(MAPPINGS_DIR / "column_aliases.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["sheet"] == sheet_key:
                out[key(r["alias"])] = r["column"]
    return out


def _enum(domain: str, nullable: bool = False) -> dy.Column:
    return dy.Enum(code_list(domain), nullable=nullable)


class BranchSchema(dy.Schema):
    """One branch in one year, as loaded (grain: year × branch_code)."""

    year = dy.Int16(primary_key=True, min=2000, max=2100)
    branch_code = dy.String(primary_key=True, min_length=1)
    unit_code = dy.String(nullable=False)
    branch_name = dy.String(nullable=False, min_length=1)
    level = _enum("level")
    branch_type = _enum("branch_type")
    border = dy.Bool(nullable=False)
    members = dy.Int32(nullable=False, min=0)
    resident_members = dy.Int32(nullable=True, min=0)
    rating = _enum("rating", nullable=True)
    exempt = dy.Int32(nullable=False, min=0)
    not_rated = dy.Int32(nullable=False, min=0)
    excellent = dy.Int32(nullable=False, min=0)
    good = dy.Int32(nullable=False, min=0)
    completed = dy.Int32(nullable=False, min=0)
    not_completed = dy.Int32(nullable=False, min=0)
    admitted = dy.Int32(nullable=False, min=0)
    internet = _enum("internet")
    computer = dy.Bool(nullable=False)
    ehandbook = dy.Bool(nullable=False)
    excel_row = dy.Int32(nullable=False)

    @dy.rule()
    def members_add_up(cls) -> pl.Expr:
        return pl.col("members") == pl.sum_horizontal(*MEMBER_COUNTS)

    @dy.rule()
    def resident_le_members(cls) -> pl.Expr:
        return pl.col("resident_members").is_null() | (pl.col("resident_members") <= pl.col("members"))

    @dy.rule()
    def village_has_resident(cls) -> pl.Expr:
        return (pl.col("branch_type") != "xom") | pl.col("resident_members").is_not_null()

    @dy.rule()
    def admitted_le_members(cls) -> pl.Expr:
        return pl.col("admitted") <= pl.col("members")


class CommitteeSchema(dy.Schema):
    """One member of a branch committee in one year (anonymous id; grain: year × person_id)."""

    year = dy.Int16(primary_key=True, min=2000, max=2100)
    person_id = dy.String(primary_key=True, min_length=1)
    unit_code = dy.String(nullable=False)
    branch_code = dy.String(nullable=False)
    role = _enum("role")
    professional = _enum("professional")
    theory = _enum("theory")
    trained = dy.Bool(nullable=False)
    training_year = dy.Int16(nullable=True, min=1960, max=2100)
    it = _enum("it")
    also_village_head = dy.Bool(nullable=False)
    also_front_head = dy.Bool(nullable=False)
    also_other = dy.Bool(nullable=False)
    excel_row = dy.Int32(nullable=False)

    @dy.rule()
    def training_year_not_after_report(cls) -> pl.Expr:
        return pl.col("training_year").is_null() | (pl.col("training_year") <= pl.col("year"))


class HeadsSchema(dy.Schema):
    """Whether each of the six village heads is a party member (grain: year × branch_code)."""

    year = dy.Int16(primary_key=True, min=2000, max=2100)
    branch_code = dy.String(primary_key=True)
    unit_code = dy.String(nullable=False)
    truong_xom = _enum("head_status")
    truong_ban_ctmt = _enum("head_status")
    hoi_nong_dan = _enum("head_status")
    hoi_phu_nu = _enum("head_status")
    hoi_ccb = _enum("head_status")
    bi_thu_doan = _enum("head_status")
    excel_row = dy.Int32(nullable=False)


# Vietnamese text of every rule and column check, for the validation report.
RULE_MESSAGES = {
    "members_add_up": "Tổng số đảng viên ({members}) khác tổng miễn + chưa đánh giá + các mức xếp loại ({parts}).",
    "resident_le_members": "Số đảng viên tại chỗ ({resident_members}) lớn hơn tổng số đảng viên ({members}).",
    "village_has_resident": "Chi bộ xóm, tổ dân phố phải ghi số đảng viên tại chỗ.",
    "admitted_le_members": "Số kết nạp mới ({admitted}) lớn hơn tổng số đảng viên ({members}).",
    "training_year_not_after_report": "Năm bồi dưỡng ({training_year}) sau năm báo cáo ({year}).",
    "primary_key": "Mã bị trùng: mỗi mã chỉ được xuất hiện một lần trong năm.",
    "min": "Giá trị âm hoặc nhỏ hơn mức cho phép.",
    "nullability": "Ô bắt buộc đang để trống.",
}
