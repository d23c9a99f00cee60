-- Yearly value of each scoped target's indicator over its own scope (prg_targets.is_scoped): the units it applies to
-- (stg_ref_target_units; every unit when it names none) and the branch levels it counts (its `levels`; every level
-- when null). `scope_kind` «province» is the whole scope, summed over the years in which at least the share of its
-- units that makes a year complete (int_year_coverage) reported, «type» each branch type of it over those years;
-- «unit» is each of its units, every year it reported.
-- Grain: target_id × scope_kind × scope_code × year.
with targets as (
    select * from prg_targets
    where is_scoped and not is_unit_target
),

target_units as (
    select
        t.target_id,
        u.unit_code
    from targets as t
    cross join stg_units as u
    where not t.has_units
    union all
    select
        t.target_id,
        tu.unit_code
    from targets as t
    inner join stg_ref_target_units as tu on t.target_id = tu.target_id
    where t.has_units
),

rows_in_scope as (
    select
        t.target_id,
        s.year,
        s.unit_code,
        s.branch_type,
        s.numerator,
        s.denominator
    from targets as t
    inner join target_units as tu on t.target_id = tu.target_id
    inner join prg_indicator_sum as s
        on
            t.indicator_id = s.indicator_id
            and t.subgroup is not distinct from s.subgroup
            and tu.unit_code = s.unit_code
            and (t.levels is null or list_contains(t.levels, s.level))
),

reported as (
    select
        tu.target_id,
        r.year,
        count(*) filter (where r.reported) as units_reported,
        count(*) as units_expected
    from target_units as tu
    inner join int_unit_reported as r on tu.unit_code = r.unit_code
    group by tu.target_id, r.year
),

complete_years as (
    select
        r.target_id,
        r.year
    from reported as r
    inner join int_year_coverage as c on r.year = c.year
    where r.units_reported >= c.complete_share * r.units_expected
),

by_scope as (
    select
        s.target_id,
        'province' as scope_kind,
        'province' as scope_code,
        s.year,
        sum(s.numerator)::bigint as numerator,
        sum(s.denominator)::bigint as denominator
    from rows_in_scope as s
    inner join complete_years as c on s.target_id = c.target_id and s.year = c.year
    group by s.target_id, s.year
),

by_unit as (
    select
        target_id,
        'unit' as scope_kind,
        unit_code as scope_code,
        year,
        sum(numerator)::bigint as numerator,
        sum(denominator)::bigint as denominator
    from rows_in_scope
    group by target_id, unit_code, year
),

by_type as (
    select
        s.target_id,
        'type' as scope_kind,
        s.branch_type as scope_code,
        s.year,
        sum(s.numerator)::bigint as numerator,
        sum(s.denominator)::bigint as denominator
    from rows_in_scope as s
    inner join complete_years as c on s.target_id = c.target_id and s.year = c.year
    group by s.target_id, s.branch_type, s.year
),

all_scopes as (
    select * from by_scope
    union all
    select * from by_unit
    union all
    select * from by_type
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from all_scopes
