-- Staging: coded values and their Vietnamese labels (etl/mappings/codes.csv).
-- Grain: domain × code.
select
    domain,
    code,
    label,
    short,
    sort,
    published_key
from read_parquet('codes.parquet')
