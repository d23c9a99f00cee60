"""The branches' meetings (sheet «Sinh hoạt chi bộ», from the 2026 return): the first year told honestly, the per-unit
targets (pilots per commune, materials per committee), a commune's branches that need attention, the Biểu-style
table, and the score sheet to print."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import data, export, fmt, registry
from dashboard.filters import State
from dashboard.ui.downloads import audited, downloads
from dashboard.ui.tables import show_table
from etl.schema import MEETINGS_FROM

# Every meeting indicator, in the registry's order: the page's chooser.
IDS = [i for i, ind in registry.indicators().items() if ind.group == "meeting"]
# The key ones: the page's and the overview's tiles, the scorecard's columns.
KEY = ["meet_regular", "meet_attendance", "meet_quality", "meet_higher_village"]
NO_DATA = "chưa có số liệu"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def no_data_text(year: int, years: list[int]) -> str:
    """Why a year has no meeting figure («chưa có số liệu», never 0), and which years do."""
    have = f" Có số liệu: năm {', '.join(map(str, years))}." if years else ""
    return (
        f"Năm {year}: {NO_DATA} về sinh hoạt chi bộ. Biểu báo cáo hằng năm hỏi trang «Sinh hoạt chi bộ» từ báo cáo "
        f"năm {MEETINGS_FROM} (năm đầu của Đề án 03-ĐA/TU); các năm trước không có số liệu này.{have}"
    )


def first_year_note(state: State, years: list[int]) -> None:
    """With one year of data there is no pace: say what is shown instead."""
    if len([y for y in years if y <= state.year]) != 1:
        return
    st.info(
        f"Năm {state.year} là năm đầu tiên có số liệu sinh hoạt chi bộ: chưa có tốc độ thay đổi để so với lộ trình "
        "(«chưa đủ số liệu để đánh giá tốc độ»). Mỗi chỉ tiêu cho biết mức hiện tại, khoảng cách đến mục tiêu và số "
        "chi bộ (đảng viên, kỳ sinh hoạt) còn thiếu; các năm trước: chưa có số liệu.",
        icon=":material/looks_one:",
    )


def progress_rows(state: State) -> pl.DataFrame:
    """The progress rows the tiles show: the unit's own when one is on screen, else the province's."""
    unit = state.scope.unit_code if state.scope.is_commune else (state.filters.units or (None,))[0]
    p = data.progress(state.scope, scope_kind="unit" if unit else "province")
    return p.filter(pl.col("scope_code") == unit) if unit else p


UNIT_TARGET_COLS = [
    export.Col("target_id", "Mã"),
    export.Col("target_text", "Mục tiêu"),
    export.Col("rule", "Mức"),
    export.Col("status_text", "Toàn tỉnh"),
    export.Col("not_met", "Đơn vị chưa đạt (số đếm được)"),
]


def _rule(r: dict) -> str:
    """«mỗi đảng bộ xã, phường: từ 02 chi bộ trở lên, hằng năm»."""
    m = registry.unit_measures()[r["measure_id"]]
    if m.id == "unit_materials":
        return "mỗi đảng bộ: đủ 12 tháng và có định hướng sinh hoạt chuyên đề, hằng năm"
    sign = {">=": "từ {v} {n} trở lên", "<=": "không quá {v} {n}", ">": "trên {v} {n}", "<": "dưới {v} {n}"}
    return f"mỗi đảng bộ xã, phường: {sign[r['comparator']].format(v=fmt.count(int(r['target_value'])), n=m.noun)}, hằng năm"


def unit_target_table(state: State) -> pl.DataFrame:
    """Each per-unit target of the year: the rule, how many units meet it and (for the province) which do not."""
    status = data.unit_target_status(state.year)
    if not status.height:
        return status
    per_unit = data.unit_targets(state.year, state.scope)
    rows = []
    for r in status.iter_rows(named=True):
        miss = per_unit.filter((pl.col("target_id") == r["target_id"]) & ~pl.col("met"))
        what = "đơn vị" if r["measure_id"] == "unit_materials" else "đảng bộ xã, phường"
        not_in = f"; {fmt.count(r['units_not_reported'])} chưa báo cáo" if r["units_not_reported"] else ""
        rows.append(
            {
                **r,
                "rule": _rule(r),
                "status_text": f"Toàn tỉnh {'đạt' if r['met'] else 'chưa đạt'}: {fmt.count(r['units_met'])}/"
                f"{fmt.count(r['units_expected'])} {what} đạt{not_in}",
                "not_met": "; ".join(
                    n if r["measure_id"] == "unit_materials" else f"{n} ({v})"
                    for n, v in zip(miss["unit_name"], miss["value"])
                ),
            }
        )
    return pl.DataFrame(rows)


def unit_targets(state: State) -> None:
    """The targets counted per committee (pilot branches per commune, materials per committee): «đạt / chưa đạt»,
    how many units meet each and, for the province, which do not; a commune sees its own standing."""
    st.header(f"Chi bộ điểm và tài liệu sinh hoạt, năm {state.year}")
    table = unit_target_table(state)
    if not table.height:
        st.caption(f"Năm {state.year}: {NO_DATA}.")
        return
    st.caption(
        "Mục tiêu tính theo từng đơn vị, không phải tỉ lệ chi bộ (Đề án 03-ĐA/TU): mỗi đảng bộ xã, phường chọn từ 02 "
        "đến 03 chi bộ sinh hoạt định kỳ và từ 01 đến 02 chi bộ sinh hoạt chuyên đề làm điểm chỉ đạo; mỗi đảng bộ "
        "biên soạn tài liệu sinh hoạt chi bộ thường kỳ. Toàn tỉnh «đạt» khi mọi đơn vị đạt."
    )
    if state.scope.is_commune:
        own_status(state)
    for r in table.iter_rows(named=True):
        with st.container(border=True):
            dot = ":green[●]" if r["met"] else ":red[●]"
            st.markdown(f"**{r['target_id']} · {r['target_text']}**  \n{r['rule']} · {dot} **{r['status_text']}**")
            if r["not_met"] and not state.scope.is_commune:
                counted = "" if r["measure_id"] == "unit_materials" else " (số chi bộ điểm trong ngoặc)"
                st.caption(f"Chưa đạt{counted}: {r['not_met']}.")
    cols = UNIT_TARGET_COLS if not state.scope.is_commune else UNIT_TARGET_COLS[:4]
    downloads(table, cols, f"muc-tieu-theo-don-vi-{state.year}", "Mục tiêu tính theo từng đơn vị", state, key="ut")


def own_status(state: State) -> None:
    """A commune's own pilots and materials against the Đề án: «chưa đủ chi bộ điểm» and what would meet it."""
    mine = data.unit_targets(state.year, state.scope)
    if not mine.height:
        return
    values = dict(zip(mine["measure_id"], mine["value"]))
    lines = []
    if "unit_pilot_regular" in values:
        n, t = values["unit_pilot_regular"], values.get("unit_pilot_thematic", 0)
        ok = 2 <= n <= 3 and 1 <= t <= 2
        word = "Đủ chi bộ điểm" if ok else "Chưa đủ chi bộ điểm" if n < 2 or t < 1 else "Nhiều chi bộ điểm hơn mức"
        lines.append(
            f"**{word}**: {fmt.count(n)} chi bộ điểm sinh hoạt định kỳ (cần 02–03), {fmt.count(t)} chi bộ điểm "
            "sinh hoạt chuyên đề (cần 01–02)."
        )
    if "unit_materials" in values:
        done = values["unit_materials"] == 1
        lines.append(
            "**Tài liệu sinh hoạt**: "
            + (
                "đã biên soạn đủ 12 tháng và định hướng sinh hoạt chuyên đề."
                if done
                else "chưa đủ 12 tháng hoặc chưa định hướng sinh hoạt chuyên đề."
            )
        )
    st.markdown("  \n".join(lines))


