-- Biểu 01 in its published layout, from the loaded data: branches by level × type, per unit and year.
-- Grain: year × unit_code × level_code × type_code.
select
    year,
    unit_code,
    level as level_code,
    branch_type as type_code,
    count(*) as count
from int_branch_year
group by year, unit_code, level, branch_type
