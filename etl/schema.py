"""The annual return: its sheets and columns (template and reader share this) and the validated frame schemas."""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from functools import cache

import dataframely as dy
import polars as pl

from etl.codes import code_list
from etl.settings import MAPPINGS_DIR, MAX_CODE_CHARS, MAX_NAME_CHARS
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
    nullable: bool = False  # an empty cell is «not reported» (None), never 0 or «Không»
    required_from: int | None = None  # from this report year an empty cell is an error
    aliases: tuple[str, ...] = ()  # other headers it may have (beside column_aliases.csv: for columns made from data)
    max_chars: int = MAX_NAME_CHARS  # kind == "text": the longest text it takes (etl/settings.py names each kind)
    wording: str = "label"  # kind == "code": the codes.csv column the template writes and lists ("label", "short")


@dataclass(frozen=True)
class SheetSpec:
    key: str
    name: str  # sheet name in the template
    title: str  # title row above the table ("… năm {year}")
    columns: tuple[Column, ...]
    required: bool = True
    from_year: int | None = None  # sheets added later: a return of this year or after must have it (None: as ever)
    table: str = ""  # sheets added later: the store table of its rows

    def col(self, k: str) -> Column:
        return next(c for c in self.columns if c.key == k)


# The first report year whose return must have the sheet «Sinh hoạt chi bộ» and the committee's own meeting fields
# on «Thông tin» (2026: the first year of Đề án 03-ĐA/TU; a 2025 baseline copied from the minute books may have them).
MEETINGS_FROM = 2026

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
        Column("branch_code", "Mã chi bộ", "text", required=True, width=14, max_chars=MAX_CODE_CHARS),
        Column("branch_name", "Tên chi bộ", "text", required=True, width=34),
        Column("level", "Cấp chi bộ", "code", "level", required=True, width=30),
        Column("branch_type", "Loại hình", "code", "branch_type", required=True, width=30),
        Column("border", "Xóm biên giới", "code", "yes_no", width=10),
        Column("members", "Tổng số đảng viên", "int", required=True, width=10),
        Column(
            "resident_members",
            "Đảng viên tại chỗ",
            "int",
            width=10,
            help="Bắt buộc với chi bộ xóm, tổ dân phố",
            nullable=True,
        ),
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
        # Last, so that the columns of returns made before it keep their letters.
        Column(
            "parent_code",
            "Trực thuộc (mã đảng bộ)",
            "text",
            width=16,
            help="Chi bộ trực thuộc đảng uỷ cơ sở: mã đảng bộ cơ sở; chi bộ trực thuộc đảng bộ bộ phận: mã đảng bộ bộ "
            "phận (trang «Tổ chức cơ sở đảng»). Chi bộ cơ sở và chi bộ trực thuộc đảng uỷ xã, phường: để trống",
        ),
    ),
)

COMMITTEE = SheetSpec(
    "committee",
    "Cấp uỷ",
    "CẤP UỶ CHI BỘ NĂM {year} (không ghi họ tên)",
    (
        Column("stt", "STT", "ignore", width=5),
        Column(
            "person_id",
            "Mã cán bộ",
            "text",
            width=16,
            help="Mã ẩn danh do đảng bộ đặt; không ghi họ tên",
            max_chars=MAX_CODE_CHARS,
        ),
        Column("branch_code", "Mã chi bộ", "text", required=True, width=14, max_chars=MAX_CODE_CHARS),
        Column("role", "Chức vụ", "code", "role", required=True, width=13),
        Column("professional", "Trình độ chuyên môn", "code", "professional", required=True, width=16),
        Column("theory", "Lý luận chính trị", "code", "theory", required=True, width=16),
        Column("training", "Bồi dưỡng nghiệp vụ công tác Đảng", "code", "training", required=True, width=14),
        Column("training_year", "Năm bồi dưỡng", "year", width=10, nullable=True),
        Column("it", "Tin học", "code", "it", required=True, width=16),
        Column("also_village_head", "Trưởng xóm, tổ trưởng TDP", "code", "yes_no", group="Kiêm nhiệm", width=11),
        Column("also_front_head", "Trưởng ban công tác Mặt trận", "code", "yes_no", group="Kiêm nhiệm", width=11),
        Column("also_other", "Chức danh khác", "code", "yes_no", group="Kiêm nhiệm", width=11),
    ),
)

