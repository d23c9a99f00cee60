-- What each branch lacks, for the list a commune acts on: no or unstable Internet, no computer, the e-handbook not
-- in use, a secretary not trained in party work, a village branch with fewer than 3 resident members.
-- Grain: year × unit_code × branch_code (every branch; `gaps` counts what it lacks).
with branches as (
    select * from int_branch_year
),

secretaries as (
    select
        year,
        unit_code,
        branch_code,
        bool_and(trained) as secretary_trained
    from int_committee_member
    where role = 'bi_thu'
    group by year, unit_code, branch_code
),

villages as (
    select
        year,
        unit_code,
        branch_code,
        is_small
    from int_village_branch
),

flagged as (
    select
        b.year,
        b.unit_code,
        b.branch_code,
        b.branch_name,
        b.level,
        b.branch_type,
        b.members,
        b.internet,
        b.internet = 'chua_co' as no_internet,
        b.internet = 'khong_on_dinh' as unstable_internet,
        not b.computer as no_computer,
        not b.ehandbook as no_ehandbook,
        -- a branch whose committee sheet lists no secretary counts as «not known», not as a gap
        s.secretary_trained is not null and not s.secretary_trained as secretary_untrained,
        coalesce(v.is_small, false) as small_village
    from branches as b
    left join secretaries as s
        on b.year = s.year and b.unit_code = s.unit_code and b.branch_code = s.branch_code
    left join villages as v
        on b.year = v.year and b.unit_code = v.unit_code and b.branch_code = v.branch_code
)

select
    *,
    no_internet::integer + unstable_internet::integer + no_computer::integer + no_ehandbook::integer
    + secretary_untrained::integer + small_village::integer as gaps
from flagged
