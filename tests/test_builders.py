"""Pure builders: number formats, charts, maps and exports, tested without a running app."""

from __future__ import annotations

import csv
import io

import polars as pl
import pytest
import python_calamine as pc

from dashboard import charts, export, fmt, maps, registry
from dashboard.data import reconciliation
from dashboard.export import bieu_workbook
from dashboard.scope import Scope
from etl.province import load_province


def test_vietnamese_number_formats():
    assert fmt.num(1462) == "1.462"
    assert fmt.num(17239.15, 2) == "17.239,15"
    assert fmt.pct(16.83) == "16,83%"
    assert fmt.pct(343 / 1462 * 100) == "23,46%"  # 23,4610 rounds down
    assert fmt.pct(100.0, 0) == "100%"
    assert fmt.points(0.4545) == "+0,45 điểm %"
    assert fmt.points(-2.68) == "-2,68 điểm %"
    assert fmt.ratio(343, 1462) == "343/1.462"
    assert fmt.pct(None) == fmt.num(float("nan")) == "—"


def test_no_change_is_shown_neutrally():
    """Issue 26.7: a change of nothing was a red «↑ ±0,00 điểm %» (and 0,004 points a «+0,00»)."""
    from dashboard.ui.tiles import metric_delta

    assert fmt.points(0) == fmt.points(0.004) == fmt.points(-0.004) == "±0,00 điểm %"
    assert fmt.points(0.005) == "+0,01 điểm %" and fmt.points(-0.006) == "-0,01 điểm %"
    neutral = {"delta": "±0,00 điểm %", "delta_color": "off", "delta_arrow": "off"}
    assert metric_delta(0.0, -1) == metric_delta(-0.001, 1) == neutral
    assert metric_delta(1.2, -1) == {"delta": "+1,20 điểm %", "delta_color": "inverse"}  # up is bad: red
    assert metric_delta(-0.01, 1) == {"delta": "-0,01 điểm %", "delta_color": "normal"}
    assert metric_delta(None, 1) == {"delta": None, "delta_color": "normal"}


def _series(values):
    years = list(range(2021, 2021 + len(values)))
    return pl.DataFrame(
        {
            "year": years,
            "numerator": [int(v * 10) for v in values],
            "denominator": [1000] * len(values),
            "value": [v for v in values],
        }
    )


def test_trend_marks_the_rating_breaks_and_uses_vietnamese_separators():
    ind = registry.get("member_good")
    fig = charts.trend(
        _series([94.0, 94.8, 95.6, 96.2, 96.7]), ind, breaks={2023: "124-QĐ/TW", 2025: "366-QĐ/TW"}, target=90
    )
    assert fig.layout.separators == ",."
    vlines = sorted(s.x0 for s in fig.layout.shapes if s.type == "line" and s.x0 == s.x1)
    assert vlines == [2022.5, 2024.5]
    assert fig.data[0].text[0] == "94,0%"


def test_trend_has_no_break_marks_outside_the_shown_years():
    fig = charts.trend(_series([94.0, 94.8]), registry.get("member_good"), breaks={2023: "x", 2025: "y"})
    assert not [s for s in fig.layout.shapes if s.type == "line" and s.x0 == s.x1]


def test_bars_put_the_worst_unit_on_top_and_colour_by_the_funnel_test():
    ind = registry.get("internet_none")  # lower is better
    df = pl.DataFrame(
        {
            "unit_code": ["a", "b", "c"],
            "unit_name": ["A", "B", "C"],
            "numerator": [1, 50, 10],
            "denominator": [100, 100, 100],
            "value": [1.0, 50.0, 10.0],
        }
    )
    fig = charts.by_unit(df, ind, province_value=10.0)
    # Plotly draws the last bar on top: the worst (50%) must be last.
    assert list(fig.data[0].y) == ["A", "C", "B"]
    # against p0 = 10%, n = 100: 1% is significantly better, 50% worse, 10% similar
    assert list(fig.data[0].marker.color) == [charts.BLUE, charts.SKY, charts.VERMILION]


