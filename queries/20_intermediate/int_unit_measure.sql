-- What a committee did in a year that a per-unit target counts (not a rate over branches): the branches it chose
-- as pilots of regular and of thematic meetings (counted from the «Chi bộ điểm chỉ đạo» of its branches), and
-- whether it compiled the materials of every month's regular meeting and set the themes of thematic meetings
-- (its own fields on «Thông tin»); the village branches it keeps and the members it admitted (a commune's own target:
-- xã Bình Lư keeps its 35 bản branches, admits about 30 members a year). `applies`: pilots and villages are the
-- communes' («mỗi đảng bộ xã, phường»), not the province-affiliated committees'; materials and admissions are every
-- committee's. A unit-year that did not report the sheet or the fields has no row (not 0).
-- Grain: year × unit_code × measure_id.
with meetings as (
    select * from int_branch_meeting
),

units as (
    select * from stg_units
),

pilots as (
    select
        year,
        unit_code,
        count(*) filter (where pilot in ('thuong_ky', 'ca_hai')) as regular,
        count(*) filter (where pilot in ('chuyen_de', 'ca_hai')) as thematic
    from meetings
    group by year, unit_code
),

branch_counts as (
    select
        year,
        unit_code,
        count(*) filter (where is_village) as villages,
        sum(admitted) as admitted
    from int_branch_year
    group by year, unit_code
),

materials as (
    select
        year,
        unit_code,
        (coalesce(materials_months, 0) >= 12 and coalesce(thematic_orientation, false))::integer as done
    from stg_unit_year
),

measures as (
    select
        year,
        unit_code,
        'unit_pilot_regular' as measure_id,
        regular as value,
        true as communes_only
    from pilots
    union all
    select
        year,
        unit_code,
        'unit_pilot_thematic' as measure_id,
        thematic as value,
        true as communes_only
    from pilots
    union all
    select
        year,
        unit_code,
        'unit_materials' as measure_id,
        done as value,
        false as communes_only
    from materials
    union all
    select
        year,
        unit_code,
        'unit_village_branches' as measure_id,
        villages as value,
        true as communes_only
    from branch_counts
    union all
    select
        year,
        unit_code,
        'unit_admitted' as measure_id,
        admitted as value,
        false as communes_only
    from branch_counts
)

select
    m.year,
    m.unit_code,
    u.is_commune,
    m.measure_id,
    m.value::bigint as value,
    m.communes_only,
    coalesce(u.is_commune, false) or not m.communes_only as applies
from measures as m
left join units as u on m.unit_code = u.unit_code
