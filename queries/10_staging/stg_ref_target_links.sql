-- Staging: which targets the loaded data can measure, with the indicator, subgroup and direction they map to, and
-- the target's scope where it is not the whole deployment: its units (stg_ref_target_units) and the branch levels it
-- counts (`levels`: codes separated by spaces, e.g. «tt_co_so tt_bo_phan»; null: every level). Read with an empty
-- table of every column (etl/views.py): a snapshot written before a target had a scope has no such columns.
-- An indicator's old id (a deployment's own target_links.csv, a snapshot of an earlier release) is its id now:
-- `indicator_alias` is the registry's aliases, created in every database by etl/views.py.
-- Grain: target_id.
select
    l.target_id,
    coalesce(a.indicator_id, l.indicator_id) as indicator_id,
    nullif(l.subgroup, '') as subgroup,
    l.direction::integer as direction,
    try_cast(nullif(l.value, '') as double) as value_override,
    l.deadline_year,
    l.applies,
    nullif(l.units, '') is not null as has_units,
    string_split(nullif(trim(l.levels), ''), ' ') as levels,
    l.note
from read_parquet(['ref_target_links.parquet', 'ref_target_links_columns.parquet'], union_by_name = true) as l
left join indicator_alias as a on l.indicator_id = a.alias
