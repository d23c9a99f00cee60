-- Reconciliation with the published Biểu 06: village heads who are party members, by commune.
-- Grain: unit_code × measure.
with loaded as (
    select
        unit_code,
        measure,
        value as loaded
    from tbl_bieu06
    -- the year of the published tables (the latest year of Biểu 03, which lists every year)
    where year = (select max(r.year) from stg_ref_bieu03 as r)
),

published as (
    unpivot (select * exclude (published_name) from stg_ref_bieu06)
    on columns(* exclude (unit_code))
    into name measure value published
),

compared as (
    select
        'bieu06' as bieu,
        p.unit_code,
        p.measure,
        p.published,
        coalesce(l.loaded, 0) as loaded,
        coalesce(l.loaded, 0) - p.published as difference
    from published as p
    left join loaded as l on p.unit_code = l.unit_code and p.measure = l.measure
)

select * from compared
