"""The calibrated sample against the published Biểu 01–07: through the SQL views (rec_all, rec_facts) and,
independently, by a plain Polars roll-up straight from the Parquet files."""

from __future__ import annotations

import csv

import polars as pl
import pytest

from dashboard import data
from dashboard.scope import Scope
from etl.province import load_province
from etl.settings import MAPPINGS_DIR
from etl.store import current_snapshot

PROVINCE = load_province("04")
REF = PROVINCE.reference_dir
CORRECTIONS = PROVINCE.folder / "reference_corrections.csv"

# Every published cell the sample does not reproduce, and why (CONSISTENCY.md): the table contradicts itself, so
# the sample follows the value its own totals require. difference = sample − published.
# (bieu, year, level, type, role, unit, measure, published, loaded, difference, item)
EXPECTED_DIFFERENCES = [
    # B1: total 432 but the theory / training / IT groups sum to 459 → each residual bucket −27
    ("bieu02", None, "tt_cap_tren", "su_nghiep", "pho_bi_thu", None, "it_basic", 189, 162, -27, "B1"),
    ("bieu02", None, "tt_cap_tren", "su_nghiep", "pho_bi_thu", None, "party_training_not_trained", 331, 304, -27, "B1"),
    ("bieu02", None, "tt_cap_tren", "su_nghiep", "pho_bi_thu", None, "political_theory_none", 292, 265, -27, "B1"),
    # C2: 263 is the good-or-better subtotal; 276 rated − 52 − 11 − 2 = 211 → 211 − 263 = −52
    ("bieu03", 2024, "co_so", None, None, None, "excellent", 263, 211, -52, "C2"),
    # C1: the grades 503+2111+160+4 = 2778 rated, printed 1778 → +1000
    ("bieu03", 2024, "tt_co_so", None, None, None, "rated", 1778, 2778, 1000, "C1"),
    # C4: 60 rated but 10+48+1+0 = 59 → the missing branch counted HTTNV: 49 − 48 = +1
    ("bieu03", 2025, "tt_bo_phan", None, None, None, "good", 48, 49, 1, "C4"),
    # F3: Nùng Trí Cao 26 + 5 = 31 > 30 villages → non-members capped at 4
    ("bieu06", None, None, None, None, "01279", "farmers_union_head_non_member", 5, 4, -1, "F3"),
    # F2: Quang Hán 21 + 7 = 28 > 21 villages → non-members capped at 0
    ("bieu06", None, None, None, None, "01456", "farmers_union_head_non_member", 7, 0, -7, "F2"),
    # G1: rated 54635 but 51811 + 2614 + 206 = 54631 → the 4 counted HTNV: 2618
    ("bieu07", 2022, None, None, None, None, "completed", 2614, 2618, 4, "G1"),
    # G2: rated 57945 but 56034 + 1783 + 127 = 57944 → 1784
    ("bieu07", 2025, None, None, None, None, "completed", 1783, 1784, 1, "G2"),
]
KEY = ["bieu", "year", "level_code", "type_code", "role_code", "unit_code", "measure"]


@pytest.fixture(scope="module")
def rec(sample_store) -> pl.DataFrame:
    return data.reconciliation(Scope.province(), root=sample_store)


def test_every_published_cell_is_reproduced_except_the_documented_ones(rec):
    assert rec["published"].null_count() == 0
    # cells per table: 28 + 358 + 16×6 + 16×6 + 56×4 + 56×14 + 5×8 (Biểu 02 only where published)
    assert dict(rec.group_by("bieu").len().iter_rows()) == {
        "bieu01": 28,
        "bieu02": 358,
        "bieu03": 96,
        "bieu04": 96,
        "bieu05": 224,
        "bieu06": 784,
        "bieu07": 40,
    }
    differing = rec.filter(pl.col("difference") != 0).sort(KEY, nulls_last=True)
    assert (
        differing.select(*KEY, "published", "loaded", "difference", "consistency_item").rows() == EXPECTED_DIFFERENCES
    )
    # every other cell: 0 difference and no correction attached
    same = rec.filter(pl.col("difference") == 0)
    assert same.height == rec.height - len(EXPECTED_DIFFERENCES)
    assert same["consistency_item"].null_count() == same.height
    assert (same["published"] == same["loaded"]).all()


