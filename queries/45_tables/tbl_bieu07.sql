-- Biểu 07 in its published layout, from the loaded data: member ratings, per unit and year.
-- Grain: year × unit_code.
select
    year,
    unit_code,
    sum(members)::bigint as present,
    sum(exempt)::bigint as exempt,
    sum(not_rated)::bigint as not_rated,
    sum(rated_members)::bigint as rated,
    sum(excellent + good)::bigint as good_or_better,
    sum(excellent)::bigint as excellent,
    sum(completed)::bigint as completed,
    sum(not_completed)::bigint as not_completed
from int_branch_year
group by year, unit_code
