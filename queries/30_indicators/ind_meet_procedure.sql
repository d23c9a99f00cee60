-- Indicator: branches judged by the committee above to follow the full content and steps of every meeting (an
-- assessment, not a count) / branches judged
-- A branch whose procedure_ok is null (not reported: a baseline year) counts in neither part.
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
        case when procedure_ok is null then 0 else procedure_ok::integer end as numerator,
        case when procedure_ok is null then 0 else 1 end as denominator
    from meetings
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
