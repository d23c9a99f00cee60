-- Staging: the đảng bộ cơ sở and đảng bộ bộ phận of each return (sheet «Tổ chức cơ sở đảng», issue 30): each
-- with the organisation it belongs to (parent_code; null = the reporting committee) and, for a đảng bộ cơ sở, its
-- own rating. No row: the return did not describe its organisations.
-- Grain: year × unit_code × org_code.
select
    year::integer as year,
    unit_code,
    org_code,
    org_name,
    org_kind,
    parent_code,
    org_type,
    rating,
    committee_key,
    load_id
from read_parquet('org_year/*/*.parquet', hive_partitioning = true)
where year > 0
