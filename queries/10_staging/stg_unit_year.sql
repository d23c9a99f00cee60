-- Staging: the committee's own meeting duties in one year (sheet «Thông tin» of the return, from 2026):
-- months in which it compiled and issued materials for the branches' regular meetings, and whether it set the
-- themes of thematic meetings for each type of branch under it. No row: not reported.
-- Grain: year × unit_code.
select
    year::integer as year,
    unit_code,
    materials_months,
    thematic_orientation,
    committee_key,
    load_id
from read_parquet('unit_year/*/*.parquet', hive_partitioning = true)
where year > 0
