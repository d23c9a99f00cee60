"""The first real deployment: the first admin created on the server (`python -m dashboard.users add NAME --role
admin`), and users managed in the browser by admins and on the server (add, reset, disable, enable, role and unit)
— every change audited with who made it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from dashboard import admin, auth
from dashboard.scope import Scope
from etl import audit
from tests.conftest import ROOT

ADMIN, PROVINCE = Scope("admin"), Scope.province()


def real():
    return False


def sample():
    return True


@pytest.fixture
def root(tmp_path):
    return tmp_path / "users"


def last_event(user: str) -> dict:
    lines = (audit.audit_dir() / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    e = [json.loads(x) for x in lines if x.strip() and json.loads(x)["user"] == user][-1]
    return {**e, "details": json.loads(e["details"])}


def users_cli(data, *args: str, password: str = "") -> subprocess.CompletedProcess:
    """`python -m dashboard.users …` as the IT officer runs it on the server (on the data folder `data`)."""
    return subprocess.run(
        [sys.executable, "-m", "dashboard.users", *args, *(["--password-stdin"] if password else [])],
        input=password + "\n" if password else None,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PARTYDASH_DATA": str(data)},
        timeout=120,
    )


def test_the_first_admin_is_made_on_the_server(tmp_path):
    """A real store and nobody: the first start; the IT officer creates the admin with the README's command. No
    setup code is written anywhere (nothing to guess from a browser)."""
    data = tmp_path / "data"
    assert auth.needs_first_admin(real, data / "users")
    done = users_cli(data, "add", "qt-dau-tien", "--role", "admin", password="mat-khau-8")
    assert done.returncode == 0 and done.stdout.strip() == "Đã lưu người dùng qt-dau-tien.", done.stderr
    assert not auth.needs_first_admin(real, data / "users")
    assert auth.authenticate("qt-dau-tien", "mat-khau-8", real, root=data / "users", client="1.2.3.4").user
    assert not hasattr(auth, "create_first_admin") and not list((data / "users").glob("setup*"))


@pytest.mark.slow  # bcrypt and the command line
def test_the_users_command_refuses_an_unknown_unit_and_an_existing_user_and_enables(tmp_path):
    """Issue 26.7: `add` accepted unit 99999 and silently overwrote a user (its password, role and unit); there was
    no `enable`."""
    data, users = tmp_path / "data", tmp_path / "data" / "users"
    bad = users_cli(data, "add", "can-bo", "--role", "commune", "--unit", "99999", password="mat-khau-8")
    assert (
        bad.returncode == 1 and bad.stderr.strip() == "Không có đơn vị mã «99999» trong danh mục đơn vị của Cao Bằng."
    )
    assert auth.list_users(users) == []
    assert (
        users_cli(data, "add", "can-bo", "--role", "commune", "--unit", "01273", password="mat-khau-8").returncode == 0
    )
    before = (users / "users.json").read_bytes()
    again = users_cli(data, "add", "can-bo", "--role", "admin", password="mat-khau-khac")
    assert again.returncode == 1 and "Đã có người dùng «can-bo»" in again.stderr
    assert (users / "users.json").read_bytes() == before  # nothing overwritten
    assert users_cli(data, "disable", "can-bo").returncode == 0
    assert auth.authenticate("can-bo", "mat-khau-8", real, root=users, client="1.1.1.1").user is None
    done = users_cli(data, "enable", "can-bo")
    assert done.returncode == 0 and done.stdout.strip() == "Đã mở khoá can-bo."
    assert auth.authenticate("can-bo", "mat-khau-8", real, root=users, client="1.1.1.1").user.unit_code == "01273"
    missing = users_cli(data, "enable", "ai-do")
    assert missing.returncode == 1 and missing.stderr.strip() == "Không có người dùng «ai-do»."
    help_ = users_cli(data, "--help")
    assert "cách dùng" in help_.stdout and "usage" not in help_.stdout  # argparse's words in Vietnamese too


def test_the_admin_page_refuses_an_unknown_unit(root):
    with pytest.raises(ValueError, match="Không có đơn vị mã «99999»"):
        admin.manage_user(ADMIN, "qt", "add", username="x", password="mat-khau-8", role="commune", unit_code="99999")
    auth.set_user("x", "mat-khau-8", "province", root=root)
    with pytest.raises(ValueError, match="Không có đơn vị mã «99999»"):
        admin.manage_user(ADMIN, "qt", "scope", username="x", role="commune", unit_code="99999", root=root)


def test_a_disabled_admin_does_not_count(root):
    auth.set_user("qt", "mat-khau-8", "admin", root=root)
    assert not auth.needs_first_admin(real, root)
    auth.disable("qt", root)
    assert auth.needs_first_admin(real, root)


@pytest.mark.slow  # bcrypt and the command line
def test_admins_manage_users_and_every_change_is_audited(root):
    do = lambda action, **kw: admin.manage_user(ADMIN, "qt-chinh", action, root=root, **kw)  # noqa: E731
    assert do("add", username="can-bo-xa", password="mat-khau-8", role="commune", unit_code="01273") == (
        "Đã thêm can-bo-xa."
    )
    u = {x.username: x for x in auth.list_users(root)}["can-bo-xa"]
    assert (u.role, u.unit_code, u.active) == ("commune", "01273", True)
    assert last_event("qt-chinh")["details"] == {
        "action": "add",
        "username": "can-bo-xa",
        "role": "commune",
        "unit_code": "01273",
    }
    with pytest.raises(ValueError, match="Đã có người dùng «can-bo-xa»"):
        do("add", username="can-bo-xa", password="mat-khau-8", role="province")
    assert do("reset", username="can-bo-xa", password="mat-khau-moi") == "Đã đặt lại mật khẩu của can-bo-xa."
    assert auth.authenticate("can-bo-xa", "mat-khau-moi", real, root=root, client="1.1.1.1").user is not None
    assert do("scope", username="can-bo-xa", role="province") == "Đã đổi vai trò, đơn vị của can-bo-xa."
    u = {x.username: x for x in auth.list_users(root)}["can-bo-xa"]
    assert (u.role, u.unit_code) == ("province", None)
    assert do("disable", username="can-bo-xa") == "Đã khoá can-bo-xa."
    assert auth.authenticate("can-bo-xa", "mat-khau-moi", real, root=root, client="1.1.1.1").user is None
    assert do("enable", username="can-bo-xa") == "Đã mở khoá can-bo-xa."
    assert auth.authenticate("can-bo-xa", "mat-khau-moi", real, root=root, client="1.1.1.1").user is not None
    with pytest.raises(ValueError, match="Không có người dùng «ai-do»"):
        do("reset", username="ai-do", password="mat-khau-8")
    with pytest.raises(ValueError, match="ít nhất 8 ký tự"):
        do("add", username="ngan", password="1234567", role="province")  # 7 characters: refused
    assert do("add", username="du-8", password="12345678", role="province") == "Đã thêm du-8."  # exactly 8


def test_an_admin_cannot_lock_itself_out(root):
    auth.set_user("qt-chinh", "mat-khau-8", "admin", root=root)
    with pytest.raises(ValueError, match="tự khoá"):
        admin.manage_user(ADMIN, "qt-chinh", "disable", username="qt-chinh", root=root)
    with pytest.raises(ValueError, match="quyền quản trị"):
        admin.manage_user(ADMIN, "qt-chinh", "scope", username="qt-chinh", role="province", root=root)


@pytest.mark.parametrize("scope", [PROVINCE, Scope.commune("01273")])
def test_only_admins_manage_users(root, scope):
    with pytest.raises(PermissionError):
        admin.manage_user(scope, "ai", "add", username="x", password="mat-khau-8", role="admin", root=root)
    assert auth.list_users(root) == []


# ----------------------------------------------------------------------------------------------- the admin page


@pytest.fixture
def admin_page(sample_store):
    """The admin page of the session's sample store, logged in as the demo admin; the user file restored after."""
    from etl import settings
    from tests.test_access import go, log_in, new_app

    store = settings.USERS_DIR / "users.json"
    before = store.read_bytes() if store.exists() else None
    yield go(log_in(new_app(), "quantri"), "quan_tri")
    if before is None:
        store.unlink(missing_ok=True)
    else:
        store.write_bytes(before)


