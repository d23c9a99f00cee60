"""Issue 16, tried as an attacker would: each numbered finding of the issue has its test here (the sparse
workbook, the upload worker and the proxy have theirs in test_sandbox.py and test_proxy.py)."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import stat
import threading
from pathlib import Path

import bcrypt
import polars as pl
import pytest

from dashboard import auth, data, registry
from dashboard.scope import Filters, Scope
from etl import audit, settings
from tests.fixtures import branch, build_store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")


@pytest.fixture(scope="module", autouse=True)
def _own_data_folder():
    assert settings.DATA_DIR.name.startswith("partydash-test-"), settings.DATA_DIR


def audit_events(user: str, event: str) -> list[dict]:
    lines = (audit.audit_dir() / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    out = [json.loads(x) for x in lines if x.strip()]
    return [{**e, "details": json.loads(e["details"])} for e in out if e["user"] == user and e["event"] == event]


# ------------------------------------------------------------------------- 8. the audit log: torn lines, 0600


def _lines(root):
    return (audit.audit_dir(root) / "audit.jsonl").read_text(encoding="utf-8").splitlines()


def test_audit_log_is_private_from_its_first_event(tmp_path):
    os.umask(0o022)  # the usual umask: a plain touch/open would make the file world-readable
    audit.ensure(tmp_path)
    path = audit.audit_dir(tmp_path) / "audit.jsonl"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    other = tmp_path / "other"
    audit.record("login", "a", root=other)
    assert stat.S_IMODE((audit.audit_dir(other) / "audit.jsonl").stat().st_mode) == 0o600
    # a log left world-readable by an earlier version is made private on the next event
    os.chmod(path, 0o644)
    audit.record("login", "a", root=tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_torn_last_line_does_not_swallow_the_next_event(tmp_path):
    audit.record("login", "truoc", root=tmp_path)
    path = audit.audit_dir(tmp_path) / "audit.jsonl"
    with open(path, "ab") as f:  # what a full disk leaves: the start of a line, no newline
        f.write(b'{"time": "2026-03-01T09:00:00", "event": "exp')
    audit.record("logout", "sau", root=tmp_path)
    lines = _lines(tmp_path)
    assert len(lines) == 3
    assert json.loads(lines[0])["user"] == "truoc" and json.loads(lines[2])["user"] == "sau"
    assert audit.damaged_lines(tmp_path) == 1


def test_the_audit_page_reads_a_log_with_a_torn_line(tiny_store, tmp_path):
    import shutil

    from dashboard import admin
    from dashboard.scope import Scope

    root = tmp_path / "parquet"
    shutil.copytree(tiny_store, root, symlinks=True)
    audit.record("login", "mot", root=root)
    with open(audit.audit_dir(root) / "audit.jsonl", "ab") as f:
        f.write(b'{"time": "2026-03-01T09:0')
    audit.record("login", "hai", root=root)
    log = admin.audit_log(Scope("admin"), root=root)
    users = log["username"].to_list()
    assert "mot" in users and "hai" in users and None not in users
    assert audit.damaged_lines(root) == 1


# ------------------------------------------------------------- 4. lock-out per client and account, no queue

T0 = dt.datetime(2026, 3, 1, 9, 0, 0)


def _clock(t):
    return lambda: t


def _real():
    return False


@pytest.mark.slow  # bcrypt waits of the lock-out
def test_an_attacker_cannot_lock_the_owner_out(tmp_path):
    root = tmp_path / "users"
    auth.set_user("chu-tk", "mat-khau-that", "admin", root=root)
    for i in range(auth.MAX_FAILURES * 3):  # the attacker's machine fails 15 times in a row
        r = auth.authenticate("chu-tk", f"doan-{i}", _real, root=root, now=_clock(T0), client="203.0.113.9")
        assert r.user is None
    locked = auth.authenticate("chu-tk", "mat-khau-that", _real, root=root, now=_clock(T0), client="203.0.113.9")
    assert locked.user is None and "tạm khoá" in locked.message  # the attacker waits, even with the password
    # the owner, on their own machine, logs in at once
    ok = auth.authenticate("chu-tk", "mat-khau-that", _real, root=root, now=_clock(T0), client="198.51.100.4")
    assert ok.user is not None and ok.user.username == "chu-tk"


def test_back_off_doubles_with_every_further_failure():
    # nothing before the 5th failure; 15 min at the 5th, then 30, 60, 120 …; never more than a day
    assert [auth.lock_minutes(n) for n in range(1, 9)] == [0, 0, 0, 0, 15, 30, 60, 120]
    assert auth.lock_minutes(20) == 24 * 60  # 15 × 2^15 minutes, capped


@pytest.mark.slow  # bcrypt waits of the lock-out
def test_back_off_from_one_client(tmp_path):
    root = tmp_path / "users"
    auth.set_user("nguoi-a", "mat-khau-dung", "province", root=root)
    c = "192.0.2.1"
    t = T0
    for i in range(auth.MAX_FAILURES):
        auth.authenticate("nguoi-a", "sai", _real, root=root, now=_clock(t + dt.timedelta(seconds=i)), client=c)
    t5 = T0 + dt.timedelta(seconds=4)  # the 5th failure: 15 minutes
    assert "tạm khoá" in auth.authenticate("nguoi-a", "sai", _real, root=root, now=_clock(t5), client=c).message
    # after the wait, one more wrong password: 30 minutes this time (09:15:04 + 30 min = 09:45)
    t6 = t5 + dt.timedelta(minutes=15, seconds=1)
    assert auth.authenticate("nguoi-a", "sai", _real, root=root, now=_clock(t6), client=c).message == auth.WRONG
    r = auth.authenticate("nguoi-a", "mat-khau-dung", _real, root=root, now=_clock(t6), client=c)
    assert r.user is None and "09:45" in r.message
    later = t6 + dt.timedelta(minutes=30, seconds=1)
    assert auth.authenticate("nguoi-a", "mat-khau-dung", _real, root=root, now=_clock(later), client=c).user
    # a success starts the count again
    assert auth.authenticate("nguoi-a", "sai", _real, root=root, now=_clock(later), client=c).message == auth.WRONG


@pytest.mark.slow  # bcrypt waits of the lock-out
def test_unknown_names_lock_like_real_ones(tmp_path):
    """The lock message does not tell an attacker which names exist."""
    root = tmp_path / "users"
    auth.set_user("co-that", "mat-khau-dung", "province", root=root)
    out = {}
    for who in ("co-that", "khong-co"):
        for _ in range(auth.MAX_FAILURES):
            auth.authenticate(who, "sai", _real, root=root, now=_clock(T0), client="192.0.2.7")
        out[who] = auth.authenticate(who, "sai", _real, root=root, now=_clock(T0), client="192.0.2.7").message
    assert out["co-that"] == out["khong-co"] and "tạm khoá" in out["co-that"]


@pytest.mark.slow  # bcrypt waits of the lock-out
def test_a_client_spraying_many_accounts_is_slowed_down(tmp_path):
    root = tmp_path / "users"
    auth.set_user("nan-nhan", "mat-khau-dung", "province", root=root)
    c = "192.0.2.99"
    for i in range(auth.MAX_CLIENT_FAILURES):  # one failure each on 20 different names
        auth.authenticate(f"ten-{i}", "sai", _real, root=root, now=_clock(T0), client=c)
    r = auth.authenticate("nan-nhan", "mat-khau-dung", _real, root=root, now=_clock(T0), client=c)
    assert r.user is None and "tạm khoá" in r.message
    assert auth.authenticate("nan-nhan", "mat-khau-dung", _real, root=root, now=_clock(T0), client="192.0.2.100").user


@pytest.mark.slow  # bcrypt waits of the lock-out
def test_a_reset_lifts_the_wait(tmp_path):
    root = tmp_path / "users"
    auth.set_user("quen-mk", "mat-khau-cu", "province", root=root)
    for _ in range(auth.MAX_FAILURES):
        auth.authenticate("quen-mk", "sai", _real, root=root, now=_clock(T0), client="192.0.2.3")
    auth.set_user("quen-mk", "mat-khau-moi", "province", root=root)
    assert auth.authenticate("quen-mk", "mat-khau-moi", _real, root=root, now=_clock(T0), client="192.0.2.3").user


@pytest.mark.slow  # bcrypt waits of the lock-out
def test_no_lock_is_held_while_bcrypt_runs(tmp_path, monkeypatch):
    """Log-ins do not queue behind each other: every lock file of the user store is free while a hash is checked."""
    root = tmp_path / "users"
    auth.set_user("song-song", "mat-khau-dung", "province", root=root)
    real_check = bcrypt.checkpw
    held = []

    def spy(password, hashed):
        for lock in root.glob(".*lock"):
            with open(lock, "a") as f:
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    fcntl.flock(f, fcntl.LOCK_UN)
                except BlockingIOError:
                    held.append(lock.name)
        return real_check(password, hashed)

    monkeypatch.setattr(auth.bcrypt, "checkpw", spy)
    for pw in ("sai", "mat-khau-dung"):
        auth.authenticate("song-song", pw, _real, root=root, client="192.0.2.5")
    auth.authenticate("khong-ai", "sai", _real, root=root, client="192.0.2.5")
    assert held == []


@pytest.mark.slow  # bcrypt waits of the lock-out
def test_attackers_threads_do_not_block_a_real_log_in(tmp_path):
    root = tmp_path / "users"
    auth.set_user("bi-tan-cong", "mat-khau-dung", "admin", root=root)
    results = []

    def attack(i):
        for j in range(3):
            auth.authenticate("bi-tan-cong", f"x{i}{j}", _real, root=root, client=f"203.0.113.{i}")

    threads = [threading.Thread(target=attack, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    results.append(auth.authenticate("bi-tan-cong", "mat-khau-dung", _real, root=root, client="198.51.100.1"))
    for th in threads:
        th.join()
    assert results[0].user is not None
    counters = json.loads((root / "attempts.json").read_text(encoding="utf-8"))
    assert counters["203.0.113.0\tbi-tan-cong"]["failures"] == 3  # no lost update under concurrency
    assert sum(v["failures"] for k, v in counters.items() if k.endswith("\tbi-tan-cong")) == 24


# ------------------------------------------------------------------------ 5. passwords longer than 72 bytes

LONG = "ẫ" * 25  # 25 × 3 bytes = 75 bytes > 72


def test_a_long_password_is_refused_like_a_wrong_one(tmp_path):
    root = tmp_path / "users"
    auth.set_user("co-that-2", "mat-khau-dung", "province", root=root)
    assert len(LONG.encode()) == 75
    known = auth.authenticate("co-that-2", LONG, _real, root=root, client="192.0.2.8")
    unknown = auth.authenticate("khong-co-2", LONG, _real, root=root, client="192.0.2.8")
    demo = auth.authenticate("tinh", LONG, lambda: True, root=root, client="192.0.2.8")
    assert known.user is None and unknown.user is None and demo.user is None
    assert known.message == unknown.message == demo.message == auth.WRONG  # no enumeration
    for who in ("co-that-2", "khong-co-2", "tinh"):
        assert audit_events(who, "login_failed")[-1]["details"]["reason"] == "password too long"
    # exactly 72 bytes is an ordinary (wrong) password: 24 × 3 bytes
    assert auth.authenticate("co-that-2", "ẫ" * 24, _real, root=root).message == auth.WRONG


def test_a_long_password_counts_toward_the_lock_out_and_costs_no_bcrypt(tmp_path, monkeypatch):
    # issue 29.10: passwords over 72 bytes skipped the lock-out (a locked client got «wrong password», not «locked»)
    # and each cost a full bcrypt check
    root = tmp_path / "users"
    auth.set_user("co-that-3", "mat-khau-dung", "province", root=root)
    checks = []
    real_check = auth.bcrypt.checkpw
    monkeypatch.setattr(auth.bcrypt, "checkpw", lambda *a: checks.append(1) or real_check(*a))
    for _ in range(auth.MAX_FAILURES):
        assert auth.authenticate("co-that-3", LONG, _real, root=root, client="192.0.2.9").message == auth.WRONG
    assert checks == []
    for password in (LONG, "mat-khau-dung"):  # locked now, whatever is sent; still no bcrypt
        assert "tạm khoá" in auth.authenticate("co-that-3", password, _real, root=root, client="192.0.2.9").message
    assert checks == []
    assert audit_events("co-that-3", "login_failed")[-1]["details"]["reason"] == "locked"
    # the owner elsewhere is not locked out
    assert auth.authenticate("co-that-3", "mat-khau-dung", _real, root=root, client="198.51.100.9").user is not None


def test_a_long_password_cannot_be_set(tmp_path):
    with pytest.raises(ValueError, match="dài quá 72 byte"):
        auth.set_user("nguoi-moi", LONG, "province", root=tmp_path / "users")
    assert not (tmp_path / "users" / "users.json").exists()
    auth.set_user("nguoi-moi", "ẫ" * 24, "province", root=tmp_path / "users")  # 72 bytes: allowed


def test_a_long_password_through_the_log_in_form(sample_store):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.text_input(key="login_user").input("quantri")
    at.text_input(key="login_password").input(LONG)
    at.form_submit_button[0].click()
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [auth.WRONG]


# ------------------------------------------------- 2. small groups: no benchmark that discloses another unit
# A commune user gets the province figure for pre-defined groupings only — a year's whole province, or one branch
# type of it — never for a small group, nor for one that a subtraction of two answers would disclose (issue 29.4:
# «cấp tt_co_so» minus «every type but cooperatives» was the province's one cooperative branch). The value only,
# rounded as the pages show it.

XA = "01273"  # the demo commune user's unit


def _bench(root, f, by=(), ind="member_good"):
    return data.province_benchmark(ind, f, Scope.commune(XA), by=by, root=root)


def _shown(got: pl.DataFrame) -> list:
    return got.select("value", "withheld").rows()


def test_the_single_cooperative_branch_is_not_shown_as_the_province(sample_store):
    """«Loại hình: Hợp tác xã» holds one branch in the whole province (04-UBND.220)."""
    f = Filters(years=(2025,), types=("htx",))
    htx = data.branches(f, Scope.province(), root=sample_store)
    assert htx["branch_code"].to_list() == ["04-UBND.220"]
    # the province user sees that branch's figures as «Toàn tỉnh» — which is only that branch
    prov = data.province_benchmark("member_good", f, Scope.province(), root=sample_store)
    assert prov["denominator"][0] > 0
    withheld = 0
    for ind in registry.indicators():
        got = _shown(_bench(sample_store, f, ind=ind))
        whole = data.province_benchmark(ind, f, Scope.province(), by=(), root=sample_store)["denominator"][0]
        # withheld where the branch has figures; nothing to show where nobody has (and nothing to hide)
        assert got == ([(None, "small")] if whole else [(None, None)]), ind
        withheld += bool(whole)
    assert withheld >= 10


def test_the_issues_differencing_attack_gets_nothing(sample_store):
    """As xa on «Xếp loại chi bộ»: ?cap=tt_co_so gave 571/584, and with every branch type but cooperatives 570/583.
    Neither is a pre-defined grouping: both are withheld, for every indicator, so there is nothing to subtract."""
    types = sorted(set(data.branches(Filters(years=(2025,)), Scope.province(), root=sample_store)["branch_type"]))
    one = Filters(years=(2025,), levels=("tt_co_so",))
    but_htx = one.but(types=[t for t in types if t != "htx"])
    assert data.province_benchmark("branch_good", one, Scope.province(), root=sample_store).select(
        "numerator", "denominator"
    ).row(0) == (571, 584)  # what the issue saw
    for ind in registry.indicators():
        for f in (one, but_htx, but_htx.but(levels=()), Filters(years=(2025,), types=("xom", "dang"))):
            got = _bench(sample_store, f, ind=ind)
            assert _shown(got) in ([(None, "grouping")], [(None, None)]), (ind, f)
            assert got.select("numerator", "denominator").rows() == [(None, None)]
    # nor a level by grouping, nor several years summed
    assert set(_bench(sample_store, Filters(years=(2025,)), by=("level",))["withheld"]) == {"grouping"}
    assert _shown(_bench(sample_store, Filters(years=(2024, 2025)))) == [(None, "grouping")]


def test_no_subtraction_of_what_a_commune_is_shown_singles_out_a_small_group(sample_store):
    """What a commune can ask for in a year — the whole province and each branch type — has one relation: the whole
    is the sum of the types. So the withheld types together are what a subtraction yields: for every indicator,
    year and subgroup, counted here from the branch-level views, they are no small group (or none is withheld)."""
    checked = 0
    for ind in registry.indicators().values():
        view = data._query(f"select * from {ind.view}", {}, sample_store).filter(
            (pl.col("unit_code") != XA) & (pl.col("denominator") > 0)
        )
        if ind.default_subgroup is not None:
            view = view.filter(pl.col("subgroup") == ind.default_subgroup)
        got = _bench(sample_store, Filters(), by=("year", "type"), ind=ind.id)
        for year in sorted(set(got["year"])):
            hidden = got.filter((pl.col("year") == year) & pl.col("withheld").is_not_null())["branch_type"].to_list()
            rows = view.filter((pl.col("year") == year) & pl.col("branch_type").is_in(hidden))
            units, branches = rows["unit_code"].n_unique(), rows.select("unit_code", "branch_code").n_unique()
            assert not rows.height or (units >= 3 and branches >= 10), (ind.id, year, hidden, units, branches)
            # and each type on its own that is small is among them
            for t, g in view.filter(pl.col("year") == year).group_by("branch_type"):
                small = g["unit_code"].n_unique() < 3 or g.height < 10
                assert not small or t[0] in hidden, (ind.id, year, t)
            checked += 1
    # 18 indicators × 5 years, and the organisation tree's 4 × 2025 (the one year the sample describes its đảng bộ)
    assert checked == 94


def test_a_commune_sees_the_whole_province_and_a_type_as_the_province_does(sample_store):
    """The legitimate views: the whole province and a branch type, the value the province user sees, rounded to the
    two decimals every page shows; no numerator or denominator."""
    for f, by in ((Filters(years=(2025,)), ()), (Filters(years=(2025,), types=("xom",)), ()), (Filters(), ("year",))):
        province = data.province_benchmark("member_good", f, Scope.province(), by=by, root=sample_store)
        got = _bench(sample_store, f, by=by)
        assert got["value"].to_list() == [round(v, 2) for v in province["value"].to_list()]
        assert got["withheld"].null_count() == got.height
        assert got["numerator"].null_count() == got["denominator"].null_count() == got.height


def test_the_police_branches_are_not_shown_as_the_province(sample_store):
    """cap=tt_bo_phan&loai=llvt: only Đảng bộ Công an tỉnh (04-CA) has such branches."""
    f = Filters(years=(2025,), levels=("tt_bo_phan",), types=("llvt",))
    assert set(data.branches(f, Scope.province(), root=sample_store)["unit_code"]) == {"04-CA"}
    assert _shown(_bench(sample_store, f, by=("year",))) == [(None, "grouping")]
    over_years = _bench(sample_store, f.but(years=()), by=("year",))
    assert over_years.height >= 1 and over_years["value"].null_count() == over_years.height


def _boundary_returns():
    """Own unit 01273 and four others; every branch 2 members rated good, 1 completed (member_good 2/3). Each year
    the other units' branches by type (secondary suppression takes the fewest branches, then the type's code):
    2024  dang 4+3+3 = 10 in 3 units; htx 4+3+3 = 10 in 3 units; doanh_nghiep 3+3+3 = 9 in 3 units (small)
          → doanh_nghiep withheld, and dang with it (10 branches, «dang» < «htx»): htx, exactly 3 and 10, shown
    2025  dang 4+3+3 = 10 in 3 units; htx 5+5 = 10 in 2 units (small); doanh_nghiep 4+3+3 = 10 in 3 units
          → htx withheld, and dang with it: doanh_nghiep, exactly 3 and 10, shown"""
    plan = {
        2024: {
            "dang": {"01279": 4, "01288": 3, "01290": 3},
            "htx": {"01279": 4, "01288": 3, "01290": 3},
            "doanh_nghiep": {"01279": 3, "01288": 3, "01294": 3},
        },
        2025: {
            "dang": {"01279": 4, "01288": 3, "01294": 3},
            "htx": {"01279": 5, "01288": 5},
            "doanh_nghiep": {"01279": 4, "01288": 3, "01294": 3},
        },
    }
    out = []
    for year, types in plan.items():
        per_unit: dict[str, list] = {XA: [branch(f"{XA}.{t}-{year}", "co_so", t, good=2, completed=1) for t in types]}
        for t, units in types.items():
            for unit, n in units.items():
                per_unit.setdefault(unit, []).extend(
                    branch(f"{unit}.{t}-{i}", "co_so", t, good=2, completed=1) for i in range(n)
                )
        out += [(unit, year, bs, [], []) for unit, bs in per_unit.items()]
    return out


@pytest.fixture(scope="module")
def boundary_store(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("boundary"), _boundary_returns())


@pytest.mark.parametrize(
    "year, btype, shown, branches",
    [
        (2024, "htx", True, 11),  # exactly 3 other units and exactly 10 branches: shown
        (2024, "doanh_nghiep", False, 10),  # 9 other branches: withheld
        (2024, "dang", False, 11),  # not small, but the whole minus the types shown would be doanh_nghiep: withheld
        (2025, "htx", False, 11),  # 2 other units: withheld
        (2025, "dang", False, 11),  # withheld with htx, which alone would be had by subtraction
        (2025, "doanh_nghiep", True, 11),  # exactly 3 other units and 10 branches: shown
    ],
)
def test_the_thresholds_at_their_boundary(boundary_store, year, btype, shown, branches):
    assert (settings.MIN_OTHER_UNITS, settings.MIN_OTHER_BRANCHES) == (3, 10)
    got = _bench(boundary_store, Filters(years=(year,), types=(btype,)))
    # (2 × 11) / (3 × 11) = 66,67% (the others' branches and its own, every branch 2 of 3 members rated good)
    assert _shown(got) == ([(66.67, None)] if shown else [(None, "small")])
    # the province user always sees the figure, with its counts
    prov = data.province_benchmark(
        "member_good", Filters(years=(year,), types=(btype,)), Scope.province(), root=boundary_store
    )
    assert prov.select("numerator", "denominator").row(0) == (2 * branches, 3 * branches)
    # and the whole province is shown to the commune: the withheld types together are no small group
    assert _shown(_bench(boundary_store, Filters(years=(year,))))[0][1] is None


def test_a_trend_withholds_only_the_small_years(boundary_store):
    got = _bench(boundary_store, Filters(types=("htx",)), by=("year",))
    assert got.select("year", "value", "withheld").rows() == [(2024, 66.67, None), (2025, None, "small")]


def test_the_commune_user_is_told_why_on_the_page(sample_store):
    at = _xa_app(loai="htx")
    for page in ("dang_vien", "chi_bo", "bi_thu", "ha_tang"):
        at.switch_page(f"../pages/{page}.py")
        at.run()
        assert not at.exception, page
        notes = [i.value for i in at.info if "Không hiển thị số liệu toàn tỉnh" in i.value]
        assert notes and "dưới 3 đơn vị hoặc dưới 10 chi bộ" in notes[0], page
        for chart in at.get("plotly_chart"):
            for trace in json.loads(chart.proto.spec).get("data", []):
                if trace.get("name") == "Toàn tỉnh":
                    assert all(y is None for y in trace.get("y", [])), page


def test_the_issues_attack_on_the_page_shows_no_province_figure(sample_store):
    """The attack as the issue made it, in the page: «Xếp loại chi bộ» with ?cap=tt_co_so, then with every type
    but cooperatives. The page says why, and neither its captions nor its charts carry a province figure."""
    types = "dang,doanh_nghiep,llvt,nha_nuoc,su_nghiep,xom"
    for query in ({"cap": "tt_co_so"}, {"cap": "tt_co_so", "loai": types}):
        at = _xa_app(**query)
        at.switch_page("../pages/chi_bo.py")
        at.run()
        assert not at.exception, query
        assert any("theo từng năm, cho toàn bộ chi bộ hoặc cho một loại hình" in i.value for i in at.info), query
        assert not any("toàn tỉnh" in c.value for c in at.caption if "%" in c.value), query
        for chart in at.get("plotly_chart"):
            for trace in json.loads(chart.proto.spec).get("data", []):
                if trace.get("name") == "Toàn tỉnh":
                    assert all(y is None for y in trace.get("y", [])), query


def test_the_page_carries_no_more_precision_than_it_shows(sample_store):
    """What reaches the browser: the province line of xa's charts holds values of two decimals (as the hover and the
    caption show them), no counts; the profile's table the same."""
    at = _xa_app()
    lines = 0
    for page in ("chi_bo", "dang_vien", "ho_so_xa"):
        at.switch_page(f"../pages/{page}.py")
        at.run()
        assert not at.exception, page
        for chart in at.get("plotly_chart"):
            for trace in json.loads(chart.proto.spec).get("data", []):
                if trace.get("name") == "Toàn tỉnh":
                    ys = [y for y in trace.get("y", []) if y is not None]
                    assert ys and all(round(y, 2) == y for y in ys), (page, ys)
                    assert "customdata" not in trace, page
                    lines += 1
        for frame in at.dataframe:
            if "Toàn tỉnh (%)" in frame.value.columns:
                assert all(re.fullmatch(r"[\d.]+,\d{2}%|—", v) for v in frame.value["Toàn tỉnh (%)"]), page
    assert lines >= 2


