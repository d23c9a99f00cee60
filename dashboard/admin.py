"""Data access for the administration pages (loading, audit): every function checks that the caller is an admin."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from dashboard import fmt, lookups
from dashboard.scope import Scope
from etl.annual_return import ParsedReturn
from etl.codes import codes
from etl.roles import Role
from etl.schema import good_member_share
from etl.settings import PARQUET_DIR


def _require_admin(scope: Scope) -> None:
    if scope.role != Role.ADMIN:
        raise PermissionError("Chỉ quản trị viên được dùng chức năng này.")


def audit_log(scope: Scope, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """Every audited event, newest first, with its details in Vietnamese words (`details_text`)."""
    _require_admin(scope)
    log = lookups.audit_events(root)
    return log.with_columns(details_text=fmt.py_map(log["details"], details_text, skip_nulls=False))


# The audit details' keys and coded values in words (the log itself stays machine-readable).
_DETAIL_KEYS = {
    "what": "nội dung",
    "format": "định dạng",
    "filters": "bộ lọc",
    "role": "vai trò",
    "unit_code": "đơn vị",
    "demo": "tài khoản dùng thử",
    "reason": "lý do",
    "load_id": "lần nạp",
    "status": "kết quả",
    "files": "tệp",
    "errors": "số lỗi",
    "action": "thao tác",
    "username": "người dùng",
    "client": "máy khách",
    "year": "năm",
    "unit": "đơn vị",
    "from": "từ",
    "to": "sang",
    "comment": "ý kiến",
    "deadline": "hạn nộp",
    "expected": "số đơn vị phải báo cáo",
    "warnings": "cảnh báo",
    "acknowledged": "số cảnh báo đã xem xét",
    "kind": "loại kho",
    "missing": "số đơn vị chưa nộp",
    "pending": "số đơn vị chưa duyệt",
}
_DETAIL_VALUES = {
    "wrong password": "sai mật khẩu",
    "unknown or disabled user": "tài khoản không có hoặc đã khoá",
    "locked": "tài khoản đang tạm khoá",
    "demo account on real data": "tài khoản dùng thử trên dữ liệu thật",
    "ok": "thành công",
    "rejected": "bị từ chối",
    "failed": "lỗi khi ghi",
    "interrupted": "bị gián đoạn",
    "add": "thêm",
    "reset": "đặt lại mật khẩu",
    "disable": "khoá",
    Role.PROVINCE: "toàn tỉnh",
    Role.COMMUNE: "cấp xã",
    Role.ADMIN: "quản trị",
    "real": "dữ liệu thật",
    "sample": "dữ liệu mẫu",
    True: "có",
    False: "không",
    # the reporting cycle's statuses and actions (etl/cycle.py), in the codes registry's words
    **{c.code: c.label.lower() for d in ("cycle_status", "cycle_action") for c in codes()[d]},
}


def details_text(raw: str | None) -> str:
    """{"what": "Biểu 01–07", "format": "xlsx"} → «nội dung: Biểu 01–07 · định dạng: xlsx»."""
    import json

    try:
        d = json.loads(raw) if raw else {}
    except json.JSONDecodeError:
        return raw or ""
    if not isinstance(d, dict):
        return str(d)
    parts = []
    for k, v in d.items():
        if v in (None, "", []):
            continue
        if isinstance(v, list):
            v = ", ".join(str(x) for x in v)
        v = _DETAIL_VALUES.get(v, v) if isinstance(v, (str, bool)) else v
        parts.append(f"{_DETAIL_KEYS.get(k, k)}: {v}")
    return " · ".join(parts)


def interrupted_load(scope: Scope, root: Path = PARQUET_DIR) -> str | None:
    """A warning for admins when the last load that tried to write was killed half-way (none since succeeded).

    Read from the load log (not cached): the cleanup that writes the entry happens on whichever page run comes
    first, maybe before anyone logged in, but only an admin is told (it names the user who loaded)."""
    _require_admin(scope)
    from etl.text import when

    try:
        last = lookups.last_writing_load(root)
    except Exception:  # no load log yet
        return None
    if last is None or last[3] != "interrupted":
        return None
    started, user, n, _ = last
    return (
        f"Lần nạp dữ liệu bắt đầu lúc {fmt.plain(when(started))} ({n} tệp, người nạp: {fmt.plain(user)}) đã bị "
        "gián đoạn và không được ghi. Dữ liệu trước đó vẫn nguyên vẹn; hãy nạp lại các tệp đó."
    )


def load_preview(parsed: list[ParsedReturn], scope: Scope, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """What committing these returns would change, per return: branches added / removed / kept, and members,
    members rated good or better, branches without Internet — before (current data) and after."""
    _require_admin(scope)
    rows = []
    for r in parsed:
        try:
            cur = lookups.committee_branch_figures(r.year, r.committee_key, root)
        except FileNotFoundError:
            cur = pl.DataFrame(
                schema={
                    "branch_code": pl.String,
                    "members": pl.Int64,
                    "good_members": pl.Int64,
                    "rated_members": pl.Int64,
                    "internet": pl.String,
                }
            )
        new = r.branches
        old_codes, new_codes = set(cur["branch_code"].to_list()), set(new["branch_code"].to_list())

        def pct(a: float, b: float) -> float | None:
            return a / b * 100 if b else None

        rows.append(
            {
                "file_name": r.file_name,
                "year": r.year,
                "unit_code": r.unit_code,
                "replaces": bool(old_codes),
                "branches_before": len(old_codes),
                "branches_after": len(new_codes),
                "added": len(new_codes - old_codes),
                "removed": len(old_codes - new_codes),
                "members_before": int(cur["members"].sum()),
                "members_after": int(new["members"].sum()),
                "member_good_before": pct(cur["good_members"].sum(), cur["rated_members"].sum()),
                "member_good_after": good_member_share(new),
                "internet_none_before": pct((cur["internet"] == "chua_co").sum(), cur.height),
                "internet_none_after": pct(int((new["internet"].cast(pl.String) == "chua_co").sum()), new.height),
                "warnings": len(r.warnings),
            }
        )
    return pl.DataFrame(rows)


# The branch fields a preview compares, with their column headers in the return (etl/schema.py).
_COMPARED = (
    "branch_name",
    "level",
    "branch_type",
    "border",
    "members",
    "resident_members",
    "rating",
    "exempt",
    "not_rated",
    "excellent",
    "good",
    "completed",
    "not_completed",
    "admitted",
    "internet",
    "computer",
    "ehandbook",
)
_DOMAINS = {"level": "level", "branch_type": "branch_type", "rating": "rating", "internet": "internet"}


def branch_changes(old: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """Branch by branch, what a new version of a return changes against the old one: «thêm», «bớt», or «thay đổi»
    with every changed cell in words («Tổng số đảng viên: 20 → 22; Xếp loại chi bộ: HTTNV → HTXSNV»). Unchanged
    branches are left out. Pure: two frames with the branch columns of the store."""
    from etl.codes import label
    from etl.schema import BRANCHES

    headers = {c.key: c.header for c in BRANCHES.columns}

    def word(field: str, v) -> str:
        if v is None:
            return "(trống)"
        if field in _DOMAINS:
            return label(_DOMAINS[field], str(v))
        if isinstance(v, bool):
            return "có" if v else "không"
        return str(v)

    def rows(df: pl.DataFrame) -> dict[str, dict]:
        cols = [c for c in _COMPARED if c in df.columns]
        df = df.with_columns(pl.col(c).cast(pl.String) for c in cols if isinstance(df.schema[c], pl.Enum))
        return {r["branch_code"]: r for r in df.select("branch_code", *cols).iter_rows(named=True)}

    before, after = rows(old), rows(new)
    out = []
    for code in sorted(before.keys() | after.keys()):
        b, a = before.get(code), after.get(code)
        if b is None:
            out.append((code, a["branch_name"], "thêm", ""))
        elif a is None:
            out.append((code, b["branch_name"], "bớt", ""))
        else:
            diffs = [
                f"{headers.get(f, f)}: {word(f, b[f])} → {word(f, a[f])}"
                for f in _COMPARED
                if f in a and f in b and b[f] != a[f]
            ]
            if diffs:
                out.append((code, a["branch_name"], "thay đổi", "; ".join(diffs)))
    return pl.DataFrame(out, schema=["branch_code", "branch_name", "change", "details"], orient="row")


def load_changes(parsed: list[ParsedReturn], scope: Scope, root: Path = PARQUET_DIR) -> pl.DataFrame:
    """Every branch a commit of these returns would add, remove or change, return by return."""
    _require_admin(scope)
    frames = []
    for r in parsed:
        try:
            cur = lookups.committee_branches(r.year, r.committee_key, root)
        except FileNotFoundError:
            cur = r.branches.head(0)
        frames.append(branch_changes(cur, r.branches).with_columns(pl.lit(r.file_name).alias("file_name")))
    empty = pl.DataFrame(schema=["branch_code", "branch_name", "change", "details", "file_name"])
    return pl.concat(frames) if frames else empty


def users_table(users: list, unit_names: dict[str, str]) -> pl.DataFrame:
    """The users in words: role, unit name, status."""
    from dashboard import auth

    return pl.DataFrame(
        [
            {
                "username": u.username,
                "role": auth.ROLES.get(u.role, u.role),
                "unit": unit_names.get(u.unit_code, u.unit_code or ""),
                "status": "hoạt động" if u.active else "đã khoá",
            }
            for u in users
        ],
        schema=["username", "role", "unit", "status"],
    )


def manage_user(
    scope: Scope,
    actor: str,
    action: str,
    username: str,
    password: str = "",
    role: str = "",
    unit_code: str | None = None,
    root: Path | None = None,
) -> str:
    """Add a user, reset its password, disable or enable it, or change its role and unit — admins only, every
    change audited with who made it. Returns a Vietnamese sentence; raises ValueError with one."""
    from dashboard import auth
    from etl import audit
    from etl.settings import USERS_DIR

    _require_admin(scope)
    root = root or USERS_DIR
    username = username.strip()
    known = {u.username: u for u in auth.list_users(root)}
    if not username:
        raise ValueError("Hãy nhập tên đăng nhập.")
    if action != "add" and username not in known:
        raise ValueError(f"Không có người dùng «{username}».")
    if action == "add":
        auth.set_user(username, password, role, unit_code, root=root, new=True)
        done = f"Đã thêm {username}."
    elif action == "reset":
        old = known[username]
        auth.set_user(username, password, old.role, old.unit_code, root=root)
        done = f"Đã đặt lại mật khẩu của {username}."
    elif action in ("disable", "enable"):
        if action == "disable" and username == actor:
            raise ValueError("Không thể tự khoá tài khoản đang đăng nhập.")
        (auth.disable if action == "disable" else auth.enable)(username, root=root)
        done = f"Đã {'khoá' if action == 'disable' else 'mở khoá'} {username}."
    elif action == "scope":
        if username == actor and role != Role.ADMIN:
            raise ValueError("Không thể tự bỏ quyền quản trị của tài khoản đang đăng nhập.")
        auth.set_scope(username, role, unit_code, root=root)
        done = f"Đã đổi vai trò, đơn vị của {username}."
    else:
        raise ValueError(action)
    audit.record(
        "user_change", actor, {"action": action, "username": username, "role": role or None, "unit_code": unit_code}
    )
    return done
