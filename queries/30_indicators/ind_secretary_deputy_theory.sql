-- Indicator: secretaries and deputies of grassroots branches (chi bộ cơ sở) with intermediate political theory
-- or higher / those secretaries and deputies
-- Grain: year × unit_code × branch_code. Unit: % (numerator / denominator, re-aggregated as sum / sum).
with committee as (
    select * from int_committee_member
    where role in ('bi_thu', 'pho_bi_thu') and level = 'co_so'
),

counted as (
    select
        year,
        unit_code,
        branch_code,
        level,
        branch_type,
        null::varchar as subgroup,
        count(*) filter (where theory in ('cao_cap', 'trung_cap')) as numerator,
        count(*) as denominator
    from committee
    group by year, unit_code, branch_code, level, branch_type
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
