-- The branch-meeting fact: every branch-year with a row on «Sinh hoạt chi bộ», with its unit, level, type and
-- members from the branch-year fact, the members due at meetings (members not exempted) and the quarters due
-- (a branch that existed for part of the year owes one thematic meeting per quarter it existed: ceil(months / 3)).
-- No row: the branch's meetings were not reported that year (every year before 2026 but a baseline).
-- Grain: year × unit_code × branch_code.
with meetings as (
    select * from stg_branch_meeting
),

branch_years as (
    select * from int_branch_year
),

joined as (
    select
        m.year,
        m.branch_code,
        b.branch_name,
        b.unit_code,
        b.is_commune,
        b.level,
        b.branch_type,
        b.is_village,
        b.members,
        b.exempt,
        b.members - b.exempt as members_due,
        m.months_due,
        ceil(m.months_due / 3)::integer as quarters_due,
        m.regular_held,
        m.on_fixed_day,
        m.thematic_quarters,
        m.forums,
        m.att_present,
        m.att_excused,
        m.att_unexcused,
        m.att_present + m.att_excused + m.att_unexcused as att_due,
        m.q_scored,
        m.q_good,
        m.q_level1,
        m.q_level2,
        m.q_level3,
        m.q_level4,
        m.q_level5,
        m.q_level6,
        m.res_assigned,
        m.members_assigned,
        m.bulletin_meetings,
        m.higher_quarters,
        m.rules_year,
        m.term_docs,
        m.year_programme,
        m.procedure_ok,
        m.pilot
    from meetings as m
    inner join branch_years as b
        on m.year = b.year and m.unit_code = b.unit_code and m.branch_code = b.branch_code
)

select * from joined
