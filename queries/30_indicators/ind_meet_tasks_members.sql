-- Indicator: members given tasks / members due (members not exempted)
-- A branch whose members_assigned is null (not reported: a baseline year) counts in neither part.
-- Grain: year × unit_code × branch_code. Unit: % (numerator / denominator, re-aggregated as sum / sum).
with meetings as (
    select * from int_branch_meeting
),

counted as (
    select
        year,
        unit_code,
        branch_code,
        level,
        branch_type,
        null::varchar as subgroup,
        case when members_assigned is null then 0 else least(members_assigned, members_due) end as numerator,
        case when members_assigned is null then 0 else members_due end as denominator
    from meetings
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