def test_map_classes_legend_and_no_data():
    ind = registry.get("internet_none")
    boundaries = load_province("04").boundaries_path
    values = {
        "01273": {
            "value": 5.0,
            "numerator": 1,
            "denominator": 20,
            "trend": [(2024, 10.0), (2025, 5.0)],
            "target": "≤ 0% (2030)",
        },
        "01279": {"value": 40.0, "numerator": 8, "denominator": 20, "trend": [(2025, 40.0)]},
    }
    fig = maps.commune_map(boundaries, values, ind)
    traces = [t for t in fig.data if t.type == "choroplethmap"]
    by_code = {c: (t.name, t.colorscale[0][1], tip) for t in traces for c, tip in zip(t.locations, t.customdata)}
    assert len(by_code) == 56  # every commune is drawn
    # two values -> one break (at 40,0%): 01273 in the lower class, 01279 in the upper, the other 54 «no data»
    assert maps.classes([5.0, 40.0]) == [40.0]
    assert by_code["01288"][0] == "Không có số liệu" and by_code["01288"][1] == maps.NO_DATA_COLOR
    assert "không có số liệu" in by_code["01288"][2]
    assert by_code["01273"][0] == "dưới 40,0%" and by_code["01279"][0] == "từ 40,0%"
    assert by_code["01273"][1] != by_code["01279"][1]
    tip = by_code["01273"][2]
    assert "5,00%" in tip and "(1/20)" in tip and "2024: 10,0% → 2025: 5,0%" in tip and "≤ 0% (2030)" in tip
    assert [t.name for t in traces] == ["dưới 40,0%", "từ 40,0%", "Không có số liệu"]  # the classed legend
    assert fig.layout.map.style == "white-bg"  # offline: no tile server
    labels = next(t for t in fig.data if t.type == "scattermap")
    assert "Thục Phán" in labels.text and len(labels.text) == 56


def test_the_map_says_the_names_every_other_page_says():
    """The boundary file spells «Đàm Thủy»; the app «Đàm Thuỷ»: the map's labels and tooltips use the app's names."""
    conf = load_province("04")
    names = {u.code: (u.name, u.full_name) for u in conf.units}
    fig = maps.commune_map(conf.boundaries_path, {}, registry.get("internet_none"), names=names)
    labels = next(t for t in fig.data if t.type == "scattermap")
    assert "Đàm Thuỷ" in labels.text and "Đàm Thủy" not in labels.text
    tips = {c: tip for t in fig.data if t.type == "choroplethmap" for c, tip in zip(t.locations, t.customdata)}
    assert "<b>Xã Lý Quốc</b>" in tips["01537"] and "<b>Xã Vinh Quý</b>" in tips["01561"]


def test_commune_map_can_show_only_some_units():
    fig = maps.commune_map(load_province("04").boundaries_path, {}, registry.get("internet_none"), only={"01273"})
    assert [c for t in fig.data if t.type == "choroplethmap" for c in t.locations] == ["01273"]


def test_map_class_breaks():
    assert maps.classes([1, 1, 1]) == []
    b = maps.classes([0, 10, 20, 30, 40, 50, 60, 70, 80, 90])
    assert b == sorted(b) and all(0 < x <= 90 for x in b)
    assert maps.class_of(None, b) is None and maps.class_of(0, b) == 0 and maps.class_of(90, b) == len(b)


def test_xlsx_export_states_filters_source_date_and_internal_mark():
    df = pl.DataFrame({"unit_name": ["Thục Phán"], "numerator": [343], "denominator": [1462], "value": [23.461]})
    cols = [
        export.Col("unit_name", "Đơn vị"),
        export.Col("numerator", "Tử số", "int"),
        export.Col("denominator", "Mẫu số", "int"),
        export.Col("value", "Tỉ lệ (%)", "pct"),
    ]
    data = export.table_xlsx(df, cols, "Chi bộ chưa có Internet", "năm 2025; toàn tỉnh", "Báo cáo hằng năm", True)
    rows = pc.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Số liệu").to_python()
    text = [r[0] for r in rows]
    assert text[0] == "Chi bộ chưa có Internet"
    assert "Tài liệu lưu hành nội bộ" in text
    assert "Bộ lọc: năm 2025; toàn tỉnh" in text and "Nguồn: Báo cáo hằng năm" in text
    assert any(str(t).startswith("Ngày xuất: ") for t in text) and any("Dữ liệu mẫu" in str(t) for t in text)
    header = next(i for i, r in enumerate(rows) if r[0] == "Đơn vị")
    assert rows[header] == ["Đơn vị", "Tử số", "Mẫu số", "Tỉ lệ (%)"]
    assert rows[header + 1][:3] == ["Thục Phán", 343.0, 1462.0]
    assert rows[header + 1][3] == pytest.approx(0.23461)  # stored as a fraction, shown with a % format


