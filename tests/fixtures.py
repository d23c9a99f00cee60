"""Hand-made returns small enough to compute every indicator by hand, and a builder that loads them into a store.

The tiny store has two communes — 01273 (phường Thục Phán, «A») and 01279 (phường Nùng Trí Cao, «B») — in 2024 and
2025. Every number the tests expect is derived from the rows below; the comments next to each row are there so a
reader can redo the arithmetic without running anything."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

A, B = "01273", "01279"

_BRANCH_DEFAULTS = {
    "border": False,
    "resident_members": None,
    "rating": None,
    "exempt": 0,
    "not_rated": 0,
    "excellent": 0,
    "good": 0,
    "completed": 0,
    "not_completed": 0,
    "admitted": 0,
    "internet": "on_dinh",
    "computer": True,
    "ehandbook": True,
}
_MEMBER_DEFAULTS = {
    "professional": "dai_hoc",
    "training_year": None,
    "also_village_head": False,
    "also_front_head": False,
    "also_other": False,
}


def branch(code: str, level: str, branch_type: str, **kw) -> dict:
    """A branch row with the counts given; members is their sum, so the return always adds up. Its name is «Chi bộ»
    and the code's own part («01273.A1» → «Chi bộ A1»)."""
    row = {
        "branch_code": code,
        "branch_name": f"Chi bộ {str(code).split('.')[-1] if code else code}",
        "level": level,
        "branch_type": branch_type,
        **_BRANCH_DEFAULTS,
        **kw,
    }
    row["members"] = sum(row[k] for k in ("exempt", "not_rated", "excellent", "good", "completed", "not_completed"))
    return row


def member(person_id: str, branch_code: str, role: str, theory: str, trained: bool, it: str, **kw) -> dict:
    """One committee member (anonymous id)."""
    return {
        "person_id": person_id,
        "branch_code": branch_code,
        "role": role,
        "theory": theory,
        "trained": trained,
        "it": it,
        **_MEMBER_DEFAULTS,
        **kw,
    }


def heads(branch_code: str, *statuses: str) -> dict:
    """The six village heads in sheet order: truong_xom, truong_ban_ctmt, hoi_nong_dan, hoi_phu_nu, hoi_ccb,
    bi_thu_doan; each dang_vien / khong / khong_co."""
    roles = ("truong_xom", "truong_ban_ctmt", "hoi_nong_dan", "hoi_phu_nu", "hoi_ccb", "bi_thu_doan")
    assert len(statuses) == len(roles)
    return {"branch_code": branch_code, **dict(zip(roles, statuses))}


DV, KH, KC = "dang_vien", "khong", "khong_co"

