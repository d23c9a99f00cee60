"""Manage users: `python -m dashboard.users add NAME --role commune --unit 01273 | reset NAME | disable NAME | list`.

Passwords are read from the terminal (or stdin with --password-stdin), never from the command line."""

from __future__ import annotations

import argparse
import getpass
import sys

from dashboard import auth
from etl import audit, state


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dashboard.users", description="Quản lý người dùng.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    add = sub.add_parser("add", help="thêm người dùng")
    add.add_argument("username")
    add.add_argument("--role", choices=sorted(auth.ROLES), required=True)
    add.add_argument("--unit", default=None, help="mã đơn vị (bắt buộc với vai trò commune)")
    add.add_argument("--province", default=None, help="mã tỉnh (triển khai toàn quốc: người dùng của một tỉnh)")
    add.add_argument("--password-stdin", action="store_true")
    reset = sub.add_parser("reset", help="đặt lại mật khẩu (và mở khoá)")
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true")
    dis = sub.add_parser("disable", help="khoá người dùng")
    dis.add_argument("username")
    sub.add_parser("list", help="liệt kê người dùng")
    a = ap.parse_args(argv)
    try:
        state.check_owner()  # the users' files stay the service's: run as its user (deploy/partydash)
    except state.StateError as e:
        print(e, file=sys.stderr)
        return 1
    try:
        if a.cmd == "list":
            for u in auth.list_users():
                print(f"{u.username}\t{u.role}\t{u.unit_code or ''}\t{'hoạt động' if u.active else 'đã khoá'}")
            return 0
        if a.cmd == "disable":
            auth.disable(a.username)
            audit.record("user_change", "cli", {"action": "disable", "username": a.username})
            print(f"Đã khoá {a.username}.")
            return 0
        password = sys.stdin.readline().rstrip("\n") if a.password_stdin else getpass.getpass("Mật khẩu: ")
        if a.cmd == "add":
            auth.set_user(a.username, password, a.role, a.unit, province_code=a.province)
        else:
            old = next((u for u in auth.list_users() if u.username == a.username), None)
            if old is None:
                print(f"Không có người dùng «{a.username}».", file=sys.stderr)
                return 1
            auth.set_user(a.username, password, old.role, old.unit_code, province_code=old.province_code)
        audit.record("user_change", "cli", {"action": a.cmd, "username": a.username})
        print(f"Đã lưu người dùng {a.username}.")
        return 0
    except (ValueError, KeyError) as e:
        print(str(e), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
