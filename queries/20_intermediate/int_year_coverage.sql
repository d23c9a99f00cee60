-- How complete each year's data is: the units expected to report (every unit of the province's configuration)
-- against the units whose return is loaded. A year is complete when at least `complete_share` (95%) of the units
-- reported: only a complete year speaks for the province (its headline, trends and progress); an incomplete one is
-- shown with its count («1/60 đơn vị»), never as the province's year. The share is stated here and nowhere else
-- (dashboard/data.py reads it from this view for a selection of units).
-- Grain: year.
with rule as (
    select 0.95 as complete_share
),

expected as (
    select count(*) as units_expected from stg_units
),

reported as (
    select
        year,
        count(distinct unit_code) as units_reported
    from stg_returns
    group by year
),

coverage as (
    select
        r.year,
        e.units_expected,
        r.units_reported,
        k.complete_share,
        r.units_reported >= k.complete_share * e.units_expected as is_complete
    from reported as r
    cross join expected as e
    cross join rule as k
)

select * from coverage
