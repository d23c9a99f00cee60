"""Mục tiêu 2030: every measurable target for what the filters select — most urgent first, the status at a glance,
glide paths and the gap in branches or people; and, for the province, every target of every unit."""

import polars as pl
import streamlit as st

from dashboard import data, export, filters, fmt, registry, urlstate
from dashboard.ui import downloads, figures, frame, meetings, tables, targets
from reports import prose

OPEN_GLIDES = 3  # the most urgent targets' glide paths open at first

state = filters.current()
st.title("Tiến độ thực hiện mục tiêu")
st.caption(
    "Tình trạng của mỗi mục tiêu so tốc độ thay đổi thực tế (điểm % mỗi năm, tính theo đường thẳng đi gần nhất "
    "các năm có đủ số liệu) với tốc độ cần có để đạt mục tiêu đúng hạn — cho "
    f"{filters.describe(state, year=False)}."
)
# The targets as of the year chosen: its series up to that year (complete years only).
p = data.progress_for(state.until_year, state.scope)
# Benchmarks from other organisations' documents (Cao Bằng shows Bình Lư's, the Khối's, Hà Giang's): a toggle, on
# by default; a folder with its own targets only has none.
own_only = True
if p.height and (p["applies"] != "own").any():
    urlstate.param("chi_de_an", [True, False], default=True, what="lựa chọn")
    own_only = st.toggle(
        f"Chỉ mục tiêu {frame.own_targets()} (bỏ các chỉ tiêu tham khảo từ văn bản khác)", key="chi_de_an"
    )
if own_only and p.height:
    p = p.filter(pl.col("applies") == "own")
table = targets.by_urgency(p)
if not table.height:
    st.info(f"Chưa có mục tiêu nào đo được cho lựa chọn này đến năm {state.year} (chưa có năm nào đủ số liệu).")
    st.stop()
as_of = table["latest_year"].max()
st.markdown(
    f"**Tình trạng tính đến năm {as_of}**"
    + (f" (năm {state.year} chưa đủ số liệu để đánh giá)" if as_of != state.year else "")
    + " — theo năm báo cáo đã chọn ở bộ lọc."
)
targets.status_counts(table)

# Lazy: only the open tab runs, and a target's glide path is drawn only while its box is open (the most urgent
# open at first) — a page of a dozen Plotly charts took seconds to draw in the browser.
names = ["Theo mục tiêu", "Theo đơn vị"] if not state.scope.is_commune else ["Theo mục tiêu"]
urlstate.param("tab", names, default=names[0], what="thẻ")
tabs = st.tabs(names, key="tab", on_change="rerun")
if tabs[0].open:
    with tabs[0]:
        tables.show_table(table, targets.PROGRESS_COLS)
        downloads.downloads(
            table,
            targets.PROGRESS_COLS,
            f"tien-do-muc-tieu-{state.year}",
            "Tiến độ thực hiện mục tiêu",
            state,
            key="mt-table",
        )
        glides = figures.glide_paths(state.until_year, state.scope, own_only)
        for i, r in enumerate(table.iter_rows(named=True)):
            ind = registry.get(r["indicator_id"])
            name = ind.label_for(r["subgroup"])
            with st.container(border=True):
                st.markdown(
                    f"**{r['target_id']} · {r['target_text']}**  \n{targets.status_badge(r['status'])} · hiện tại "
                    f"{fmt.pct(r['stated_latest'])} ({r['latest_year']}), mục tiêu {r['stated_goal']} ({r['han']})"
                )
                if r["history"]:  # a real store's years without returns (prg_published)
                    st.caption(
                        f"Các năm đến {r['published_until']} chưa có báo cáo đã nạp: năm gốc và xu hướng dùng số liệu "
                        f"đã công bố ({r['published_source']}), không phải số liệu từ báo cáo của các đơn vị."
                    )
                if r["gap_units"]:
                    st.markdown(
                        f"Để đạt mục tiêu: **{ind.gap_text(r['gap_units'])}** (tính trên mẫu số năm "
                        f"{r['latest_year']})."
                    )
                breaks = sorted(data.series_breaks()) if ind.has_rating_breaks else []
                if breaks and r["baseline_year"] < breaks[-1] <= r["latest_year"]:
                    st.caption(
                        f"Chuỗi số liệu đi qua năm đổi cách xếp loại ({', '.join(map(str, breaks))}): tốc độ thực tế "
                        "chỉ mang tính tham khảo."
                    )
                box = st.expander(
                    "Lộ trình đến mục tiêu",
                    expanded=i < OPEN_GLIDES,
                    icon=":material/show_chart:",
                    key=f"mt-open-{r['target_id']}",
                    on_change="rerun",
                )
                if box.open and r["target_id"] in glides:
                    series, glide = glides[r["target_id"]]
                    with box:
                        frame.chart(glide, f"glide-{r['target_id']}")
                        downloads.downloads(
                            series,
                            downloads.indicator_cols("year"),
                            f"lo-trinh-{r['target_id']}",
                            f"{r['target_id']} · {name}",
                            state,
                            glide,
                            key=f"g-{r['target_id']}",
                        )

