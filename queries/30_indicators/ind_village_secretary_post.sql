-- Indicator: village-branch secretaries who also hold a village post / village branches.
-- Subgroups: 'either' (village head or Front work head), 'truong_xom', 'truong_ban_ctmt', 'khac' (other posts).
-- Grain: year × unit_code × branch_code × subgroup. Unit: % (re-aggregated as sum / sum within one subgroup).
with villages as (
    select * from int_village_branch
),

posts as (
    select unnest(['either', 'truong_xom', 'truong_ban_ctmt', 'khac']) as subgroup
),

counted as (
    select
        v.year,
        v.unit_code,
        v.branch_code,
        v.level,
        v.branch_type,
        p.subgroup,
        case p.subgroup
            when 'either' then v.sec_also_village_head or v.sec_also_front_head
            when 'truong_xom' then v.sec_also_village_head
            when 'truong_ban_ctmt' then v.sec_also_front_head
            else v.sec_also_other
        end::integer as numerator,
        1 as denominator
    from villages as v
    cross join posts as p
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
