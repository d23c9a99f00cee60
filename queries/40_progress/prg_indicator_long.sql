-- Every indicator in one long table (the union of the ind_* views), for progress and data-quality views.
-- Grain: indicator_id × year × branch_code × subgroup.
select 'admission_rate' as indicator_id, year, unit_code, branch_code, level, branch_type, subgroup, numerator, denominator from ind_admission_rate
union all
select 'branch_excellent' as indicator_id, year, unit_code, branch_code, level, branch_type, subgroup, numerator, denominator from ind_branch_excellent
union all
select 'branch_failed' as indicator_id, year, unit_code, branch_code, level, branch_type, subgroup, numerator, denominator from ind_branch_failed
union all
select 'branch_good' as indicator_id, year, unit_code, branch_code, level, branch_type, subgroup, numerator, denominator from ind_branch_good
union all
select 'computer_none' as indicator_id, year, unit_code, branch_code, level, branch_type, subgroup, numerator, denominator from ind_computer_none
union all
select 'ehandbook' as indicator_id, year, unit_code, branch_code, level, branch_type, subgroup, numerator, denominator from ind_ehandbook
union all
select 'heads_member' as indicator_id, year, unit_code, branch_code, level, branch_type, subgroup, numerator, denominator from ind_heads_member
union all
select 'internet_none' as indicator_id, year, unit_code, branch_code, level, branch_type, subgroup, numerator, denominator from ind_internet_none
union all
select 'internet_unstable' as indicator_id, year, unit_code, branch_code, level, branch_type, subgroup, numerator, denominator from ind_internet_unstable
union all
select 'member_excellent' as indicator_id, year, unit_code, branch_code, level, branch_type, subgroup, numerator, denominator from ind_member_excellent
union all
select 'member_failed' as indicator_id, year, unit_code, branch_code, level, branch_type, subgroup, numerator, denominator from ind_member_failed
union all
select 'member_good' as indicator_id, year, unit_code, branch_code, level, branch_type, subgroup, numerator, denominator from ind_member_good
union all
select 'sec_concurrent' as indicator_id, year, unit_code, branch_code, level, branch_type, subgroup, numerator, denominator from ind_sec_concurrent
union all
select 'sec_it' as indicator_id, year, unit_code, branch_code, level, branch_type, subgroup, numerator, denominator from ind_sec_it
union all
select 'sec_theory' as indicator_id, year, unit_code, branch_code, level, branch_type, subgroup, numerator, denominator from ind_sec_theory
union all
select 'sec_trained' as indicator_id, year, unit_code, branch_code, level, branch_type, subgroup, numerator, denominator from ind_sec_trained
union all
select 'secretary_trained' as indicator_id, year, unit_code, branch_code, level, branch_type, subgroup, numerator, denominator from ind_secretary_trained
union all
select 'small_branch' as indicator_id, year, unit_code, branch_code, level, branch_type, subgroup, numerator, denominator from ind_small_branch
