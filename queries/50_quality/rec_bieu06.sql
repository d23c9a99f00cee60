-- Reconciliation with the published Biểu 06: village heads who are party members, by commune.
-- Grain: unit_code × measure.
with loaded_wide as (
    select * exclude (year)
    from tbl_bieu06
    where year = (select max(year) from stg_ref_bieu03)
),

published as (
    unpivot (select * exclude (published_name) from stg_ref_bieu06)
    on columns(* exclude (unit_code))
    into name measure value published
),

loaded as (
    unpivot loaded_wide on columns(* exclude (unit_code))
    into name measure value loaded
)

select
    'bieu06' as bieu,
    p.unit_code,
    p.measure,
    p.published,
    coalesce(l.loaded, 0) as loaded,
    coalesce(l.loaded, 0) - p.published as difference
from published as p
left join loaded as l on p.unit_code = l.unit_code and p.measure = l.measure