HEAD_ROLES = tuple(code_list("head_role"))  # the six village heads, in sheet order (codes.csv: their one home)
HEADS = SheetSpec(
    "heads",
    "Trưởng xóm, đoàn thể",
    "NGƯỜI ĐỨNG ĐẦU XÓM, ĐOÀN THỂ LÀ ĐẢNG VIÊN NĂM {year}",
    (
        Column("stt", "STT", "ignore", width=5),
        Column("branch_code", "Mã chi bộ", "text", required=True, width=14, max_chars=MAX_CODE_CHARS),
        Column("branch_name", "Tên chi bộ", "ignore", width=30),
        *(
            Column(c, lbl, "code", "head_status", required=True, group="Là đảng viên?", width=13)
            for c, lbl in zip(
                HEAD_ROLES,
                (
                    "Trưởng xóm, tổ trưởng TDP",
                    "Trưởng ban công tác Mặt trận",
                    "Chi hội trưởng Hội Nông dân",
                    "Chi hội trưởng Hội Phụ nữ",
                    "Chi hội trưởng Hội Cựu chiến binh",
                    "Bí thư chi đoàn thanh niên",
                ),
                strict=True,
            )
        ),
    ),
)

# The party organisations between the committee and its branches (the organisation tree, issue 30): each đảng bộ
# cơ sở with its own rating, and each đảng bộ bộ phận with the đảng bộ cơ sở it belongs to. A chi bộ cơ sở is a
# branch (sheet «Chi bộ», level «Chi bộ cơ sở»): it is a grassroots organisation too, rated on that sheet. The sheet
# is optional in every year: a return without it describes its branches only, as before.
ORGS_FROM = 2026  # the template has the sheet from this report year; a return of any year may have it
ORGS = SheetSpec(
    "orgs",
    "Tổ chức cơ sở đảng",
    "ĐẢNG BỘ CƠ SỞ, ĐẢNG BỘ BỘ PHẬN VÀ KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI NĂM {year}",
    (
        Column("stt", "STT", "ignore", width=5),
        Column(
            "org_code", "Mã tổ chức", "text", required=True, width=14, help="Mã do đảng bộ đặt, không trùng mã chi bộ"
        ),
        Column("org_name", "Tên tổ chức", "text", required=True, width=40),
        Column("org_kind", "Loại tổ chức", "code", "org_kind", required=True, width=18),
        Column(
            "parent_code",
            "Trực thuộc (mã đảng bộ)",
            "text",
            width=16,
            help="Đảng bộ cơ sở: để trống (trực thuộc đảng uỷ báo cáo); đảng bộ bộ phận: mã đảng bộ cơ sở",
        ),
        # A đảng bộ's type in the branch types' short wording («Cơ quan Nhà nước»): their label names a chi bộ
        # («Chi bộ thuộc loại hình …»). One domain: the reader takes either wording (and every alias) to one code.
        Column("org_type", "Loại hình", "code", "branch_type", required=True, width=30, wording="short"),
        Column(
            "rating",
            "Xếp loại tổ chức",
            "code",
            "rating",
            width=14,
            help="Xếp loại của chính đảng bộ cơ sở (không phải cộng các chi bộ); để trống nếu chưa xếp loại. Đảng bộ "
            "bộ phận không xếp loại: để trống",
        ),
    ),
    required=False,
    table="org_year",
)

# The committee's own duty (Đề án 03-ĐA/TU, target (6)): fields of «Thông tin» below the identity fields, from 2026.
UNIT_FIELDS = (
    Column(
        "materials_months",
        "Số tháng đảng bộ biên soạn, phát hành tài liệu sinh hoạt chi bộ thường kỳ",
        "int",
        nullable=True,
        required_from=MEETINGS_FROM,
        help="Từ 0 đến 12: số tháng trong năm đảng bộ biên soạn, phát hành tài liệu tuyên truyền phục vụ sinh hoạt "
        "chi bộ thường kỳ",
    ),
    Column(
        "thematic_orientation",
        "Đã định hướng nội dung sinh hoạt chuyên đề cho từng loại hình chi bộ trực thuộc",
        "code",
        "yes_no",
        nullable=True,
        required_from=MEETINGS_FROM,
    ),
)

