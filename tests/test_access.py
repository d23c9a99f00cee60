"""Access control through the whole app (AppTest on dashboard/app.py over the session's sample store): the log-in
gate, every role on every registered page, and a commune user who sees its own unit only — whatever the URL says,
whatever another user left in the caches, and in every export (which is audited)."""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
import python_calamine as pc
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from dashboard import data, urlstate
from etl import audit, settings

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")
OWN, OTHER = "01273", "01279"  # phường Thục Phán (the demo commune user), phường Nùng Trí Cao
OWN_NAME, OTHER_NAME = "Thục Phán", "Nùng Trí Cao"
# Bound widgets keep their display label in the URL (?xa=Phường Nùng Trí Cao); a tampered link may carry either.
OTHER_LABEL = f"Phường {OTHER_NAME}"
TAMPERED = [
    {"xa": OTHER, "dv": OTHER},
    {"xa": OTHER_LABEL, "dv": OTHER_LABEL},
    {"xa": [OTHER, OTHER_LABEL], "dv": OTHER, "nam": "2024"},
]
PAGES = ["tong_quan", "chi_bo", "dang_vien", "ha_tang", "bi_thu", "muc_tieu", "ho_so_xa", "bieu_thong_ke", "chat_luong"]
ADMIN_PAGES = {"nap_du_lieu": "Nạp dữ liệu", "quan_tri": "Người dùng và nhật ký"}
PROVINCE_PAGES = {"tien_do": "Tiến độ nộp báo cáo"}  # the province and admins only
COMMUNE_PAGES = {"nop_bao_cao": "Nộp báo cáo"}  # a committee's own user only
DEMO = {"tinh": "province", "xa": "commune", "quantri": "admin"}


@pytest.fixture(scope="module", autouse=True)
def store(sample_store):
    assert settings.DATA_DIR.name.startswith("partydash-test-"), settings.DATA_DIR
    data.clear_cache()
    return sample_store


@pytest.fixture(scope="module")
def others(store) -> dict[str, str]:
    """Every unit except the commune user's own: code -> name (all 60 units of the province)."""
    u = data.units(data.Scope.province())
    assert u.height == 60
    names = dict(zip(u["unit_code"].to_list(), u["unit_name"].to_list()))
    assert names[OWN] == OWN_NAME and names[OTHER] == OTHER_NAME
    return {c: n for c, n in names.items() if c != OWN}


def new_app(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    return at


def log_in(at: AppTest, username: str, password: str = "demo") -> AppTest:
    at.run()
    at.text_input(key="login_user").input(username)
    at.text_input(key="login_password").input(password)
    at.form_submit_button[0].click()
    return at.run()


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"../pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def audit_events(user: str, event: str) -> list[dict]:
    lines = (audit.audit_dir() / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    out = [json.loads(x) for x in lines if x.strip()]
    return [{**e, "details": json.loads(e["details"])} for e in out if e["user"] == user and e["event"] == event]


def _json(text: str) -> str:
    """A chart spec with its non-ASCII text unescaped (so names can be searched)."""
    try:
        return json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        return text


def shown(at: AppTest) -> list[tuple[str, str]]:
    """Everything the page shows as (kind, text): tables, metrics, texts, widget options, chart specs.
    The map is left out: it is checked on its own (its boundaries and labels are geography, not data)."""
    out = [("dataframe", df.value.to_csv()) for df in at.dataframe]
    out += [("table", t.value.to_csv()) for t in at.table]
    out += [("table", t.value.to_csv()) for t in at.table]
    out += [("metric", f"{m.label}\t{m.value}\t{m.proto.body}") for m in at.metric]
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "text",
        "info",
        "warning",
        "error",
        "success",
        "expander",
    ):
        out += [(kind, str(getattr(e, "value", "") or getattr(e, "label", ""))) for e in at.get(kind)]
    for kind in ("selectbox", "multiselect", "radio", "segmented_control"):
        for w in at.get(kind):
            out.append((kind, "\t".join(map(str, getattr(w, "options", [])))))
    out += [("plotly_chart", _json(e.proto.spec)) for e in at.get("plotly_chart")]
    return out


def leaks(texts: list[tuple[str, str]], others: dict[str, str]) -> dict[str, set[str]]:
    """Which other units' names or codes occur, by element kind."""
    found: dict[str, set[str]] = {}
    for kind, text in texts:
        for code, name in others.items():
            if re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text):
                found.setdefault(kind, set()).add(name)
            # A code is a token of its own: not a run of digits inside a sha256 or a load id («…e01747b…»).
            if re.search(rf"(?<![0-9A-Za-z.]){re.escape(code)}(?![0-9A-Za-z])", text):
                found.setdefault(kind, set()).add(code)
    return found


