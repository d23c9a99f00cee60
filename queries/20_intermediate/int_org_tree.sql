-- The organisation tree of every unit-year (issue 30), as far down as its return describes it: each đảng bộ cơ sở,
-- đảng bộ bộ phận and branch with the node it hangs from (parent_code null: the unit itself) and the grassroots
-- organisation it belongs to (grassroots_code: a đảng bộ cơ sở, or a chi bộ cơ sở itself; null for a branch
-- directly under the unit). `described`: the unit-year's grassroots organisations are all known — its return
-- lists its đảng bộ (sheet «Tổ chức cơ sở đảng»), or it has no branch under a đảng uỷ cơ sở or a đảng bộ bộ
-- phận, so its chi bộ cơ sở are all of them. A year before the sheet (the old communes were themselves đảng bộ
-- cơ sở) is not described: its grassroots figures are «not reported», never 0.
-- The return's checks (etl/annual_return/tree.py) make every parent exist at the right level.
-- Grain: year × unit_code × node_code.
with orgs as (
    select * from stg_org_year
),

branches as (
    select
        b.year,
        b.unit_code,
        b.branch_code,
        b.branch_name,
        b.level,
        b.branch_type,
        b.members,
        b.rating,
        p.parent_code
    from int_branch_year as b
    left join stg_branch_parent as p
        on b.year = p.year and b.unit_code = p.unit_code and b.branch_code = p.branch_code
),

described as (
    select
        r.year,
        r.unit_code,
        exists (
            select 1 from orgs as o
            where o.year = r.year and o.unit_code = r.unit_code
        )
        or not exists (
            select 1 from branches as b
            where b.year = r.year and b.unit_code = r.unit_code and b.level in ('tt_co_so', 'tt_bo_phan')
        ) as described
    from (select distinct
        year,
        unit_code
    from branches) as r
),

org_nodes as (
    select
        o.year,
        o.unit_code,
        o.org_code as node_code,
        o.org_name as node_name,
        o.org_kind as node_kind,
        null::varchar as level,
        o.org_type as branch_type,
        o.parent_code,
        case when o.org_kind = 'db_co_so' then o.org_code else o.parent_code end as grassroots_code,
        null::integer as members,
        o.rating
    from orgs as o
),

branch_nodes as (
    select
        b.year,
        b.unit_code,
        b.branch_code as node_code,
        b.branch_name as node_name,
        'chi_bo' as node_kind,
        b.level,
        b.branch_type,
        b.parent_code,
        case b.level
            when 'co_so' then b.branch_code
            when 'tt_co_so' then b.parent_code
            when 'tt_bo_phan' then bp.parent_code
        end as grassroots_code,
        b.members,
        b.rating
    from branches as b
    left join orgs as bp
        on b.year = bp.year and b.unit_code = bp.unit_code and b.parent_code = bp.org_code
),

nodes as (
    select * from org_nodes
    union all
    select * from branch_nodes
)

select
    n.*,
    coalesce(d.described, false) as described
from nodes as n
left join described as d on n.year = d.year and n.unit_code = d.unit_code
