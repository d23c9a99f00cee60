-- Reconciliation with the published Biểu 03: branch ratings by year × level, loaded vs published.
-- Grain: year × level_code × measure.
with loaded_wide as (
    select
        year,
        level_code,
        sum(columns(* exclude (year, unit_code, level_code)))
    from tbl_bieu03
    group by year, level_code
),

published as (
    unpivot stg_ref_bieu03 on total, rated, excellent, good, completed, not_completed
    into name measure value published
),

loaded as (
    unpivot loaded_wide on total, rated, excellent, good, completed, not_completed
    into name measure value loaded
)

select
    'bieu03' as bieu,
    p.year,
    p.level_code,
    p.measure,
    p.published,
    coalesce(l.loaded, 0) as loaded,
    coalesce(l.loaded, 0) - p.published as difference
from published as p
left join loaded as l on p.year = l.year and p.level_code = l.level_code and p.measure = l.measure