def _map_traces(at: AppTest) -> list[dict]:
    traces = []
    for e in at.get("plotly_chart"):
        spec = json.loads(e.proto.spec)
        traces += [t for t in spec.get("data", []) if t.get("type") == "choroplethmap"]
    return traces


def map_leaks(at: AppTest, own: str) -> list[str]:
    """Units other than `own` that carry a value on the map (all others must be absent or drawn as «no data»)."""
    bad = []
    for t in _map_traces(at):
        for code, tip in zip(t.get("locations", []), t.get("customdata", [])):
            if code != own and "không có số liệu" not in str(tip):
                bad.append(code)
    return bad


def maps_drawn(at: AppTest) -> int:
    return sum(
        1
        for e in at.get("plotly_chart")
        if any(t.get("type") == "choroplethmap" for t in json.loads(e.proto.spec).get("data", []))
    )


# --------------------------------------------------------------------------------------------- log-in gate


def test_not_logged_in_sees_only_the_form(others):
    # even with a tampered URL asking for a unit and a page's parameter
    at = new_app(xa=[OTHER, OTHER_LABEL], dv=OTHER, nam="2024")
    at.run()
    assert not at.exception
    assert titles(at) == ["Đăng nhập"]
    assert [w.label for w in at.text_input] == ["Tên đăng nhập", "Mật khẩu"]
    assert not at.dataframe and not at.metric and not at.get("plotly_chart") and not maps_drawn(at)
    assert not at.selectbox and not at.multiselect and not at.download_button
    assert not leaks(shown(at), others)


def test_failed_log_in_is_refused_and_audited():
    at = new_app()
    log_in(at, "tinh", "sai-mat-khau")
    assert titles(at) == ["Đăng nhập"]
    assert [e.value for e in at.error] == ["Tên đăng nhập hoặc mật khẩu không đúng."]
    assert not at.metric
    last = audit_events("tinh", "login_failed")[-1]
    assert last["details"]["reason"] == "wrong password"
    ghost = "khong-ai-ca"
    log_in(new_app(), ghost, "demo")
    assert audit_events(ghost, "login_failed")[-1]["details"]["reason"] == "unknown or disabled user"


@pytest.fixture()
def real_admin():
    """A deployment whose first admin exists (without one, real data opens the first-start screen instead)."""
    from dashboard import auth

    store = settings.USERS_DIR / "users.json"
    before = store.read_bytes() if store.exists() else None
    auth.set_user("quan-tri-that", "mật-khẩu-thật-dài", "admin")
    yield
    if before is None:
        store.unlink()
    else:
        store.write_bytes(before)


def test_demo_accounts_refused_on_real_data(monkeypatch, real_admin):
    at = log_in(new_app(), "tinh")
    assert titles(at) == ["Tổng quan năm 2025"]
    # the store now holds real data: the open demo session ends, and a new demo log-in is refused
    monkeypatch.setattr(data, "is_sample", lambda *a, **k: False)
    at.run()
    assert titles(at) == ["Đăng nhập"] and not at.metric
    assert "Tài khoản dùng thử chỉ dùng được với dữ liệu mẫu." in [w.value for w in at.warning]
    at2 = log_in(new_app(), "xa")
    assert titles(at2) == ["Đăng nhập"] and not at2.metric
    assert [e.value for e in at2.error] == ["Tài khoản dùng thử chỉ dùng được với dữ liệu mẫu."]
    assert not any("tài khoản dùng thử" in i.value for i in at2.info)  # the hint is not offered either
    assert audit_events("xa", "login_failed")[-1]["details"]["reason"] == "demo account on real data"