def _xa_app(**query):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    at.text_input(key="login_user").input("xa")
    at.text_input(key="login_password").input("demo")
    at.form_submit_button[0].click()
    at.run()
    return at


# ------------------------------------------------------------- 7. no traceback, every error in Vietnamese


def test_the_profile_of_a_unit_without_branches_under_the_filters(sample_store):
    """«Loại hình: Hợp tác xã»: phường Thục Phán has no such branch (ColumnNotFoundError before)."""
    at = _xa_app(loai="htx")
    at.switch_page("../pages/ho_so_xa.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("không có chi bộ nào theo bộ lọc đã chọn" in i.value for i in at.info)
    at = _xa_app()  # the province user on a commune without cooperative branches, through the unit selector
    assert not at.exception


@pytest.mark.parametrize("year", ["9" * 5000, "²", "2025.0", "-2025", " 2024"])
def test_a_tampered_year_in_the_link_is_ignored(sample_store, year):
    at = _xa_app(nam=year)
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Tổng quan năm 2025"]  # the latest year, as without the parameter


def test_error_details_are_off_wherever_the_app_is_started(tmp_path, monkeypatch):
    """The deployment's settings sit beside the entry script: started from another folder they still apply (the
    upload limit stays 20 MB, tracebacks stay hidden, the app listens on this machine only)."""
    from streamlit import config

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(config, "_main_script_path", APP)
    try:
        config.get_config_options(force_reparse=True)
        assert config.get_option("server.maxUploadSize") == settings.MAX_FILE_BYTES // 1024 // 1024 == 20
        assert config.get_option("client.showErrorDetails") == "none"
        assert config.get_option("server.address") == "127.0.0.1"
    finally:
        monkeypatch.undo()
        config.get_config_options(force_reparse=True)


def test_an_unexpected_page_error_is_a_vietnamese_message(sample_store, monkeypatch):
    """Deployed (error details off), a page that fails shows a Vietnamese message and no traceback."""
    from streamlit.testing.v1 import AppTest

    def broken(*a, **k):
        raise RuntimeError("/srv/secret/path.py: boom")

    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.text_input(key="login_user").input("tinh")
    at.text_input(key="login_password").input("demo")
    at.form_submit_button[0].click()
    monkeypatch.setattr(data, "rating_mix", broken)
    at.run()
    at.switch_page("../pages/chi_bo.py")
    at.run()
    assert at.exception  # in development and tests the traceback is shown
    import streamlit as st

    before = st.get_option("client.showErrorDetails")
    st.set_option("client.showErrorDetails", "none")
    try:
        at.run()
    finally:
        st.set_option("client.showErrorDetails", before)
    assert not at.exception
    assert any("Trang gặp lỗi" in e.value for e in at.error)
    assert not any("secret" in e.value or "boom" in e.value for e in at.error)


# --------------------------------------------------------------------------------------------- 9. smaller

UNESCAPED = r"(?<!\\)[!\[\]()<>*:`]"  # a markdown sign without its backslash
EVIL = "![x](http://127.0.0.1:9/x.png)<img src=x onerror=alert(1)>**đậm** :red[đỏ] :material/home:"


def test_user_text_is_escaped_for_markdown():
    from dashboard import fmt

    out = fmt.plain(EVIL)
    assert re.findall(UNESCAPED, out) == []  # no image, link, HTML, bold, colour or icon can be drawn
    # every sign is kept, only escaped: the text reads as typed
    assert out.replace("\\", "").replace(fmt.WORD_JOINER, "") == EVIL


# What Streamlit's markdown (GFM autolink literals) makes a link of, after escapes and entities are undone.
AUTOLINK = (re.compile(r"(https?://|www(?=\.))[-.\w]+", re.IGNORECASE), re.compile(r"[-.\w+]+@[-\w]+(?:\.[-\w]+)+"))
ADDRESSES = ["http://evil.example/a", "HTTPS://evil.example", "www.evil.example", "ai@evil.example", "mailto:a@b.vn"]


@pytest.mark.parametrize("text", ADDRESSES)
def test_a_bare_address_in_user_text_is_no_link(text):
    """Issue 29.8: the escapes alone left «http\\://evil.example» a live link on another user's page."""
    from dashboard import fmt

    typed = f"Chi bộ xóm Nà Phìa ({text})"
    assert any(p.search(typed) for p in AUTOLINK)  # the attack: a link as typed
    unescaped = fmt.plain(typed).replace("\\", "")  # what the markdown's text holds once parsed
    assert not any(p.search(unescaped) for p in AUTOLINK), unescaped
    assert unescaped.replace(fmt.WORD_JOINER, "") == typed  # reads as typed


def test_user_text_in_a_load_error_is_shown_as_text(sample_store, monkeypatch):
    """A refusal at commit quotes file names and branch codes typed by others: no markdown of theirs is drawn."""
    import etl.store
    from etl.findings import Finding, ReturnRejected
    from tests.test_upload import admin_page, good_return

    at = admin_page(monkeypatch, sample_store)

    def refuse(*a, **k):
        raise ReturnRejected([Finding(EVIL + ".xlsx", f"Mã chi bộ «{EVIL}» đã có.", sheet="Chi bộ")])

    monkeypatch.setattr(etl.store, "commit", refuse)
    from etl.province import load_province

    at.file_uploader(key="upload").set_value(("tot.xlsx", good_return(load_province("04")), "application/zip"))
    at.run()
    at.button(key="commit").click()
    at.run()
    assert not at.exception
    (shown,) = [e.value for e in at.error if "Mã chi bộ" in e.value]
    from dashboard.fmt import WORD_JOINER

    assert EVIL in shown.replace("\\", "").replace(WORD_JOINER, "") and re.findall(UNESCAPED, shown) == [], shown


def test_the_interrupted_load_notice_is_for_admins_after_log_in(sample_store):
    """A killed load is cleaned up by whoever comes first; only an admin, logged in, is told (it names the user)."""
    import json as _json

    from streamlit.testing.v1 import AppTest

    marker = {"load_id": "bi-ngat-16-9", "started_at": "2026-03-01T09:00:00", "user": "nguoi-nap-bi-ngat"}
    (sample_store / "LOADING.json").write_text(_json.dumps({**marker, "files": ["a.xlsx"]}), encoding="utf-8")
    try:
        first = AppTest.from_file(APP, default_timeout=120)
        first.run()  # the log-in page: the cleanup happens here
        assert not (sample_store / "LOADING.json").exists()
        everything = [w.value for w in first.warning] + [m.value for m in first.markdown]
        assert not any("nguoi-nap-bi-ngat" in t or "gián đoạn" in t for t in everything)
        xa = _xa_app()
        assert not any("gián đoạn" in w.value for w in xa.warning)
        admin = AppTest.from_file(APP, default_timeout=120)
        admin.run()
        admin.text_input(key="login_user").input("quantri")
        admin.text_input(key="login_password").input("demo")
        admin.form_submit_button[0].click()
        admin.run()
        (notice,) = [w.value for w in admin.warning if "gián đoạn" in w.value]
        assert "nguoi\\-nap\\-bi\\-ngat" in notice and "1 tệp" in notice
        # the time as Vietnamese writes it, not «2026-03-01T09:00:00» (issue 26.7)
        assert "bắt đầu lúc 09\\:00 ngày 01/03/2026 (1 tệp" in notice and "T09" not in notice
    finally:
        (sample_store / "LOADING.json").unlink(missing_ok=True)
        for folder in ("loads", "findings"):
            (sample_store / "log" / folder / "bi-ngat-16-9.parquet").unlink(missing_ok=True)
