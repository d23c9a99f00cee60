-- Staging: the đảng bộ each branch belongs to, as its return names it (column «Trực thuộc» of «Chi bộ», issue 30):
-- a đảng bộ cơ sở or a đảng bộ bộ phận of stg_org_year. A branch directly under the reporting committee has no
-- row, as has every branch of a return that did not describe its organisations.
-- Grain: year × unit_code × branch_code.
select
    year::integer as year,
    unit_code,
    branch_code,
    parent_code,
    committee_key,
    load_id
from read_parquet('branch_parent/*/*.parquet', hive_partitioning = true)
where year > 0