def test_session_expires_after_inactivity():
    at = log_in(new_app(), "tinh")
    assert titles(at) == ["Tổng quan năm 2025"]
    before = len(audit_events("tinh", "session_expired"))
    at.session_state["last_seen"] = dt.datetime.now() - dt.timedelta(minutes=31)
    at.run()
    assert titles(at) == ["Đăng nhập"] and not at.metric
    assert any("hết hạn" in w.value for w in at.warning)
    assert len(audit_events("tinh", "session_expired")) == before + 1


def test_logout_ends_the_session():
    at = log_in(new_app(), "xa")
    at.button(key="logout").click()
    at.run()
    assert titles(at) == ["Đăng nhập"] and not at.metric
    assert audit_events("xa", "logout")


# ------------------------------------------------------------------------------------- every role, every page


@pytest.mark.parametrize("username", list(DEMO))
def test_every_registered_page_renders(username, others):
    at = log_in(new_app(), username)
    assert not at.exception
    own = {
        **(ADMIN_PAGES if DEMO[username] == "admin" else {}),
        **(PROVINCE_PAGES if DEMO[username] != "commune" else {}),
        **(COMMUNE_PAGES if DEMO[username] == "commune" else {}),
    }
    for page in PAGES + list(own):
        go(at, page)
        assert titles(at), page
        if page in own:
            assert titles(at) == [own[page]]
    for page in {**ADMIN_PAGES, **PROVINCE_PAGES, **COMMUNE_PAGES}.keys() - own.keys():
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"../pages/{page}.py")


def test_commune_user_sees_only_its_unit_on_every_page(others):
    at = log_in(new_app(), "xa")
    assert any(OWN_NAME in c.value for c in at.sidebar.caption)
    assert "xa" not in {w.key for w in at.multiselect}  # no unit filter to choose from
    for page in PAGES:
        go(at, page)
        texts = shown(at)
        assert not leaks(texts, others), (page, leaks(texts, others))
        assert not map_leaks(at, OWN), page
    go(at, "ho_so_xa")
    assert titles(at) == [f"Hồ sơ Phường {OWN_NAME}"]


def test_the_check_finds_other_units_for_the_province_user(others):
    """Positive control: the same scan over the province user's pages finds the other units."""
    at = log_in(new_app(), "tinh")
    go(at, "chi_bo")
    found = set().union(*leaks(shown(at), others).values())
    assert OTHER_NAME in found and len(found) > 40
    go(at, "tong_quan")
    assert len(set(map_leaks(at, OWN))) > 40  # the province map has values for (almost) every commune


@pytest.mark.parametrize("query", TAMPERED)
def test_url_tampering_is_ignored_for_the_commune_user(others, query):
    at = new_app(**query)
    log_in(at, "xa")
    for page in PAGES:
        at.query_params.update(query)
        go(at, page)
        assert not leaks(shown(at), others), page
        assert not map_leaks(at, OWN), page
    assert titles(at)[0] != f"Hồ sơ Phường {OTHER_NAME}"
    go(at, "ho_so_xa")
    assert titles(at) == [f"Hồ sơ Phường {OWN_NAME}"]


def test_admin_pages_cannot_be_reached_by_the_commune_user(others):
    # the script hash a browser would ask for when typing /nap-du-lieu or /quan-tri in the address bar
    admin = log_in(new_app(), "quantri")
    hashes = {}
    for page in {**ADMIN_PAGES, **PROVINCE_PAGES}:
        admin.switch_page(f"../pages/{page}.py")
        hashes[page] = urlstate.page_hash(admin)  # AppTest's own request field, behind dashboard/urlstate.py
    for who in ("xa", "tinh"):
        at = log_in(new_app(), who)
        for page, title in {**ADMIN_PAGES, **(PROVINCE_PAGES if who == "xa" else {})}.items():
            urlstate.open_by_hash(at, hashes[page])
            assert not at.exception
            assert title not in titles(at)
            assert titles(at) == ["Trang không dành cho tài khoản này"]  # in Vietnamese, not the page
            assert not at.file_uploader
            assert not any("Nhật ký" == s.value for s in at.header)  # sections are h2 (issue 28.14)
    # and before log-in the same request shows the form only
    at = new_app()
    urlstate.open_by_hash(at, hashes["quan_tri"])
    assert titles(at) == ["Đăng nhập"]


