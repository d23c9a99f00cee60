-- Staging: whether each of the six village heads is a party member (sheet «Trưởng xóm, đoàn thể»).
-- Grain: year × unit_code × branch_code.
select
    year::integer as year,
    branch_code,
    unit_code,
    truong_xom,
    truong_ban_ctmt,
    hoi_nong_dan,
    hoi_phu_nu,
    hoi_ccb,
    bi_thu_doan,
    committee_key,
    load_id
from read_parquet('village_head/*/*.parquet', hive_partitioning = true)
where year > 0
