-- Reconciliation with the published Biểu 01: branches by level × type in the latest year, loaded vs published.
-- Grain: level_code × type_code × measure.
with loaded as (
    select
        level_code,
        type_code,
        sum(count)::bigint as loaded
    from tbl_bieu01
    -- the year of the published tables (the latest year of Biểu 03, which lists every year)
    where year = (select max(r.year) from stg_ref_bieu03 as r)
    group by level_code, type_code
),

published as (
    select
        level_code,
        type_code,
        'count' as measure,
        count as published
    from stg_ref_bieu01
)

select
    'bieu01' as bieu,
    p.level_code,
    p.type_code,
    p.measure,
    p.published,
    coalesce(l.loaded, 0) as loaded,
    coalesce(l.loaded, 0) - p.published as difference
from published as p
left join loaded as l on p.level_code = l.level_code and p.type_code = l.type_code
