-- Indicator: new members admitted / members at the start of the year (the branch's members in the previous
-- year; branches without a previous-year return are left out)
-- Grain: year × unit_code × branch_code. Unit: % (numerator / denominator, re-aggregated as sum / sum).
with branch_years as (
    select * from int_branch_year
),

counted as (
    select
        year,
        unit_code,
        branch_code,
        level,
        branch_type,
        null::varchar as subgroup,
        case when members_start is null then 0 else admitted end as numerator,
        coalesce(members_start, 0) as denominator
    from branch_years
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
