-- Village branches (chi bộ xóm, tổ dân phố) with the two rules that the indicators and the Biểu share: a branch
-- with fewer than 3 resident members, and the posts its secretary also holds. One home for each rule.
-- Grain: year × unit_code × branch_code (village branches only).
with villages as (
    select
        year,
        unit_code,
        branch_code,
        level,
        branch_type,
        resident_members
    from int_branch_year
    where is_village
),

secretaries as (
    select
        year,
        unit_code,
        branch_code,
        bool_or(also_village_head) as also_village_head,
        bool_or(also_front_head) as also_front_head,
        bool_or(also_other) as also_other
    from int_committee_member
    where role = 'bi_thu'
    group by year, unit_code, branch_code
),

joined as (
    select
        v.year,
        v.unit_code,
        v.branch_code,
        v.level,
        v.branch_type,
        v.resident_members < 3 as is_small,
        coalesce(s.also_village_head, false) as sec_also_village_head,
        coalesce(s.also_front_head, false) as sec_also_front_head,
        coalesce(s.also_other, false) as sec_also_other
    from villages as v
    left join secretaries as s
        on v.year = s.year and v.unit_code = s.unit_code and v.branch_code = s.branch_code
)

select * from joined
