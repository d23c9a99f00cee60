"""What tests/test_organisations.py checks of one organisation's folder, from inside a process started on it
(PARTYDASH_PROVINCE, PARTYDASH_DATA are read when the project is imported, so each folder needs a process of its
own): the data layer as the province and as the demo commune or bloc user, and the app itself through its entry
script (AppTest) — every page as every demo role. Prints one JSON object.

    PARTYDASH_PROVINCE=44 PARTYDASH_DATA=/tmp/x python -m tests.org_probe"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")
PAGES = sorted(p.name for p in (ROOT / "pages").glob("*.py"))
NOT_FOR = {  # pages a role does not have (dashboard/app.py `sections`)
    "tinh": {"nap_du_lieu.py", "quan_tri.py", "nop_bao_cao.py"},
    "xa": {"nap_du_lieu.py", "quan_tri.py", "tien_do.py"},
    "quantri": {"nop_bao_cao.py"},
}


def data_layer() -> dict:
    import polars as pl

    from dashboard import data
    from dashboard.scope import Filters, Scope
    from etl.province import load_province

    conf = load_province()
    own = Scope.commune(conf.demo_unit)
    province = data.progress(Scope.province(), scope_kind="province")
    mine = data.progress(own)
    year, first = max(data.years()), min(data.years())
    return {
        "code": conf.code,
        "demo_unit": conf.demo_unit,
        "units": data.units(Scope.province())["unit_code"].to_list(),
        "boundaries": data.boundaries_path() is not None,
        "sample": data.is_sample(),
        "years": data.years(),
        "targets": {r["target_id"]: r["status"] for r in province.iter_rows(named=True)},
        "own_targets": {r["target_id"]: [r["scope_code"], r["status"]] for r in mine.iter_rows(named=True)},
        "unit_targets": {
            r["target_id"]: [r["unit_code"], r["value"], r["met"]]
            for r in data.unit_targets(year, Scope.province()).iter_rows(named=True)
        },
        "own_units": data.units(own)["unit_code"].to_list(),
        "own_branch_units": sorted(set(data.branches(Filters(), own)["unit_code"])),
        "own_tree_units": sorted(set(data.org_tree(Filters(), own)["unit_code"])),
        "own_grassroots": data.indicator("grassroots_good", Filters(), own, by=("unit",))["unit_code"].to_list(),
        "grassroots": data.indicator("grassroots_good", Filters(), Scope.province())
        .select("year", "numerator", "denominator")
        .rows(),
        "own_first_year": {  # the demo unit's tree in the sample's first year
            "orgs": data.grassroots_orgs(Filters(years=(first,)), own)
            .group_by("org_kind")
            .agg(pl.len())
            .sort("org_kind")
            .rows(),
            "suborg_good": data.indicator("suborg_good", Filters(years=(first,)), own, by=()).row(0)[:2],
            "branches_by_level": data.branches(Filters(years=(first,)), own)
            .group_by("level")
            .agg(pl.len())
            .sort("level")
            .rows(),
        },
        "orgs": data.grassroots_orgs(Filters(years=(year,)), Scope.province())
        .group_by("org_kind")
        .agg(pl.len())
        .sort("org_kind")
        .rows(),
    }


def app() -> dict:
    from streamlit.testing.v1 import AppTest

    out = {}
    for user, absent in NOT_FOR.items():
        at = AppTest.from_file(APP, default_timeout=180)
        at.run()
        at.text_input(key="login_user").input(user)
        at.text_input(key="login_password").input("demo")
        at.button[0].click()
        at.run()
        pages = {}
        for page in (p for p in PAGES if p not in absent):
            at.switch_page(f"../pages/{page}")
            at.run()
            pages[page] = {
                "exceptions": [str(e.value) for e in at.exception],
                "errors": [e.value for e in at.error],
                "title": [t.value for t in at.title][:1],
                "markdown": [m.value for m in at.markdown],
                "info": [i.value for i in at.info],
                "subheaders": [h.value for h in at.subheader],
                "charts": len(at.get("plotly_chart")),
            }
        out[user] = pages
    return out


if __name__ == "__main__":
    print(json.dumps({"data": data_layer(), "app": app()}, ensure_ascii=False, default=str))