def test_differences_are_exactly_the_corrections_file():
    with CORRECTIONS.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert sorted({r["item"] for r in rows}) == ["B1", "C1", "C2", "C4", "F2", "F3", "G1", "G2"]
    got = sorted(
        (r["item"], r["column"], int(r["published"]), int(r["sample"]), int(r["sample"]) - int(r["published"]))
        for r in rows
    )
    want = sorted((e[10], e[6], e[7], e[8], e[9]) for e in EXPECTED_DIFFERENCES)
    assert got == want


def test_published_prose_percentages_that_contradict_their_own_counts(sample_store):
    facts = data.published_facts(root=sample_store)
    assert facts["inconsistent"].null_count() == 0
    flagged = facts.filter(pl.col("inconsistent")).sort("fact_id")
    assert flagged.select("fact_id", "value", "denominator", "pct_stated").rows() == [
        ("F000-037", 1364.0, 1462.0, 93.29),  # H1: 93.297 → 93,30 rounded, printed 93,29 (cut off)
        ("F000-053", 368.0, 1946.0, 18.96),  # D1: 368/1946 = 18,91%, printed 18,96%
        ("F001-052", 139.0, 808.0, 17.3),  # I4: 17,20%, printed 17,3%
        ("F001-065", 25.0, 35.0, 71.42),  # I5: 71,43% cut to 71,42%
        ("F001-079", 30.0, 861.0, 3.4),  # I5: 3,48% → 3,5, printed 3,4
        ("F001-090", 282.0, 861.0, 32.7),  # I5: 32,75% → 32,8, printed 32,7
        ("F001-098", 9.0, 21.0, 42.8),  # I5: 42,86% → 42,9, printed 42,8
        ("F001-101", 7.0, 21.0, 3.33),  # I3: 7/21 = 33,33%, printed 3,33%
        ("F004-017", 1692.0, 2071.0, 81.69),  # J1: 81,6997% → 81,70, printed 81,69
    ]
    # and a correct one is not flagged: 1.288/1.462 = 88,10%
    ok = facts.filter((pl.col("value") == 1288) & (pl.col("denominator") == 1462))
    assert ok.height >= 1 and not ok["inconsistent"].any()


# ---------------------------------------------------------------------------- independent roll-up (Polars)


def _codes(domain: str) -> dict[str, str]:
    df = pl.read_csv(MAPPINGS_DIR / "codes.csv")
    return {lab.lower(): code for d, code, lab in df.select("domain", "code", "label").iter_rows() if d == domain}


LEVEL, TYPE = _codes("level"), _codes("branch_type")


def _published(name: str) -> pl.DataFrame:
    df = pl.read_csv(REF / name, infer_schema_length=0)
    if "level" in df.columns:
        df = df.with_columns(level=pl.col("level").str.to_lowercase().replace_strict(LEVEL))
    if "branch_type" in df.columns:
        df = df.with_columns(branch_type=pl.col("branch_type").str.to_lowercase().replace_strict(TYPE, default=None))
    if "commune" in df.columns:
        df = df.with_columns(
            unit_code=pl.col("commune").map_elements(
                lambda v: PROVINCE.resolve(None, v, 2025).code, return_dtype=pl.String
            )
        )
    return df


def _corrected(df: pl.DataFrame, table: str, key) -> pl.DataFrame:
    """The published table with the documented corrections (reference_corrections.csv) applied."""
    with CORRECTIONS.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["table"] == table:
                df = df.with_columns(
                    pl.when(key(r)).then(pl.lit(r["sample"])).otherwise(pl.col(r["column"])).alias(r["column"])
                )
    return df


def _as_dict(df: pl.DataFrame, keys: list[str], measures: list[str]) -> dict:
    return {tuple(r[k] for k in keys): tuple(int(r[m]) for m in measures) for r in df.iter_rows(named=True)}


@pytest.fixture(scope="module")
def parquet(sample_store) -> dict[str, pl.DataFrame]:
    snap = current_snapshot(sample_store)
    return {
        t: pl.read_parquet(snap / t / "*" / "*.parquet", hive_partitioning=True).filter(pl.col("year") > 0)
        for t in ("branch_year", "committee_member", "village_head")
    }


