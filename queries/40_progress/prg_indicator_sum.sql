-- Every indicator summed to the grain the app groups by (no branch): the table the app's indicator queries and
-- the progress views read. It is computed once per snapshot, when the snapshot is written, and stored in it
-- (etl/views.py DERIVED: it only changes with a load).
-- `branches` lets the province benchmark count the other branches behind it without the branch-level views.
-- Grain: indicator_id × subgroup × year × unit_code × level × branch_type.
select
    indicator_id,
    subgroup,
    year,
    unit_code,
    level,
    branch_type,
    sum(numerator)::bigint as numerator,
    sum(denominator)::bigint as denominator,
    -- branches that count in the denominator (prg_indicator_long has one row per branch, year and subgroup)
    count(*) filter (where denominator > 0)::bigint as branches
from prg_indicator_long
group by indicator_id, subgroup, year, unit_code, level, branch_type
