-- Reconciliation with the published Biểu 06: village heads who are party members, by commune.
-- Grain: unit_code × measure.
with heads as (
    select
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
    where year = (select max(year) from stg_ref_bieu03)
    group by unit_code
),

villages as (
    select
        unit_code,
        count(*) as village_branches,
        count(*) filter (where resident_members < 3) as under_3_members
    from int_branch_year
    where is_village and year = (select max(year) from stg_ref_bieu03)
    group by unit_code
),

loaded_wide as (
    select v.*, h.* exclude (unit_code)
    from villages as v
    left join heads as h on v.unit_code = h.unit_code
),

published as (
    unpivot (select * exclude (published_name) from stg_ref_bieu06)
    on columns(* exclude (unit_code))
    into name measure value published
),

loaded as (
    unpivot loaded_wide on columns(* exclude (unit_code))
    into name measure value loaded
)

select
    'bieu06' as bieu,
    p.unit_code,
    p.measure,
    p.published,
    coalesce(l.loaded, 0) as loaded,
    coalesce(l.loaded, 0) - p.published as difference
from published as p
left join loaded as l on p.unit_code = l.unit_code and p.measure = l.measure
