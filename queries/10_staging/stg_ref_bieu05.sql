-- Staging: published Biểu 05, concurrent roles of village-branch secretaries by commune (2025).
-- Grain: unit_code.
select
    unit_code,
    commune as published_name,
    village_branches,
    sec_also_front_head,
    sec_also_village_head,
    sec_other_roles
from read_parquet('ref_bieu05.parquet')