_MEETING_GROUPS = {
    "regular": "Sinh hoạt thường kỳ",
    "thematic": "Sinh hoạt chuyên đề, diễn đàn",
    "attendance": "Lượt đảng viên dự (cộng các kỳ thường kỳ)",
    "quality": "Chất lượng kỳ sinh hoạt thường kỳ (số kỳ)",
    "tasks": "Nghị quyết, phân công",
    "support": "Tài liệu, cấp uỷ cấp trên",
    "rules": "Quy chế, chương trình",
    "judged": "Đánh giá của cấp uỷ cấp trên",
}


def _count(
    key: str, header: str, group: str, help: str = "", width: int = 10, nullable: bool = True, required: bool = True
) -> Column:
    """A yearly count of the meetings sheet: blank is «not reported» (nullable; a 2025 baseline may lack it), an
    error from 2026 (required); not nullable: blank is 0."""
    return Column(
        key,
        header,
        "int",
        group=_MEETING_GROUPS[group],
        width=width,
        help=help,
        nullable=nullable,
        required_from=MEETINGS_FROM if nullable and required else None,
    )


@cache
def meetings_sheet(levels: tuple[str, ...], fixed_day: bool = False) -> SheetSpec:
    """The sheet «Sinh hoạt chi bộ» (one row per branch, the year's totals from the minute book): its level
    columns are the province's levels (etl/criteria.py, highest first); the column of meetings held on the
    province's fixed day only where the province fixes one."""
    g = _MEETING_GROUPS
    return SheetSpec(
        "meetings",
        "Sinh hoạt chi bộ",
        "TÌNH HÌNH SINH HOẠT CHI BỘ NĂM {year} (số liệu cả năm theo sổ biên bản họp chi bộ)",
        (
            Column("stt", "STT", "ignore", width=5),
            Column("branch_code", "Mã chi bộ", "text", required=True, width=14, max_chars=MAX_CODE_CHARS),
            Column("branch_name", "Tên chi bộ", "ignore", width=30),
            Column(
                "months_due",
                "Số tháng phải sinh hoạt",
                "int",
                group=g["regular"],
                width=10,
                nullable=True,
                help="Để trống là 12. Ghi ít hơn 12 nếu chi bộ thành lập, sáp nhập, giải thể trong năm",
            ),
            Column("regular_held", "Số tháng có sinh hoạt", "int", required=True, group=g["regular"], width=10),
            *([_count("on_fixed_day", "Số kỳ đúng ngày sinh hoạt thống nhất", "regular")] if fixed_day else []),
            _count(
                "thematic_quarters",
                "Số quý có sinh hoạt chuyên đề",
                "thematic",
                "Từ 0 đến 4: quý có ít nhất 1 kỳ chuyên đề (kể cả kỳ kết hợp với sinh hoạt thường kỳ)",
            ),
            _count("forums", "Số diễn đàn đã tổ chức", "thematic"),
            *(
                # No blank check of its own: the attendance rules of MeetingSchema say it in one message.
                _count(k, h, "attendance", "Không tính đảng viên được miễn công tác, sinh hoạt đảng", required=False)
                for k, h in (
                    ("att_present", "Có mặt"),
                    ("att_excused", "Vắng có lý do"),
                    ("att_unexcused", "Vắng không lý do"),
                )
            ),
            _count("q_scored", "Số kỳ được chấm điểm", "quality", "Số kỳ thường kỳ được chấm điểm, xếp loại"),
            *(
                replace(
                    _count(f"q_level{i + 1}", name, "quality", width=8, nullable=False),
                    aliases=(f"Xếp loại {name}", f"Mức {name}", f"Số kỳ xếp loại {name}", f"Số kỳ đạt mức {name}"),
                )
                for i, name in enumerate(levels)
            ),
            _count("res_assigned", "Số tháng có nghị quyết (kết luận) phân công đảng viên", "tasks", width=12),
            _count("members_assigned", "Số đảng viên được phân công nhiệm vụ", "tasks", width=12),
            _count("bulletin_meetings", "Số kỳ sử dụng Bản tin Thông báo nội bộ", "support", width=12),
            _count(
                "higher_quarters",
                "Số quý có cấp uỷ viên cấp trên dự sinh hoạt",
                "support",
                "Từ 0 đến 4: quý có ít nhất 1 kỳ sinh hoạt có đồng chí cấp uỷ viên cấp trên trực tiếp dự và chỉ đạo",
                width=12,
            ),
            Column(
                "rules_year",
                "Năm ban hành (sửa đổi) quy chế làm việc",
                "year",
                group=g["rules"],
                width=11,
                nullable=True,
                help="Để trống nếu chi bộ chưa ban hành quy chế làm việc",
            ),
            *(
                Column(
                    k,
                    h,
                    "code",
                    "yes_no",
                    group=g["rules"],
                    width=11,
                    help=hp,
                    nullable=True,
                    required_from=MEETINGS_FROM,
                )
                for k, h, hp in (
                    (
                        "term_docs",
                        "Đủ văn bản đầu nhiệm kỳ",
                        "Quy chế làm việc; chương trình hành động; chương trình công tác, chương trình kiểm tra, giám "
                        "sát toàn khoá; phân công nhiệm vụ cấp uỷ viên",
                    ),
                    (
                        "year_programme",
                        "Đủ chương trình, kế hoạch năm",
                        "Chương trình công tác năm; chương trình kiểm tra, giám sát năm; phân công nhiệm vụ đảng viên",
                    ),
                )
            ),
            Column(
                "procedure_ok",
                "Đầy đủ nội dung, đúng quy trình sinh hoạt",
                "code",
                "yes_no",
                group=g["judged"],
                width=12,
                nullable=True,
                required_from=MEETINGS_FROM,
                help="Cấp uỷ cấp trên trực tiếp đánh giá qua dự, kiểm tra sinh hoạt và sổ biên bản; «Có» khi không "
                "có kỳ nào thiếu bước theo hướng dẫn",
            ),
            Column(
                "pilot",
                "Chi bộ điểm chỉ đạo",
                "code",
                "pilot",
                group=g["judged"],
                width=16,
                help="Để trống là «Không». Chỉ đảng bộ xã, phường chọn chi bộ điểm",
            ),
        ),
        from_year=MEETINGS_FROM,
        table="branch_meeting",
    )


