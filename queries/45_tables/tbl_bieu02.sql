-- Biểu 02 in its published layout, from the loaded data: qualifications of secretaries, deputies and committee
-- members by level × type × role (type left out for branches under a partial committee, as published).
-- Grain: year × unit_code × level_code × type_code × role_code.
select
    year,
    unit_code,
    level as level_code,
    case when level = 'tt_bo_phan' then null else branch_type end as type_code,
    role as role_code,
    count(*) as total,
    count(*) filter (where professional = 'tren_dai_hoc') as professional_post_graduate,
    count(*) filter (where professional = 'dai_hoc') as professional_university,
    count(*) filter (where professional = 'cao_dang') as professional_college,
    count(*) filter (where professional = 'trung_cap') as professional_intermediate,
    count(*) filter (where professional in ('so_cap', 'chua_dao_tao')) as professional_none,
    count(*) filter (where theory = 'cao_cap') as political_theory_advanced,
    count(*) filter (where theory = 'trung_cap') as political_theory_intermediate,
    count(*) filter (where theory in ('so_cap', 'chua_co')) as political_theory_none,
    count(*) filter (where trained) as party_training_trained,
    count(*) filter (where not trained) as party_training_not_trained,
    count(*) filter (where it = 'thanh_thao') as it_proficient,
    count(*) filter (where it = 'biet') as it_basic,
    count(*) filter (where it = 'chua_biet') as it_none
from int_committee_member
group by all
