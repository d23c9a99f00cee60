-- Staging: branch-year facts as loaded from the annual returns (sheet «Chi bộ»).
-- Grain: year × unit_code × branch_code.
select
    year::integer as year,
    branch_code,
    unit_code,
    branch_name,
    level,
    branch_type,
    border,
    members,
    resident_members,
    rating,
    exempt,
    not_rated,
    excellent,
    good,
    completed,
    not_completed,
    admitted,
    internet,
    computer,
    ehandbook,
    committee_key,
    load_id
from read_parquet('branch_year/*/*.parquet', hive_partitioning = true)
where year > 0