DEFAULT_LEVELS = ("Tốt", "Khá", "Trung bình", "Kém")  # the default criteria's levels (etl/criteria.py)
MEETINGS = meetings_sheet(DEFAULT_LEVELS)

DATA_SHEETS = (BRANCHES, COMMITTEE, HEADS, MEETINGS, ORGS)
MEMBER_COUNTS = ("exempt", "not_rated", "excellent", "good", "completed", "not_completed")
GRADE_COUNTS = ("excellent", "good", "completed", "not_completed")  # the members rated (int_branch_year)
# «Hoàn thành tốt nhiệm vụ trở lên», the one Python home of the rule for a return not yet in the store (warnings,
# previews, versions); the SQL views say the same (ind_branch_good.sql, ind_member_good.sql; tests/test_one_home.py
# holds them equal): a branch or organisation rated «xuất sắc» or «tốt», a member counted «xuất sắc» or «tốt».
GOOD_RATINGS = ("xs", "tot")
GOOD_GRADES = ("excellent", "good")


def rated_members() -> pl.Expr:
    """A branch's members rated (any grade)."""
    return pl.sum_horizontal(*GRADE_COUNTS)


def good_members() -> pl.Expr:
    """A branch's members rated good or better."""
    return pl.sum_horizontal(*GOOD_GRADES)


def good_share(good: float, rated: float) -> float | None:
    """The share (0–100) of those rated good or better; None when nothing is rated (0 / 0 is no figure)."""
    return good / rated * 100 if rated else None


