"""Each organisation's folder runs as itself (issue 30), from the folder alone: its small synthetic sample is built and
loaded by the one command (`python -m etl sample`), «Mục tiêu 2030» shows that organisation's own targets with their
statuses, its commune or bloc user sees only its own unit, the map is there where boundaries exist and absent — said
in words, not broken — where they do not, and the app started on the folder renders every page for every demo role.

Lai Châu (12) with xã Bình Lư's targets on Bình Lư alone; Quảng Trị's Khối Cơ quan và Doanh nghiệp (44: no commune,
no map); Tuyên Quang (08) with Hà Giang's targets on the 73 units that came from Hà Giang; document 002's plan (ct50:
a uniform meeting day, placeholder units). Each folder runs in processes of its own (the province is read when the
project is imported): the sample command, then tests/org_probe.py."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import pytest

from etl.settings import PROVINCES_DIR
from tests.conftest import ROOT
from tests.org_probe import NOT_FOR, PAGES

# Each folder's sample is built and loaded by `python -m etl sample` (20–50 s a folder): the fast lane leaves it out.
pytestmark = pytest.mark.slow

# folder -> (its demo unit, whether it has boundaries, units, years, đảng bộ cơ sở and chi bộ cơ sở in its last year)
FOLDERS = {
    "12": ("03390", True, 38, [2025, 2026]),
    "44": ("44-KCQDN", False, 3, [2022, 2023, 2024]),
    "08": ("00691", True, 124, [2025, 2026]),
    "ct50": ("ct50-01", False, 5, [2025, 2026]),
}


def _env(code: str, data_dir) -> dict:
    return {**os.environ, "PARTYDASH_PROVINCE": code, "PARTYDASH_DATA": str(data_dir)}


@pytest.fixture(scope="module", params=list(FOLDERS))
def folder(request, tmp_path_factory):
    """(code, the sample command's output, the probe's JSON) of one folder, each in a data folder of its own."""
    code = request.param
    data_dir = tmp_path_factory.mktemp(f"org-{code}")
    built = subprocess.run(
        [sys.executable, "-m", "etl", "sample"], env=_env(code, data_dir), cwd=ROOT, capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr[-2000:]
    probe = subprocess.run(
        [sys.executable, "-m", "tests.org_probe"], env=_env(code, data_dir), cwd=ROOT, capture_output=True, text=True
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    return code, built.stdout, json.loads(probe.stdout)


def _links(code: str) -> list[dict]:
    with open(PROVINCES_DIR / code / "target_links.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_folder_alone_builds_and_loads_its_sample(folder):
    code, out, probe = folder
    demo, _, units, years = FOLDERS[code]
    n = units * len(years)
    assert f"Đã viết {n} báo cáo mẫu" in out and f"Đã nạp {n} báo cáo" in out
    d = probe["data"]
    assert d["code"] == code and d["sample"] and d["years"] == years and len(d["units"]) == units
    assert d["demo_unit"] == demo


def test_every_target_of_the_folder_has_a_status_over_its_own_scope(folder):
    code, _, probe = folder
    d = probe["data"]
    links = _links(code)
    rates = {r["target_id"] for r in links if not r["indicator_id"].startswith("unit_")}
    assert set(d["targets"]) == rates  # the province row of a scoped target is its own scope
    assert all(d["targets"].values())
    counts = {r["target_id"] for r in links if r["indicator_id"].startswith("unit_")}
    assert set(d["unit_targets"]) == counts  # Bình Lư's 35 bản branches, its 30 admissions


def test_the_commune_or_bloc_user_sees_only_its_own_unit(folder):
    code, _, probe = folder
    d = probe["data"]
    own = d["demo_unit"]
    assert d["own_units"] == [own]
    assert d["own_branch_units"] == [own] and d["own_tree_units"] == [own]
    assert set(d["own_grassroots"]) <= {own}
    assert {scope for scope, _ in d["own_targets"].values()} == {own}
    # its own targets are the organisation's: Bình Lư's on Bình Lư, the Khối's on the Khối, Hà Giang's on a Hà
    # Giang commune, the plan's everywhere
    linked = {r["target_id"] for r in _links(code) if not r["indicator_id"].startswith("unit_")}
    assert set(d["own_targets"]) == linked


def test_the_map_is_there_where_boundaries_exist_and_absent_in_words_where_not(folder):
    code, _, probe = folder
    has_map = FOLDERS[code][1]
    assert probe["data"]["boundaries"] == has_map
    for user in ("tinh", "xa"):
        overview = probe["app"][user]["tong_quan.py"]
        no_map = [i for i in overview["info"] if i.startswith(("Không có bản đồ", "Tỉnh này chưa có tệp ranh giới"))]
        assert bool(no_map) != has_map, (user, overview["info"])
        if not has_map:
            assert overview["charts"] == 0  # nothing drawn half-way
    if not has_map and code == "44":
        assert "không gắn với địa bàn xã, phường" in " ".join(probe["app"]["tinh"]["tong_quan.py"]["info"])


def test_every_page_renders_for_every_demo_role(folder):
    _, _, probe = folder
    broken = {
        (user, page): (p["exceptions"], p["errors"])
        for user, pages in probe["app"].items()
        for page, p in pages.items()
        if p["exceptions"] or p["errors"] or not p["title"]
    }
    assert broken == {}
    assert {user: sorted(pages) for user, pages in probe["app"].items()} == {
        user: sorted(set(PAGES) - absent) for user, absent in NOT_FOR.items()
    }


def test_muc_tieu_shows_the_organisations_own_targets_with_statuses(folder):
    code, _, probe = folder
    from dashboard import methods

    links = [r for r in _links(code) if not r["indicator_id"].startswith("unit_")]
    for user in ("tinh", "xa"):
        text = "\n".join(probe["app"][user]["muc_tieu.py"]["markdown"])
        for r in links:  # each as a box: «**T001-01 · …**» and its status in words
            box = next((m for m in text.split("**T")[1:] if m.startswith(r["target_id"][1:])), None)
            assert box is not None, (user, r["target_id"])
            assert any(label in box for label in methods.STATUS_LABELS.values()), (user, r["target_id"], box[:200])
        assert "chỉ tiêu tham khảo" not in text  # no benchmark toggle: every target is the organisation's own


def test_the_tree_is_described_and_its_grassroots_organisations_counted(folder):
    code, _, probe = folder
    d = probe["data"]
    kinds = dict(d["orgs"])
    assert kinds.get("db_co_so", 0) > 0 and kinds.get("co_so", 0) > 0
    assert [y for y, _, den in d["grassroots"] if den] == FOLDERS[code][3]  # every year described
    own = d["own_first_year"]
    if code == "12":  # xã Bình Lư in 2025 as document 001 describes it
        # 54 organisations directly under its Đảng uỷ: 3 đảng bộ cơ sở, 7 chi bộ cơ sở, 44 chi bộ trực thuộc (35 bản,
        # 8 trường học, 1 trạm y tế); all rated HTTNV or better (11 HTXSNV + 43 HTTNV) → 54/54
        assert own["orgs"] == [["co_so", 7], ["db_co_so", 3]]
        assert dict(own["branches_by_level"])["tt_cap_tren"] == 44
        assert own["suborg_good"] == [54, 54]
    # the demo user's profile shows its grassroots organisations
    subheaders = probe["app"]["xa"]["ho_so_xa.py"]["subheaders"]
    assert any(h.startswith("Tổ chức cơ sở đảng của ") for h in subheaders), subheaders
