"""Figures built once and shared by every session that asks the same — never across scopes."""

from __future__ import annotations

from dashboard import data
from dashboard.scope import Filters, Scope
from dashboard.ui import figures as ui  # the cached figure builders

OWN, OTHER = "01273", "01279"


def _units(fig) -> set[str]:
    return {c for t in fig.data if t.type == "choroplethmap" for c in t.locations}


def test_the_cached_map_is_shared_but_never_crosses_scopes(sample_store):
    data.clear_cache()
    year, every = Filters(years=(2025,)), Filters()
    prov = ui.overview_map("internet_none", year, every, Scope.province(), root=sample_store)
    assert len(_units(prov)) == 56
    # the same arguments but the scope: a commune's own map, not the province's from the cache
    own = ui.overview_map("internet_none", year, every, Scope.commune(OWN), root=sample_store)
    assert _units(own) == {OWN}
    tips = " ".join(str(c) for t in own.data if t.type == "choroplethmap" for c in t.customdata)
    assert "Nùng Trí Cao" not in tips  # another commune's name (01279) is nowhere in it
    # a second session asking the same gets the very same figure (built once)
    assert ui.overview_map("internet_none", year, every, Scope.province(), root=sample_store) is prov
    assert ui.overview_map("internet_none", year, every, Scope.commune(OWN), root=sample_store) is own
    assert ui.overview_map("internet_none", year, every, Scope.commune(OTHER), root=sample_store) is not own


def test_the_map_sends_the_boundaries_once(sample_store):
    fig = ui.overview_map("internet_none", Filters(years=(2025,)), Filters(), Scope.province(), root=sample_store)
    features = [f["properties"]["code"] for t in fig.data if t.type == "choroplethmap" for f in t.geojson["features"]]
    assert sorted(features) == sorted(set(features)) and len(features) == 56  # each outline in one trace only


def test_the_cached_glide_paths_are_shared_but_never_cross_scopes(sample_store):
    data.clear_cache()
    every = Filters()
    prov = ui.glide_paths(every, Scope.province(), True, root=sample_store)
    own = ui.glide_paths(every, Scope.commune(OWN), True, root=sample_store)
    assert prov and own
    rows = {r["target_id"]: r for r in data.progress_for(every, Scope.commune(OWN), root=sample_store).to_dicts()}
    for tid, (series, fig) in own.items():
        # the commune's figure draws the commune's own series (not the province's from the cache)
        mine = data.indicator(
            rows[tid]["indicator_id"], every, Scope.commune(OWN), subgroup=rows[tid]["subgroup"], root=sample_store
        )
        expected = dict(zip(mine["year"], mine["value"]))
        assert list(fig.data[0].y) == series["value"].to_list() == [expected[y] for y in series["year"]]
    assert any(own[t][0]["value"].to_list() != prov[t][0]["value"].to_list() for t in own if t in prov)
    # a second session asking the same gets the very same figures (built once); another commune its own
    assert ui.glide_paths(every, Scope.province(), True, root=sample_store) is prov
    assert ui.glide_paths(every, Scope.commune(OWN), True, root=sample_store) is own
    other = ui.glide_paths(every, Scope.commune(OTHER), True, root=sample_store)
    assert other is not own and all(other[t][1] is not own[t][1] for t in other if t in own)