GAP_COLS = [
    export.Col("branch_code", "Mã chi bộ"),
    export.Col("branch_name", "Tên chi bộ"),
    export.Col("lacks", "Cần quan tâm"),
    export.Col("held_text", "Tháng có sinh hoạt"),
    export.Col("attendance", "Dự sinh hoạt (%)", "pct"),
    export.Col("scored_text", "Kỳ được chấm điểm"),
    export.Col("higher_text", "Cấp trên dự (quý)"),
    export.Col("pilot_label", "Chi bộ điểm"),
    export.Col("type_label", "Loại hình"),
]
_LACKS = {
    "missed_months": "thiếu tháng sinh hoạt",
    "missed_thematic": "thiếu quý chuyên đề",
    "no_higher_visit": "chưa có cấp uỷ cấp trên dự",
    "low_attendance": "dự dưới hoặc bằng 85%",
    "unexcused": "có vắng không lý do",
    "missed_resolutions": "thiếu nghị quyết hằng tháng",
    "no_rules": "chưa có quy chế làm việc",
}


def branch_meetings(unit_code: str, state: State, key: str) -> None:
    """One unit's branches and their meetings in the year on screen (the drill-down's last level, and a commune's
    own view): the village branches no member of the committee above visited first, then what each lacks."""
    df = data.meeting_gaps(state.filters.but(units=(unit_code,)), state.scope)
    name = data.units(state.scope).filter(pl.col("unit_code") == unit_code)["unit_full_name"].to_list()
    name = name[0] if name else unit_code
    st.header(f"Sinh hoạt của các chi bộ – {fmt.plain(name)}, năm {state.year}")
    if not df.height:
        st.info(f"{NO_DATA.capitalize()} về sinh hoạt chi bộ của {fmt.plain(name)} năm {state.year}.")
        return
    pilots = {c.code: c.label for c in _codes("pilot")}
    df = df.with_columns(
        held_text=pl.format("{}/{}", "regular_held", "months_due"),
        attendance=pl.when(pl.col("att_due") > 0).then(pl.col("att_present") / pl.col("att_due") * 100),
        scored_text=pl.when(pl.col("q_scored").is_not_null())
        .then(pl.format("{}/{}", "q_scored", "regular_held"))
        .otherwise(pl.lit("—")),
        higher_text=pl.col("higher_quarters").cast(pl.String).fill_null("—"),
        pilot_label=pl.col("pilot").replace_strict(pilots, default="", return_dtype=pl.String),
        lacks=pl.concat_str(
            [pl.when(pl.col(k)).then(pl.lit(v)) for k, v in _LACKS.items()], separator="; ", ignore_nulls=True
        ),
    )
    lonely = df.filter(pl.col("no_higher_visit"))
    if lonely.height:
        st.warning(
            f"**{fmt.count(lonely.height)} chi bộ xóm, tổ dân phố chưa có cấp uỷ cấp trên dự sinh hoạt** lần nào trong "
            f"năm (Đề án: mỗi chi bộ ít nhất một lần mỗi năm): {', '.join(lonely['branch_name'].to_list())}.",
            icon=":material/groups:",
        )
    need = df.filter(pl.col("gaps") > 0)
    st.caption(
        f"{fmt.count(df.height)} chi bộ báo cáo; {fmt.count(need.height)} chi bộ có điều cần quan tâm (cột thứ ba), "
        "nhiều nhất lên trên."
    )
    show_table(df, GAP_COLS, height=380)
    downloads(df, GAP_COLS, f"sinh-hoat-chi-bo-{unit_code}-{state.year}", f"Sinh hoạt chi bộ – {name}", state, key=key)


