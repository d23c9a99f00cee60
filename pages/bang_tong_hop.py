"""Bảng tổng hợp: the one-look scorecard — every unit × the key indicators, judged against the province or against
the targets, with text marks; sortable; a click opens the unit's profile; exportable."""

from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import data, export, filters, registry, scorecard, urlstate
from dashboard.ui import comparisons, downloads, tiles

state = filters.current()
own = data.units(state.scope)["unit_full_name"][0] if state.scope.is_commune else None
# A commune user sees one row: its own (the title says whose, not «theo đơn vị»)
st.title(f"Bảng tổng hợp của {own}, năm {state.year}" if own else f"Bảng tổng hợp theo đơn vị, năm {state.year}")
st.caption(
    "Mỗi ô là giá trị của đơn vị và một dấu (màu chỉ để dễ nhìn): **▲** tốt hơn · **●** tương đương · **▼** kém hơn "
    "toàn tỉnh có ý nghĩa thống kê (phễu 95%); hoặc **✓** đạt · **◐** gần đạt (thiếu dưới 5 điểm %) · **✗** chưa đạt "
    "mục tiêu của tỉnh. Bấm vào " + ("dòng để mở hồ sơ của đơn vị." if own else "một dòng để mở hồ sơ đơn vị.")
)
c1, c2 = st.columns(2)
urlstate.param("danh_gia", list(scorecard.MODES), default=next(iter(scorecard.MODES)), what="cách đánh giá")
mode = c1.radio(
    "Cách đánh giá", list(scorecard.MODES), format_func=scorecard.MODES.get, key="danh_gia", horizontal=True
)
columns = {i: comparisons.scorecard_column(i, state, mode) for i in tiles.headline()}
urlstate.param("sap_xep", ["worse", *columns], default="worse", what="cách sắp xếp", resolve=registry.resolve)
by = c2.selectbox(
    "Sắp xếp theo",
    ["worse", *columns],
    key="sap_xep",
    format_func=lambda i: "Số ô kém hơn / chưa đạt" if i == "worse" else registry.get(i).short_for(),
)
values = {i: data.indicator(i, state.filters, state.scope, by=("unit",)) for i in columns}
table = scorecard.sort(scorecard.build(data.units(state.scope), values, columns, mode), by, columns)

shown = table.select(
    pl.col("unit_full_name").alias("Đơn vị"),
    *[pl.col(f"{i}_text").alias(c.ind.short_for()) for i, c in columns.items()],
)
bg = scorecard.background(table, columns, mode)
styler = shown.to_pandas().style.apply(lambda row: bg[row.name], axis=1)
event = st.dataframe(
    styler,
    hide_index=True,
    width="stretch",
    height=min(620, 38 + 35 * shown.height),  # no empty grid below a commune's one row
    on_select="rerun",
    selection_mode="single-row",
    key="scorecard",
    column_config={"Đơn vị": st.column_config.TextColumn(pinned=True)},  # in view while the columns scroll
)
rows = event.selection.rows if event and event.selection else []
if rows:
    urlstate.switch(Path(__file__).with_name("ho_so_xa.py"), **{filters.PROFILE_UNIT: table["unit_code"][rows[0]]})

cols = (
    [export.Col("unit_full_name", "Đơn vị")]
    + [
        col
        for i, c in columns.items()
        for col in (
            export.Col(i, f"{c.ind.short_for()} (%)", "pct"),
            export.Col(f"{i}_text", f"{c.ind.short_for()}: đánh giá"),
        )
    ]
    + [export.Col("worse", "Số ô kém hơn / chưa đạt", "int")]
)
downloads.downloads(
    table, cols, f"bang-tong-hop-{state.year}", f"Bảng tổng hợp theo đơn vị ({scorecard.MODES[mode]})", state, key="sc"
)