def test_csv_export_has_vietnamese_headers_and_bom():
    # a percentage with the decimal comma (quoted): a Vietnamese Excel reads «1,5» as one and a half, «1.5» not
    df = pl.DataFrame({"unit_name": ["Hòa An"], "value": [1.5], "members": [1462], "year": [2025]})
    cols = [
        export.Col("unit_name", "Đơn vị"),
        export.Col("value", "Tỉ lệ (%)", "pct"),
        export.Col("members", "Đảng viên", "int"),
        export.Col("year", "Năm", "year"),
    ]
    out = export.table_csv(df, cols)
    assert out.startswith("\ufeff".encode()) and out.decode("utf-8-sig") == (
        'Đơn vị,Tỉ lệ (%),Đảng viên,Năm\nHòa An,"1,5",1462,2025\n'
    )


def test_csv_export_states_mark_filters_source_first():
    df = pl.DataFrame({"unit_name": ["Hòa An"], "value": [16.8263]})
    meta = export.export_meta("Chưa có Internet theo đơn vị", "năm 2025; toàn tỉnh", "Báo cáo hằng năm", True)
    text = export.table_csv(df, [export.Col("unit_name", "Đơn vị"), export.Col("value", "Tỉ lệ (%)", "pct")], meta)
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert rows[:4] == [
        ["Chưa có Internet theo đơn vị"],
        ["Tài liệu lưu hành nội bộ"],
        ["Bộ lọc: năm 2025; toàn tỉnh"],
        ["Nguồn: Báo cáo hằng năm"],
    ]
    assert rows[4][0].startswith("Ngày xuất: ") and rows[5][0].startswith("Dữ liệu mẫu")
    assert rows[6:] == [[], ["Đơn vị", "Tỉ lệ (%)"], ["Hòa An", "16,8263"]]


def test_xlsx_years_are_written_without_a_thousands_separator():
    import openpyxl

    df = pl.DataFrame({"year": [2025], "members": [1462]})
    xlsx = export.table_xlsx(df, [export.Col("year", "Năm", "year"), export.Col("members", "ĐV", "int")], "t", "f", "s")
    ws = openpyxl.load_workbook(io.BytesIO(xlsx))["Số liệu"]
    year, members = next((r[0], r[1]) for r in ws.iter_rows() if r[0].value == 2025)
    # «0» shows 2025; «#,##0» would show 2.025 in a Vietnamese Excel
    assert (year.number_format, members.number_format, members.value) == ("0", "#,##0", 1462)


def _read_bieu(data: bytes) -> dict[str, list[list]]:
    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {n: wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names}


def test_bieu_workbook_equals_the_reconciliation_views_loaded_figures(sample_store):
    """The exported Biểu 01–07, re-read, equal the loaded side of rec_all for every published cell."""
    from etl.codes import label

    book = _read_bieu(bieu_workbook(2025, Scope.province(), root=sample_store))
    rec = reconciliation(Scope.province(), root=sample_store)

    def find_row(sheet, text, start=0):
        return next(i for i, r in enumerate(book[sheet]) if i >= start and r[1] == text)

    # Biểu 01: level rows, columns "Tổng số" then the 7 types.
    b01 = book["Biểu 01"]
    head = next(i for i, r in enumerate(b01) if r[:2] == ["TT", "Cấp chi bộ"])
    types = b01[head][3:10]
    for r in rec.filter(pl.col("bieu") == "bieu01").iter_rows(named=True):
        row = b01[find_row("Biểu 01", label("level", r["level_code"]))]
        assert row[3 + types.index(label("branch_type", r["type_code"]))] == r["loaded"], r
    # Biểu 03: a block of 6 measures per year.
    b03 = book["Biểu 03"]
    head = next(i for i, r in enumerate(b03) if r[:2] == ["TT", "Cấp chi bộ"])
    years = [int(str(v).removeprefix("Năm ")) for v in b03[head][2:] if str(v).startswith("Năm")]
    measures = ["total", "rated", "excellent", "good", "completed", "not_completed"]
    for r in rec.filter(pl.col("bieu") == "bieu03").iter_rows(named=True):
        row = b03[find_row("Biểu 03", label("level", r["level_code"]))]
        assert row[2 + years.index(r["year"]) * 6 + measures.index(r["measure"])] == r["loaded"], r
    # Biểu 07: measures as rows, years as columns.
    b07 = book["Biểu 07"]
    head = next(i for i, r in enumerate(b07) if r[:2] == ["TT", "Nội dung"])
    years7 = [int(str(v).removeprefix("Năm ")) for v in b07[head][2:] if v]
    labels7 = dict(export.B07_MEASURES)
    for r in rec.filter(pl.col("bieu") == "bieu07").iter_rows(named=True):
        row = b07[find_row("Biểu 07", labels7[r["measure"]])]
        assert row[2 + years7.index(r["year"])] == r["loaded"], r
    # Biểu 05 and 06: one row per commune, by name.
    names = {"01273": "Phường Thục Phán"}
    from dashboard.data import units

    names = dict(units(Scope.province(), root=sample_store).select("unit_code", "unit_full_name").iter_rows())
    for n in ("05", "06"):
        sheet = book[f"Biểu {n}"]
        head = next(i for i, r in enumerate(sheet) if r[:2] == ["Stt", "Đảng bộ xã, phường"])
        headers = sheet[head]
        for r in rec.filter(pl.col("bieu") == f"bieu{n}").iter_rows(named=True):
            row = sheet[find_row(f"Biểu {n}", names[r["unit_code"]], head)]
            if n == "05":
                col = 2 + [m for m, _ in export.B05_MEASURES].index(r["measure"])
            else:
                order = ["village_branches", "under_3_members"] + [
                    f"{k}_{s}" for k, _ in export.B06_ROLES for s in ("member", "non_member")
                ]
                col = 2 + order.index(r["measure"])
            assert headers[col] and row[col] == r["loaded"], r


