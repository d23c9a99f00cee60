"""Xếp loại đảng viên: member ratings and admissions, trend and comparison of units with the province."""

import streamlit as st

from dashboard import filters, registry, ui

state = filters.current()
st.title("Xếp loại đảng viên")
choice = ui.choose(["member_good", "member_excellent", "member_failed", "admission_rate"])
trend = ui.trend_chart(choice, state, key="dv")
ui.trend_test_note(trend, registry.get(choice), state)

left, right = st.columns(2)
with left:
    unit = ui.unit_bars(choice, state, key="dv")
with right:
    ui.funnel(choice, state, key="dv")
if unit:
    ui.branch_list(unit, state, key="dv")
ui.about(choice)
