-- Per-unit targets (a count or range each committee must reach every year, e.g. 2–3 pilot branches per commune):
-- every unit the target applies to, in every year it reported the measure, with its value and whether it meets the
-- target («đạt / chưa đạt»). The province's status is whether every such unit meets it (prg_unit_target_status).
-- A target whose link names its units applies to those only.
-- Grain: target_id × year × unit_code.
with targets as (
    select * from prg_targets
    where is_unit_target
),

measures as (
    select * from int_unit_measure
    where applies
)

select
    t.target_id,
    m.year,
    m.unit_code,
    m.measure_id,
    t.comparator,
    t.target_value,
    t.applies as target_applies,
    m.value,
    case t.comparator
        when '>=' then m.value >= t.target_value
        when '>' then m.value > t.target_value
        when '<=' then m.value <= t.target_value
        when '<' then m.value < t.target_value
    end as met
from targets as t
inner join measures as m on t.indicator_id = m.measure_id
left join stg_ref_target_units as tu on t.target_id = tu.target_id and m.unit_code = tu.unit_code
-- a target that names its units (xã Bình Lư's own) judges those units only
where not t.has_units or tu.unit_code is not null
