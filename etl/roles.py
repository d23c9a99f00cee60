"""The roles of the app's users, their one home: every module that asks what a user may see or do compares with
these. A StrEnum, so the names stored in users.json, the audit log and the cycle's log («commune») are the values
and compare equal to them. Here, at the bottom, because the reporting cycle (etl/cycle.py) checks them too; the users
themselves are kept by dashboard/auth.py."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    PROVINCE = "province"  # the province's committee: every unit (in a national deployment, possibly one province's)
    COMMUNE = "commune"  # a commune's (or province-affiliated) committee: its own unit only
    ADMIN = "admin"  # the Organisation Department: every unit, loads returns, manages users
