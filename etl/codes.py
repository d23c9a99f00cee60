"""Coded values of the return (levels, types, ratings, …): labels and the spellings that map to each code."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache, lru_cache

from etl.settings import MAPPINGS_DIR
from etl.text import from_tcvn3, key


@dataclass(frozen=True)
class Code:
    domain: str
    code: str
    label: str
    short: str
    sort: int
    published_key: str = ""  # the code's name in a published table (village heads: Biểu 06's column prefix)


@cache
def codes() -> dict[str, list[Code]]:
    """domain -> its codes in display order, from `etl/mappings/codes.csv`."""
    out: dict[str, list[Code]] = {}
    with open(MAPPINGS_DIR / "codes.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            out.setdefault(r["domain"], []).append(
                Code(r["domain"], r["code"], r["label"], r["short"], int(r["sort"]), r["published_key"])
            )
    return {d: sorted(cs, key=lambda c: c.sort) for d, cs in out.items()}


@cache
def _lookup() -> dict[str, dict[str, str]]:
    """domain -> {key(spelling): code}; every label, abbreviation, code and alias is a spelling."""
    table: dict[str, dict[str, str]] = {}

    def add(domain: str, spelling: str, code: str) -> None:
        k = key(spelling)
        known = table.setdefault(domain, {}).get(k)
        if known is not None and known != code:
            raise ValueError(f"alias {spelling!r} maps to both {known} and {code} in {domain}")
        table[domain][k] = code

    for domain, cs in codes().items():
        for c in cs:
            for spelling in (c.code, c.label, c.short):
                add(domain, spelling, c.code)
    with open(MAPPINGS_DIR / "aliases.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            add(r["domain"], r["alias"], r["code"])
    return table


@lru_cache(maxsize=1 << 14)  # the same few spellings come back in every row
def resolve(domain: str, text: str) -> str | None:
    """The code a typed value stands for, or None if it is not a known spelling.

    A short value typed in TCVN3 («Cã», «Kh«ng») holds no character that proves the encoding, so a value that
    is no known spelling is tried once more as TCVN3."""
    table = _lookup()[domain]
    return table.get(key(text)) or table.get(key(from_tcvn3(text)))


def label(domain: str, code: str | None, wording: str = "label") -> str:
    """Vietnamese label of a code ('' for None); `wording` "short": codes.csv's short label instead."""
    if code is None:
        return ""
    return next(getattr(c, wording) for c in codes()[domain] if c.code == code)


def labels(domain: str, wording: str = "label") -> list[str]:
    """The labels (or short labels) of a domain in order (a drop-down list of the template)."""
    return [getattr(c, wording) for c in codes()[domain]]


def code_list(domain: str) -> list[str]:
    return [c.code for c in codes()[domain]]