def test_cached_results_never_cross_scopes(others):
    """A province user warms every cache with the other unit; the commune user then asks the same."""
    data.clear_cache()
    prov = new_app(xa=OTHER_LABEL, dv=OTHER)
    log_in(prov, "tinh")
    seen = set()
    for page in PAGES:
        go(prov, page)
        seen |= set().union(*leaks(shown(prov), others).values(), set())
    assert OTHER_NAME in seen  # the province user did see it (the caches hold it)
    go(prov, "ho_so_xa")
    assert titles(prov) == [f"Hồ sơ Phường {OTHER_NAME}"]
    com = new_app(xa=OTHER_LABEL, dv=OTHER)
    log_in(com, "xa")
    for page in PAGES:
        go(com, page)
        assert not leaks(shown(com), others), page
    # the data layer itself, with identical arguments
    f = data.Filters(years=(2025,), units=(OTHER,))
    assert data.branches(f, data.Scope.province()).height > 0
    assert data.branches(f, data.Scope.commune(OWN)).height == 0
    assert data.indicator("member_good", f, data.Scope.commune(OWN), by=("unit",)).height == 0
    assert set(data.indicator("member_good", f.but(units=()), data.Scope.commune(OWN), by=("unit",))["unit_code"]) == {
        OWN
    }


# ------------------------------------------------------------------------------------------------- exports


@pytest.fixture
def downloads(monkeypatch):
    """Every download button a page draws: (label, key, data). AppTest cannot click a download (the deferred
    file is served by the web server), so the tests call the same builder the button would."""
    got: list[tuple[str, str, object]] = []
    original = DeltaGenerator.download_button

    def spy(self, label, data, *args, **kwargs):
        got.append((label, kwargs.get("key"), data))
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", spy)
    monkeypatch.setattr(st, "download_button", functools.partial(spy, st._main))
    return got


def export_kind(label: str) -> str:
    """The format of a download, from its button label."""
    return "csv" if "CSV" in label else "docx" if "Word" in label else "pdf" if "PDF" in label else "xlsx"


def export_text(blob: bytes, kind: str) -> str:
    if kind == "csv":
        return blob.decode("utf-8-sig")
    if kind == "docx":  # the situation report: its paragraphs, its tables and the page header
        from docx import Document

        doc = Document(io.BytesIO(blob))
        cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
        header = [p.text for sec in doc.sections for p in sec.header.paragraphs]
        return "\n".join([*header, *(p.text for p in doc.paragraphs), *cells])
    if kind == "pdf":
        from pypdf import PdfReader

        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(blob)).pages)
    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(blob))
    return "\n".join("\t".join(str(v) for v in r) for s in wb.sheet_names for r in wb.get_sheet_by_name(s).to_python())


def test_exports_of_the_commune_user_hold_its_unit_only_and_are_audited(others, downloads):
    at = new_app(xa=OTHER_LABEL, dv=OTHER)
    log_in(at, "xa")
    checked = own_rows = 0
    for page in PAGES:
        downloads.clear()
        go(at, page)
        for label, key, build in downloads:
            if "PNG" in label:
                continue  # charts: checked as plotly specs on the page
            kind = export_kind(label)
            assert callable(build), (page, key)  # built on click only
            before = len(audit_events("xa", "export"))
            blob = build()
            text = export_text(blob, kind)
            assert not leaks([(kind, text)], others), (page, key, leaks([(kind, text)], others))
            if kind == "xlsx":
                assert settings.INTERNAL_MARK in text, (page, key)
            ev = audit_events("xa", "export")
            assert len(ev) == before + 1, (page, key)
            d = ev[-1]["details"]
            assert d["format"] == kind and d["what"] and f"Phường {OWN_NAME}" in d["filters"], d
            checked += 1
            own_rows += OWN_NAME in text
    assert checked >= 10
    assert own_rows >= 3  # the tables by unit and the branch lists do hold its own rows


