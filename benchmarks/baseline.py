"""The baseline of the ETL benchmark: the obvious pandas + openpyxl reader of the same workbooks.

Same work as the product's reader on well-formed template files: read the four sheets, find each table's header
row by matching the template's headers, map the Vietnamese labels to codes, type the columns, check that members
add up and that committee members and village heads belong to a branch of the return, then write the rows of all
returns as Parquet. No TCVN3, no messy-header heuristics, no Vietnamese error messages: a plain loop, one file
after another, as one would write it without thinking about speed."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from etl.codes import codes
from etl.schema import BRANCHES, COMMITTEE, HEADS, MEMBER_COUNTS, SheetSpec

SHEETS = {"info": "Thông tin", "branches": BRANCHES.name, "committee": COMMITTEE.name, "heads": HEADS.name}
HEADER_SEARCH_ROWS = 30


class BaselineError(Exception):
    pass


def _label_maps() -> dict[str, dict[str, str]]:
    return {d: {c.label: c.code for c in cs} for d, cs in codes().items()}


LABELS = _label_maps()


def _find_header(raw: pd.DataFrame, spec: SheetSpec) -> tuple[int, dict[str, int]]:
    """The header row (top row of a two-row header) and the column index of each key."""
    by_header = {c.header: c.key for c in spec.columns}
    required = [c.key for c in spec.columns if c.required]
    best: tuple[int, dict[str, int]] | None = None
    for r in range(min(HEADER_SEARCH_ROWS, len(raw) - 1)):
        top = raw.iloc[r].tolist()
        sub = raw.iloc[r + 1].tolist()
        found = {}
        for j, (a, b) in enumerate(zip(top, sub)):
            if isinstance(b, str) and b.strip() in by_header:
                found[by_header[b.strip()]] = j
            elif isinstance(a, str) and a.strip() in by_header:
                found[by_header[a.strip()]] = j
        if all(k in found for k in required) and (best is None or len(found) > len(best[1])):
            best = (r, found)
    if best is None:
        raise BaselineError(f"no header found in sheet {spec.name}")
    return best


def _table(raw: pd.DataFrame, spec: SheetSpec) -> pd.DataFrame:
    r, cols = _find_header(raw, spec)
    body = raw.iloc[r + 2 :]
    keep = [c for c in spec.columns if c.key in cols and c.kind != "ignore"]
    df = pd.DataFrame({c.key: body.iloc[:, cols[c.key]].to_numpy() for c in keep})
    df = df.dropna(how="all").reset_index(drop=True)
    for c in keep:
        if c.kind == "code":
            mapped = df[c.key].map(LABELS[c.domain])
            bad = df[c.key].notna() & mapped.isna()
            if bad.any():
                raise BaselineError(f"{spec.name}: unknown value {df.loc[bad, c.key].iloc[0]!r} in {c.header}")
            if c.domain == "yes_no":
                mapped = mapped.map({"co": True, "khong": False}).fillna(False).astype(bool)
            df[c.key] = mapped
        elif c.kind in ("int", "year"):
            df[c.key] = pd.to_numeric(df[c.key], errors="raise").astype("Int32")
        elif c.kind == "text":
            df[c.key] = df[c.key].astype("string")
    return df


def read_return(path: Path) -> dict[str, pd.DataFrame]:
    """One workbook as typed frames (branches, committee, heads), checked."""
    sheets = pd.read_excel(path, sheet_name=list(SHEETS.values()), engine="openpyxl", header=None)
    info = sheets[SHEETS["info"]]
    values = dict(zip(info.iloc[:, 0].fillna("").astype(str), info.iloc[:, 1]))
    unit = str(next(v for k, v in values.items() if k.startswith("Mã đơn vị"))).zfill(5)
    year = int(next(v for k, v in values.items() if k.startswith("Năm báo cáo")))
    out = {}
    for key, spec in (("branches", BRANCHES), ("committee", COMMITTEE), ("heads", HEADS)):
        df = _table(sheets[SHEETS[key]], spec)
        df.insert(0, "year", year)
        df.insert(1, "unit_code", unit)
        out[key] = df
    b = out["branches"]
    parts = b[list(MEMBER_COUNTS)].sum(axis=1)
    if not (b["members"] == parts).all():
        raise BaselineError(f"{path.name}: members do not add up")
    if (b["resident_members"].fillna(0) > b["members"]).any():
        raise BaselineError(f"{path.name}: more resident members than members")
    if not out["committee"]["branch_code"].isin(b["branch_code"]).all():
        raise BaselineError(f"{path.name}: committee member of an unknown branch")
    villages = b.loc[b["branch_type"] == "xom", "branch_code"]
    if not out["heads"]["branch_code"].isin(villages).all():
        raise BaselineError(f"{path.name}: village heads of a branch that is not a village")
    c = out["committee"]
    c["trained"] = c.pop("training") == "da"
    return out


def run(paths: list[Path], out_dir: Path) -> dict:
    """Read every file, then write each table as one Parquet file; returns timings and row counts."""
    t0 = time.perf_counter()
    frames: dict[str, list[pd.DataFrame]] = {"branches": [], "committee": [], "heads": []}
    for p in paths:
        for k, df in read_return(p).items():
            frames[k].append(df)
    t1 = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = {}
    for k, dfs in frames.items():
        df = pd.concat(dfs, ignore_index=True)
        df.to_parquet(out_dir / f"{k}.parquet", index=False)
        rows[k] = len(df)
    t2 = time.perf_counter()
    return {"files": len(paths), "read_s": t1 - t0, "write_s": t2 - t1, "wall_s": t2 - t0, "rows": rows}
