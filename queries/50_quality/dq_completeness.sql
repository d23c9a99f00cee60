-- Completeness of the returns: for every unit and year, whether a return was loaded, how many branches it
-- lists against the previous year, and whether its committee and village-head sheets were filled in.
-- Grain: unit_code × year.
with report_years as (select distinct year from stg_returns),

unit_years as (
    select
        u.unit_code,
        u.unit_name,
        u.is_commune,
        y.year
    from stg_units as u
    cross join report_years as y
),

returned as (
    select
        year,
        unit_code,
        count(*) as returns,
        -- bigint, not hugeint: the stored table is Parquet (etl/views.py)
        sum(branches)::bigint as branches,
        sum(committee_members)::bigint as committee_members,
        sum(village_heads)::bigint as village_heads,
        bool_or(sheets like '%committee%') as has_committee_sheet,
        bool_or(sheets like '%heads%') as has_heads_sheet
    from stg_returns
    group by year, unit_code
),

villages as (
    select
        year,
        unit_code,
        count(*) filter (where is_village) as village_branches
    from int_branch_year
    group by year, unit_code
),

joined as (
    select
        uy.unit_code,
        uy.unit_name,
        uy.is_commune,
        uy.year,
        coalesce(r.returns, 0) > 0 as reported,
        coalesce(r.branches, 0) as branches,
        lag(coalesce(r.branches, 0)) over (partition by uy.unit_code order by uy.year) as branches_previous_year,
        coalesce(r.committee_members, 0) as committee_members,
        coalesce(v.village_branches, 0) as village_branches,
        coalesce(r.village_heads, 0) as village_heads,
        coalesce(r.has_committee_sheet, false) as has_committee_sheet,
        coalesce(r.has_heads_sheet, false) as has_heads_sheet
    from unit_years as uy
    left join returned as r on uy.unit_code = r.unit_code and uy.year = r.year
    left join villages as v on uy.unit_code = v.unit_code and uy.year = v.year
)

select
    *,
    case
        when not reported then 'missing'
        when branches_previous_year > 0 and branches < 0.9 * branches_previous_year then 'fewer_branches'
        -- a committee sheet left empty tells as little as a missing one
        when
            not has_committee_sheet or committee_members = 0
            or (village_branches > 0 and village_heads < village_branches)
            then 'partial'
        else 'complete'
    end as status
from joined