# ---------------------------------------------------------------------------------------------- the returns
# Branches (members = exempt + not_rated + excellent + good + completed + not_completed):
#
#  year branch unit level       type      rating  ex nr xs tot ht kht = members rated resid adm internet  pc  ehb
#  2024 A1     A    tt_co_so    xom       xs       1  0  3   5  1   0 = 10       9     8     1   chua_co   no  no
#  2024 A2     A    tt_co_so    xom       tot      0  0  0   3  1   0 =  4       4     2     0   k_on_dinh no  yes
#  2024 A3     A    co_so       dang      ht       2  1  4  10  2   1 = 20      17     -     2   on_dinh   yes yes
#  2024 B1     B    tt_co_so    xom       kht      0  0  0   4  1   1 =  6       6     3     0   chua_co   no  no
#  2024 B2     B    co_so       nha_nuoc  -        2  0  6  20  2   0 = 30      28     -     3   on_dinh   yes no
#  2025 A1     A    tt_cap_tren xom       tot      1  0  4   5  1   0 = 11      10     9     1   k_on_dinh yes yes
#  2025 A2     A    tt_cap_tren xom       xs       0  1  1   1  0   0 =  3       2     2     0   chua_co   no  no
#  2025 A3     A    co_so       dang      tot      2  0  5  12  2   1 = 22      20     -     2   on_dinh   yes yes
#  2025 B1     B    tt_cap_tren xom       -        0  6  0   0  0   0 =  6       0     6     0   chua_co   no  yes
#  2025 B2     B    co_so       nha_nuoc  -        0  0  5  22  2   1 = 30      30     -     0   on_dinh   yes no
#  2025 B3     B    tt_cap_tren xom       ht       0  0  0   1  1   0 =  2       2     2     2   on_dinh   no  no
#
# B3 is new in 2025 (no 2024 row): it has no start-of-year members. In 2025 no branch of B is rated but B3.
BRANCHES = {
    (2024, A): [
        branch(
            "01273.A1",
            "tt_co_so",
            "xom",
            resident_members=8,
            rating="xs",
            exempt=1,
            excellent=3,
            good=5,
            completed=1,
            admitted=1,
            internet="chua_co",
            computer=False,
            ehandbook=False,
            border=True,
        ),
        branch(
            "01273.A2",
            "tt_co_so",
            "xom",
            resident_members=2,
            rating="tot",
            good=3,
            completed=1,
            internet="khong_on_dinh",
            computer=False,
            ehandbook=True,
        ),
        branch(
            "01273.A3",
            "co_so",
            "dang",
            rating="ht",
            exempt=2,
            not_rated=1,
            excellent=4,
            good=10,
            completed=2,
            not_completed=1,
            admitted=2,
        ),
    ],
    (2024, B): [
        branch(
            "01279.B1",
            "tt_co_so",
            "xom",
            resident_members=3,  # exactly at the limit: not «fewer than 3»
            rating="kht",
            good=4,
            completed=1,
            not_completed=1,
            internet="chua_co",
            computer=False,
            ehandbook=False,
        ),
        branch(
            "01279.B2",
            "co_so",
            "nha_nuoc",
            rating=None,
            exempt=2,
            excellent=6,
            good=20,
            completed=2,
            admitted=3,
            ehandbook=False,
        ),
    ],
    (2025, A): [
        branch(
            "01273.A1",
            "tt_cap_tren",
            "xom",
            resident_members=9,
            rating="tot",
            exempt=1,
            excellent=4,
            good=5,
            completed=1,
            admitted=1,
            internet="khong_on_dinh",
            border=True,
        ),
        branch(
            "01273.A2",
            "tt_cap_tren",
            "xom",
            resident_members=2,
            rating="xs",
            not_rated=1,
            excellent=1,
            good=1,
            internet="chua_co",
            computer=False,
            ehandbook=False,
        ),
        branch(
            "01273.A3",
            "co_so",
            "dang",
            rating="tot",
            exempt=2,
            excellent=5,
            good=12,
            completed=2,
            not_completed=1,
            admitted=2,
        ),
    ],
    (2025, B): [
        branch(
            "01279.B1",
            "tt_cap_tren",
            "xom",
            resident_members=6,
            rating=None,
            not_rated=6,
            internet="chua_co",
            computer=False,
            ehandbook=True,
        ),
        branch(
            "01279.B2",
            "co_so",
            "nha_nuoc",
            rating=None,
            excellent=5,
            good=22,
            completed=2,
            not_completed=1,
            ehandbook=False,
        ),
        branch(
            "01279.B3",
            "tt_cap_tren",
            "xom",
            resident_members=2,
            rating="ht",
            good=1,
            completed=1,
            admitted=2,
            computer=False,
            ehandbook=False,
        ),
    ],
}

