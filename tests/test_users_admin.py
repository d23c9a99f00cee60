"""The first real deployment: the first admin created with the server's setup code, and users managed in the browser
by admins (add, reset, disable, enable, role and unit) — every change audited with who made it."""

from __future__ import annotations

import json
import stat

import pytest

from dashboard import admin, auth
from dashboard.scope import Scope
from etl import audit

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


def test_the_first_admin_needs_the_setup_code(root):
    assert not auth.needs_first_admin(sample, root)  # the sample has its demo admin
    assert auth.needs_first_admin(real, root)  # real data and nobody: the first start
    path = auth.setup_code_path(root)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # readable by the server's owner only
    code = path.read_text(encoding="utf-8").strip()
    assert len(code) == 8 and auth.setup_code_path(root).read_text(encoding="utf-8").strip() == code  # stable
    with pytest.raises(ValueError, match="Mã thiết lập không đúng"):
        auth.create_first_admin("00000000", "qt-dau-tien", "mat-khau-8", real, root)
    assert last_event("qt-dau-tien")["details"] == {"action": "first_admin", "status": "rejected"}
    user = auth.create_first_admin(f" {code} ", "qt-dau-tien", "mat-khau-8", real, root)
    assert (user.role, user.active) == ("admin", True)
    assert not path.exists() and not auth.needs_first_admin(real, root)
    with pytest.raises(ValueError, match="Đã có tài khoản quản trị"):
        auth.create_first_admin(code, "ke-khac", "mat-khau-8", real, root)
    assert auth.authenticate("qt-dau-tien", "mat-khau-8", real, root=root, client="1.2.3.4").user is not None


def test_a_disabled_admin_does_not_count(root):
    auth.set_user("qt", "mat-khau-8", "admin", root=root)
    assert not auth.needs_first_admin(real, root)
    auth.disable("qt", root)
    assert auth.needs_first_admin(real, root)


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
