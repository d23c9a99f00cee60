-- Staging: which targets the loaded data can measure, with the indicator, subgroup and direction they map to, and
-- the target's scope where it is not the whole deployment: its units (stg_ref_target_units) and the branch levels it
-- counts (`levels`: codes separated by spaces, e.g. «tt_co_so tt_bo_phan»; null: every level). Read with an empty
-- table of every column (etl/views.py): a snapshot written before a target had a scope has no such columns.
-- Grain: target_id.
select
    target_id,
    indicator_id,
    nullif(subgroup, '') as subgroup,
    direction::integer as direction,
    try_cast(nullif(value, '') as double) as value_override,
    deadline_year,
    applies,
    nullif(units, '') is not null as has_units,
    string_split(nullif(trim(levels), ''), ' ') as levels,
    note
from read_parquet(['ref_target_links.parquet', 'ref_target_links_columns.parquet'], union_by_name = true)
