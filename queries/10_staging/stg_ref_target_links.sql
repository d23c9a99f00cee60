-- Staging: which targets the loaded data can measure, with the indicator, subgroup and direction they map to.
-- Grain: target_id.
select
    target_id,
    indicator_id,
    nullif(subgroup, '') as subgroup,
    direction::integer as direction,
    try_cast(nullif(value, '') as double) as value_override,
    deadline_year,
    applies,
    note
from read_parquet('ref_target_links.parquet')