def test_bieu_workbook_of_the_commune_user(others, downloads):
    at = log_in(new_app(), "xa")
    go(at, "bieu_thong_ke")
    assert at.selectbox(key="bieu_dv").options == [f"Phường {OWN_NAME}"]
    ((label, _, build),) = [d for d in downloads if d[1] == "bieu-xlsx"]
    text = export_text(build(), "xlsx")
    assert f"Phường {OWN_NAME}" in text and settings.INTERNAL_MARK in text
    assert not leaks([("xlsx", text)], others)
    assert audit_events("xa", "export")[-1]["details"]["what"] == f"Biểu 01–07 (Phường {OWN_NAME})"


def test_province_export_names_other_units(others, downloads):
    """Positive control for the export scan, and the audit names the province user and the chosen filters."""
    at = new_app(xa=OTHER)  # the URL carries codes
    log_in(at, "tinh")
    assert at.multiselect(key="xa").value == [OTHER]
    go(at, "chi_bo")
    csvs = [b for label, key, b in downloads if "CSV" in label and key.startswith("csv-u-")]
    text = export_text(csvs[0](), "csv")
    assert OTHER_NAME in text and OWN_NAME not in text  # the URL's unit filter applies to the province
    d = audit_events("tinh", "export")[-1]["details"]
    assert d["format"] == "csv" and f"Phường {OTHER_NAME}" in d["filters"]


# ------------------------------------------------------------------------------------------------ documents


def test_commune_user_gets_only_its_own_brief_and_report(others, downloads):
    """Whatever the URL names, the brief on the profile and the report on the overview are the commune's own."""
    at = new_app(xa=OTHER, dv=OTHER)
    log_in(at, "xa")
    got = {}
    for page, key in (("ho_so_xa", "brief-pdf"), ("tong_quan", "situation-docx")):
        downloads.clear()
        go(at, page)
        ((label, _, build),) = [d for d in downloads if d[1] == key]
        kind = export_kind(label)
        text = export_text(build(), kind)
        assert not leaks([(kind, text)], others), (page, leaks([(kind, text)], others))
        assert settings.INTERNAL_MARK in text and f"Đảng bộ phường {OWN_NAME}" in text
        d = audit_events("xa", "export")[-1]["details"]
        assert d["format"] == kind and OWN_NAME in d["what"] and f"Phường {OWN_NAME}" in d["filters"]
        got[page] = text
    assert "BẢN TÓM TẮT TÌNH HÌNH TỔ CHỨC ĐẢNG NĂM 2025" in got["ho_so_xa"]
    assert "thực trạng tổ chức cơ sở đảng, đảng viên của Đảng bộ phường Thục Phán năm 2025" in got["tong_quan"]
    # no «all briefs» for a commune user
    assert not [b for b in at.button if b.key == "briefs-build"]


def test_province_user_builds_all_briefs_as_one_zip(downloads, monkeypatch):
    from reports import brief

    built = []

    def quick(year, scope, unit, root=None):  # the real brief is tested in test_reports.py; here: the flow
        built.append((year, scope.role, unit))
        return f"%PDF {unit}".encode()

    monkeypatch.setattr(brief, "build", quick)
    at = log_in(new_app(), "tinh")
    go(at, "tong_quan")
    assert not [d for d in downloads if d[1] == "briefs-zip"]  # built on request only
    at.button(key="briefs-build").click()
    at.run()
    assert not at.exception
    ((label, _, build),) = [d for d in downloads if d[1] == "briefs-zip"]
    with zipfile.ZipFile(io.BytesIO(build())) as z:
        names = z.namelist()
    units = data.units(data.Scope.province())["unit_code"].to_list()
    assert len(names) == len(units) == 60 and names == [f"tom-tat-{u}-2025.pdf" for u in units]
    assert [u for _, _, u in built] == units and {r for _, r, _ in built} == {"province"}
    d = audit_events("tinh", "export")[-1]["details"]
    assert d["format"] == "zip" and d["what"] == "Bản tóm tắt năm 2025 của mọi đơn vị"


def test_missing_font_is_said_in_vietnamese(tmp_path, monkeypatch):
    from forms import fonts

    monkeypatch.setattr(fonts, "FONT_DIRS", (tmp_path,))
    at = log_in(new_app(), "tinh")
    go(at, "ho_so_xa")
    assert any("chưa có phông chữ Liberation Serif" in w.value for w in at.warning)
    go(at, "tong_quan")
    assert any("fonts-liberation2" in w.value for w in at.warning)
