"""Mục tiêu 2030: every measurable target — status, glide path and the gap in branches or people."""

import polars as pl
import streamlit as st

from dashboard import charts, data, export, filters, fmt, registry, ui
from dashboard.methods import STATUS_LABELS

state = filters.current()
st.title("Tiến độ thực hiện mục tiêu")
st.caption(
    "Tình trạng theo phương pháp tiến độ của Eurostat (METHODS §1): so tốc độ thay đổi thực tế (điểm %/năm, "
    "đường hồi quy 2021–nay) với tốc độ cần có để đạt mục tiêu đúng hạn."
)
kind = "unit" if state.scope.is_commune else "province"
p = data.progress(state.scope, scope_kind=kind)
if state.scope.is_commune:
    p = p.filter(pl.col("scope_code") == state.scope.unit_code)
own_only = st.toggle(
    "Chỉ mục tiêu của Đề án 03-ĐA/TU (bỏ các chỉ tiêu tham khảo từ văn bản khác)", value=True, key="mt_own"
)
if own_only:
    p = p.filter(pl.col("applies") == "own")

table = p.with_columns(
    pl.col("indicator_id").map_elements(lambda i: registry.get(i).short, pl.String).alias("indicator"),
    pl.col("status").replace_strict(STATUS_LABELS, default="").alias("status_label"),
    pl.when(pl.col("is_annual")).then(pl.lit("hằng năm")).otherwise(pl.col("deadline").cast(pl.String)).alias("han"),
)
cols = [
    export.Col("target_id", "Mã"),
    export.Col("target_text", "Mục tiêu"),
    export.Col("indicator", "Chỉ tiêu đo"),
    export.Col("target_value", "Mục tiêu (%)", "pct"),
    export.Col("han", "Thời hạn"),
    export.Col("latest", "Hiện tại (%)", "pct"),
    export.Col("observed_pace", "Tốc độ thực tế (điểm %/năm)", "dec"),
    export.Col("required_pace", "Tốc độ cần (điểm %/năm)", "dec"),
    export.Col("status_label", "Tình trạng"),
    export.Col("gap_units", "Còn thiếu (chi bộ/người)", "int"),
]
ui.show_table(table, cols)
ui.downloads(table, cols, f"tien-do-muc-tieu-{state.year}", "Tiến độ thực hiện mục tiêu", state, key="mt-table")

for r in table.iter_rows(named=True):
    ind = registry.get(r["indicator_id"])
    with st.container(border=True):
        st.markdown(
            f"**{r['target_id']} · {r['target_text']}**  \n{ui.status_badge(r['status'])} · hiện tại "
            f"{fmt.pct(r['latest'])} ({r['latest_year']}), mục tiêu {fmt.pct(r['target_value'], 0)} ({r['han']})"
        )
        series = data.indicator(r["indicator_id"], state.all_years, state.scope, subgroup=r["subgroup"])
        glide = charts.glide_path(series, r, ind, title=ind.label)
        st.plotly_chart(glide, key=f"glide-{r['target_id']}")
        ui.downloads(
            series,
            ui.indicator_cols("year"),
            f"lo-trinh-{r['target_id']}",
            f"{r['target_id']} · {ind.label}",
            state,
            glide,
            key=f"g-{r['target_id']}",
        )
        if r["gap_units"]:
            noun = "chi bộ" if ind.group in ("branch", "infrastructure", "village") else "người"
            st.markdown(
                f"Cần thêm **{fmt.num(r['gap_units'])} {noun}** đạt yêu cầu để đạt mục tiêu "
                f"(tính trên mẫu số năm {r['latest_year']})."
            )
        if ind.has_rating_breaks and r["baseline_year"] < 2025 <= r["latest_year"]:
            st.caption(
                "Chuỗi số liệu đi qua năm đổi cách xếp loại (2023, 2025): tốc độ thực tế chỉ mang tính tham khảo."
            )

st.subheader("Mục tiêu chưa đo được từ báo cáo hằng năm")
st.caption(
    "Các mục tiêu này (chất lượng sinh hoạt, nghị quyết hằng tháng, …) không có số liệu trong biểu báo cáo hằng "
    "năm; cần nguồn khác để theo dõi."
)
unmeasured = data.targets().filter(pl.col("indicator_id").is_null())
ui.show_table(
    unmeasured,
    [
        export.Col("target_id", "Mã"),
        export.Col("target_text", "Mục tiêu"),
        export.Col("issuer", "Văn bản"),
        export.Col("deadline", "Thời hạn"),
    ],
)
