"""The page frame every page shares: the house style, the sample and coverage notices, the indicator chooser and its
note, and how a chart is shown."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboard import charts, data, filters, notices, registry, reporting, urlstate
from dashboard.filters import State
from etl.settings import MAX_FILE_BYTES


def house_style() -> None:
    """Streamlit's own English texts hidden or said in Vietnamese, and its toolbars hidden: every export goes
    through the page's own buttons (marked, audited), never through the chart's camera or the table's CSV."""
    limit = MAX_FILE_BYTES // 1024 // 1024
    st.html(
        "<style>"
        '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] {display: none}'
        '[data-testid="stFileUploaderDropzone"] button > div::after {content: "Chọn tệp"}'
        '[data-testid="stFileUploaderDropzoneInstructions"] span {display: none}'
        f'[data-testid="stFileUploaderDropzoneInstructions"] > div::after {{content: "Kéo thả tệp vào đây · tối đa '
        f'{limit} MB mỗi tệp"; font-size: 0.875rem}}'
        '[data-testid="InputInstructions"] {display: none}'
        '[data-testid="stElementToolbar"] {display: none}'
        # Tiles wrap rather than cut their figures (tiles.grid); a metric's label and value wrap too.
        '[data-testid="stLayoutWrapper"]:has(> [class*="st-key-tile-"])'
        " {flex: 1 1 10rem !important; min-width: 10rem !important}"
        '[data-testid="stLayoutWrapper"]:has(> .st-key-attention) {flex: 1 1 18rem !important; min-width: 18rem}'
        # Captions in a grey of 6:1 on white (Streamlit's faded 60% text is 3.6:1, below WCAG AA's 4.5:1); a page's
        # section headings are h2 (after the page's h1) at the size of Streamlit's subheader.
        '[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {color: #5a5d66 !important; opacity: 1 !important}'
        '[data-testid="stMain"] h2 {font-size: 1.5rem !important}'
        '[data-testid="stMetricLabel"] *, [data-testid="stMetricValue"] *'
        " {white-space: normal !important; overflow: visible !important; text-overflow: clip !important}"
        "</style>"
    )
    # Names for Streamlit's own markup that has none (axe-core, WCAG 4.1.2): the uploader's button, whose English
    # text the style above replaces (a CSS text is no accessible name), is named «Chọn tệp»; a tile's sparkline is
    # decorative (its figures are in the tile's text and caption) and hidden from screen readers. Set on every
    # element as it appears: Streamlit draws them after this runs.
    st.html(
        """<script>
        (() => {
          if (window.__partydashA11y) return;
          window.__partydashA11y = true;
          const name = () => {
            document.querySelectorAll('[data-testid="stFileUploaderDropzone"] button:not([aria-label])')
              .forEach(b => b.setAttribute("aria-label", "Chọn tệp"));
            document.querySelectorAll('[data-testid="stMetric"] svg:not([aria-hidden])')
              .forEach(s => s.setAttribute("aria-hidden", "true"));
          };
          name();
          new MutationObserver(name).observe(document.body, {childList: true, subtree: true});
        })();
        </script>""",
        unsafe_allow_javascript=True,
    )


def phone() -> bool:
    """Whether the browser is a phone's (its user agent says «Mobile»: iPhone, Android phones; not an iPad): the one
    thing the server can know of the screen before drawing (the overview's map is fitted to it)."""
    return "Mobile" in (st.context.headers.get("User-Agent") or "")


def chart(fig: go.Figure, key: str, **kw):
    """st.plotly_chart without Plotly's mode bar (English, and an export without mark or audit)."""
    return st.plotly_chart(fig, key=key, config={"displayModeBar": False, **kw.pop("config", {})}, **kw)


def sample_notice(year: int | None = None) -> None:
    """What this store is, on every page: the sample's synthetic data (a warning, which also says when the year on
    screen is an illustrative one, the province's totals invented too), or a line saying the data is real, which
    years were loaded and which come from the published tables (etl/status.py)."""
    if data.is_sample():
        st.warning(notices.sample_notice(year=year), icon=":material/science:")
    else:
        st.caption(data.store_status().short())