def test_bieu_02_and_04_equal_the_reconciliation(sample_store):
    """Biểu 02 (level → type → role rows) and 04 (level rows, then type rows) re-read against rec_all."""
    from etl.codes import codes

    book = _read_bieu(bieu_workbook(2025, Scope.province(), root=sample_store))
    rec = reconciliation(Scope.province(), root=sample_store)
    level_of = {c.label.upper(): c.code for c in codes()["level"]}
    type_of = {c.label: c.code for c in codes()["branch_type"]}
    role_of = {c.label: c.code for c in codes()["role"]}

    def walk(sheet: str):
        """(level, type, role) -> row, following the section / group structure of the sheet."""
        out, lv, ty = {}, None, None
        for r in book[sheet]:
            if r[1] in level_of:
                lv, ty = level_of[r[1]], None
                out[(lv, None, None)] = r
            elif r[1] in type_of:
                ty = type_of[r[1]]
                out[(lv, ty, None)] = r
            elif r[1] in role_of:
                out[(lv, ty, role_of[r[1]])] = r
        return out

    b02 = walk("Biểu 02")
    measures02 = ["total"] + [c for _, g in export.B02_GROUPS for c, _ in g]
    checked = 0
    for r in rec.filter(pl.col("bieu") == "bieu02").iter_rows(named=True):
        row = b02[(r["level_code"], r["type_code"], r["role_code"])]
        assert row[2 + measures02.index(r["measure"])] == r["loaded"], r
        checked += 1
    b04 = walk("Biểu 04")
    measures04 = [m for m, _ in export.B04_MEASURES]
    for r in rec.filter(pl.col("bieu") == "bieu04").iter_rows(named=True):
        row = b04[(r["level_code"], r["type_code"], None)]
        assert row[2 + measures04.index(r["measure"])] == r["loaded"], r
        checked += 1
    assert checked > 300


def test_map_classes_never_split_a_narrow_spread():
    # a 0,6-point spread is one class: quantile breaks would paint 96,2% light and 96,8% dark
    assert maps.classes([96.2, 96.3, 96.5, 96.8]) == []
    # the minimum class width is 2 points: a break exactly 2 points above the lowest value is kept, 1,9 is not
    assert maps.classes([0.0, 2.0]) == [2.0]
    assert maps.classes([0.0, 1.9]) == []
    # wide spreads keep their quantile breaks, each at least 2 points from the one before
    b = maps.classes([0, 10, 20, 30, 40, 50, 60, 70, 80, 90])
    assert b == [20.0, 40.0, 60.0, 80.0]


def test_map_darker_always_means_worse():
    # lower is better (no Internet): the highest class is the darkest
    low_good = maps.legend([10.0, 20.0], polarity=-1)
    assert [c for c, _ in low_good[:3]] == [maps.CLASS_COLORS[0], maps.CLASS_COLORS[2], maps.CLASS_COLORS[4]]
    # higher is better (members rated good): the lowest class is the darkest
    high_good = maps.legend([10.0, 20.0], polarity=1)
    assert [c for c, _ in high_good[:3]] == [maps.CLASS_COLORS[4], maps.CLASS_COLORS[2], maps.CLASS_COLORS[0]]
    assert [t for _, t in high_good] == ["dưới 10,0%", "10,0% – dưới 20,0%", "từ 20,0%", "Không có số liệu"]
    # one class: a light neutral shade, labelled with the range
    assert maps.legend([], [96.2, 96.8]) == [
        (maps.CLASS_COLORS[1], "96,2% – 96,8%"),
        (maps.NO_DATA_COLOR, maps.NO_DATA),
    ]


