"""A unit's organisation tree on screen (issue 30): its grassroots organisations — each đảng bộ cơ sở with its own
rating, each chi bộ cơ sở — with the branches below each, as the unit's return describes them; the drill-down from a
unit to its đảng bộ and from a đảng bộ to its branches."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import data, export, fmt
from dashboard.filters import State
from dashboard.ui.downloads import downloads
from dashboard.ui.tables import show_table
from etl.schema import GOOD_RATINGS

ORG_COLS = [
    export.Col("kind_label", "Tổ chức"),
    export.Col("org_name", "Tên"),
    export.Col("type_label", "Loại hình"),
    export.Col("rating_label", "Xếp loại của tổ chức"),
    export.Col("branches", "Số chi bộ", "int"),
    export.Col("members", "Đảng viên", "int"),
]
BRANCH_COLS = [
    export.Col("node_code", "Mã chi bộ"),
    export.Col("node_name", "Tên chi bộ"),
    export.Col("parent_name", "Trực thuộc"),
    export.Col("level_label", "Cấp chi bộ"),
    export.Col("type_label", "Loại hình"),
    export.Col("members", "Đảng viên", "int"),
    export.Col("rating_label", "Xếp loại chi bộ"),
]


def parents(tree: pl.DataFrame) -> pl.DataFrame:
    """The tree's branches with the name of the đảng bộ each hangs from («» for the committee itself)."""
    names = dict(tree.select("node_code", "node_name").iter_rows())
    return tree.filter(pl.col("node_kind") == "chi_bo").with_columns(
        parent_name=pl.Series(
            [names.get(p, "") if p else "" for p in tree.filter(pl.col("node_kind") == "chi_bo")["parent_code"]],
            dtype=pl.String,
        )
    )


def grassroots(unit_code: str, state: State, key: str) -> None:
    """«Tổ chức cơ sở đảng» of one unit in the year on screen: how many, their ratings, the table, and the branches
    of the one chosen; a unit whose return does not list its đảng bộ is told so, never shown a 0."""
    f = state.filters.but(units=(unit_code,), years=(state.year,))
    tree = data.org_tree(f, state.scope)
    if not tree.height:
        return
    name = data.unit_names().get(unit_code, unit_code)
    st.subheader(f"Tổ chức cơ sở đảng của {fmt.plain(name)}, năm {state.year}")
    branches = parents(tree)
    under = branches.filter(pl.col("level").is_in(["tt_co_so", "tt_bo_phan"])).height
    if not tree["described"].any():
        st.info(
            f"Báo cáo năm {state.year} của đơn vị chưa liệt kê các đảng bộ cơ sở (trang «Tổ chức cơ sở đảng»): "
            f"{fmt.num(under)} chi bộ trực thuộc đảng uỷ cơ sở, đảng bộ bộ phận chưa biết thuộc đảng bộ nào, nên "
            "chưa tính được tỉ lệ tổ chức cơ sở đảng của đơn vị năm này.",
            icon=":material/account_tree:",
        )
        return
    orgs = data.grassroots_orgs(f, state.scope)
    dang_bo = orgs.filter(pl.col("org_kind") == "db_co_so")
    rated = orgs.filter(pl.col("rating").is_not_null())
    good = rated.filter(pl.col("rating").is_in(GOOD_RATINGS)).height
    direct = branches.filter(pl.col("level") == "tt_cap_tren").height
    st.caption(
        f"{fmt.num(orgs.height)} tổ chức cơ sở đảng ({fmt.num(dang_bo.height)} đảng bộ cơ sở, "
        f"{fmt.num(orgs.height - dang_bo.height)} chi bộ cơ sở) và {fmt.num(direct)} chi bộ trực thuộc trực tiếp đảng "
        f"uỷ; {fmt.num(rated.height)} tổ chức cơ sở đảng được xếp loại, {fmt.num(good)} hoàn thành tốt nhiệm vụ trở "
        "lên. Đảng bộ cơ sở được xếp loại là một tổ chức, không cộng từ các chi bộ trực thuộc."
    )
    show_table(orgs, ORG_COLS, empty="Đơn vị không có tổ chức cơ sở đảng nào.")
    downloads(
        orgs, ORG_COLS, f"to-chuc-co-so-{unit_code}-{state.year}", f"Tổ chức cơ sở đảng – {name}", state, key=f"o-{key}"
    )
    if not dang_bo.height:
        return
    codes = dang_bo["org_code"].to_list()
    labels = dict(dang_bo.select("org_code", "org_name").iter_rows())
    chosen = st.selectbox("Xem các chi bộ của đảng bộ", codes, format_func=lambda c: labels[c], key=f"tree-{key}")
    below = branches.filter(pl.col("grassroots_code") == chosen).sort("parent_code", "node_code")
    show_table(below, BRANCH_COLS)
    downloads(
        below,
        BRANCH_COLS,
        f"chi-bo-{chosen}-{state.year}",
        f"Chi bộ của {labels[chosen]} – {name}",
        state,
        key=f"ob-{key}",
    )
