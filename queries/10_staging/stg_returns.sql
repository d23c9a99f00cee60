-- Staging: lineage of every return in the current snapshot (file, sha256, rows, time, user).
-- Grain: year × committee_key.
select
    year::integer as year,
    committee_key,
    unit_code,
    reported_name,
    via,
    file_name,
    sha256,
    branches,
    committee_members,
    village_heads,
    sheets,
    encoding,
    is_sample,
    loaded_at,
    loaded_by,
    load_id
from read_parquet('returns/*/*.parquet', hive_partitioning = true)
where year > 0
