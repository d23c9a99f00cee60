-- Yearly value of every indicator for every scope a target is followed at: the province, each unit
-- (commune/ward or province-affiliated committee) and each branch type. The province and the branch types are
-- summed over complete years only (int_year_coverage): a year in which a few units have reported is not the
-- province's; a unit's own series has every year it reported. Where no return exists (a real store's history
-- before its first loaded year), the published Biểu give the point (prg_published): `source` names the table,
-- null for a point computed from the loaded returns.
-- Grain: indicator_id × subgroup × scope_kind × scope_code × year.
with long as (
    select * from prg_indicator_sum
),

complete_years as (
    select year from int_year_coverage
    where is_complete
),

province_wide as (
    select * from long
    where year in (select c.year from complete_years as c)
),

by_province as (
    select
        indicator_id,
        subgroup,
        'province' as scope_kind,
        'province' as scope_code,
        year,
        sum(numerator)::bigint as numerator,
        sum(denominator)::bigint as denominator
    from province_wide
    group by indicator_id, subgroup, year
),

by_unit as (
    select
        indicator_id,
        subgroup,
        'unit' as scope_kind,
        unit_code as scope_code,
        year,
        sum(numerator)::bigint as numerator,
        sum(denominator)::bigint as denominator
    from long
    group by indicator_id, subgroup, unit_code, year
),

by_type as (
    select
        indicator_id,
        subgroup,
        'type' as scope_kind,
        branch_type as scope_code,
        year,
        sum(numerator)::bigint as numerator,
        sum(denominator)::bigint as denominator
    from province_wide
    group by indicator_id, subgroup, branch_type, year
),

all_scopes as (
    select
        *,
        null::varchar as source
    from by_province
    union all
    select
        *,
        null::varchar as source
    from by_unit
    union all
    select
        *,
        null::varchar as source
    from by_type
    union all
    select * from prg_published  -- noqa: AM04 (the same columns, in the same order)
)

select
    *,  -- noqa: AM04
    numerator / nullif(denominator, 0) * 100 as value
from all_scopes
