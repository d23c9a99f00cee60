-- The six village heads of each village branch, one row per post, with whether the post exists.
-- Grain: year × unit_code × branch_code × role.
with heads as (
    select * from stg_village_head
),

long as (
    unpivot heads
    on truong_xom, truong_ban_ctmt, hoi_nong_dan, hoi_phu_nu, hoi_ccb, bi_thu_doan
    into name role value status
),

joined as (
    select
        h.year,
        h.branch_code,
        b.unit_code,
        b.level,
        b.branch_type,
        h.role,
        h.status
    from long as h
    inner join stg_branch_year as b
        on h.year = b.year and h.unit_code = b.unit_code and h.branch_code = b.branch_code
)

select * from joined
