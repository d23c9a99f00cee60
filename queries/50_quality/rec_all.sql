-- Every published cell of Biểu 01–07 next to the loaded figure, with the documented reason where they differ.
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
)

-- Sums arrive as hugeint, which Parquet cannot hold: the stored table (etl/views.py) and the view keep bigint.
select
    x.* replace (x.loaded::bigint as loaded, x.difference::bigint as difference),  -- noqa: AM04
    k.item as consistency_item,
    k.reason
from cells as x
left join corrections as k
    on
        x.bieu = k.bieu
        and x.measure = k.measure
        and x.year is not distinct from (case when x.bieu in ('bieu03', 'bieu07') then k.year end)
        and x.level_code is not distinct from k.level_code
        and x.type_code is not distinct from k.type_code
        and x.role_code is not distinct from k.role_code
        and x.unit_code is not distinct from k.unit_code
