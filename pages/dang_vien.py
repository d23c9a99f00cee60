"""Xếp loại đảng viên: member ratings and admissions, trend and comparison of units with the province."""

import streamlit as st

from dashboard import filters, registry
from dashboard.ui import comparisons, frame, tables, trends

state = filters.current()
st.title("Xếp loại đảng viên")
choice = frame.choose(["member_good", "member_excellent", "member_failed", "admission_rate"])
trend = trends.trend_chart(choice, state, key="dv")
trends.trend_test_note(trend, registry.get(choice), state)

left, right = st.columns(2)
with left:
    unit = comparisons.unit_bars(choice, state, key="dv")
with right:
    comparisons.funnel(choice, state, key="dv")
if unit:
    tables.branch_list(unit, state, key="dv")
frame.about(choice)
