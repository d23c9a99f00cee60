-- Staging: published Biểu 06, village heads who are party members, by commune (2025).
-- Grain: unit_code.
select
    unit_code,
    commune as published_name,
    village_branches,
    under_3_members,
    village_head_member,
    village_head_non_member,
    front_head_member,
    front_head_non_member,
    farmers_union_head_member,
    farmers_union_head_non_member,
    womens_union_head_member,
    womens_union_head_non_member,
    veterans_head_member,
    veterans_head_non_member,
    youth_union_secretary_member,
    youth_union_secretary_non_member
from read_parquet('ref_bieu06.parquet')
