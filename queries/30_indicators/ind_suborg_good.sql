-- Indicator: party organisations directly under the unit rated HTTNV or better (tổ chức đảng trực thuộc HTTNV trở
-- lên: «chi, đảng bộ trực thuộc» of a commune committee, document 001) / those rated. They are its đảng bộ cơ sở
-- (each by its own rating), its chi bộ cơ sở and its branches directly under it («trực thuộc đảng uỷ cấp trên
-- trực tiếp cơ sở»); branches under a đảng bộ count in their đảng bộ's rating, not here. A unit-year whose return
-- does not describe its đảng bộ has no row. Columns as every indicator (branch_code: the organisation's code).
-- Grain: year × unit_code × branch_code (the organisation's code). Unit: % (re-aggregated as sum / sum).
with direct as (
    select * from int_org_tree
    where
        described
        and (node_kind = 'db_co_so' or level in ('co_so', 'tt_cap_tren'))
),

counted as (
    select
        year,
        unit_code,
        node_code as branch_code,
        coalesce(level, node_kind) as level,
        branch_type,
        null::varchar as subgroup,
        coalesce(rating in ('xs', 'tot'), false)::integer as numerator,
        (rating is not null)::integer as denominator
    from direct
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
