-- The history no return was loaded for, from the published Biểu (data/provinces/<code>/reference/): every
-- indicator the tables give, as published for the whole province (Biểu 03 branch ratings and Biểu 07 member
-- ratings by year; Biểu 04 Internet and computers, and the communes' Biểu 05 and 06 summed, in the tables' year) or
-- for each commune (Biểu 05, 06), the documented corrections of contradictory cells applied (stg_ref_corrections,
-- as the Chất lượng dữ liệu page shows them). Only where returns do not exist: a year without any return for the
-- province, a year without that unit's return for a commune. `source` names the table.
-- Grain: indicator_id × subgroup × scope_kind × scope_code × year.
with corrections as (
    select
        c.bieu,
        c.year,
        c.column_name as measure,
        c.sample as corrected,
        lv.code as level_code,
        p.unit_code
    from stg_ref_corrections as c
    left join stg_codes as lv on lv.domain = 'level' and lower(lv.label) = lower(c.level)
    left join stg_ref_bieu05 as p on c.commune = p.published_name
),

tables_year as (
    -- the year of the tables without a year column (the latest year of Biểu 03, which lists every year)
    select max(year) as year from stg_ref_bieu03
),

branch_published as (
    unpivot stg_ref_bieu03
    on rated, excellent, good, not_completed
    into name measure value published
),

member_published as (
    unpivot stg_ref_bieu07
    on rated, good_or_better, excellent, not_completed
    into name measure value published
),

head_published as (
    unpivot (select * exclude (published_name) from stg_ref_bieu06)
    on columns(* exclude (unit_code))
    into name measure value published
),

branch_cells as (
    select
        b.year,
        b.measure,
        coalesce(k.corrected, b.published) as value
    from branch_published as b
    left join corrections as k
        on k.bieu = 'bieu03' and b.year = k.year and b.level_code = k.level_code and b.measure = k.measure
),

member_cells as (
    select
        m.year,
        m.measure,
        coalesce(k.corrected, m.published) as value
    from member_published as m
    left join corrections as k on k.bieu = 'bieu07' and m.year = k.year and m.measure = k.measure
),

head_cells as (
    select
        h.unit_code,
        h.measure,
        coalesce(k.corrected, h.published) as value
    from head_published as h
    left join corrections as k on k.bieu = 'bieu06' and h.unit_code = k.unit_code and h.measure = k.measure
),

ratings as (
    select
        'branch' as prefix,
        'Biểu 03' as source,
        year,
        sum(value) filter (where measure = 'rated') as rated,
        sum(value) filter (where measure in ('excellent', 'good')) as good,
        sum(value) filter (where measure = 'excellent') as excellent,
        sum(value) filter (where measure = 'not_completed') as failed
    from branch_cells
    group by year
    union all
    select
        'member' as prefix,
        'Biểu 07' as source,
        year,
        sum(value) filter (where measure = 'rated') as rated,
        sum(value) filter (where measure = 'good_or_better') as good,
        sum(value) filter (where measure = 'excellent') as excellent,
        sum(value) filter (where measure = 'not_completed') as failed
    from member_cells
    group by year
),

rating_kinds as (
    select unnest(['good', 'excellent', 'failed']) as kind
),

rating_points as (
    select
        r.prefix || '_' || x.kind as indicator_id,
        r.source,
        r.year,
        case x.kind when 'good' then r.good when 'excellent' then r.excellent else r.failed end as numerator,
        r.rated as denominator
    from ratings as r
    cross join rating_kinds as x
),

infrastructure as (
    select
        sum(total) as total,
        sum(internet_none) as internet_none,
        sum(internet_unstable) as internet_unstable,
        sum(no_computer) as no_computer
    from stg_ref_bieu04
),

infrastructure_kinds as (
    select unnest(['internet_none', 'internet_unstable', 'computer_none']) as indicator_id
),

infrastructure_points as (
    select
        x.indicator_id,
        'Biểu 04' as source,
        y.year,
        case x.indicator_id
            when 'internet_none' then i.internet_none
            when 'internet_unstable' then i.internet_unstable
            else i.no_computer
        end as numerator,
        i.total as denominator
    from infrastructure as i
    cross join tables_year as y
    cross join infrastructure_kinds as x
    where i.total > 0
),

head_roles as (
    select
        code,
        published_key
    from stg_codes
    where domain = 'head_role'
),

head_points as (
    -- each village head: members / (members + non-members), as ind_heads_member counts them
    select
        'heads_member' as indicator_id,
        r.code as subgroup,
        'Biểu 06' as source,
        c.unit_code,
        sum(c.value) filter (where c.measure = r.published_key || '_member') as numerator,
        sum(c.value) filter (where c.measure in (r.published_key || '_member', r.published_key || '_non_member'))
            as denominator
    from head_cells as c
    cross join head_roles as r
    group by r.code, c.unit_code
    union all
    select
        'small_branch' as indicator_id,
        null as subgroup,
        'Biểu 06' as source,
        unit_code,
        sum(value) filter (where measure = 'under_3_members') as numerator,
        sum(value) filter (where measure = 'village_branches') as denominator
    from head_cells
    group by unit_code
),

posts as (
    select unnest(['truong_xom', 'truong_ban_ctmt', 'khac']) as subgroup
),

secretary_points as (
    select
        'village_secretary_post' as indicator_id,
        x.subgroup,
        'Biểu 05' as source,
        s.unit_code,
        case x.subgroup
            when 'truong_xom' then s.sec_also_village_head
            when 'truong_ban_ctmt' then s.sec_also_front_head
            else s.sec_other_roles
        end as numerator,
        s.village_branches as denominator
    from stg_ref_bieu05 as s
    cross join posts as x
),

commune_points as (
    select * from head_points
    union all
    select * from secretary_points
),

unit_points as (
    select
        p.indicator_id,
        p.subgroup,
        p.source,
        p.unit_code,
        y.year,
        p.numerator,
        p.denominator
    from commune_points as p
    cross join tables_year as y
    where p.unit_code is not null and p.denominator is not null
),

province_tables as (
    select * from rating_points
    union all
    select * from infrastructure_points
),

province_points as (
    select
        indicator_id,
        null::varchar as subgroup,
        source,
        year,
        numerator,
        denominator
    from province_tables
    union all
    select
        indicator_id,
        subgroup,
        source,
        year,
        sum(numerator) as numerator,
        sum(denominator) as denominator
    from unit_points
    group by indicator_id, subgroup, source, year
),

returned as (
    select distinct
        year,
        unit_code
    from stg_returns
),

published as (
    select
        p.indicator_id,
        p.subgroup,
        'province' as scope_kind,
        'province' as scope_code,
        p.year,
        p.numerator,
        p.denominator,
        p.source
    from province_points as p
    anti join returned as r on p.year = r.year
    union all
    select
        p.indicator_id,
        p.subgroup,
        'unit' as scope_kind,
        p.unit_code as scope_code,
        p.year,
        p.numerator,
        p.denominator,
        p.source
    from unit_points as p
    anti join returned as r on p.year = r.year and p.unit_code = r.unit_code
)

select
    indicator_id,
    subgroup,
    scope_kind,
    scope_code,
    year,
    numerator::bigint as numerator,
    denominator::bigint as denominator,
    source
from published
where denominator is not null
