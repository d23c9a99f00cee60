"""dashboard/urlstate.py on its own, in AppTest: what a link says is read once, values outside what the user may see
are dropped and said, defaults stay out of the URL, the filters survive what Streamlit drops, a page's own choices
never come from another page."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _script():
    """A two-«page» app: the page is a query-free session value the test sets (as st.navigation would)."""
    import streamlit as st

    from dashboard import urlstate

    page = st.session_state.get("page", "a")
    urlstate.begin(page)
    urlstate.param("nam", [2023, 2024, 2025], default=2025, keep=True, carry=True, what="năm")
    urlstate.param("xa", ["01273", "01279"], many=True, keep=True, carry=True, what="đơn vị")
    if not st.session_state.get("hide"):  # a run that does not draw it (a page switch interrupted it)
        st.selectbox("Năm", [2023, 2024, 2025], key="nam")
    st.multiselect("Đơn vị", ["01273", "01279"], key="xa")
    if page == "a":
        urlstate.param("chi_tieu", ["x", "y"], default="x", what="chỉ tiêu")
        st.radio("Chỉ tiêu", ["x", "y"], key="chi_tieu")
    urlstate.narrowed_notice()
    st.write(f"carried: {urlstate.params(carried_only=True)}")
    urlstate.end(page)


def _app(**query) -> AppTest:
    at = AppTest.from_function(_script, default_timeout=30)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def test_a_link_is_read_and_defaults_stay_out_of_the_url():
    at = _app(nam="2024", xa="01279", chi_tieu="y")
    assert (at.selectbox(key="nam").value, at.multiselect(key="xa").value, at.radio(key="chi_tieu").value) == (
        2024,
        ["01279"],
        "y",
    )
    assert dict(at.query_params) == {"nam": "2024", "xa": "01279", "chi_tieu": "y"}
    at.selectbox(key="nam").select(2025).run()  # the default: out of the URL
    assert dict(at.query_params) == {"xa": "01279", "chi_tieu": "y"}
    assert not at.info


def test_values_the_user_may_not_see_are_dropped_and_said():
    at = _app(nam="1999", xa="01273,99999")
    assert at.selectbox(key="nam").value == 2025 and at.multiselect(key="xa").value == ["01273"]
    said = [i.value for i in at.info]
    assert any("Liên kết chọn năm ngoài phạm vi" in s for s in said) and any("chọn đơn vị ngoài" in s for s in said)
    assert not any("99999" in s or "1999" in s for s in said)  # a link's text is not shown back
    assert dict(at.query_params) == {"xa": "01273"}
    at.run()  # said once, on the run that read the link
    assert not at.info


def test_a_pages_own_choice_never_comes_from_another_page():
    at = _app(chi_tieu="y", nam="2024")
    carried = next(m.value for m in at.markdown if m.value.startswith("carried: "))
    assert carried == "carried: {'nam': '2024'}"  # what a menu link carries: the filters, not the page's choice
    at.session_state["page"] = "b"  # a menu click: another page, the URL the link carried
    at.query_params.clear()
    at.query_params["nam"] = "2024"
    at.run()
    assert dict(at.query_params) == {"nam": "2024"}
    at.session_state["page"] = "a"  # and back to a by the menu again
    at.run()
    assert at.radio(key="chi_tieu").value == "x"  # page a's default, not the value left from before
    assert any("carried: {'nam': '2024'}" in m.value for m in at.markdown)


def test_the_filters_survive_a_dropped_widget_state():
    """Streamlit drops a widget's state when a page switch interrupts a run: the last values are given back."""
    at = _app(nam="2023")
    at.session_state["hide"] = True
    at.run()
    at.session_state["hide"] = False
    at.run()
    assert at.selectbox(key="nam").value == 2023
