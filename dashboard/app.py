"""Entry point: `streamlit run dashboard/app.py`. On a data folder without any store (a fresh clone) it builds the
sample store, for demonstrations; a real store (`python -m etl init`) is never given the sample. Draws the shared
filters, and registers the pages of pages/ with st.navigation (by absolute path: a pages/ folder beside a root
script would switch Streamlit to its legacy page mode)."""

import logging
from pathlib import Path

# Import the heavy libraries whole on the first run (the log-in page): a rerun that interrupts a page while it
# imports them lazily would leave a half-initialised module behind ("partially initialized module 'pandas'").
import pandas  # noqa: F401
import plotly.graph_objects  # noqa: F401
import streamlit as st

from dashboard import admin, data, filters, login, uploads, urlstate
from dashboard.ui import frame
from etl.roles import Role
from etl.store import REAL, current_snapshot, kind, recover

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "pages"

st.set_page_config(page_title="Chất lượng tổ chức đảng", page_icon=":material/flag:", layout="wide")
frame.house_style()
uploads.install()  # `streamlit run`: uploads only for logged-in users, within limits (deploy/app_server.py does it first)


def ensure_data() -> None:
    """First start on a fresh clone (no store in the data folder): write and load the calibrated sample, showing
    progress; a real store is left as it is, empty or not. A load killed half-way is cleaned up here, whoever comes
    first; only admins are told, after log-in (see below)."""
    recover()
    # Behind the gate (deploy/start.py) the deployment decides: a real one starts empty, a demonstration is built by
    # `start.py --demo` before the app starts (issue 26.2); the app never invents data there.
    if current_snapshot() is not None or kind() == REAL or login.BEHIND_GATE:
        return
    from etl.__main__ import build_sample

    with st.status("Lần chạy đầu tiên: đang tạo dữ liệu mẫu 2021–2025…", expanded=True) as status:
        bar = st.progress(0.0, text="Đang viết các báo cáo mẫu")
        steps = {"write": ("Đang viết báo cáo mẫu", 0.0), "load": ("Đang kiểm tra và nạp báo cáo", 0.5)}

        def progress(i: int, n: int, phase: str) -> None:
            text, base = steps[phase]
            bar.progress(min(1.0, base + 0.5 * i / n), text=f"{text}: {i}/{n}")

        if build_sample(progress=progress) != 0:
            status.update(label="Không tạo được dữ liệu mẫu", state="error")
            st.stop()
        status.update(label="Đã tạo dữ liệu mẫu", state="complete", expanded=False)
    data.clear_cache()


def page(file: str, title: str, icon: str, **kw) -> st.Page:
    path = "" if kw.get("default") else file.removesuffix(".py").replace("_", "-")  # the default page lives at «/»
    return st.Page(str(PAGES / file), title=title, icon=icon, url_path=path, **kw)


def overview() -> st.Page:
    return page("tong_quan.py", "Tổng quan", ":material/dashboard:", default=True)


def to_overview() -> None:
    """«/tong-quan», typed or from an old link: the overview lives at «/» (Streamlit would say, in English, «Page
    not found»); go there, the URL's filters kept."""
    urlstate.switch(overview())


def sections(role: str, empty: bool = False) -> dict[str, list[st.Page]]:
    """The pages of the menu for a role; the admin's pages are registered for admins only (a page that is not
    registered cannot be reached, whatever the URL says). A store without any return yet (`empty`: a real
    deployment's first days) has no figures to show: one page says so, beside the pages that bring the returns in."""
    out = {
        "Theo dõi": [
            overview(),
            st.Page(to_overview, title="Tổng quan", url_path="tong-quan", visibility="hidden"),
            page("bang_tong_hop.py", "Bảng tổng hợp", ":material/table_chart:"),
            page("chi_bo.py", "Xếp loại chi bộ", ":material/groups:"),
            page("dang_vien.py", "Xếp loại đảng viên", ":material/person:"),
            page("ha_tang.py", "Hạ tầng", ":material/wifi:"),
            page("bi_thu.py", "Bí thư & bồi dưỡng", ":material/school:"),
            page("sinh_hoat.py", "Sinh hoạt chi bộ", ":material/forum:"),
            page("muc_tieu.py", "Mục tiêu 2030", ":material/flag:"),
            page("ho_so_xa.py", frame.profile_title(), ":material/location_city:"),
        ],
        "Dữ liệu": [
            page("bieu_thong_ke.py", "Biểu thống kê", ":material/description:"),
            page("chat_luong.py", "Chất lượng dữ liệu", ":material/fact_check:"),
        ],
    }
    if empty:
        out = {"Theo dõi": [st.Page(no_data, title="Chưa có số liệu", icon=":material/hourglass_empty:", default=True)]}
        out["Dữ liệu"] = []
    if role == Role.COMMUNE:
        out["Dữ liệu"].append(page("nop_bao_cao.py", "Nộp báo cáo", ":material/send:"))
    if role in (Role.PROVINCE, Role.ADMIN):
        out["Dữ liệu"].append(page("tien_do.py", "Tiến độ nộp báo cáo", ":material/assignment_turned_in:"))
    if role == Role.ADMIN:
        out["Quản trị"] = [
            page("nap_du_lieu.py", "Nạp dữ liệu", ":material/upload_file:"),
            page("quan_tri.py", "Người dùng và nhật ký", ":material/admin_panel_settings:"),
        ]
    # Another role's page, typed or from a shared link: registered hidden, running only a Vietnamese sentence (never
    # the page itself, nor Streamlit's English «Page not found»).
    mine = {p.url_path for ps in out.values() for p in ps}
    for path in ROLE_PAGES:
        if path not in mine:
            out["Theo dõi"].append(st.Page(not_for_you, title="Không có quyền", url_path=path, visibility="hidden"))
    # Any other address (a typo, an old link): registered hidden for this run only, a Vietnamese sentence.
    if (path := urlstate.unknown_path(mine | set(ROLE_PAGES))) is not None:
        out["Theo dõi"].append(st.Page(not_found, title="Không tìm thấy trang", url_path=path, visibility="hidden"))
    return out


