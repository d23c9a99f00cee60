-- Every indicator in one long table (the union of the ind_* views), for progress and data-quality views.
-- Every ind_* view has the same columns (the README's checklist); `by name` keeps them aligned.
-- Grain: indicator_id × year × branch_code × subgroup.
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
select 'heads_member' as indicator_id, * exclude (value) from ind_heads_member
union all by name
select 'internet_none' as indicator_id, * exclude (value) from ind_internet_none
union all by name
select 'internet_unstable' as indicator_id, * exclude (value) from ind_internet_unstable
union all by name
select 'member_excellent' as indicator_id, * exclude (value) from ind_member_excellent
union all by name
select 'member_failed' as indicator_id, * exclude (value) from ind_member_failed
union all by name
select 'member_good' as indicator_id, * exclude (value) from ind_member_good
union all by name
select 'sec_concurrent' as indicator_id, * exclude (value) from ind_sec_concurrent
union all by name
select 'sec_it' as indicator_id, * exclude (value) from ind_sec_it
union all by name
select 'sec_theory' as indicator_id, * exclude (value) from ind_sec_theory
union all by name
select 'sec_trained' as indicator_id, * exclude (value) from ind_sec_trained
union all by name
select 'secretary_trained' as indicator_id, * exclude (value) from ind_secretary_trained
union all by name
select 'small_branch' as indicator_id, * exclude (value) from ind_small_branch
