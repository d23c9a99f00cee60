-- Every published cell of Biểu 01–07 next to the loaded figure, with the documented reason where they differ. A
-- cell is compared only when the returns behind it are loaded: a commune's cell (Biểu 05, 06) with that unit's
-- return of the tables' year (int_unit_reported), a province cell with the return of every unit that must report
-- in its year (int_year_coverage); otherwise `compared` is false and loaded, difference are null (a real store in
-- its first years has none of the published years' returns: every cell would read 0 and differ). basis_year,
-- units_reported and units_expected say which returns a cell needs and how many are in (the page says it in words).
-- Grain: bieu × year × level_code × type_code × role_code × unit_code × measure.
with cells as (
    select
        bieu,
        null::integer as year,
        level_code,
        type_code,
        null as role_code,
        null as unit_code,
        measure,
        published,
        loaded,
        difference
    from rec_bieu01
    union all by name
    select
        bieu,
        level_code,
        type_code,
        role_code,
        measure,
        published,
        loaded,
        difference
    from rec_bieu02
    union all by name
    select
        bieu,
        year,
        level_code,
        measure,
        published,
        loaded,
        difference
    from rec_bieu03
    union all by name
    select
        bieu,
        level_code,
        type_code,
        measure,
        published,
        loaded,
        difference
    from rec_bieu04
    union all by name
    select
        bieu,
        unit_code,
        measure,
        published,
        loaded,
        difference
    from rec_bieu05
    union all by name
    select
        bieu,
        unit_code,
        measure,
        published,
        loaded,
        difference
    from rec_bieu06
    union all by name
    select
        bieu,
        year,
        measure,
        published,
        loaded,
        difference
    from rec_bieu07
),

corrections as (
    select
        c.item,
        c.bieu,
        c.year,
        c.column_name as measure,
        c.published,
        c.reason,
        lv.code as level_code,
        ty.code as type_code,
        ro.code as role_code,
        p.unit_code
    from stg_ref_corrections as c
    left join stg_codes as lv on lv.domain = 'level' and lower(lv.label) = lower(c.level)
    left join stg_codes as ty on ty.domain = 'branch_type' and c.branch_type = ty.label
    left join stg_codes as ro on ro.domain = 'role' and lower(ro.label) = lower(c.role)
    left join stg_ref_bieu05 as p on c.commune = p.published_name
),

tables_year as (
    -- the year of the tables without a year column (the latest year of Biểu 03, which lists every year)
    select max(year) as year from stg_ref_bieu03
),

judged as (
    select
        x.*,
        coalesce(x.year, t.year) as basis_year,
        case
            when x.unit_code is not null then coalesce(u.reported, false)
            else coalesce(c.units_reported = c.units_expected, false)
        end as compared,
        -- a province cell's year: how many of the units that must report have their return loaded (none in a year
        -- without any return, which int_year_coverage does not list)
        case when x.unit_code is null then coalesce(c.units_reported, 0) end as units_reported,
        c.units_expected
    from cells as x
    cross join tables_year as t
    left join int_unit_reported as u on x.unit_code = u.unit_code and coalesce(x.year, t.year) = u.year
    left join int_year_coverage as c on x.unit_code is null and coalesce(x.year, t.year) = c.year
)

-- Sums arrive as hugeint, which Parquet cannot hold: the stored table (etl/views.py) and the view keep bigint.
select
    x.* replace (  -- noqa: AM04
        case when x.compared then x.loaded::bigint end as loaded,
        case when x.compared then x.difference::bigint end as difference
    ),
    k.item as consistency_item,
    k.reason
from judged as x
left join corrections as k
    on
        x.bieu = k.bieu
        and x.measure = k.measure
        and x.year is not distinct from (case when x.bieu in ('bieu03', 'bieu07') then k.year end)
        and x.level_code is not distinct from k.level_code
        and x.type_code is not distinct from k.type_code
        and x.role_code is not distinct from k.role_code
        and x.unit_code is not distinct from k.unit_code
