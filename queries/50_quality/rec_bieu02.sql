-- Reconciliation with the published Biểu 02: qualifications of secretaries, deputies and committee members in
-- the latest year by level × type × role; only cells the table publishes are compared.
-- Grain: level_code × type_code × role_code × measure.
with people as (
    select
        level as level_code,
        -- Section IV of Biểu 02 (branches under a partial committee) is not split by type.
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
    where year = (select max(year) from stg_ref_bieu03)
    group by all
),

published as (
    unpivot stg_ref_bieu02
    on total, professional_post_graduate, professional_university, professional_college,
        professional_intermediate, professional_none, political_theory_advanced, political_theory_intermediate,
        political_theory_none, party_training_trained, party_training_not_trained, it_proficient, it_basic, it_none
    into name measure value published
),

loaded as (
    unpivot people
    on total, professional_post_graduate, professional_university, professional_college,
        professional_intermediate, professional_none, political_theory_advanced, political_theory_intermediate,
        political_theory_none, party_training_trained, party_training_not_trained, it_proficient, it_basic, it_none
    into name measure value loaded
)

select
    'bieu02' as bieu,
    p.level_code,
    p.type_code,
    p.role_code,
    p.measure,
    p.published,
    coalesce(l.loaded, 0) as loaded,
    coalesce(l.loaded, 0) - p.published as difference
from published as p
left join loaded as l
    on p.level_code = l.level_code
    and p.type_code is not distinct from l.type_code
    and p.role_code = l.role_code
    and p.measure = l.measure
where p.published is not null
