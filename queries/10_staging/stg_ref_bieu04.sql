-- Staging: published Biểu 04, Internet and computers by level × type (2025).
-- Grain: level_code × type_code (null for the level without a type split).
select
    level_code,
    type_code,
    total,
    internet_stable,
    internet_unstable,
    internet_none,
    has_computer,
    no_computer
from read_parquet('ref_bieu04.parquet')
