-- Indicator: village-branch secretaries who also hold a village post / village branches.
-- Subgroups: 'either' (village head or Front work head), 'truong_xom', 'truong_ban_ctmt', 'khac' (other posts).
-- Grain: year × branch_code × subgroup. Unit: % (re-aggregated as sum / sum within one subgroup).
with villages as (
    select year, unit_code, branch_code, level, branch_type
    from int_branch_year
    where is_village
),

secretaries as (
    select
        year,
        branch_code,
        bool_or(also_village_head) as also_village_head,
        bool_or(also_front_head) as also_front_head,
        bool_or(also_other) as also_other
    from int_committee_member
    where role = 'bi_thu'
    group by year, branch_code
),

posts as (
    select * from (values ('either'), ('truong_xom'), ('truong_ban_ctmt'), ('khac')) as p (subgroup)
),

counted as (
    select
        v.year,
        v.unit_code,
        v.branch_code,
        v.level,
        v.branch_type,
        p.subgroup,
        coalesce(case p.subgroup
            when 'either' then s.also_village_head or s.also_front_head
            when 'truong_xom' then s.also_village_head
            when 'truong_ban_ctmt' then s.also_front_head
            else s.also_other
        end, false)::integer as numerator,
        1 as denominator
    from villages as v
    cross join posts as p
    left join secretaries as s on v.year = s.year and v.branch_code = s.branch_code
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
