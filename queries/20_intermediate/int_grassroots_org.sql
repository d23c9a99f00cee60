-- The grassroots party organisations (tổ chức cơ sở đảng, issue 30) of every unit-year: each đảng bộ cơ sở and
-- each chi bộ cơ sở, with its type, its own rating (a đảng bộ cơ sở is rated as itself, not as the sum of its
-- branches), and the branches and members below it. `described` as in int_org_tree: only then are these all of the
-- unit's grassroots organisations.
-- Grain: year × unit_code × org_code.
with tree as (
    select * from int_org_tree
),

below as (
    select
        year,
        unit_code,
        grassroots_code,
        count(*) filter (where node_kind = 'chi_bo') as branches,
        sum(members) filter (where node_kind = 'chi_bo') as members
    from tree
    where grassroots_code is not null
    group by year, unit_code, grassroots_code
),

grassroots as (
    select
        t.year,
        t.unit_code,
        t.node_code as org_code,
        t.node_name as org_name,
        case when t.node_kind = 'db_co_so' then 'db_co_so' else 'co_so' end as org_kind,
        t.branch_type,
        t.rating,
        coalesce(b.branches, 0)::bigint as branches,
        coalesce(b.members, 0)::bigint as members,
        t.described
    from tree as t
    left join below as b
        on t.year = b.year and t.unit_code = b.unit_code and t.node_code = b.grassroots_code
    where t.node_kind = 'db_co_so' or t.level = 'co_so'
)

select * from grassroots
