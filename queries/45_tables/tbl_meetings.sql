-- «Tình hình sinh hoạt chi bộ» in the layout of the Đề án's Biểu (one row per committee, the year's totals of its
-- branches' «Sinh hoạt chi bộ» and its own fields): branches reporting, months due and held, branches meeting every
-- month and every quarter's thematic meeting, member-meetings attended and due, absences without a reason, meetings
-- scored and rated good or better, monthly resolutions, members given tasks, village branches visited by the
-- committee above, pilots, materials. A committee that did not report the sheet has no row.
-- Grain: year × unit_code.
with meetings as (
    select * from int_branch_meeting
),

fields as (
    select * from stg_unit_year
),

summed as (
    select
        year,
        unit_code,
        count(*) as branches,
        sum(months_due)::bigint as months_due,
        sum(regular_held)::bigint as months_held,
        count(*) filter (where regular_held >= months_due) as branches_every_month,
        count(*) filter (where thematic_quarters >= quarters_due) as branches_thematic_quarterly,
        count(*) filter (where forums >= 1) as branches_with_forum,
        sum(att_present)::bigint as attended,
        sum(att_due)::bigint as attendance_due,
        sum(att_unexcused)::bigint as absent_unexcused,
        sum(q_scored)::bigint as meetings_scored,
        sum(q_good)::bigint as meetings_good,
        count(*) filter (where res_assigned >= months_due and regular_held >= months_due) as branches_resolutions,
        sum(members_assigned)::bigint as members_assigned,
        sum(members_due)::bigint as members_due,
        count(*) filter (where is_village) as village_branches,
        count(*) filter (where is_village and higher_quarters >= 1) as villages_visited,
        count(*) filter (where rules_year is not null) as branches_with_rules,
        count(*) filter (where procedure_ok) as branches_procedure_ok,
        count(*) filter (where pilot in ('thuong_ky', 'ca_hai')) as pilots_regular,
        count(*) filter (where pilot in ('chuyen_de', 'ca_hai')) as pilots_thematic
    from meetings
    group by year, unit_code
)

select
    s.*,
    f.materials_months,
    f.thematic_orientation
from summed as s
left join fields as f on s.year = f.year and s.unit_code = f.unit_code
