"""The organisation tree of one return (issue 30): the committee that reports → its grassroots organisations (đảng
bộ cơ sở on the sheet «Tổ chức cơ sở đảng», chi bộ cơ sở on «Chi bộ») → đảng bộ bộ phận → branches, each naming
its parent in «Trực thuộc (mã đảng bộ)». A blank parent is the reporting committee itself.

Checked here, as far down as the return describes it: every parent exists on the sheet, nothing is its own
ancestor (no cycle), and the levels agree — a đảng bộ cơ sở hangs from the committee, a đảng bộ bộ phận from a
đảng bộ cơ sở, a branch «trực thuộc đảng uỷ cơ sở» from a đảng bộ cơ sở, a branch «trực thuộc đảng bộ bộ phận»
from a đảng bộ bộ phận, a chi bộ cơ sở and a branch directly under the committee from nobody else; every đảng bộ
has a branch below it. A return without the sheet, or with the sheet left empty, describes its branches only (the
years before it): a branch may then name no parent. Every message names file, sheet, row and column."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from etl.codes import label
from etl.findings import Finding

if TYPE_CHECKING:
    from etl.annual_return.rows import Table

# Which kind of parent each kind of child needs (None: the reporting committee itself, the cell left blank).
ORG_PARENT = {"db_co_so": None, "db_bo_phan": "db_co_so"}
BRANCH_PARENT = {"co_so": None, "tt_cap_tren": None, "tt_co_so": "db_co_so", "tt_bo_phan": "db_bo_phan"}


def _rows(t: Table, *cols: str) -> list[tuple]:
    df = t.frame
    if df is None or not df.height:
        return []
    return df.select(*(pl.col(c).cast(pl.String) if c in df.columns else pl.lit(None, pl.String) for c in cols)).rows()


def check_tree(tables: dict[str, Table], unit_code: str, file_name: str, findings: list[Finding]) -> None:
    """Every rule of the tree, on the rows as read (a row refused for another reason is still a node here, so its
    children are not also «unknown»)."""
    branches, orgs = tables["branches"], tables.get("orgs")
    if branches.frame is None or "branch_code" not in branches.frame.columns:
        return
    # A sheet left empty (the template has it from 2026) describes nothing, as a return without it.
    has_sheet = orgs is not None and orgs.frame is not None and orgs.frame.height > 0
    org_rows = _rows(orgs, "org_code", "org_name", "org_kind", "parent_code", "excel_row") if has_sheet else []
    branch_rows = _rows(branches, "branch_code", "branch_name", "level", "parent_code", "excel_row")
    own = {None, "", unit_code}  # a parent cell naming the committee itself is a blank one
    kind = {c: k for c, _, k, _, _ in org_rows if c}
    parent = {c: p for c, _, _, p, _ in org_rows if c}
    branch_at = {c: r for c, _, _, _, r in branch_rows if c}
    sheet = orgs.sheet if has_sheet else ORGS_NAME

    if (
        has_sheet
        and org_rows
        and "parent_code" not in branches.letters
        and any(lv in ("tt_co_so", "tt_bo_phan") for _, _, lv, _, _ in branch_rows)
    ):
        findings.append(
            Finding(
                file_name,
                f"Trang «{branches.sheet}» thiếu cột «Trực thuộc (mã đảng bộ)»: khi báo cáo có trang «{sheet}», mỗi "
                "chi bộ trực thuộc đảng uỷ cơ sở hoặc đảng bộ bộ phận phải ghi mã đảng bộ của mình.",
                sheet=branches.sheet,
                rule="missing_column",
            )
        )
        return

    in_cycle: set[str] = set()
    for code, _, _, _, row in org_rows:
        chain = _cycle(code, parent)
        if chain and not (set(chain) & in_cycle):
            in_cycle |= set(chain)
            path = " → ".join(f"«{c}»" for c in [*chain, chain[0]])
            findings.append(
                orgs.finding(
                    file_name,
                    f"Vòng lặp trực thuộc: {path}. Một tổ chức không thể trực thuộc chính nó hay cấp dưới của nó.",
                    row,
                    "parent_code",
                    "tree_cycle",
                )
            )
    for code, _, k, p, row in org_rows:
        if code is None or k is None or code in in_cycle:
            continue
        if code in branch_at:
            findings.append(
                orgs.finding(
                    file_name,
                    f"Mã «{code}» trùng với mã một chi bộ (dòng {branch_at[code]} trang «{branches.sheet}»): mỗi tổ "
                    "chức đảng một mã riêng.",
                    row,
                    "org_code",
                    "tree_code_taken",
                )
            )
        msg = _parent_problem(label("org_kind", k), ORG_PARENT[k], p, own, kind, sheet)
        if msg:
            findings.append(orgs.finding(file_name, msg, row, "parent_code", "tree_parent"))
    for _, _, lv, p, row in branch_rows:
        if lv not in BRANCH_PARENT:
            continue
        if not has_sheet:
            if p not in own:
                findings.append(
                    branches.finding(
                        file_name,
                        f"Chi bộ ghi trực thuộc «{p}» nhưng báo cáo không có trang «{sheet}» liệt kê đảng bộ đó. Hãy "
                        f"thêm trang «{sheet}» (có trong biểu mẫu tải từ hệ thống) hoặc để trống ô này.",
                        row,
                        "parent_code",
                        "tree_parent",
                    )
                )
            continue
        hint = "; nếu chi bộ thuộc đảng bộ đó thì sửa «Cấp chi bộ» cho đúng" if p in kind else ""
        msg = _parent_problem(label("level", lv), BRANCH_PARENT[lv], p, own, kind, sheet, hint)
        if msg:
            findings.append(branches.finding(file_name, msg, row, "parent_code", "tree_parent"))
    children: dict[str, int] = {}
    for _, _, _, p, _ in branch_rows:
        while p in kind and p not in in_cycle:  # a branch counts for every đảng bộ above it
            children[p] = children.get(p, 0) + 1
            p = parent.get(p)
    for code, name, k, _, row in org_rows:
        if code and k and code not in in_cycle and not children.get(code):
            findings.append(
                orgs.finding(
                    file_name,
                    f"{label('org_kind', k)} «{name or code}» không có chi bộ nào ghi trực thuộc nó ở trang "
                    f"«{branches.sheet}» (cột «Trực thuộc (mã đảng bộ)»).",
                    row,
                    "org_code",
                    "tree_empty",
                )
            )


ORGS_NAME = "Tổ chức cơ sở đảng"


def branch_parents(branches: pl.DataFrame | None, year: int, unit_code: str) -> pl.DataFrame:
    """The branches of an accepted return that name a đảng bộ above them (a cell naming the committee itself is
    a blank one): what the store keeps of the column «Trực thuộc»."""
    from etl.schema import BranchParentSchema

    if branches is None or "parent_code" not in branches.columns or not branches.height:
        return BranchParentSchema.create_empty()
    df = branches.select(pl.col("branch_code").cast(pl.String), pl.col("parent_code").cast(pl.String)).filter(
        pl.col("parent_code").is_not_null() & (pl.col("parent_code") != unit_code)
    )
    return BranchParentSchema.cast(df.with_columns(pl.lit(year).alias("year"), pl.lit(unit_code).alias("unit_code")))


def _cycle(start: str | None, parent: dict[str, str | None]) -> list[str]:
    """The organisations of the cycle `start` leads into, from where it closes (empty when there is none)."""
    seen: list[str] = []
    at = start
    while at is not None and at in parent:
        if at in seen:
            return seen[seen.index(at) :] if at == start else []  # reported from the node where it closes
        seen.append(at)
        at = parent[at]
    return []


def _parent_problem(
    what: str, needs: str | None, p: str | None, own: set, kind: dict[str, str | None], sheet: str, hint: str = ""
) -> str:
    """What is wrong with a row's parent (None when nothing): `needs` is the kind of organisation it must hang
    from, or None for the reporting committee (a blank cell); `hint`, what to correct if the parent is right."""
    if needs is None:
        if p in own:
            return ""
        named = f"«{p}», là {label('org_kind', kind[p]).lower()}" if kind.get(p) else f"«{p}»"
        return f"{what} trực thuộc trực tiếp đảng uỷ lập báo cáo này: để trống ô này (đang ghi {named}){hint}."
    need = label("org_kind", needs).lower()
    if p in own:
        return f"{what} phải ghi mã {need} mà nó trực thuộc (trang «{sheet}»)."
    if p not in kind:
        return f"Không có tổ chức mã «{p}» ở trang «{sheet}»: ghi mã {need} mà nó trực thuộc."
    if kind[p] is None:  # the parent's own kind is unreadable: its row is refused with its cell
        return ""
    if kind[p] != needs:
        return f"{what} phải trực thuộc một {need}; «{p}» là {label('org_kind', kind[p]).lower()}."
    return ""
