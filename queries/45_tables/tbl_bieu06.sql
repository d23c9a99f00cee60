-- Biểu 06 from the loaded data, one measure per row: village branches, those with fewer than 3 resident members,
-- and for each of the six village heads (named as Biểu 06 names them, etl/mappings/codes.csv) how many are and are
-- not party members. The export lays the measures out as the published columns.
-- Grain: year × unit_code × measure.
with villages as (
    select
        year,
        unit_code,
        count(*) as village_branches,
        count(*) filter (where is_small) as under_3_members
    from int_village_branch
    group by year, unit_code
),

village_measures as (
    unpivot villages
    on village_branches, under_3_members
    into name measure value value
),

head_roles as (
    select
        code as role,
        published_key
    from stg_codes
    where domain = 'head_role'
),

statuses as (
    select
        unnest(['dang_vien', 'khong']) as status,
        unnest(['member', 'non_member']) as suffix
),

head_measures as (
    select
        v.year,
        v.unit_code,
        r.published_key || '_' || s.suffix as measure,
        count(h.role) as value
    from villages as v
    cross join head_roles as r
    cross join statuses as s
    left join int_village_head as h
        on
            v.year = h.year
            and v.unit_code = h.unit_code
            and r.role = h.role
            and s.status = h.status
    group by v.year, v.unit_code, r.published_key, s.suffix
),

measures as (
    select
        year,
        unit_code,
        measure,
        value::bigint as value
    from village_measures
    union all
    select
        year,
        unit_code,
        measure,
        value::bigint as value
    from head_measures
)

select * from measures
