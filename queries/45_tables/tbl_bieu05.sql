-- Biểu 05 in its published layout, from the loaded data: village branches and their secretaries' concurrent posts.
-- Grain: year × unit_code.
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
)

select
    b.year,
    b.unit_code,
    count(*) as village_branches,
    count(*) filter (where s.also_front_head) as sec_also_front_head,
    count(*) filter (where s.also_village_head) as sec_also_village_head,
    count(*) filter (where s.also_other) as sec_other_roles
from int_branch_year as b
left join secretaries as s on b.year = s.year and b.branch_code = s.branch_code
where b.is_village
group by b.year, b.unit_code
