-- Reconciliation with the published Biểu 04: Internet and computers in the latest year by level × type.
-- Grain: level_code × type_code × measure.
with loaded_wide as (
    select
        level as level_code,
        case when level = 'tt_bo_phan' then null else branch_type end as type_code,
        count(*) as total,
        count(*) filter (where internet = 'on_dinh') as internet_stable,
        count(*) filter (where internet = 'khong_on_dinh') as internet_unstable,
        count(*) filter (where internet = 'chua_co') as internet_none,
        count(*) filter (where computer) as has_computer,
        count(*) filter (where not computer) as no_computer
    from int_branch_year
    where year = (select max(year) from stg_ref_bieu03)
    group by all
),

published as (
    unpivot stg_ref_bieu04
    on total, internet_stable, internet_unstable, internet_none, has_computer, no_computer
    into name measure value published
),

loaded as (
    unpivot loaded_wide
    on total, internet_stable, internet_unstable, internet_none, has_computer, no_computer
    into name measure value loaded
)

select
    'bieu04' as bieu,
    p.level_code,
    p.type_code,
    p.measure,
    p.published,
    coalesce(l.loaded, 0) as loaded,
    coalesce(l.loaded, 0) - p.published as difference
from published as p
left join loaded as l
    on p.level_code = l.level_code and p.type_code is not distinct from l.type_code and p.measure = l.measure