def _codes(domain: str):
    from etl.codes import codes

    return codes()[domain]


# The columns of export.MEETING_GROUPS (the workbook's sheet «Sinh hoạt chi bộ» groups them under two header rows).
TABLE_COLS = [
    export.Col("unit_name", "Đơn vị"),
    export.Col(*export.MEETING_BRANCHES, "int"),
    *[
        export.Col(c, lab, "text" if c == "orientation_text" else "int")
        for _, cols in export.MEETING_GROUPS
        for c, lab in cols
    ],
]


def meeting_table(state: State) -> None:
    """«Tình hình sinh hoạt chi bộ» by committee in the layout of the Đề án's Biểu, with the province's total row;
    exportable (a commune: its own row)."""
    df = data.meeting_table(state.filters.but(years=(state.year,)), state.scope)
    if not df.height:
        return
    df = export.meeting_rows(df)
    st.header(f"Biểu: tình hình sinh hoạt chi bộ năm {state.year}")
    st.caption(
        "Số liệu cả năm theo sổ biên bản của các chi bộ, cộng theo đơn vị (trang «Sinh hoạt chi bộ» của biểu báo cáo)."
    )
    show_table(df, TABLE_COLS, height=420)
    downloads(
        df,
        TABLE_COLS,
        f"bieu-sinh-hoat-chi-bo-{state.year}",
        f"Tình hình sinh hoạt chi bộ năm {state.year}",
        state,
        key="bieu-sh",
    )


def score_sheet_downloads(key: str) -> None:
    """The score sheet of one meeting (the province's criteria), to print: PDF and Excel."""
    from etl.province import load_province
    from forms import score_sheet

    province = load_province()
    c = province.criteria
    st.markdown(
        "**Phiếu chấm điểm chất lượng sinh hoạt chi bộ** (một kỳ, khổ A4), theo tiêu chí của tỉnh: "
        + ", ".join(f"{lv.name} {c.range_text(lv)}" for lv in c.levels)
        + ("." if c.confirmed else " — tiêu chí mặc định, chưa được Tỉnh uỷ xác nhận.")
    )
    from forms import fonts

    kinds = (
        ("pdf", "PDF", score_sheet.pdf, score_sheet.PDF_NAME, "application/pdf", ":material/picture_as_pdf:"),
        ("xlsx", "Excel", score_sheet.xlsx, score_sheet.XLSX_NAME, XLSX, ":material/table:"),
    )
    try:  # without the font, the Excel sheet only, and why
        fonts.font_dir()
    except fonts.FontMissing as e:
        st.warning(str(e), icon=":material/font_download_off:")
        kinds = kinds[1:]
    for col, (ext, word, build, name, mime, icon) in zip(st.columns(2), kinds):
        col.download_button(
            f"Tải phiếu ({word})",
            audited(lambda build=build: build(province), "Phiếu chấm điểm chất lượng sinh hoạt chi bộ", ext, ""),
            name,
            mime,
            on_click="ignore",
            icon=icon,
            key=f"phieu-{ext}-{key}",
        )