# Committee members (bt = bí thư, pbt = phó bí thư, cuv = chi uỷ viên); theory, trained, IT, concurrent posts:
#
#  year person     branch role theory    trained it          village_head front_head other
#  2024 24-A1-BT   A1     bt   trung_cap yes     biet        yes          no         no
#  2024 24-A1-PBT  A1     pbt  so_cap    no      chua_biet
#  2024 24-A2-BT   A2     bt   so_cap    no      thanh_thao  no           yes        yes
#  2024 24-A3-BT   A3     bt   cao_cap   yes     thanh_thao
#  2024 24-A3-PBT  A3     pbt  trung_cap yes     biet
#  2024 24-A3-CUV  A3     cuv  chua_co   no      chua_biet
#  2024 24-B1-BT   B1     bt   chua_co   yes     chua_biet   yes          yes        no
#  2024 24-B2-BT   B2     bt   so_cap    no      biet
#  2024 24-B2-PBT1 B2     pbt  trung_cap yes     biet
#  2024 24-B2-PBT2 B2     pbt  so_cap    no      chua_biet
#  2025 25-A1-BT   A1     bt   trung_cap yes     biet        yes          yes        no
#  2025 25-A1-PBT  A1     pbt  so_cap    yes     biet
#  2025 25-A2-BT   A2     bt   so_cap    no      chua_biet   no           no         no
#  2025 25-A3-BT   A3     bt   cao_cap   yes     thanh_thao
#  2025 25-A3-PBT  A3     pbt  trung_cap no      biet
#  2025 25-B1-BT   B1     bt   chua_co   no      biet        no           yes        yes
#  2025 25-B2-BT   B2     bt   trung_cap yes     thanh_thao
#  2025 25-B2-PBT1 B2     pbt  so_cap    yes     biet
#  (B3 has no committee in 2025: a village branch without a secretary.)
COMMITTEE = {
    (2024, A): [
        member("24-A1-BT", "01273.A1", "bi_thu", "trung_cap", True, "biet", also_village_head=True, training_year=2020),
        member("24-A1-PBT", "01273.A1", "pho_bi_thu", "so_cap", False, "chua_biet"),
        member("24-A2-BT", "01273.A2", "bi_thu", "so_cap", False, "thanh_thao", also_front_head=True, also_other=True),
        member("24-A3-BT", "01273.A3", "bi_thu", "cao_cap", True, "thanh_thao"),
        member("24-A3-PBT", "01273.A3", "pho_bi_thu", "trung_cap", True, "biet"),
        member("24-A3-CUV", "01273.A3", "chi_uy_vien", "chua_co", False, "chua_biet"),
    ],
    (2024, B): [
        member(
            "24-B1-BT", "01279.B1", "bi_thu", "chua_co", True, "chua_biet", also_village_head=True, also_front_head=True
        ),
        member("24-B2-BT", "01279.B2", "bi_thu", "so_cap", False, "biet"),
        member("24-B2-PBT1", "01279.B2", "pho_bi_thu", "trung_cap", True, "biet"),
        member("24-B2-PBT2", "01279.B2", "pho_bi_thu", "so_cap", False, "chua_biet"),
    ],
    (2025, A): [
        member(
            "25-A1-BT", "01273.A1", "bi_thu", "trung_cap", True, "biet", also_village_head=True, also_front_head=True
        ),
        member("25-A1-PBT", "01273.A1", "pho_bi_thu", "so_cap", True, "biet"),
        member("25-A2-BT", "01273.A2", "bi_thu", "so_cap", False, "chua_biet"),
        member("25-A3-BT", "01273.A3", "bi_thu", "cao_cap", True, "thanh_thao"),
        member("25-A3-PBT", "01273.A3", "pho_bi_thu", "trung_cap", False, "biet"),
    ],
    (2025, B): [
        member("25-B1-BT", "01279.B1", "bi_thu", "chua_co", False, "biet", also_front_head=True, also_other=True),
        member("25-B2-BT", "01279.B2", "bi_thu", "trung_cap", True, "thanh_thao"),
        member("25-B2-PBT1", "01279.B2", "pho_bi_thu", "so_cap", True, "biet"),
    ],
}

# Village heads (DV = là đảng viên, KH = không, KC = không có chức danh này):
#
#  year branch truong_xom truong_ban_ctmt hoi_nong_dan hoi_phu_nu hoi_ccb bi_thu_doan
#  2024 A1     DV         KH              DV           KC         DV      KH
#  2024 A2     KH         DV              KH           KH         KC      KC
#  2024 B1     DV         DV              KC           DV         KH      DV
#  2025 A1     DV         DV              DV           DV         DV      KH
#  2025 A2     DV         KH              KC           KH         DV      KC
#  2025 B1     KH         DV              DV           KC         KC      KH
#  2025 B3     KH         KH              KC           KC         KC      KC
HEADS = {
    (2024, A): [heads("01273.A1", DV, KH, DV, KC, DV, KH), heads("01273.A2", KH, DV, KH, KH, KC, KC)],
    (2024, B): [heads("01279.B1", DV, DV, KC, DV, KH, DV)],
    (2025, A): [heads("01273.A1", DV, DV, DV, DV, DV, KH), heads("01273.A2", DV, KH, KC, KH, DV, KC)],
    (2025, B): [heads("01279.B1", KH, DV, DV, KC, KC, KH), heads("01279.B3", KH, KH, KC, KC, KC, KC)],
}

