-- Indicator: branches with every document due at the start of the term / branches reporting it
-- A branch whose term_docs is null (not reported: a baseline year) counts in neither part.
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
        case when term_docs is null then 0 else term_docs::integer end as numerator,
        case when term_docs is null then 0 else 1 end as denominator
    from meetings
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
