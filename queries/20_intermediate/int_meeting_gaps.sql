-- What a branch's meetings lacked in a year, as the commune acts on it: a month without a meeting, a quarter without
-- a thematic meeting, a village branch the committee above never visited, attendance at or below 85%, members absent
-- without a reason, a month without a resolution assigning members, no working rules. Meetings not scored are shown
-- (`unscored`) but not counted among the gaps while the province's scoring tool is new. A figure not reported (a
-- baseline year) lacks nothing here. `gaps` counts them.
-- Grain: year × unit_code × branch_code.
with meetings as (
    select * from int_branch_meeting
),

flagged as (
    select
        year,
        branch_code,
        branch_name,
        unit_code,
        level,
        branch_type,
        is_village,
        members,
        months_due,
        regular_held,
        thematic_quarters,
        higher_quarters,
        att_present,
        att_due,
        att_unexcused,
        q_scored,
        q_good,
        res_assigned,
        rules_year,
        pilot,
        regular_held < months_due as missed_months,
        coalesce(thematic_quarters < quarters_due, false) as missed_thematic,
        coalesce(is_village and higher_quarters = 0, false) as no_higher_visit,
        coalesce(att_due > 0 and att_present * 100 <= 85 * att_due, false) as low_attendance,
        coalesce(att_unexcused > 0, false) as unexcused,
        coalesce(q_scored < regular_held, false) as unscored,
        coalesce(res_assigned < months_due, false) as missed_resolutions,
        rules_year is null as no_rules
    from meetings
)

select
    *,
    (
        missed_months::integer + missed_thematic::integer + no_higher_visit::integer + low_attendance::integer
        + unexcused::integer + missed_resolutions::integer + no_rules::integer
    ) as gaps
from flagged
