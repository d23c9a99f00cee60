"""The command line (python -m dashboard.query), run in-process against the hand-made store and the sample; the
expected CSV is computed by hand from tests/fixtures.py (A = 01273 Thục Phán, B = 01279 Nùng Trí Cao)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dashboard import data, registry
from dashboard.query import main
from etl.settings import ROOT


@pytest.fixture
def run(capsys):
    def _run(*argv, root=None) -> tuple[int, str, str]:
        data.clear_cache()
        code = main([*argv, *(["--root", str(root)] if root else [])])
        out = capsys.readouterr()
        return code, out.out, out.err

    return _run


def test_indicator_by_year_is_the_default(run, tiny_store):
    # member_good: 2024 (8+3+14+4+26)/(9+4+17+6+28) = 55/64 = 85.9375%; 2025 56/64 = 87.5%
    assert run("member_good", root=tiny_store) == (
        0,
        "year,numerator,denominator,value\n2024,55,64,85.9375\n2025,56,64,87.5\n",
        "",
    )


def test_by_commune_prints_code_and_name(run, tiny_store):
    # 2024: A 25/30 = 83.33%, B 30/34 = 88.24%
    code, out, _ = run("member_good", "--year", "2024", "--by", "commune", root=tiny_store)
    assert code == 0
    assert out == (
        "unit_code,unit_name,numerator,denominator,value\n"
        "01273,Thục Phán,25,30,83.3333\n"
        "01279,Nùng Trí Cao,30,34,88.2353\n"
    )


def test_by_level_and_type_print_vietnamese_labels(run, tiny_store):
    # ehandbook 2025: co_so A3 yes, B2 no → 1/2; tt_cap_tren A1 yes, A2 no, B1 yes, B3 no → 2/4
    code, out, _ = run("ehandbook", "--year", "2025", "--by", "level", root=tiny_store)
    assert (code, out) == (
        0,
        "level,level_label,numerator,denominator,value\n"
        "co_so,Chi bộ cơ sở,1,2,50.0\n"
        "tt_cap_tren,Chi bộ trực thuộc đảng uỷ cấp trên trực tiếp cơ sở,2,4,50.0\n",
    )
    # computer_none 2025 by type: dang 0/1, nha_nuoc 0/1, xom A2 B1 B3 of 4 → 3/4
    code, out, _ = run("computer_none", "--year", "2025", "--by", "type", root=tiny_store)
    assert out == (
        "branch_type,type_label,numerator,denominator,value\n"
        'dang,"Chi bộ thuộc loại hình cơ quan Đảng, MTTQ, tổ chức chính trị - xã hội",0,1,0.0\n'
        "nha_nuoc,Chi bộ thuộc loại hình cơ quan Nhà nước,0,1,0.0\n"
        'xom,"Chi bộ xóm, tổ dân phố",3,4,75.0\n'
    )


def test_filters_and_subgroups(run, tiny_store):
    # member_good, B's village branches: 2024 B1 4/6; 2025 B1 0/0 + B3 1/2
    code, out, _ = run("member_good", "--commune", "01279", "--type", "xom", root=tiny_store)
    assert out == "year,numerator,denominator,value\n2024,4,6,66.6667\n2025,1,2,50.0\n"
    # heads_member 2025 by post (see test_indicators: HEADS_BY_YEAR)
    code, out, _ = run("heads_member", "--year", "2025", "--by", "subgroup", root=tiny_store)
    assert out == (
        "subgroup,numerator,denominator,value\nbi_thu_doan,0,2,0.0\nhoi_ccb,2,2,100.0\n"
        "hoi_nong_dan,2,2,100.0\nhoi_phu_nu,1,2,50.0\ntruong_ban_ctmt,2,4,50.0\ntruong_xom,2,4,50.0\n"
    )
    # one post: village_secretary_post «khac» 2024 A2 of A1 A2 B1 → 1/3
    code, out, _ = run("village_secretary_post", "--year", "2024", "--subgroup", "khac", root=tiny_store)
    assert out == "year,numerator,denominator,value\n2024,1,3,33.3333\n"


def test_an_old_indicator_id_still_works(run, tiny_store):
    # a script written before the rename (registry aliases): the same figures as the id now
    new = run("village_secretary_post", "--year", "2024", "--subgroup", "khac", root=tiny_store)
    assert new == (0, "year,numerator,denominator,value\n2024,1,3,33.3333\n", "")  # A2 of A1 A2 B1 → 1/3
    assert run("sec_concurrent", "--year", "2024", "--subgroup", "khac", root=tiny_store) == new
    # sec_trained: 2024 5/9, 2025 5/8 (test_indicators)
    new = run("secretary_deputy_trained", root=tiny_store)
    assert new == (0, "year,numerator,denominator,value\n2024,5,9,55.5556\n2025,5,8,62.5\n", "")
    assert run("sec_trained", root=tiny_store) == new
    code, out, err = run("sec_nothing", root=tiny_store)  # an unknown id: refused as before
    assert (code, out) == (2, "") and "Không có chỉ tiêu «sec_nothing»" in err


def test_zero_denominator_prints_an_empty_value(run, tiny_store):
    # admission_rate 2024: first year loaded, no start-of-year members → 0/0, value left empty (not nan, not inf)
    code, out, _ = run("admission_rate", root=tiny_store)
    assert out == "year,numerator,denominator,value\n2024,0,0,\n2025,3,70,4.2857\n"


def test_commune_scope_on_the_command_line(run, tiny_store):
    code, out, _ = run("member_good", "--scope-commune", "01273", "--commune", "01279", root=tiny_store)
    assert (code, out) == (0, "year,numerator,denominator,value\n")
    # by commune over both years, own unit only: (25+28)/(30+32) = 53/62 = 85.48%
    code, out, _ = run("member_good", "--scope-commune", "01273", "--by", "commune", root=tiny_store)
    assert out == "unit_code,unit_name,numerator,denominator,value\n01273,Thục Phán,53,62,85.4839\n"


def test_list(run):
    code, out, err = run("--list")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert [line.split("\t")[0] for line in lines] == list(registry.indicators())
    assert lines[0] == (
        "branch_good\tChi bộ hoàn thành tốt nhiệm vụ trở lên\t"
        "Số chi bộ xếp loại HTXSNV hoặc HTTNV / Số chi bộ được đánh giá, xếp loại"
    )
    heads = next(line for line in lines if line.startswith("heads_member\t"))
    assert heads.endswith("[truong_xom, truong_ban_ctmt, hoi_nong_dan, hoi_phu_nu, hoi_ccb, bi_thu_doan]")


def test_progress_of_one_target(run, tiny_province_store):
    # (a province of A and B only: both years complete)
    # T000-16 secretary_deputy_trained ≥ 100% by 2030, province: 2024 5/9 = 55.5556%, 2025 5/8 = 62.5%;
    # observed 62.5 − 55.5556 = 6.9444/yr; required (100 − 62.5)/(2030 − 2025) = 7.5/yr; R = 0.9259 → cần đẩy
    # nhanh; projection 62.5 + 6.9444·5 = 97.2222; gap ceil(37.5/100 · 8) = 3 secretaries
    code, out, _ = run("progress", "--target", "T000-16", root=tiny_province_store)
    assert code == 0
    assert out == (
        "target_id,indicator_id,subgroup,scope_kind,scope_code,target_value,comparator,deadline,baseline_year,"
        "baseline,latest_year,latest,observed_pace,required_pace,ratio,projection,status,gap_units\n"
        "T000-16,secretary_deputy_trained,,province,province,100.0,>=,2030,2024,55.5556,2025,62.5,6.9444,7.5,0.9259,97.2222,"
        "needs_acceleration,3\n"
    )


def test_a_province_with_2_of_60_units_reporting_has_no_province_progress(run, tiny_store):
    code, out, _ = run("progress", "--target", "T000-16", root=tiny_store)
    assert (code, out.splitlines()[1:]) == (0, [])  # the header only: 2/60 units is not the province


def test_progress_by_unit(run, tiny_store):
    # A 2024 3/5 = 60%, 2025 3/5 = 60% → pace 0 → chuyển biến chậm; B 2024 2/4 = 50%, 2025 2/3 = 66.67%
    # → pace 16.67, required (100 − 66.67)/5 = 6.67, R = 2.5 → đúng lộ trình; gaps ceil(0.4·5) = 2, ceil(⅓·3) = 1
    code, out, _ = run("progress", "--target", "T000-16", "--scope", "unit", root=tiny_store)
    rows = [line.split(",") for line in out.splitlines()[1:]]
    assert [(r[4], r[11], r[12], r[14], r[16], r[17]) for r in rows] == [
        ("01273", "60.0", "0.0", "0.0", "limited_progress", "2"),
        ("01279", "66.6667", "16.6667", "2.5", "on_track", "1"),
    ]


def test_unknown_indicator_exits_2_with_a_vietnamese_message(run, tiny_store):
    code, out, err = run("member_goood", root=tiny_store)
    assert (code, out) == (2, "")
    assert err == "Không có chỉ tiêu «member_goood». Dùng --list để xem danh sách.\n"


def test_on_the_sample(run, sample_store):
    # Biểu 07, 2024: 54.581 good or better of 56.709 rated = 96,2475%
    assert (
        run("member_good", "--year", "2024", root=sample_store)[1]
        == "year,numerator,denominator,value\n2024,54581,56709,96.2475\n"
    )


def test_runs_as_a_module():
    done = subprocess.run(
        [sys.executable, "-m", "dashboard.query", "--list"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith("branch_good\t")
