-- Biểu 05 in its published layout, from the loaded data: village branches and their secretaries' concurrent posts.
-- Grain: year × unit_code.
with villages as (
    select * from int_village_branch
),

counted as (
    select
        year,
        unit_code,
        count(*) as village_branches,
        count(*) filter (where sec_also_front_head) as sec_also_front_head,
        count(*) filter (where sec_also_village_head) as sec_also_village_head,
        count(*) filter (where sec_also_other) as sec_other_roles
    from villages
    group by year, unit_code
)

select * from counted
