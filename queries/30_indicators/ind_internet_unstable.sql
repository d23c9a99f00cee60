-- Indicator: branches with unstable Internet / branches
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
        (internet = 'khong_on_dinh')::integer as numerator,
        1 as denominator
    from branch_years
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
