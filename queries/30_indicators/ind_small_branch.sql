-- Indicator: village branches with fewer than 3 resident members / village branches
-- Grain: year × branch_code. Unit: % (numerator / denominator, re-aggregated as sum / sum).
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
        (resident_members < 3)::integer as numerator,
        1 as denominator
    from branch_years
    where is_village
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