# Meetings (sheet «Sinh hoạt chi bộ»), 2025 only: a baseline copied from the minute books (the sheet is asked from
# 2026). B did not copy what it had no record of (scoring, the start-of-term documents, the committee above's
# judgement): blank, «not reported». Members due = members − exempt (A1 10, A2 3, A3 20, B1 6, B2 30, B3 2).
#
#  branch due held them. forums present exc unexc scored Tốt Khá res assigned bulletin higher rules term prog proc pilot
#  A1     12  12   4      1      108    10  2     12     11  1   12  10       12       2      2025  Có   Có   Có   thường kỳ
#  A2     12  11   3      0       30     3  0     11     10  1   11   3       11       0      -     Không Có  Không cả hai
#  A3     12  12   4      2      204    36  0     12     12  0   11  19       12       4      2021  Có   Có   Có   -
#  B1     12  12   2      0       60    10  2     -      -   -   12   6        5       1      2025  -    -    -    thường kỳ
#  B2     12  12   4      1      330    30  0     -      -   -   12  30       12       4      2020  -    -    -    thường kỳ
#  B3      6   6   2      0       12     0  0     -      -   -    6   2        6       1      -     -    -    -    thường kỳ
#
# Pilots: A 2 regular (A1, A2) and 1 thematic (A2); B 3 regular, 0 thematic. The committees' own fields: A compiled
# materials 12 months and set the themes; B 10 months and set them.
_MEETING_KEYS = (
    "branch_code months_due regular_held thematic_quarters forums att_present att_excused att_unexcused q_scored "
    "q_level1 q_level2 res_assigned members_assigned bulletin_meetings higher_quarters rules_year term_docs "
    "year_programme procedure_ok pilot"
).split()


def _meetings(unit: str, *rows: tuple) -> list[dict]:
    """Meeting rows of a unit's branches, named by their own part («A1» is «01273.A1»)."""
    return [dict(zip(_MEETING_KEYS, (f"{unit}.{r[0]}", *r[1:]))) for r in rows]


TINY_MEETINGS = {
    (2025, A): (
        _meetings(
            A,
            ("A1", 12, 12, 4, 1, 108, 10, 2, 12, 11, 1, 12, 10, 12, 2, 2025, True, True, True, "thuong_ky"),
            ("A2", 12, 11, 3, 0, 30, 3, 0, 11, 10, 1, 11, 3, 11, 0, None, False, True, False, "ca_hai"),
            ("A3", 12, 12, 4, 2, 204, 36, 0, 12, 12, 0, 11, 19, 12, 4, 2021, True, True, True, None),
        ),
        {"materials_months": 12, "thematic_orientation": True},
    ),
    (2025, B): (
        _meetings(
            B,
            ("B1", 12, 12, 2, 0, 60, 10, 2, None, None, None, 12, 6, 5, 1, 2025, None, None, None, "thuong_ky"),
            ("B2", 12, 12, 4, 1, 330, 30, 0, None, None, None, 12, 30, 12, 4, 2020, None, None, None, "thuong_ky"),
            ("B3", 6, 6, 2, 0, 12, 0, 0, None, None, None, 6, 2, 6, 1, None, None, None, None, "thuong_ky"),
        ),
        {"materials_months": 10, "thematic_orientation": True},
    ),
}

TINY_RETURNS = [
    (unit, year, BRANCHES[(year, unit)], COMMITTEE[(year, unit)], HEADS[(year, unit)]) for (year, unit) in BRANCHES
]