def good_branch_share(df: pl.DataFrame) -> float | None:
    """Of a return's rated branches, the share rated good or better (ind_branch_good)."""
    rated = df.filter(pl.col("rating").is_not_null())
    return good_share(rated.filter(pl.col("rating").is_in(GOOD_RATINGS)).height, rated.height)


def good_member_share(df: pl.DataFrame) -> float | None:
    """Of a return's rated members, the share rated good or better (ind_member_good: sum / sum over its branches)."""
    good, rated = df.select(good_members().sum().alias("good"), rated_members().sum().alias("rated")).row(0)
    return good_share(int(good or 0), int(rated or 0))


@cache
def header_aliases(sheet: str | SheetSpec) -> dict[str, str]:
    """key(spelling) -> column key for one sheet (its spec, or the key of a sheet of DATA_SHEETS): the template
    header, the group+header, and committed aliases."""
    spec = sheet if isinstance(sheet, SheetSpec) else next(s for s in DATA_SHEETS if s.key == sheet)
    sheet_key = spec.key
    out: dict[str, str] = {}
    for c in spec.columns:
        for h in (c.header, *c.aliases):
            out[key(h)] = c.key
            if c.group:
                out[key(c.group + " " + h)] = c.key
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


class OrgSchema(dy.Schema):
    """A đảng bộ cơ sở or đảng bộ bộ phận in one year (grain: year × org_code, within its unit)."""

    year = dy.Int16(primary_key=True, min=2000, max=2100)
    org_code = dy.String(primary_key=True, min_length=1)
    unit_code = dy.String(nullable=False)
    org_name = dy.String(nullable=False, min_length=1)
    org_kind = _enum("org_kind")
    parent_code = dy.String(nullable=True)
    org_type = _enum("branch_type")
    rating = _enum("rating", nullable=True)
    excel_row = dy.Int32(nullable=False)


class BranchParentSchema(dy.Schema):
    """The đảng bộ a branch belongs to (column «Trực thuộc» of «Chi bộ»), for the branches that name one (grain:
    year × branch_code, within its unit; a branch directly under the reporting committee has no row)."""

    year = dy.Int16(primary_key=True, min=2000, max=2100)
    branch_code = dy.String(primary_key=True, min_length=1)
    unit_code = dy.String(nullable=False)
    parent_code = dy.String(nullable=False, min_length=1)


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
    locals().update({role: _enum("head_status") for role in HEAD_ROLES})  # one column per village head
    excel_row = dy.Int32(nullable=False)


LEVEL_SLOTS = tuple(f"q_level{i}" for i in range(1, 7))  # meetings by level, highest first (etl.criteria.MAX_LEVELS)
ATTENDANCE = ("att_present", "att_excused", "att_unexcused")
_HELD_BOUND = ("on_fixed_day", "res_assigned", "bulletin_meetings", "q_scored")  # each at most the months held


def _le_held(col: str) -> pl.Expr:
    return pl.col(col).is_null() | (pl.col(col) <= pl.col("regular_held"))


def _at_most(col: str, top: int) -> pl.Expr:
    return pl.col(col).is_null() | (pl.col(col) <= top)


def _attendance() -> tuple[pl.Expr, pl.Expr]:
    """(whether any attendance count is typed, their sum with blanks as 0)."""
    typed = pl.any_horizontal(*(pl.col(c).is_not_null() for c in ATTENDANCE))
    return typed, pl.sum_horizontal(*(pl.col(c).fill_null(0) for c in ATTENDANCE))


