-- Indicator: grassroots party organisations rated HTXSNV (tổ chức cơ sở đảng HTXSNV)
-- / grassroots organisations rated.
-- A grassroots organisation is a đảng bộ cơ sở (counted by its own rating, whatever its branches') or a chi bộ cơ
-- sở (int_grassroots_org); a unit-year whose return does not describe them has no row («not reported», never 0).
-- Columns as every indicator: branch_code holds the organisation's code, level «co_so» (chi bộ cơ sở) or «db_co_so».
-- Grain: year × unit_code × branch_code (the organisation's code). Unit: % (re-aggregated as sum / sum).
with orgs as (
    select * from int_grassroots_org
    where described
),

counted as (
    select
        year,
        unit_code,
        org_code as branch_code,
        org_kind as level,
        branch_type,
        null::varchar as subgroup,
        -- An unrated organisation counts 0, not null: a group with none rated is 0 / 0, never null / 0.
        coalesce(rating = 'xs', false)::integer as numerator,
        (rating is not null)::integer as denominator
    from orgs
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
