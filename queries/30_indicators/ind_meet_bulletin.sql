-- Indicator: branches that used the internal bulletin (Bản tin Thông báo nội bộ) at every meeting they held, a proxy
-- of «khai thác hiệu quả» / branches reporting it
-- A branch whose bulletin_meetings is null (not reported: a baseline year) counts in neither part.
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
            when bulletin_meetings is null then 0
            else (regular_held > 0 and bulletin_meetings >= regular_held)::integer
        end as numerator,
        case when bulletin_meetings is null then 0 else 1 end as denominator
    from meetings
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
