-- How many branches got each rating (null: not rated), per unit, level and type: the rating mix of the branch
-- pages, summed over what the filters select (dashboard/data.py `rating_mix`).
-- Grain: year × unit_code × level × branch_type × rating.
select
    year,
    unit_code,
    level,
    branch_type,
    rating,
    count(*) as branches
from int_branch_year
group by year, unit_code, level, branch_type, rating