def coverage_notice(state: State) -> None:
    """How complete the year on screen is, on every page: a warning when only some units have reported."""
    if approval := reporting.approval_notice(state.year):  # the year's reporting cycle, when it has one
        st.caption(approval)
    c = state.coverage
    if c is None:
        return
    if c.complete:
        st.caption(f"Số liệu năm {state.year}: {c.text} đã nộp báo cáo.")
    else:
        st.warning(
            f"Số liệu năm {state.year} chưa đầy đủ: mới có {c.text} nộp báo cáo. Các số liệu năm {state.year} chỉ "
            "tính trên các đơn vị đã nộp, không phải của toàn tỉnh; so sánh với năm trước chỉ trên cùng các đơn vị "
            "đó; tiến độ mục tiêu tính đến năm có đủ số liệu gần nhất.",
            icon=":material/hourglass_top:",
        )


def about(indicator_id: str) -> None:
    """«Về chỉ tiêu này»: definition, numerator, denominator, linked targets — from the registry."""
    ind = registry.get(indicator_id)
    with st.expander(f"Về chỉ tiêu: {ind.label}", icon=":material/info:"):
        st.markdown(
            f"{ind.definition}\n\n- **Tử số:** {ind.numerator}\n- **Mẫu số:** {ind.denominator}\n"
            f"- **Cách cộng dồn:** tổng tử số / tổng mẫu số (không lấy trung bình các tỉ lệ)"
        )
        t = data.targets().filter(pl.col("indicator_id") == indicator_id)
        for r in t.iter_rows(named=True):
            own = "Mục tiêu của tỉnh" if r["applies"] == "own" else "Tham khảo (văn bản khác)"
            st.markdown(f"- {own}: *{r['target_text']}* — {r['issuer']} ({r['target_id']})")
        if ind.has_rating_breaks and (breaks := data.series_breaks()):
            # The years and regulations of prg_series_breaks (their one home): «2023 (Quy định 124-QĐ/TW) và …».
            when = " và ".join(f"{y} ({charts.regulation(t)})" for y, t in sorted(breaks.items()))
            st.caption(f"Lưu ý: cách đánh giá, xếp loại thay đổi năm {when}: so sánh qua các mốc này cần thận trọng.")


def own_targets() -> str:
    """Whose targets the deployment follows as its own, in words («của Đề án 03-ĐA/TU»; province.toml
    `targets_of`)."""
    from etl.province import load_province

    return load_province().settings.get("targets_of", "của đơn vị")


def has_communes() -> bool:
    """Whether the deployment's units include communes and wards (with their villages): not a bloc's committees
    (Quảng Trị's Khối: agencies and enterprises)."""
    from etl.province import load_province

    return any(u.is_commune for u in load_province().units)


def profile_title() -> str:
    """A unit's profile in the menu: «Hồ sơ xã» where units are communes and wards, «Hồ sơ đơn vị» for a bloc's."""
    return "Hồ sơ xã" if has_communes() else "Hồ sơ đơn vị"


def bieu_source() -> str:
    """« của Đề án 03-ĐA/TU …»: whose published tables the Biểu follow (province.toml `reference_source`)."""
    from etl.province import load_province

    source = load_province().reference_source
    return f" ({source})" if source else " (Biểu 01–07 của Đề án 03-ĐA/TU, Tỉnh uỷ Cao Bằng)"


def choose(ids: list[str]) -> str:
    """The indicator shown below, picked among a page's indicators; kept in the URL (?chi_tieu=…), so a link or a
    reload opens the same one (a link with an old id, `registry.resolve`, opens the indicator under its id now). An
    indicator of another page is replaced by this page's first."""
    urlstate.param(filters.INDICATOR, ids, default=ids[0], what="chỉ tiêu", resolve=registry.resolve)
    return st.segmented_control(
        "Chỉ tiêu", ids, format_func=lambda i: registry.get(i).short_for(), key=filters.INDICATOR, required=True
    )
