-- Reconciliation with the published Biểu 02: qualifications of secretaries, deputies and committee members in
-- the latest year by level × type × role; only cells the table publishes are compared.
-- Grain: level_code × type_code × role_code × measure.
with people as (
    select
        level_code,
        type_code,
        role_code,
        sum(columns(* exclude (year, unit_code, level_code, type_code, role_code)))
    from tbl_bieu02
    -- the year of the published tables (the latest year of Biểu 03, which lists every year)
    where year = (select max(r.year) from stg_ref_bieu03 as r)
    group by level_code, type_code, role_code
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
    on
        p.level_code = l.level_code
        and p.type_code is not distinct from l.type_code
        and p.role_code = l.role_code
        and p.measure = l.measure
where p.published is not null
