-- Every indicator in one long table (the union of the ind_* views), for progress and data-quality views.
-- Every ind_* view has the same columns (the README's checklist); `by name` keeps them aligned.
-- Grain: indicator_id × year × unit_code × branch_code × subgroup.
-- One line per indicator reads better than sqlfluff's one target per line here:
-- noqa: disable=LT09,AM04
select 'admission_rate' as indicator_id, * exclude (value) from ind_admission_rate
union all by name
select 'branch_excellent' as indicator_id, * exclude (value) from ind_branch_excellent
union all by name
select 'branch_failed' as indicator_id, * exclude (value) from ind_branch_failed
union all by name
select 'branch_good' as indicator_id, * exclude (value) from ind_branch_good
union all by name
select 'computer_none' as indicator_id, * exclude (value) from ind_computer_none
union all by name
select 'ehandbook' as indicator_id, * exclude (value) from ind_ehandbook
union all by name
select 'grassroots_excellent' as indicator_id, * exclude (value) from ind_grassroots_excellent
union all by name
select 'grassroots_failed' as indicator_id, * exclude (value) from ind_grassroots_failed
union all by name
select 'grassroots_good' as indicator_id, * exclude (value) from ind_grassroots_good
union all by name
select 'heads_member' as indicator_id, * exclude (value) from ind_heads_member
union all by name
select 'internet_none' as indicator_id, * exclude (value) from ind_internet_none
union all by name
select 'internet_unstable' as indicator_id, * exclude (value) from ind_internet_unstable
union all by name
select 'meet_attendance' as indicator_id, * exclude (value) from ind_meet_attendance
union all by name
select 'meet_bulletin' as indicator_id, * exclude (value) from ind_meet_bulletin
union all by name
select 'meet_fixed_day' as indicator_id, * exclude (value) from ind_meet_fixed_day
union all by name
select 'meet_forum' as indicator_id, * exclude (value) from ind_meet_forum
union all by name
select 'meet_higher_quarterly' as indicator_id, * exclude (value) from ind_meet_higher_quarterly
union all by name
select 'meet_higher_village' as indicator_id, * exclude (value) from ind_meet_higher_village
union all by name
select 'meet_months' as indicator_id, * exclude (value) from ind_meet_months
union all by name
select 'meet_procedure' as indicator_id, * exclude (value) from ind_meet_procedure
union all by name
select 'meet_programme' as indicator_id, * exclude (value) from ind_meet_programme
union all by name
select 'meet_quality' as indicator_id, * exclude (value) from ind_meet_quality
union all by name
select 'meet_regular' as indicator_id, * exclude (value) from ind_meet_regular
union all by name
select 'meet_resolution' as indicator_id, * exclude (value) from ind_meet_resolution
union all by name
select 'meet_rules' as indicator_id, * exclude (value) from ind_meet_rules
union all by name
select 'meet_scored' as indicator_id, * exclude (value) from ind_meet_scored
union all by name
select 'meet_tasks_branch' as indicator_id, * exclude (value) from ind_meet_tasks_branch
union all by name
select 'meet_tasks_members' as indicator_id, * exclude (value) from ind_meet_tasks_members
union all by name
select 'meet_term_docs' as indicator_id, * exclude (value) from ind_meet_term_docs
union all by name
select 'meet_thematic' as indicator_id, * exclude (value) from ind_meet_thematic
union all by name
select 'meet_unexcused' as indicator_id, * exclude (value) from ind_meet_unexcused
union all by name
select 'member_excellent' as indicator_id, * exclude (value) from ind_member_excellent
union all by name
select 'member_failed' as indicator_id, * exclude (value) from ind_member_failed
union all by name
select 'member_good' as indicator_id, * exclude (value) from ind_member_good
union all by name
select 'secretary_deputy_theory' as indicator_id, * exclude (value) from ind_secretary_deputy_theory
union all by name
select 'secretary_deputy_trained' as indicator_id, * exclude (value) from ind_secretary_deputy_trained
union all by name
select 'secretary_it' as indicator_id, * exclude (value) from ind_secretary_it
union all by name
select 'secretary_trained' as indicator_id, * exclude (value) from ind_secretary_trained
union all by name
select 'small_branch' as indicator_id, * exclude (value) from ind_small_branch
union all by name
select 'suborg_good' as indicator_id, * exclude (value) from ind_suborg_good
union all by name
select 'village_secretary_post' as indicator_id, * exclude (value) from ind_village_secretary_post
