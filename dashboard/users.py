"""Manage users on the server: `python -m dashboard.users add NAME --role commune --unit 01273 | reset NAME |
disable NAME | enable NAME | list`. The first admin of a real store is made here (`add NAME --role admin`); the
admin page «Người dùng và nhật ký» does the same in the browser.

Passwords are read from the terminal (or stdin with --password-stdin), never from the command line. The users are
those of the data folder's store (PARTYDASH_DATA): `python -m etl status` says which store that is."""

from __future__ import annotations

import argparse
import getpass
import sys

from dashboard import auth
from etl import (
    argparse_vi,  # noqa: F401  (argparse's own words in Vietnamese)
    audit,
    state,
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dashboard.users", description="Quản lý người dùng.")
    sub = ap.add_subparsers(dest="cmd", required=True, metavar="LỆNH", title="các lệnh")
    add = sub.add_parser("add", help="thêm người dùng (tên đã có bị từ chối: dùng reset)")
    add.add_argument("username", metavar="TÊN")
    add.add_argument("--role", choices=sorted(auth.ROLES), required=True, help="province, commune hoặc admin")
    add.add_argument("--unit", default=None, metavar="MÃ", help="mã đơn vị (bắt buộc với vai trò commune)")
    add.add_argument("--province", default=None, metavar="MÃ", help="mã tỉnh (triển khai toàn quốc)")
    add.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ đầu vào chuẩn")
    reset = sub.add_parser("reset", help="đặt lại mật khẩu (và mở khoá đăng nhập sai)")
    reset.add_argument("username", metavar="TÊN")
    reset.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ đầu vào chuẩn")
    for cmd, what in (("disable", "khoá người dùng (đăng xuất ngay)"), ("enable", "mở khoá người dùng đã khoá")):
        sub.add_parser(cmd, help=what).add_argument("username", metavar="TÊN")
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
        if a.cmd in ("disable", "enable"):
            (auth.disable if a.cmd == "disable" else auth.enable)(a.username)
            audit.record("user_change", "cli", {"action": a.cmd, "username": a.username})
            print(f"Đã {'khoá' if a.cmd == 'disable' else 'mở khoá'} {a.username}.")
            return 0
        old = next((u for u in auth.list_users() if u.username == a.username), None)
        if a.cmd == "reset" and old is None:
            raise KeyError(a.username)
        if a.cmd == "add":  # checked before the password is asked for
            auth.check_new_user(a.username, a.role, a.unit)
        password = sys.stdin.readline().rstrip("\n") if a.password_stdin else getpass.getpass("Mật khẩu: ")
        if a.cmd == "add":
            auth.set_user(a.username, password, a.role, a.unit, province_code=a.province, new=True)
        else:
            auth.set_user(a.username, password, old.role, old.unit_code, province_code=old.province_code)
        audit.record("user_change", "cli", {"action": a.cmd, "username": a.username})
        print(f"Đã lưu người dùng {a.username}.")
        return 0
    except KeyError as e:
        print(f"Không có người dùng «{e.args[0]}».", file=sys.stderr)
        return 1
    except ValueError as e:
        print(str(e), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
