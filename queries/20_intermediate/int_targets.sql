-- Every target stated in the source documents, with the indicator that measures it and how (null when the loaded
-- data cannot measure it, with the reason: target_unmeasured.csv): the targets a page lists beside an indicator.
-- A per-unit target's «indicator» is a measure of the committee-year («unit_…»: prg_unit_targets).
-- Grain: target_id.
select
    t.target_id,
    t.source_file,
    t.issuer,
    t.target_text,
    t.indicator_en,
    t.comparator,
    t.target_value,
    t.unit,
    t.deadline,
    t.scope,
    t.quote,
    t.deadline_basis,
    t.note,
    l.indicator_id,
    l.subgroup,
    l.direction,
    l.applies,
    l.note as link_note,
    starts_with(l.indicator_id, 'unit_') as is_unit_target,
    u.reason as unmeasured_reason
from stg_ref_targets as t
left join stg_ref_target_links as l on t.target_id = l.target_id
left join stg_ref_target_unmeasured as u on t.target_id = u.target_id
