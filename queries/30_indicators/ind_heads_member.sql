-- Indicator: village heads who are party members / villages that have the post.
-- Subgroups (role): truong_xom, truong_ban_ctmt, hoi_nong_dan, hoi_phu_nu, hoi_ccb, bi_thu_doan.
-- The denominator leaves out villages without the association (as the Đề án's own ratios do, e.g. 1.217/1.429).
-- Grain: year × unit_code × branch_code × subgroup. Unit: % (re-aggregated as sum / sum within one subgroup).
with heads as (
    select * from int_village_head
),

counted as (
    select
        year,
        unit_code,
        branch_code,
        level,
        branch_type,
        role as subgroup,
        (status = 'dang_vien')::integer as numerator,
        (status in ('dang_vien', 'khong'))::integer as denominator
    from heads
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
