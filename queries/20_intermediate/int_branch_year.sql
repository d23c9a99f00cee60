-- The branch-year fact: every branch in every year with its unit, level, type and derived counts.
-- Grain: year × unit_code × branch_code.
with branch_years as (
    select * from stg_branch_year
),

previous_year as (
    select
        year + 1 as year,
        unit_code,
        branch_code,
        members as members_start
    from stg_branch_year
),

joined as (
    select
        b.year,
        b.branch_code,
        b.branch_name,
        b.unit_code,
        u.unit_name,
        u.is_commune,
        b.level,
        b.branch_type,
        b.branch_type = 'xom' as is_village,
        b.border,
        b.members,
        b.resident_members,
        b.rating,
        b.exempt,
        b.not_rated,
        b.excellent,
        b.good,
        b.completed,
        b.not_completed,
        b.excellent + b.good + b.completed + b.not_completed as rated_members,
        b.admitted,
        -- Members at the start of the year = the branch's members in the previous year's return.
        p.members_start,
        b.internet,
        b.computer,
        b.ehandbook
    from branch_years as b
    left join stg_units as u on b.unit_code = u.unit_code
    left join previous_year as p
        on b.year = p.year and b.unit_code = p.unit_code and b.branch_code = p.branch_code
)

select * from joined