class MeetingSchema(dy.Schema):
    """A branch's meetings in one year, the year's totals from its minute book (grain: year × branch_code).
    A null is «not reported» (a 2025 baseline may lack what did not exist then); from 2026 the cross-checks
    refuse blanks where the sheet requires a figure."""

    year = dy.Int16(primary_key=True, min=2000, max=2100)
    branch_code = dy.String(primary_key=True, min_length=1)
    unit_code = dy.String(nullable=False)
    months_due = dy.Int32(nullable=False)
    regular_held = dy.Int32(nullable=False, min=0)
    on_fixed_day = dy.Int32(nullable=True, min=0)
    thematic_quarters = dy.Int32(nullable=True, min=0)
    forums = dy.Int32(nullable=True, min=0)
    att_present = dy.Int32(nullable=True, min=0)
    att_excused = dy.Int32(nullable=True, min=0)
    att_unexcused = dy.Int32(nullable=True, min=0)
    q_scored = dy.Int32(nullable=True, min=0)
    q_level1 = dy.Int32(nullable=True, min=0)
    q_level2 = dy.Int32(nullable=True, min=0)
    q_level3 = dy.Int32(nullable=True, min=0)
    q_level4 = dy.Int32(nullable=True, min=0)
    q_level5 = dy.Int32(nullable=True, min=0)
    q_level6 = dy.Int32(nullable=True, min=0)
    q_good = dy.Int32(nullable=True, min=0)  # the levels that count as «tốt trở lên» (etl.criteria), summed
    res_assigned = dy.Int32(nullable=True, min=0)
    members_assigned = dy.Int32(nullable=True, min=0)
    bulletin_meetings = dy.Int32(nullable=True, min=0)
    higher_quarters = dy.Int32(nullable=True, min=0)
    rules_year = dy.Int16(nullable=True)
    term_docs = dy.Bool(nullable=True)
    year_programme = dy.Bool(nullable=True)
    procedure_ok = dy.Bool(nullable=True)
    pilot = _enum("pilot")
    excel_row = dy.Int32(nullable=False)

    @dy.rule()
    def months_due_range(cls) -> pl.Expr:
        return pl.col("months_due").is_between(1, 12)

    @dy.rule()
    def held_le_due(cls) -> pl.Expr:
        return pl.col("regular_held") <= pl.col("months_due")

    @dy.rule()
    def fixed_day_le_held(cls) -> pl.Expr:
        return _le_held("on_fixed_day")

    @dy.rule()
    def resolutions_le_held(cls) -> pl.Expr:
        return _le_held("res_assigned")

    @dy.rule()
    def bulletin_le_held(cls) -> pl.Expr:
        return _le_held("bulletin_meetings")

    @dy.rule()
    def scored_le_held(cls) -> pl.Expr:
        return _le_held("q_scored")

    @dy.rule()
    def levels_add_up(cls) -> pl.Expr:
        return pl.sum_horizontal(*(pl.col(c).fill_null(0) for c in LEVEL_SLOTS)) == pl.col("q_scored").fill_null(0)

    @dy.rule()
    def thematic_quarters_range(cls) -> pl.Expr:
        return _at_most("thematic_quarters", 4)

    @dy.rule()
    def higher_quarters_range(cls) -> pl.Expr:
        return _at_most("higher_quarters", 4)

    @dy.rule()
    def forums_range(cls) -> pl.Expr:
        return _at_most("forums", 12)

    @dy.rule()
    def attendance_missing(cls) -> pl.Expr:
        typed, _ = _attendance()
        return typed | (pl.col("regular_held") == 0) | (pl.col("year") < MEETINGS_FROM)

    @dy.rule()
    def attendance_below_held(cls) -> pl.Expr:
        typed, total = _attendance()
        return ~typed | (pl.col("regular_held") == 0) | (total >= pl.col("regular_held"))

    @dy.rule()
    def attendance_without_meeting(cls) -> pl.Expr:
        _, total = _attendance()
        return (pl.col("regular_held") > 0) | (total == 0)

    @dy.rule()
    def rules_year_range(cls) -> pl.Expr:
        return pl.col("rules_year").is_null() | pl.col("rules_year").is_between(1990, pl.col("year"))


class UnitYearSchema(dy.Schema):
    """The committee's own meeting fields of «Thông tin» in one year (grain: year × unit_code)."""

    year = dy.Int16(primary_key=True, min=2000, max=2100)
    unit_code = dy.String(primary_key=True)
    materials_months = dy.Int32(nullable=True, min=0, max=12)
    thematic_orientation = dy.Bool(nullable=True)


