-- Staging: members of branch committees (bí thư, phó bí thư, chi uỷ viên), anonymous (sheet «Cấp uỷ»).
-- Grain: year × unit_code × person_id (an anonymous id is its committee's own).
select
    year::integer as year,
    person_id,
    unit_code,
    branch_code,
    role,
    professional,
    theory,
    trained,
    training_year,
    it,
    also_village_head,
    also_front_head,
    also_other,
    committee_key,
    load_id
from read_parquet('committee_member/*/*.parquet', hive_partitioning = true)
where year > 0
