-- Indicator: branches with the year's programmes and plans / branches reporting it
-- A branch whose year_programme is null (not reported: a baseline year) counts in neither part.
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
        case when year_programme is null then 0 else year_programme::integer end as numerator,
        case when year_programme is null then 0 else 1 end as denominator
    from meetings
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
