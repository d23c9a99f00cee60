-- Indicator: branches rated HTTNV or better (chi bộ HTTNV trở lên) / branches rated
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
        -- An unrated branch counts 0, not null: a group with no rated branch is 0 / 0, never null / 0.
        coalesce(rating in ('xs', 'tot'), false)::integer as numerator,
        (rating is not null)::integer as denominator
    from branch_years
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