def test_bieu01_all_28_cells(parquet):
    got = parquet["branch_year"].filter(pl.col("year") == 2025).group_by("level", "branch_type").len()
    got = {(lv, ty): n for lv, ty, n in got.iter_rows()}
    pub = _published("bieu01_branch_counts.csv")
    assert pub.height == 28
    want = {(lv, ty): int(n) for lv, ty, n in pub.select("level", "branch_type", "count").iter_rows()}
    assert {k: got.get(k, 0) for k in want} == want  # blank (0) cells included
    assert set(got) <= set(want)
    assert sum(got.values()) == 2899  # 309 + 1946 + 584 + 60


MEASURES_02 = [
    "total",
    "professional_post_graduate",
    "professional_university",
    "professional_college",
    "professional_intermediate",
    "professional_none",
    "political_theory_advanced",
    "political_theory_intermediate",
    "political_theory_none",
    "party_training_trained",
    "party_training_not_trained",
    "it_proficient",
    "it_basic",
    "it_none",
]
ROLE = _codes("role")


def test_bieu02_by_level_type_and_role(parquet):
    """Biểu 02 rolled up from the committee members themselves (not through tbl_bieu02): level → type → role."""
    b = parquet["branch_year"].filter(pl.col("year") == 2025).select("branch_code", "level", "branch_type")
    m = (
        parquet["committee_member"]
        .filter(pl.col("year") == 2025)
        .join(b, on="branch_code")
        # branches under a partial committee are published without a type
        .with_columns(branch_type=pl.when(pl.col("level") == "tt_bo_phan").then(None).otherwise(pl.col("branch_type")))
    )
    prof, theory, it = pl.col("professional"), pl.col("theory"), pl.col("it")
    got = m.group_by("level", "branch_type", "role").agg(
        total=pl.len(),
        professional_post_graduate=(prof == "tren_dai_hoc").sum(),
        professional_university=(prof == "dai_hoc").sum(),
        professional_college=(prof == "cao_dang").sum(),
        professional_intermediate=(prof == "trung_cap").sum(),
        professional_none=prof.is_in(["so_cap", "chua_dao_tao"]).sum(),  # «chưa qua đào tạo» includes sơ cấp
        political_theory_advanced=(theory == "cao_cap").sum(),
        political_theory_intermediate=(theory == "trung_cap").sum(),
        political_theory_none=theory.is_in(["so_cap", "chua_co"]).sum(),  # «sơ cấp, chưa có»
        party_training_trained=pl.col("trained").sum(),
        party_training_not_trained=(~pl.col("trained")).sum(),
        it_proficient=(it == "thanh_thao").sum(),
        it_basic=(it == "biet").sum(),
        it_none=(it == "chua_biet").sum(),
    )
    pub = _published("bieu02_committee_qualifications.csv").with_columns(
        role=pl.col("role").str.to_lowercase().replace_strict(ROLE)
    )
    pub = _corrected(
        pub,
        "bieu02",
        lambda r: (
            (pl.col("level") == LEVEL[r["level"].lower()])
            & (pl.col("branch_type") == TYPE[r["branch_type"].lower()])
            & (pl.col("role") == ROLE[r["role"].lower()])
        ),
    )
    assert pub.height == 27  # 4 levels: 3 + 7 + 7 + … types × 3 roles, as published
    got_d = {(r["level"], r["branch_type"], r["role"]): r for r in got.iter_rows(named=True)}
    compared = 0
    for r in pub.iter_rows(named=True):
        mine = got_d.get((r["level"], r["branch_type"], r["role"]), {})
        for k in MEASURES_02:
            if r[k] in (None, ""):  # a blank published cell is not a figure
                continue
            assert mine.get(k, 0) == int(r[k]), (r["level"], r["branch_type"], r["role"], k)
            compared += 1
    assert compared == 358  # the Biểu 02 cells of rec_all
    # B1: the residual buckets of chi bộ trực thuộc đảng uỷ cấp trên / sự nghiệp / phó bí thư, 292 − 27 = 265 …
    b1 = got_d[("tt_cap_tren", "su_nghiep", "pho_bi_thu")]
    assert (b1["total"], b1["political_theory_none"], b1["party_training_not_trained"], b1["it_basic"]) == (
        432,
        265,
        304,
        162,
    )


