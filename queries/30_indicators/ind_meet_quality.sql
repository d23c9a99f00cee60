-- Indicator: regular meetings rated at the province's good levels («tốt trở lên») / meetings scored
-- A branch whose q_scored is null (not reported: a baseline year) counts in neither part.
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
        coalesce(q_good, 0) as numerator,
        coalesce(q_scored, 0) as denominator
    from meetings
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