if not state.scope.is_commune and tabs[1].open:
    with tabs[1]:
        matrix_year = data.progress(state.scope, scope_kind="unit")["latest_year"].max()
        st.caption(
            f"Tình trạng của từng mục tiêu ở từng đơn vị (theo số liệu của chính đơn vị), tính đến năm {matrix_year}"
            + (
                f" — bảng này luôn theo năm mới nhất, không theo năm {state.year} đã chọn"
                if matrix_year != state.year
                else ""
            )
            + ". Sắp xếp: đơn vị có nhiều mục tiêu «đi xuống» và «chuyển biến chậm» lên trên."
        )
        matrix, cols = targets.unit_status_matrix(state.scope, own_only)
        tables.show_table(matrix, cols, height=520)
        downloads.downloads(
            matrix, cols, f"tien-do-theo-don-vi-{state.year}", "Tiến độ mục tiêu theo đơn vị", state, key="mt-units"
        )

if data.unit_target_status(state.year).height:
    meetings.unit_targets(state)

st.header("Mục tiêu chưa đo được từ báo cáo hằng năm")
pool = data.targets()
if own_only:  # the toggle above holds here too: the targets of the province's own document (that of its own links)
    pool = pool.filter(
        pl.col("source_file").is_in(pool.filter(pl.col("applies") == "own")["source_file"].unique().to_list())
    )
unmeasured = pool.filter(pl.col("indicator_id").is_null())
st.caption(
    f"{fmt.count(unmeasured.height)} trong {fmt.count(pool.height)} mục tiêu của các văn bản không đo được "
    "từ biểu báo cáo hằng năm; lý do của từng mục tiêu:"
)
unmeasured = unmeasured.with_columns(
    stated=pl.Series(
        [
            prose.stated_target(r["comparator"], r["target_value"], r["unit"], r["deadline"])
            for r in unmeasured.iter_rows(named=True)
        ],
        dtype=pl.String,
    )
)
cols = [
    export.Col("target_id", "Mã"),
    export.Col("target_text", "Mục tiêu"),
    export.Col("stated", "Mức và thời hạn"),
    export.Col("unmeasured_reason", "Vì sao chưa đo được"),
    export.Col("issuer", "Văn bản"),
]
st.markdown(
    "\n".join(
        f"- **{r['target_id']} · {r['target_text']}** ({r['stated']}; {r['issuer']}). {r['unmeasured_reason']}"
        for r in unmeasured.iter_rows(named=True)
    )
)
downloads.downloads(unmeasured, cols, "muc-tieu-chua-do-duoc", "Mục tiêu chưa đo được", state, key="mt-unmeasured")
