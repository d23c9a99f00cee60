-- Indicator: village branches at whose meeting a member of the committee above sat at least once in the year /
-- village branches reporting it
-- A branch whose higher_quarters is null (not reported: a baseline year) counts in neither part.
-- Grain: year × unit_code × branch_code. Unit: % (numerator / denominator, re-aggregated as sum / sum).
with meetings as (
    select * from int_branch_meeting
    where is_village
),

counted as (
    select
        year,
        unit_code,
        branch_code,
        level,
        branch_type,
        null::varchar as subgroup,
        case when higher_quarters is null then 0 else (higher_quarters >= 1)::integer end as numerator,
        case when higher_quarters is null then 0 else 1 end as denominator
    from meetings
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
