-- Reconciliation with the published Biểu 04: Internet and computers in the latest year by level × type.
-- Grain: level_code × type_code × measure.
with loaded_wide as (
    select
        level_code,
        type_code,
        sum(columns(* exclude (year, unit_code, level_code, type_code)))
    from tbl_bieu04
    -- the year of the published tables (the latest year of Biểu 03, which lists every year)
    where year = (select max(r.year) from stg_ref_bieu03 as r)
    group by level_code, type_code
),

published as (
    unpivot stg_ref_bieu04
    on total, internet_stable, internet_unstable, internet_none, has_computer, no_computer
    into name measure value published
),

loaded as (
    unpivot loaded_wide
    on total, internet_stable, internet_unstable, internet_none, has_computer, no_computer
    into name measure value loaded
)

select
    'bieu04' as bieu,
    p.level_code,
    p.type_code,
    p.measure,
    p.published,
    coalesce(l.loaded, 0) as loaded,
    coalesce(l.loaded, 0) - p.published as difference
from published as p
left join loaded as l
    on p.level_code = l.level_code and p.type_code is not distinct from l.type_code and p.measure = l.measure