def test_png_export_gives_labels_room_and_carries_the_mark():
    ind = registry.get("internet_none")
    df = pl.DataFrame(
        {
            "unit_code": ["01273"],
            "unit_name": ["Đảng bộ Uỷ ban nhân dân tỉnh"],
            "numerator": [1],
            "denominator": [10],
            "value": [10.0],
        }
    )
    fig = charts.by_unit(df, ind, 12.0, title="Chưa có Internet theo đơn vị, năm 2025")
    meta = export.export_meta("t", "năm 2025; toàn tỉnh", "Báo cáo hằng năm", False)[1:]
    out = export.png_figure(fig, meta)
    assert out.layout.yaxis.automargin is True and out.layout.xaxis.automargin is True
    sub = out.layout.title.subtitle.text
    assert sub.startswith("Tài liệu lưu hành nội bộ<br>Bộ lọc: năm 2025; toàn tỉnh<br>Nguồn: Báo cáo hằng năm")
    assert out.layout.height == fig.layout.height + 18 * 4 + 30
    assert fig.layout.title.subtitle.text is None  # the chart on the page is not changed


def test_scorecard_marks_every_cell_in_text_and_counts_the_bad_ones():
    from dashboard import scorecard

    units = pl.DataFrame({"unit_code": ["A", "B", "C"], "unit_full_name": ["Xã A", "Xã B", "Xã C"]})
    # no Internet (lower is better), province 10%: A 1/100 significantly lower = better, B 50/100 worse, C 10/100
    internet = pl.DataFrame({"unit_code": ["A", "B", "C"], "numerator": [1, 50, 10], "denominator": [100, 100, 100]})
    internet = internet.with_columns(value=pl.col("numerator") / pl.col("denominator") * 100)
    cols = {"internet_none": scorecard.Column(registry.get("internet_none"), 10.0, 0.0)}
    t = scorecard.build(units, {"internet_none": internet}, cols, "funnel")
    assert t.select("unit_code", "internet_none_text", "internet_none_judgement", "worse").rows() == [
        ("A", "1,00% ▲", "better", 0),
        ("B", "50,00% ▼", "worse", 1),
        ("C", "10,00% ●", "similar", 0),
    ]
    assert scorecard.sort(t, "worse", cols)["unit_code"].to_list() == ["B", "A", "C"]
    assert scorecard.sort(t, "internet_none", cols)["unit_code"].to_list() == ["B", "C", "A"]  # worst value first
    # against the target ≤ 0%: 1% is within the 5-point band (amber), 50% and 10% are red; exactly 5% is amber
    r = scorecard.build(units, {"internet_none": internet}, cols, "rag")
    assert r.select("internet_none_text", "worse").rows() == [("1,00% ◐", 0), ("50,00% ✗", 1), ("10,00% ✗", 1)]
    assert scorecard.judge("rag", cols["internet_none"], 5, 100) == "amber"
    assert scorecard.judge("rag", cols["internet_none"], 0, 100) == "green"
    # every judged cell has a background, a similar one none
    assert scorecard.background(t, cols, "funnel") == [
        ["", "background-color: #cfe2f3"],
        ["", "background-color: #f8d3c0"],
        ["", ""],
    ]


def test_branch_changes_name_every_changed_cell():
    from dashboard.admin import branch_changes

    old = pl.DataFrame(
        {
            "branch_code": ["A1", "A2", "A3"],
            "branch_name": ["Chi bộ xóm Nà Rạ", "Chi bộ xóm Co", "Chi bộ trường"],
            "members": [20, 9, 12],
            "rating": ["tot", "ht", "xs"],
            "computer": [False, True, True],
        }
    )
    new = pl.DataFrame(
        {
            "branch_code": ["A1", "A3", "A4"],
            "branch_name": ["Chi bộ xóm Nà Rạ", "Chi bộ trường", "Chi bộ xóm mới"],
            "members": [22, 12, 5],
            "rating": ["xs", "xs", None],
            "computer": [True, True, False],
        }
    )
    assert branch_changes(old, new).rows() == [
        (
            "A1",
            "Chi bộ xóm Nà Rạ",
            "thay đổi",
            "Tổng số đảng viên: 20 → 22; Xếp loại chi bộ: Hoàn thành tốt nhiệm vụ → Hoàn thành xuất sắc nhiệm vụ; "
            "Máy tính: không → có",
        ),
        ("A2", "Chi bộ xóm Co", "bớt", ""),
        ("A4", "Chi bộ xóm mới", "thêm", ""),
    ]  # A3 is unchanged: not listed
