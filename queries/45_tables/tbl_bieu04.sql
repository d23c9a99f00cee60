-- Biểu 04 in its published layout, from the loaded data: Internet and computers by level × type (type left out
-- for branches under a partial committee, as published).
-- Grain: year × unit_code × level_code × type_code.
select
    year,
    unit_code,
    level as level_code,
    case when level = 'tt_bo_phan' then null else branch_type end as type_code,
    count(*) as total,
    count(*) filter (where internet = 'on_dinh') as internet_stable,
    count(*) filter (where internet = 'khong_on_dinh') as internet_unstable,
    count(*) filter (where internet = 'chua_co') as internet_none,
    count(*) filter (where computer) as has_computer,
    count(*) filter (where not computer) as no_computer
from int_branch_year
group by all
