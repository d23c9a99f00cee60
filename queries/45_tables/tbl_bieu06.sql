-- Biểu 06 in its published layout, from the loaded data: village branches with fewer than 3 resident members and
-- the six village heads who are (not) party members.
-- Grain: year × unit_code.
with heads as (
    select
        year,
        unit_code,
        count(*) filter (where role = 'truong_xom' and status = 'dang_vien') as village_head_member,
        count(*) filter (where role = 'truong_xom' and status = 'khong') as village_head_non_member,
        count(*) filter (where role = 'truong_ban_ctmt' and status = 'dang_vien') as front_head_member,
        count(*) filter (where role = 'truong_ban_ctmt' and status = 'khong') as front_head_non_member,
        count(*) filter (where role = 'hoi_nong_dan' and status = 'dang_vien') as farmers_union_head_member,
        count(*) filter (where role = 'hoi_nong_dan' and status = 'khong') as farmers_union_head_non_member,
        count(*) filter (where role = 'hoi_phu_nu' and status = 'dang_vien') as womens_union_head_member,
        count(*) filter (where role = 'hoi_phu_nu' and status = 'khong') as womens_union_head_non_member,
        count(*) filter (where role = 'hoi_ccb' and status = 'dang_vien') as veterans_head_member,
        count(*) filter (where role = 'hoi_ccb' and status = 'khong') as veterans_head_non_member,
        count(*) filter (where role = 'bi_thu_doan' and status = 'dang_vien') as youth_union_secretary_member,
        count(*) filter (where role = 'bi_thu_doan' and status = 'khong') as youth_union_secretary_non_member
    from int_village_head
    group by year, unit_code
),

villages as (
    select
        year,
        unit_code,
        count(*) as village_branches,
        count(*) filter (where resident_members < 3) as under_3_members
    from int_branch_year
    where is_village
    group by year, unit_code
)

select
    v.*,
    h.* exclude (year, unit_code)
from villages as v
left join heads as h on v.year = h.year and v.unit_code = h.unit_code
