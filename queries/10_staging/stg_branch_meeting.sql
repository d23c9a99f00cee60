-- Staging: a branch's meetings in one year, the year's totals from its minute book (sheet «Sinh hoạt chi bộ»,
-- from the 2026 return; a 2025 baseline may have it). A null is «not reported», never 0.
-- q_level1 … q_level6: meetings by the province's rating levels, highest first (etl/criteria.py); q_good: those
-- of the levels that count as «tốt trở lên».
-- Grain: year × unit_code × branch_code.
select
    year::integer as year,
    branch_code,
    unit_code,
    months_due,
    regular_held,
    on_fixed_day,
    thematic_quarters,
    forums,
    att_present,
    att_excused,
    att_unexcused,
    q_scored,
    q_level1,
    q_level2,
    q_level3,
    q_level4,
    q_level5,
    q_level6,
    q_good,
    res_assigned,
    members_assigned,
    bulletin_meetings,
    higher_quarters,
    rules_year,
    term_docs,
    year_programme,
    procedure_ok,
    pilot,
    committee_key,
    load_id
from read_parquet('branch_meeting/*/*.parquet', hive_partitioning = true)
where year > 0