# ----------------------------------------------------------------------------------- the organisation tree
# A store of three communes in 2025 whose grassroots organisations can be counted by hand (issue 30). A's return
# lists its đảng bộ on the sheet «Tổ chức cơ sở đảng»; B has a branch under a đảng uỷ cơ sở but no such sheet (its
# grassroots organisations are not described); C has no branch under any đảng bộ and no sheet (its chi bộ cơ sở are
# all of them).
#
#  unit node  kind / level  parent  type       rating  members (good)   grassroots org  directly under the unit
#  A    D1    đảng bộ cơ sở  -      su_nghiep  ht      -                D1              yes
#  A    P1    đảng bộ bộ phận D1    su_nghiep  -       -                D1              -
#  A    D2    đảng bộ cơ sở  -      nha_nuoc   xs      -                D2              yes
#  A    A3    co_so          -      dang       tot     4                A3              yes
#  A    T1    tt_co_so       D1     su_nghiep  xs      5                (D1)            -
#  A    T2    tt_co_so       D1     su_nghiep  tot     6                (D1)            -
#  A    T3    tt_bo_phan     P1     su_nghiep  tot     3                (D1)            -
#  A    T4    tt_co_so       D2     nha_nuoc   kht     7                (D2)            -
#  A    V1    tt_cap_tren    -      xom        tot     8                -               yes
#  A    V2    tt_cap_tren    -      xom        ht      3                -               yes
#  B    B5    co_so          -      nha_nuoc   tot     10               (not described)
#  B    B6    tt_co_so       -      su_nghiep  tot     6                (not described)
#  C    C1    co_so          -      dang       xs      9                C1              yes
#  C    C2    co_so          -      nha_nuoc   -       5                C2 (not rated)  yes
#
# (Codes in their unit's code space: «01273.D1», «01273.T1».) D1 is rated HTNV although all three of its branches are rated HTTNV or better; D2 HTXSNV although its only branch
# failed: each counts as itself. Grassroots organisations rated: A 3 (D1 ht, D2 xs, A3 tot), B none (not described),
# C 1 (C1 xs; C2 not rated).
C = "01288"
TREE_ORGS = [
    {
        "org_code": f"{A}.D1",
        "org_name": "Đảng bộ Trường THPT",
        "org_kind": "db_co_so",
        "org_type": "su_nghiep",
        "rating": "ht",
    },
    {
        "org_code": f"{A}.P1",
        "org_name": "Đảng bộ bộ phận Tổ chuyên môn",
        "org_kind": "db_bo_phan",
        "parent_code": f"{A}.D1",
        "org_type": "su_nghiep",
    },
    {
        "org_code": f"{A}.D2",
        "org_name": "Đảng bộ UBND xã",
        "org_kind": "db_co_so",
        "org_type": "nha_nuoc",
        "rating": "xs",
    },
]
TREE_RETURNS = [
    (
        A,
        2025,
        [
            branch(f"{A}.A3", "co_so", "dang", rating="tot", good=4),
            branch(f"{A}.T1", "tt_co_so", "su_nghiep", rating="xs", good=5, parent_code=f"{A}.D1"),
            branch(f"{A}.T2", "tt_co_so", "su_nghiep", rating="tot", good=6, parent_code=f"{A}.D1"),
            branch(f"{A}.T3", "tt_bo_phan", "su_nghiep", rating="tot", good=3, parent_code=f"{A}.P1"),
            branch(f"{A}.T4", "tt_co_so", "nha_nuoc", rating="kht", good=7, parent_code=f"{A}.D2"),
            branch(f"{A}.V1", "tt_cap_tren", "xom", rating="tot", good=8, resident_members=8),
            branch(f"{A}.V2", "tt_cap_tren", "xom", rating="ht", good=3, resident_members=3),
        ],
        [],
        [],
    ),
    (
        B,
        2025,
        [
            branch(f"{B}.B5", "co_so", "nha_nuoc", rating="tot", good=10),
            branch(f"{B}.B6", "tt_co_so", "su_nghiep", rating="tot", good=6),
        ],
        [],
        [],
    ),
    (
        C,
        2025,
        [branch(f"{C}.C1", "co_so", "dang", rating="xs", good=9), branch(f"{C}.C2", "co_so", "nha_nuoc", good=5)],
        [],
        [],
    ),
]