MEASURES_03 = ["total", "rated", "excellent", "good", "completed", "not_completed"]


def test_bieu03_per_year_and_level(parquet):
    b = parquet["branch_year"]
    got = b.group_by("year", "level").agg(
        total=pl.len(),
        rated=pl.col("rating").is_not_null().sum(),
        excellent=(pl.col("rating") == "xs").sum(),
        good=(pl.col("rating") == "tot").sum(),
        completed=(pl.col("rating") == "ht").sum(),
        not_completed=(pl.col("rating") == "kht").sum(),
    )
    pub = _corrected(
        _published("bieu03_branch_ratings.csv"),
        "bieu03",
        lambda r: (pl.col("year") == r["year"]) & (pl.col("level") == LEVEL[r["level"].lower()]),
    )
    want = _as_dict(pub.with_columns(pl.col("year").cast(pl.Int64)), ["year", "level"], MEASURES_03)
    assert _as_dict(got.with_columns(pl.col("year").cast(pl.Int64)), ["year", "level"], MEASURES_03) == want
    # the corrected cells: C2 2024 chi bộ cơ sở excellent 211 (printed 263), C1 2024 tt_co_so rated 2778 (1778),
    # C4 2025 tt_bo_phan good 49 (48)
    assert want[(2024, "co_so")][2] == 211 and want[(2024, "tt_co_so")][1] == 2778
    assert want[(2025, "tt_bo_phan")][3] == 49


MEASURES_04 = ["total", "internet_stable", "internet_unstable", "internet_none", "has_computer", "no_computer"]


def test_bieu04_2025_by_level_and_type(parquet):
    b = (
        parquet["branch_year"]
        .filter(pl.col("year") == 2025)
        .with_columns(branch_type=pl.when(pl.col("level") == "tt_bo_phan").then(None).otherwise(pl.col("branch_type")))
    )
    got = b.group_by("level", "branch_type").agg(
        total=pl.len(),
        internet_stable=(pl.col("internet") == "on_dinh").sum(),
        internet_unstable=(pl.col("internet") == "khong_on_dinh").sum(),
        internet_none=(pl.col("internet") == "chua_co").sum(),
        has_computer=pl.col("computer").sum(),
        no_computer=(~pl.col("computer")).sum(),
    )
    pub = _published("bieu04_infrastructure.csv")
    want = _as_dict(pub, ["level", "branch_type"], MEASURES_04)
    got_d = _as_dict(got, ["level", "branch_type"], MEASURES_04)
    # published rows with all zeros (hợp tác xã of chi bộ cơ sở) have no branch to roll up
    assert {k: got_d.get(k, (0,) * 6) for k in want} == want
    assert set(got_d) <= set(want)


def _villages_2025(parquet) -> pl.DataFrame:
    return parquet["branch_year"].filter((pl.col("year") == 2025) & (pl.col("branch_type") == "xom"))


def test_bieu05_per_commune(parquet):
    villages = _villages_2025(parquet)
    sec = (
        parquet["committee_member"]
        .filter((pl.col("year") == 2025) & (pl.col("role") == "bi_thu"))
        .group_by("branch_code")
        .agg(pl.col("also_front_head").any(), pl.col("also_village_head").any(), pl.col("also_other").any())
    )
    got = (
        villages.join(sec, on="branch_code", how="left")
        .group_by("unit_code")
        .agg(
            village_branches=pl.len(),
            sec_also_front_head=pl.col("also_front_head").fill_null(False).sum(),
            sec_also_village_head=pl.col("also_village_head").fill_null(False).sum(),
            sec_other_roles=pl.col("also_other").fill_null(False).sum(),
        )
    )
    measures = ["village_branches", "sec_also_front_head", "sec_also_village_head", "sec_other_roles"]
    pub = _published("bieu05_secretary_roles_by_commune.csv")
    assert pub["unit_code"].null_count() == 0 and pub["unit_code"].n_unique() == 56
    assert _as_dict(got, ["unit_code"], measures) == _as_dict(pub, ["unit_code"], measures)


