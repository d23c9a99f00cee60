-- Years in which the rating regulation changed: a trend of a rating indicator across them is not like-for-like.
-- Grain: year.
select * from (values
    (2023, 'Quy định 124-QĐ/TW thay Quy định 132-QĐ/TW'),
    (2025, 'Quy định 366-QĐ/TW (thang điểm 100)')
) as breaks (year, regulation)
