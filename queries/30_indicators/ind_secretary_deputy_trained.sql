-- Indicator: secretaries and deputy secretaries trained in party work (đã bồi dưỡng nghiệp vụ) / secretaries
-- and deputies
-- Grain: year × unit_code × branch_code. Unit: % (numerator / denominator, re-aggregated as sum / sum).
with committee as (
    select * from int_committee_member
    where role in ('bi_thu', 'pho_bi_thu')
),

counted as (
    select
        year,
        unit_code,
        branch_code,
        level,
        branch_type,
        null::varchar as subgroup,
        count(*) filter (where trained) as numerator,
        count(*) as denominator
    from committee
    group by year, unit_code, branch_code, level, branch_type
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
