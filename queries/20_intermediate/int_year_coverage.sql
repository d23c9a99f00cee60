-- How complete each year's data is: the units expected to report (every unit of the province's configuration)
-- against the units whose return is loaded (int_unit_reported). A year is complete when at least `complete_share`
-- (95%) of the units reported: only a complete year speaks for the province (its headline, trends and progress);
-- an incomplete one is shown with its count («1/60 đơn vị»), never as the province's year. The share is stated here
-- and nowhere else (dashboard/data.py reads it from this view for a selection of units).
-- Grain: year.
with rule as (
    select 0.95 as complete_share
),

counts as (
    select
        year,
        count(*) as units_expected,
        count(*) filter (where reported) as units_reported
    from int_unit_reported
    group by year
),

coverage as (
    select
        c.year,
        c.units_expected,
        c.units_reported,
        k.complete_share,
        c.units_reported >= k.complete_share * c.units_expected as is_complete
    from counts as c
    cross join rule as k
)

select * from coverage