# The column a rule's finding names (a rule of one column check, «col|min», names its own).
RULE_COLUMNS = {
    "members_add_up": "members",
    "resident_le_members": "resident_members",
    "village_has_resident": "resident_members",
    "admitted_le_members": "admitted",
    "training_year_not_after_report": "training_year",
    "months_due_range": "months_due",
    "held_le_due": "regular_held",
    "fixed_day_le_held": "on_fixed_day",
    "resolutions_le_held": "res_assigned",
    "bulletin_le_held": "bulletin_meetings",
    "scored_le_held": "q_scored",
    "levels_add_up": "q_scored",
    "thematic_quarters_range": "thematic_quarters",
    "higher_quarters_range": "higher_quarters",
    "forums_range": "forums",
    "attendance_missing": "att_present",
    "attendance_below_held": "att_present",
    "attendance_without_meeting": "att_present",
    "rules_year_range": "rules_year",
}

# Vietnamese text of every rule and column check, for the validation report.
RULE_MESSAGES = {
    "members_add_up": "Tổng số đảng viên ({members}) khác tổng miễn + chưa đánh giá + các mức xếp loại ({parts}).",
    "resident_le_members": "Số đảng viên tại chỗ ({resident_members}) lớn hơn tổng số đảng viên ({members}).",
    "village_has_resident": "Chi bộ xóm, tổ dân phố phải ghi số đảng viên tại chỗ.",
    "admitted_le_members": "Số kết nạp mới ({admitted}) lớn hơn tổng số đảng viên ({members}).",
    "training_year_not_after_report": "Năm bồi dưỡng ({training_year}) sau năm báo cáo ({year}).",
    "months_due_range": "Số tháng phải sinh hoạt ({months_due}) phải từ 1 đến 12 (để trống là 12).",
    "held_le_due": "Số tháng có sinh hoạt ({regular_held}) lớn hơn số tháng phải sinh hoạt ({months_due}).",
    "fixed_day_le_held": "Số kỳ đúng ngày sinh hoạt thống nhất ({on_fixed_day}) lớn hơn số tháng có sinh hoạt "
    "({regular_held}).",
    "resolutions_le_held": "Số tháng có nghị quyết (kết luận) phân công đảng viên ({res_assigned}) lớn hơn số tháng có "
    "sinh hoạt ({regular_held}).",
    "bulletin_le_held": "Số kỳ sử dụng Bản tin Thông báo nội bộ ({bulletin_meetings}) lớn hơn số tháng có sinh hoạt "
    "({regular_held}).",
    "scored_le_held": "Số kỳ được chấm điểm ({q_scored}) lớn hơn số tháng có sinh hoạt ({regular_held}).",
    "levels_add_up": "Số kỳ theo các mức xếp loại ({parts}) khác số kỳ được chấm điểm ({q_scored}).",
    "thematic_quarters_range": "Số quý có sinh hoạt chuyên đề phải từ 0 đến 4 (ghi {thematic_quarters}).",
    "higher_quarters_range": "Số quý có cấp uỷ viên cấp trên dự sinh hoạt phải từ 0 đến 4 (ghi {higher_quarters}).",
    "forums_range": "Số diễn đàn trong năm phải từ 0 đến 12 (ghi {forums}).",
    "attendance_missing": "Chi bộ có sinh hoạt ({regular_held} tháng) nhưng không ghi lượt đảng viên dự (có mặt, vắng "
    "có lý do, vắng không lý do): hãy cộng các kỳ trong sổ biên bản.",
    "attendance_below_held": "Tổng lượt có mặt, vắng có lý do, vắng không lý do ({attendance}) ít hơn số tháng có "
    "sinh hoạt ({regular_held}).",
    "attendance_without_meeting": "Không có tháng nào có sinh hoạt nhưng có ghi lượt đảng viên dự ({attendance}).",
    "rules_year_range": "Năm ban hành quy chế làm việc ({rules_year}) phải từ 1990 đến năm báo cáo ({year}).",
    "required_from": "Ô này bắt buộc từ báo cáo năm {year}: ghi số liệu (ghi 0 hoặc «Không» nếu không có); để "
    "trống là chưa báo cáo.",
    "primary_key": "Mã bị trùng: mỗi mã chỉ được xuất hiện một lần trong năm.",
    "min": "Giá trị âm hoặc nhỏ hơn mức cho phép.",
    "nullability": "Ô bắt buộc đang để trống.",
}
