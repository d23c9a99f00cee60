-- Staging: published Biểu 03, branch ratings by year × level.
-- Grain: year × level_code.
select
    year::integer as year,
    level_code,
    total,
    rated,
    excellent,
    good,
    completed,
    not_completed
from read_parquet('ref_bieu03.parquet')
