-- Reconciliation with the published Biểu 05: village-branch secretaries' concurrent posts, by commune.
-- Grain: unit_code × measure.
with loaded_wide as (
    select * exclude (year)
    from tbl_bieu05
    -- the year of the published tables (the latest year of Biểu 03, which lists every year)
    where year = (select max(r.year) from stg_ref_bieu03 as r)
),

published as (
    unpivot (select * exclude (published_name) from stg_ref_bieu05)
    on village_branches, sec_also_front_head, sec_also_village_head, sec_other_roles
    into name measure value published
),

loaded as (
    unpivot loaded_wide on village_branches, sec_also_front_head, sec_also_village_head, sec_other_roles
    into name measure value loaded
)

select
    'bieu05' as bieu,
    p.unit_code,
    p.measure,
    p.published,
    coalesce(l.loaded, 0) as loaded,
    coalesce(l.loaded, 0) - p.published as difference
from published as p
left join loaded as l on p.unit_code = l.unit_code and p.measure = l.measure
