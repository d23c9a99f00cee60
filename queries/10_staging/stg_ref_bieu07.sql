-- Staging: published Biểu 07, member ratings by year.
-- Grain: year.
select
    year::integer as year,
    present,
    exempt,
    not_rated,
    rated,
    good_or_better,
    excellent,
    completed,
    not_completed
from read_parquet('ref_bieu07.parquet')
