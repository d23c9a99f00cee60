-- The province's status of each per-unit target in each year: how many units it applies to (the communes, or every
-- committee), how many reported the measure, how many meet the target; «đạt» only when every unit the target applies
-- to reported and meets it. A single year: a level, never a pace.
-- Grain: target_id × year.
with per_unit as (
    select * from prg_unit_targets
),

measures as (
    select distinct
        measure_id,
        communes_only
    from int_unit_measure
),

targets as (
    select * from prg_targets
    where is_unit_target
),

-- the units each target applies to: the ones its link names, else every unit the measure is owed by
expected as (
    select
        t.target_id,
        count(*) as units_expected
    from targets as t
    inner join measures as ms on t.indicator_id = ms.measure_id
    cross join stg_units as u
    left join stg_ref_target_units as tu on t.target_id = tu.target_id and u.unit_code = tu.unit_code
    where
        (u.is_commune or not ms.communes_only)
        and (not t.has_units or tu.unit_code is not null)
    group by t.target_id
),

summed as (
    select
        target_id,
        year,
        measure_id,
        count(*) as units_reported,
        count(*) filter (where met) as units_met
    from per_unit
    group by target_id, year, measure_id
)

select
    s.target_id,
    s.year,
    s.measure_id,
    e.units_expected,
    s.units_reported,
    s.units_met,
    s.units_reported - s.units_met as units_not_met,
    e.units_expected - s.units_reported as units_not_reported,
    s.units_met = e.units_expected as met
from summed as s
inner join expected as e on s.target_id = e.target_id
