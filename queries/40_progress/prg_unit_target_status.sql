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

expected as (
    select
        ms.measure_id,
        count(*) as units_expected
    from measures as ms
    cross join stg_units as u
    where u.is_commune or not ms.communes_only
    group by ms.measure_id
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
inner join expected as e on s.measure_id = e.measure_id