def office_tree(unit: str) -> tuple[list[dict], list[dict]]:
    """A commune's branches and its sheet «Tổ chức cơ sở đảng» as its office types them (issue 30; invented, in
    the shape of xã Bình Lư's 2025 organisation, document 001): six village branches and two chi bộ cơ sở (police,
    military) directly under the commune; the đảng bộ of the party agencies (3 branches) and of the People's
    Committee (2), both rated; the đảng bộ of the school (its own rating HTNV although its branches did better) with
    two đảng bộ bộ phận of two branches each and one branch directly under it. (branches, orgs), as codes."""
    d01, d02, d03, p01, p02 = (f"{unit}.{k}" for k in ("D01", "D02", "D03", "P01", "P02"))
    villages = [
        branch(f"{unit}.{i:03d}", "tt_cap_tren", "xom", rating=r, good=g, completed=1, resident_members=g)
        for i, (r, g) in enumerate([("tot", 14), ("xs", 21), ("tot", 9), ("ht", 6), ("tot", 17), ("tot", 11)], 1)
    ]
    branches = [
        *villages,
        branch(f"{unit}.007", "co_so", "llvt", rating="xs", good=12),  # Chi bộ Công an xã
        branch(f"{unit}.008", "co_so", "llvt", rating="tot", good=8),  # Chi bộ Quân sự xã
        *(branch(f"{unit}.{i:03d}", "tt_co_so", "dang", rating="tot", good=5, parent_code=d01) for i in (9, 10, 11)),
        *(branch(f"{unit}.{i:03d}", "tt_co_so", "nha_nuoc", rating="xs", good=7, parent_code=d02) for i in (12, 13)),
        branch(f"{unit}.014", "tt_bo_phan", "su_nghiep", rating="tot", good=6, parent_code=p01),
        branch(f"{unit}.015", "tt_bo_phan", "su_nghiep", rating="xs", good=5, parent_code=p01),
        branch(f"{unit}.016", "tt_bo_phan", "su_nghiep", rating="tot", good=7, parent_code=p02),
        branch(f"{unit}.017", "tt_bo_phan", "su_nghiep", rating="tot", good=4, parent_code=p02),
        branch(f"{unit}.018", "tt_co_so", "su_nghiep", rating="tot", good=3, parent_code=d03),
    ]
    names = [
        *(f"Chi bộ bản {n}" for n in ("Nà Phạ", "Sơn Bình", "Bản Hon", "Nà Đon", "Hợp Nhất", "Cốc Phát")),
        "Chi bộ Công an xã",
        "Chi bộ Quân sự xã",
        "Chi bộ Văn phòng Đảng uỷ",
        "Chi bộ Uỷ ban Mặt trận Tổ quốc",
        "Chi bộ các đoàn thể",
        "Chi bộ Văn phòng HĐND và UBND",
        "Chi bộ Phòng Kinh tế",
        "Chi bộ giáo viên khối 1–3",
        "Chi bộ giáo viên khối 4–5",
        "Chi bộ giáo viên khối 6–7",
        "Chi bộ giáo viên khối 8–9",
        "Chi bộ hành chính nhà trường",
    ]
    for b, name in zip(branches, names, strict=True):
        b["branch_name"] = name
    orgs = [
        {"org_code": d01, "org_name": "Đảng bộ các cơ quan Đảng xã", "org_kind": "db_co_so", "org_type": "dang"},
        {"org_code": d02, "org_name": "Đảng bộ Uỷ ban nhân dân xã", "org_kind": "db_co_so", "org_type": "nha_nuoc"},
        {"org_code": d03, "org_name": "Đảng bộ Trường Phổ thông dân tộc bán trú", "org_kind": "db_co_so"},
        {"org_code": p01, "org_name": "Đảng bộ bộ phận khối Tiểu học", "org_kind": "db_bo_phan", "parent_code": d03},
        {"org_code": p02, "org_name": "Đảng bộ bộ phận khối THCS", "org_kind": "db_bo_phan", "parent_code": d03},
    ]
    for o, rating in zip(orgs, ("tot", "xs", "ht", None, None)):
        o.setdefault("org_type", "su_nghiep")
        o["rating"] = rating
    return branches, orgs


# ---------------------------------------------------------------------------------------------- building


def full_meetings(branches) -> list[dict]:
    """«Sinh hoạt chi bộ» rows of a branch that did everything the Đề án asks (every month held, every meeting
    scored «Tốt», every member present and given tasks): what a return from 2026 needs beside the other sheets."""
    rows = []
    for b in branches:
        due = b["members"] - (b.get("exempt") or 0)
        rows.append(
            {
                "branch_code": b["branch_code"],
                "branch_name": b.get("branch_name"),
                "regular_held": 12,
                "thematic_quarters": 4,
                "forums": 1,
                "att_present": 12 * due,
                "att_excused": 0,
                "att_unexcused": 0,
                "q_scored": 12,
                "q_level1": 12,
                "res_assigned": 12,
                "members_assigned": due,
                "bulletin_meetings": 12,
                "higher_quarters": 4,
                "rules_year": 2025,
                "term_docs": True,
                "year_programme": True,
                "procedure_ok": True,
            }
        )
    return rows


