-- Reconciliation with the published Biểu 05: village-branch secretaries' concurrent posts, by commune.
-- Grain: unit_code × measure.
with secretaries as (
    select
        year,
        branch_code,
        bool_or(also_front_head) as also_front_head,
        bool_or(also_village_head) as also_village_head,
        bool_or(also_other) as also_other
    from int_committee_member
    where role = 'bi_thu'
    group by year, branch_code
),

loaded_wide as (
    select
        b.unit_code,
        count(*) as village_branches,
        count(*) filter (where s.also_front_head) as sec_also_front_head,
        count(*) filter (where s.also_village_head) as sec_also_village_head,
        count(*) filter (where s.also_other) as sec_other_roles
    from int_branch_year as b
    left join secretaries as s on b.year = s.year and b.branch_code = s.branch_code
    where b.is_village and b.year = (select max(year) from stg_ref_bieu03)
    group by b.unit_code
),

published as (
    unpivot (select * exclude (published_name) from stg_ref_bieu05)
    on village_branches, sec_also_front_head, sec_also_village_head, sec_other_roles
    into name measure value published
),

loaded as (
    unpivot loaded_wide on village_branches, sec_also_front_head, sec_also_village_head, sec_other_roles
    into name measure value loaded
)

select
    'bieu05' as bieu,
    p.unit_code,
    p.measure,
    p.published,
    coalesce(l.loaded, 0) as loaded,
    coalesce(l.loaded, 0) - p.published as difference
from published as p
left join loaded as l on p.unit_code = l.unit_code and p.measure = l.measure
