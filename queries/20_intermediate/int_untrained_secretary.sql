-- The training roster: secretaries and deputies not yet trained in party work, with their branch's name (anonymous
-- person ids, no names). Stored with each snapshot (etl/views.py DERIVED): the join of 4.8 million committee rows
-- with their branches took ~0.6 s a call at national scale.
-- Grain: year × unit_code × branch_code × person_id (role bi_thu or pho_bi_thu).
select
    m.year,
    m.unit_code,
    m.branch_code,
    b.branch_name,
    m.level,
    m.branch_type,
    m.role,
    m.person_id,
    m.professional,
    m.theory,
    m.it
from int_committee_member as m
inner join int_branch_year as b
    on m.year = b.year and m.unit_code = b.unit_code and m.branch_code = b.branch_code
where m.role in ('bi_thu', 'pho_bi_thu') and not m.trained
