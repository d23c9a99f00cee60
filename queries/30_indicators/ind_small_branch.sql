-- Indicator: village branches with fewer than 3 resident members / village branches
-- Grain: year × unit_code × branch_code. Unit: % (numerator / denominator, re-aggregated as sum / sum).
with villages as (
    select * from int_village_branch
),

counted as (
    select
        year,
        unit_code,
        branch_code,
        level,
        branch_type,
        null::varchar as subgroup,
        is_small::integer as numerator,
        1 as denominator
    from villages
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
