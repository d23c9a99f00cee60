-- The committee-member fact: each member of a branch committee with the branch's level, type and unit.
-- Grain: year × unit_code × person_id (an anonymous id is its committee's own).
with members as (
    select * from stg_committee_member
),

joined as (
    select
        m.year,
        m.person_id,
        m.branch_code,
        b.unit_code,
        b.level,
        b.branch_type,
        m.role,
        m.professional,
        m.theory,
        m.trained,
        m.training_year,
        m.it,
        m.also_village_head,
        m.also_front_head,
        m.also_other
    from members as m
    inner join stg_branch_year as b
        on m.year = b.year and m.unit_code = b.unit_code and m.branch_code = b.branch_code
)

select * from joined