def test_the_admin_page_asks_a_unit_of_commune_users_only_and_shows_who_was_added(admin_page):
    """Issue 26.7: the unit box was shown for the province role too, and the table kept its old rows after «Thêm»."""
    at = admin_page
    unit_box = "Đơn vị (xã, phường hoặc đảng uỷ trực thuộc)"
    assert at.selectbox(key="add_role").value == "province"
    assert unit_box not in [s.label for s in at.selectbox]
    at.text_input(key="add_user").input("can-bo-xa-moi")
    at.selectbox(key="add_role").set_value("commune").run()
    assert unit_box in [s.label for s in at.selectbox]
    at.selectbox(key="add_unit").set_value("01279")
    at.text_input(key="add_pw").input("mat-khau-8")
    at.text_input(key="add_again").input("mat-khau-8")
    at.button(key="add_go").click().run()
    assert not at.exception and [s.value for s in at.success] == ["Đã thêm can-bo-xa-moi."]
    table = at.table[0].value if at.table else at.dataframe[0].value
    row = table[table["Tên đăng nhập"] == "can-bo-xa-moi"]
    assert row["Đơn vị"].to_list() == ["Phường Nùng Trí Cao"] and row["Trạng thái"].to_list() == ["hoạt động"]
    assert "can-bo-xa-moi" in at.selectbox(key="reset_user").options  # the other tabs know the new user too


def test_the_admin_page_says_which_store_it_is(admin_page):
    assert "- Kho dữ liệu mẫu \\(trình diễn\\)\\: số liệu dưới cấp tỉnh là giả lập\\." in at_markdown(admin_page)


def at_markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)
