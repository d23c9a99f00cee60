-- Staging: published Biểu 01, branch counts by level × type (Cao Bằng, as of 2025).
-- Grain: level_code × type_code.
select
    level_code,
    type_code,
    count
from read_parquet('ref_bieu01.parquet')