FULL_UNIT_FIELDS = {"materials_months": 12, "thematic_orientation": True}


def office_meetings(branches) -> list[dict]:
    """«Sinh hoạt chi bộ» rows as a commune office fills them from the minute books: most branches meet every
    month, some miss one or two; a branch founded in July has 6 months due; attendance near 90%, a few absent
    without reason; part of the meetings scored (the province's tool is new); the higher committee visits some
    villages only; two regular pilots and one thematic pilot; a few blanks where a blank is allowed («Số tháng
    phải sinh hoạt» = 12, «Năm ban hành quy chế» = not issued, «Chi bộ điểm» = no). Deterministic: the i-th
    branch gets the i-th pattern."""
    rows = []
    for i, b in enumerate(branches):
        due_members = b["members"] - (b.get("exempt") or 0)
        months_due = 6 if i == 5 else None  # blank = 12
        held = 6 if i == 5 else (12 if i % 7 else 11) - (i % 11 == 3)
        present = round(held * due_members * (0.86 + (i % 5) * 0.03))
        excused = held * due_members - present - (1 if i % 9 == 2 else 0)
        scored = held if i % 3 else held - 4
        good = scored - (i % 4)
        rows.append(
            {
                "branch_code": b["branch_code"],
                "branch_name": b.get("branch_name"),
                "months_due": months_due,
                "regular_held": held,
                "thematic_quarters": 4 if i % 4 else 3,
                "forums": 1 if i % 2 else 0,
                "att_present": present,
                "att_excused": max(excused, 0),
                "att_unexcused": 1 if i % 9 == 2 else 0,
                "q_scored": scored,
                "q_level1": good,
                "q_level2": scored - good,
                "res_assigned": held - (i % 6 == 1),
                "members_assigned": due_members - (i % 8 == 4),
                "bulletin_meetings": held - (i % 5),
                "higher_quarters": [0, 1, 2, 4][i % 4] if b.get("branch_type") == "xom" else 4,
                "rules_year": None if i % 10 == 9 else 2025,
                "term_docs": i % 12 != 7,
                "year_programme": True,
                "procedure_ok": i % 6 != 0,
                "pilot": {1: "thuong_ky", 8: "ca_hai", 20: "chuyen_de"}.get(i),
            }
        )
    return rows


def meetings_of(branches) -> dict:
    """The keyword arguments of `write_return` that complete a return from 2026: every branch's meetings as
    `full_meetings`, the committee's own fields done."""
    return {"meetings": full_meetings(branches), "unit_fields": FULL_UNIT_FIELDS}


def return_bytes(
    province,
    unit_code: str,
    year: int,
    branches=(),
    committee=(),
    heads=(),
    meetings=None,
    unit_fields=None,
    is_sample: bool = False,
    orgs=None,
) -> bytes:
    """One annual return workbook, written with the product's own template writer (from 2026 with its meetings
    sheet: the rows given, else every branch as `full_meetings`; `is_sample`: marked as the sample's, for a copy of
    the sample store: a store of one kind refuses the other)."""
    from etl.schema import MEETINGS_FROM
    from forms.template import write_return

    buf = io.BytesIO()
    if meetings is None and year >= MEETINGS_FROM:
        meetings, unit_fields = full_meetings(branches), FULL_UNIT_FIELDS
    write_return(
        buf,
        province,
        province.unit_by_code[unit_code],
        year,
        branches=branches,
        committee=committee,
        heads=heads,
        meetings=meetings,
        unit_fields=unit_fields,
        is_sample=is_sample,
        orgs=orgs,
    )
    return buf.getvalue()


def build_store(root: Path, returns, province=None, meetings=None, orgs=None) -> Path:
    """Write each (unit, year, branches, committee, heads[, meeting rows, committee fields]) as a workbook and load
    them all into a store at root; `meetings`: (year, unit) -> (meeting rows, committee fields) for the returns
    given as five; `orgs`: (year, unit) -> the rows of its sheet «Tổ chức cơ sở đảng»."""
    from etl.load import load_files
    from etl.province import load_province

    province = province or load_province("04")
    files = [
        (
            f"{r[1]}_{r[0]}.xlsx",
            return_bytes(
                province,
                *r[:5],
                *(r[5:] or (meetings or {}).get((r[1], r[0]), (None, None))),
                orgs=(orgs or {}).get((r[1], r[0])),
            ),
        )
        for r in returns
    ]
    rep = load_files(files, "test", province, root=root, replace_all=True)
    assert rep.ok, rep.messages()
    return root


