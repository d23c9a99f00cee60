-- Indicator: branches that met every month due and issued a resolution (conclusion) assigning members each of those
-- months / branches reporting it
-- A branch whose res_assigned is null (not reported: a baseline year) counts in neither part.
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
        case
            when res_assigned is null then 0
            else (res_assigned >= months_due and regular_held >= months_due)::integer
        end as numerator,
        case when res_assigned is null then 0 else 1 end as denominator
    from meetings
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
