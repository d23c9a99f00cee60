-- Indicator: branches under a grassroots committee (tt_co_so, tt_bo_phan) visited by a member of the committee above
-- in every quarter they existed / those branches reporting it
-- A branch whose higher_quarters is null (not reported: a baseline year) counts in neither part.
-- Grain: year × unit_code × branch_code. Unit: % (numerator / denominator, re-aggregated as sum / sum).
with meetings as (
    select * from int_branch_meeting
    where level in ('tt_co_so', 'tt_bo_phan')
),

counted as (
    select
        year,
        unit_code,
        branch_code,
        level,
        branch_type,
        null::varchar as subgroup,
        case when higher_quarters is null then 0 else (higher_quarters >= quarters_due)::integer end as numerator,
        case when higher_quarters is null then 0 else 1 end as denominator
    from meetings
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
