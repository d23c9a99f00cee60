-- Whether each unit expected to report (every unit of the province's configuration) has a return loaded, for every
-- year with any return: what a year's coverage counts (int_year_coverage for the province, dashboard/data.py
-- `coverage` for a selection of units).
-- Grain: year × unit_code.
with report_years as (
    select distinct year from stg_returns
),

returned as (
    select distinct
        year,
        unit_code
    from stg_returns
)

select
    y.year,
    u.unit_code,
    r.unit_code is not null as reported
from report_years as y
cross join stg_units as u
left join returned as r on y.year = r.year and u.unit_code = r.unit_code
