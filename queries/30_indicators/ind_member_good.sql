-- Indicator: members rated HTTNV or better / members rated
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
        excellent + good as numerator,
        rated_members as denominator
    from branch_years
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
