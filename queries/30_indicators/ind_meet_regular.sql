-- Indicator: branches that met every month they had to (Điều lệ Đảng: once a month) / branches reporting
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
        (regular_held >= months_due)::integer as numerator,
        1 as denominator
    from meetings
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
