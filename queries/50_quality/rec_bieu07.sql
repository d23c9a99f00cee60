-- Reconciliation with the published Biểu 07: member ratings by year, loaded vs published.
-- Grain: year × measure.
with loaded_wide as (
    select
        year,
        sum(columns(* exclude (year, unit_code)))::bigint
    from tbl_bieu07
    group by year
),

published as (
    unpivot stg_ref_bieu07
    on present, exempt, not_rated, rated, good_or_better, excellent, completed, not_completed
    into name measure value published
),

loaded as (
    unpivot loaded_wide
    on present, exempt, not_rated, rated, good_or_better, excellent, completed, not_completed
    into name measure value loaded
)

select
    'bieu07' as bieu,
    p.year,
    p.measure,
    p.published,
    coalesce(l.loaded, 0) as loaded,
    coalesce(l.loaded, 0) - p.published as difference
from published as p
left join loaded as l on p.year = l.year and p.measure = l.measure
