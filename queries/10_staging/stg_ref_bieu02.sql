-- Staging: published Biểu 02, qualifications of secretaries, deputies and committee members (2025).
-- Grain: level_code × type_code (null when not broken down) × role_code.
select
    level_code,
    type_code,
    role_code,
    total,
    professional_post_graduate,
    professional_university,
    professional_college,
    professional_intermediate,
    professional_none,
    political_theory_advanced,
    political_theory_intermediate,
    political_theory_none,
    party_training_trained,
    party_training_not_trained,
    it_proficient,
    it_basic,
    it_none,
    branch_count,
    tt_source
from read_parquet('ref_bieu02.parquet')
