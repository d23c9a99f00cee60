"""The documents of the overview and the profile: the situation report (Word), the one-page brief (PDF), every unit's
brief as one zip."""

from __future__ import annotations

import streamlit as st

from dashboard import data
from dashboard.filters import State, describe
from dashboard.ui.downloads import audited


def _document_unit(state: State) -> str | None:
    """The unit the overview's documents are about: a commune user's own; one unit chosen in the sidebar; else the
    province (None)."""
    if state.scope.is_commune:
        return state.scope.unit_code
    return state.filters.units[0] if len(state.filters.units) == 1 else None


def _unit_text(unit: str | None, state: State) -> str:
    units = data.units(state.scope)
    names = dict(zip(units["unit_code"].to_list(), units["unit_full_name"].to_list()))
    return names.get(unit, unit) if unit else "toàn tỉnh"


def brief_download(unit: str, state: State) -> None:
    """The one-page brief (PDF) on a unit, built on click and audited; a Vietnamese note if the font is missing."""
    from forms import fonts
    from reports import brief

    try:
        fonts.font_dir()
    except fonts.FontMissing as e:
        st.warning(str(e), icon=":material/font_download_off:")
        return
    what = f"Bản tóm tắt năm {state.year} ({_unit_text(unit, state)})"
    st.download_button(
        "Tải bản tóm tắt một trang (PDF)",
        audited(lambda: brief.build(state.year, state.scope, unit), what, "pdf", describe(state)),
        brief.file_name(state.year, unit),
        brief.PDF_MIME,
        on_click="ignore",
        icon=":material/picture_as_pdf:",
        key="brief-pdf",
    )


def documents(state: State) -> None:
    """The situation report (Word) of the view; for the province, every unit's brief as one zip (with progress)."""
    from etl.store import current_snapshot
    from forms import fonts
    from reports import brief, situation

    unit = _document_unit(state)
    what = f"Báo cáo thực trạng năm {state.year} ({_unit_text(unit, state)})"
    st.header("Tài liệu")
    c = st.columns(2)
    c[0].download_button(
        f"Tải báo cáo thực trạng năm {state.year}, {_unit_text(unit, state)} (Word)",
        audited(lambda: situation.build(state.year, state.scope, unit), what, "docx", describe(state)),
        situation.file_name(state.year, unit),
        situation.DOCX_MIME,
        on_click="ignore",
        icon=":material/description:",
        key="situation-docx",
        help=(
            "Các đoạn viết sẵn từ số liệu đã nạp; Biểu 01–07 và biểu sinh hoạt chi bộ ở phụ lục (không theo bộ lọc "
            "cấp, loại hình)."
        ),
    )
    if state.scope.is_commune:
        return
    try:
        fonts.font_dir()
    except fonts.FontMissing as e:
        c[1].warning(str(e), icon=":material/font_download_off:")
        return
    snap = current_snapshot()
    key = f"briefs-zip-{snap.name if snap else ''}-{state.year}"
    with c[1]:
        if st.button("Lập bản tóm tắt của mọi đơn vị (tệp nén)", icon=":material/folder_zip:", key="briefs-build"):
            bar = st.progress(0.0, text="Đang lập bản tóm tắt…")
            st.session_state[key] = brief.zip_all(
                state.year,
                state.scope,
                progress=lambda i, n, u: bar.progress(
                    i / n, text=f"Đã lập {i}/{n} bản tóm tắt: {_unit_text(u, state)}"
                ),
            )
            bar.empty()
        if key in st.session_state:
            blob = st.session_state[key]
            st.download_button(
                f"Tải bản tóm tắt năm {state.year} của mọi đơn vị (.zip)",
                audited(lambda: blob, f"Bản tóm tắt năm {state.year} của mọi đơn vị", "zip", describe(state)),
                f"tom-tat-{state.year}.zip",
                "application/zip",
                on_click="ignore",
                icon=":material/download:",
                key="briefs-zip",
            )