def province_of(codes) -> object:
    """Cao Bằng's configuration cut down to some units: a store built with it expects only those units to report
    (int_year_coverage), so its years are complete and stand for «the province»."""
    from dataclasses import replace

    from etl.province import load_province

    full = load_province("04")
    return replace(full, units=[u for u in full.units if u.code in set(codes)])


_built: dict[str, Path] = {}


@pytest.fixture(scope="session")
def tiny_store(tmp_path_factory) -> Path:
    """The two-commune store above (built once per session, whichever test module asks first): two of Cao Bằng's
    60 units, so its years are incomplete for the province."""
    if "tiny" not in _built:
        _built["tiny"] = build_store(tmp_path_factory.mktemp("tiny"), TINY_RETURNS, meetings=TINY_MEETINGS)
    return _built["tiny"]


@pytest.fixture(scope="session")
def tiny_province_store(tmp_path_factory) -> Path:
    """The same returns in a province made of A and B only: every year is complete, so the province-wide progress
    is computed from them."""
    if "tiny_province" not in _built:
        _built["tiny_province"] = build_store(
            tmp_path_factory.mktemp("tinyprov"), TINY_RETURNS, province_of((A, B)), meetings=TINY_MEETINGS
        )
    return _built["tiny_province"]


@pytest.fixture(scope="session")
def tree_store(tmp_path_factory) -> Path:
    """The three communes of the organisation tree above (2025), in a province made of them (complete year)."""
    if "tree" not in _built:
        _built["tree"] = build_store(
            tmp_path_factory.mktemp("tree"), TREE_RETURNS, province_of((A, B, C)), orgs={(2025, A): TREE_ORGS}
        )
    return _built["tree"]


NATIONAL_PROVINCES = ("04", "20")  # Cao Bằng (56 communes) and its neighbour Lạng Sơn (65)


@pytest.fixture(scope="session")
def national_store(tmp_path_factory) -> Path:
    """A small national deployment (code «00»): every commune of two provinces, 2024–2025, synthetic (seeded)."""
    if "national" not in _built:
        from synthetic.national import build_store as build_national
        from synthetic.national import generate, national_config

        root = tmp_path_factory.mktemp("national") / "parquet"
        nd = generate(national_config(NATIONAL_PROVINCES), years=(2024, 2025), log=None)
        build_national(root, nd, log=None)
        _built["national"] = root
    return _built["national"]


@pytest.fixture(name="root")
def open_period_root(tiny_store, tmp_path, province) -> Path:
    """A copy of the tiny store with the 2025 reporting period open (deadline 15/1/2026, opened by «quantri»):
    the `root` of the modules that import it (a module's own `root`, elsewhere, is another fixture)."""
    import datetime as dt
    import shutil

    from etl import cycle

    r = tmp_path / "parquet"
    shutil.copytree(tiny_store, r, symlinks=True)
    cycle.open_period(2025, dt.date(2026, 1, 15), province, "quantri", "admin", root=r)
    return r


@pytest.fixture(scope="session")
def demo_store(sample_store, province, tmp_path_factory) -> Path:
    """The app's demonstration: the calibrated sample and the illustrative 2026 of synthetic/year2026.py (58 of
    60 committees, the meetings sheet) with its reporting period under way — a copy of the session's sample."""
    if "demo" not in _built:
        import shutil

        from etl.load import load_files, read_paths
        from synthetic import year2026
        from synthetic.sample import SampleBuilder

        root = tmp_path_factory.mktemp("demo") / "parquet"
        shutil.copytree(sample_store, root, symlinks=True)
        builder = SampleBuilder(province).build()
        rows = builder.returns()
        trees = builder.organisations(2025)
        paths = year2026.write_returns(province, tmp_path_factory.mktemp("demo-returns"), rows, trees)
        rep = load_files(read_paths(paths), "sample", province, root=root)
        assert rep.ok, rep.messages()[:5]
        year2026.record_cycle(province, root)
        _built["demo"] = root
    return _built["demo"]
