-- Biểu 03 in its published layout, from the loaded data: branch ratings by level, per unit and year.
-- Grain: year × unit_code × level_code.
select
    year,
    unit_code,
    level as level_code,
    count(*) as total,
    count(rating) as rated,
    count(*) filter (where rating = 'xs') as excellent,
    count(*) filter (where rating = 'tot') as good,
    count(*) filter (where rating = 'ht') as completed,
    count(*) filter (where rating = 'kht') as not_completed
from int_branch_year
group by year, unit_code, level