HEAD_COLUMNS = {
    "truong_xom": "village_head",
    "truong_ban_ctmt": "front_head",
    "hoi_nong_dan": "farmers_union_head",
    "hoi_phu_nu": "womens_union_head",
    "hoi_ccb": "veterans_head",
    "bi_thu_doan": "youth_union_secretary",
}


def test_bieu06_per_commune(parquet):
    villages = (
        _villages_2025(parquet)
        .group_by("unit_code")
        .agg(village_branches=pl.len(), under_3_members=(pl.col("resident_members") < 3).sum())
    )
    heads = parquet["village_head"].filter(pl.col("year") == 2025)
    counts = heads.group_by("unit_code").agg(
        *[(pl.col(role) == "dang_vien").sum().alias(f"{col}_member") for role, col in HEAD_COLUMNS.items()],
        *[(pl.col(role) == "khong").sum().alias(f"{col}_non_member") for role, col in HEAD_COLUMNS.items()],
    )
    got = villages.join(counts, on="unit_code", how="left").fill_null(0)
    measures = [
        "village_branches",
        "under_3_members",
        *[f"{c}_{s}" for c in HEAD_COLUMNS.values() for s in ("member", "non_member")],
    ]
    pub = _corrected(
        _published("bieu06_village_heads_by_commune.csv"), "bieu06", lambda r: pl.col("commune") == r["commune"]
    )
    want = _as_dict(pub, ["unit_code"], measures)
    assert _as_dict(got, ["unit_code"], measures) == want
    # F2 Quang Hán 01456 and F3 Nùng Trí Cao 01279: farmers' union non-members capped at 0 and 4
    i = measures.index("farmers_union_head_non_member")
    assert (want[("01456",)][i], want[("01279",)][i]) == (0, 4)


MEASURES_07 = ["present", "exempt", "not_rated", "rated", "good_or_better", "excellent", "completed", "not_completed"]


def _bieu07(parquet) -> dict:
    got = (
        parquet["branch_year"]
        .group_by("year")
        .agg(
            present=pl.col("members").sum(),
            exempt=pl.col("exempt").sum(),
            not_rated=pl.col("not_rated").sum(),
            rated=(pl.col("excellent") + pl.col("good") + pl.col("completed") + pl.col("not_completed")).sum(),
            good_or_better=(pl.col("excellent") + pl.col("good")).sum(),
            excellent=pl.col("excellent").sum(),
            completed=pl.col("completed").sum(),
            not_completed=pl.col("not_completed").sum(),
        )
    )
    return _as_dict(got.with_columns(pl.col("year").cast(pl.Int64)), ["year"], MEASURES_07)


def test_bieu07_per_year(parquet):
    pub = _corrected(_published("bieu07_member_ratings.csv"), "bieu07", lambda r: pl.col("year") == r["year"])
    want = _as_dict(pub.with_columns(pl.col("year").cast(pl.Int64)), ["year"], MEASURES_07)
    assert _bieu07(parquet) == want
    assert want[(2025,)][0] == 64139 and want[(2022,)][6] == 2618  # G1: 2614 + 4


def test_headline_figures(parquet):
    # 2024 members good or better: 54.581 / 56.709 rated (= 96,25%)
    y2024 = _bieu07(parquet)[(2024,)]
    assert (y2024[4], y2024[3]) == (54581, 56709)
    # 2025 village branches without Internet: 343 / 1.462
    v = _villages_2025(parquet)
    assert ((v["internet"] == "chua_co").sum(), v.height) == (343, 1462)
    # village-branch secretaries trained 613 / 1.462; with deputies 904 / 2.838
    m = (
        parquet["committee_member"]
        .filter(pl.col("year") == 2025)
        .join(v.select("branch_code"), on="branch_code", how="semi")
    )
    sec = m.filter(pl.col("role") == "bi_thu")
    both = m.filter(pl.col("role").is_in(["bi_thu", "pho_bi_thu"]))
    assert (sec["trained"].sum(), sec.height) == (613, 1462)
    assert (both["trained"].sum(), both.height) == (904, 2838)
