-- Staging: where a published table contradicts itself, the value the sample uses instead, and why.
-- Grain: item × table × column (+ the row keys).
select
    item,
    "table" as bieu,
    try_cast(nullif(year, '') as integer) as year,
    level,
    branch_type,
    role,
    commune,
    "column" as column_name,
    published,
    sample,
    reason
from read_parquet('ref_corrections.parquet')