# The pages only some roles have (sections): their paths, for `not_for_you`.
ROLE_PAGES = ("nop-bao-cao", "tien-do", "nap-du-lieu", "quan-tri")


def not_for_you() -> None:
    st.title("Trang không dành cho tài khoản này")
    st.info(
        "Trang bạn mở thuộc quyền của vai trò khác. Hãy chọn một trang trong danh mục bên trái.",
        icon=":material/block:",
    )


def no_data() -> None:
    """The only data page of a real store before its first returns (the others would have nothing to show)."""
    st.title("Chưa có số liệu")
    user = login.current_user()
    st.info(
        "Kho dữ liệu thật của ứng dụng chưa có báo cáo nào, nên chưa có số liệu để hiển thị. Các trang số liệu sẽ "
        "hiện ngay khi Ban Tổ chức Tỉnh uỷ nạp báo cáo đầu tiên.",
        icon=":material/hourglass_empty:",
    )
    if user.role != Role.ADMIN:
        return
    st.markdown(
        "**Việc cần làm (quản trị viên)**\n\n"
        "1. **Lịch sử 2021–2025**: nạp báo cáo thật các năm trước ở trang «Nạp dữ liệu» (hoặc trên máy chủ: "
        "`python -m etl load TỆP…`). Năm nào không có báo cáo thì xu hướng và năm gốc của mục tiêu toàn tỉnh dùng "
        "số liệu đã công bố (Biểu 03, 07 và Biểu 04–06), ghi rõ là số liệu đã công bố.\n"
        "2. **Kỳ báo cáo năm nay**: mở kỳ báo cáo, với hạn nộp, ở trang «Tiến độ nộp báo cáo»; các đơn vị tải "
        "biểu mẫu và nộp báo cáo ở trang «Nộp báo cáo».\n"
        "3. **Người dùng**: thêm tài khoản cho Ban Tổ chức và cho từng đơn vị ở trang «Người dùng và nhật ký»."
    )


def not_found() -> None:
    st.title("Không tìm thấy trang")
    st.info(
        "Địa chỉ bạn mở không có trong ứng dụng (có thể gõ nhầm hoặc liên kết cũ). "
        "Hãy chọn một trang trong danh mục bên trái.",
        icon=":material/search_off:",
    )


def main() -> None:
    ensure_data()
    # Before log-in every page is registered (hidden, not run): a shared link's page is still the page after log-in.
    user = login.require(before_form=lambda: st.navigation(sections(Role.ADMIN), position="hidden"))
    pages = sections(user.role, empty=not data.years())
    # The menu is drawn by urlstate (its links carry the filters); Streamlit's own is hidden.
    nav = st.navigation(pages, position="hidden")
    urlstate.begin(nav.url_path)
    menu = st.sidebar.container()
    state = filters.sidebar(login.scope_of(user), page=nav.url_path)
    urlstate.menu(menu, pages, nav.url_path)
    login.sidebar(user)
    frame.sample_notice(state.year)
    if user.role == Role.ADMIN and (notice := admin.interrupted_load(login.scope_of(user))):
        st.warning(notice, icon=":material/warning:")
    frame.coverage_notice(state)
    urlstate.narrowed_notice()
    nav.run()
    urlstate.end(nav.url_path)


try:
    main()
except Exception:  # Streamlit's own control flow (st.stop, st.rerun, switch_page) is not an Exception
    if st.get_option("client.showErrorDetails") in ("full", True, "true"):
        raise  # development and tests (AppTest does not read the deployment's config): the real traceback
    # Deployed: the details go to the server's log, never to the browser.
    logging.getLogger("partydash").exception("page run failed")
    st.error(
        "Trang gặp lỗi và không hiển thị được với bộ lọc này. Hãy thử đặt lại bộ lọc hoặc chọn trang khác; "
        "nếu lỗi lặp lại, báo cho quản trị viên (chi tiết đã được ghi vào nhật ký máy chủ).",
        icon=":material/error:",
    )
