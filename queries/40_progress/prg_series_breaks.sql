-- Years in which the rating regulation changed: a trend of a rating indicator across them is not like-for-like.
-- Grain: year.
with breaks as (
    select
        unnest([2023, 2025]) as year,
        unnest([
            'Quy định 124-QĐ/TW thay Quy định 132-QĐ/TW',
            'Quy định 366-QĐ/TW (thang điểm 100)'
        ]) as regulation
)

select * from breaks
