-- Each return of the current data with the errors and warnings its file got in the load that wrote it: what a
-- commune's own load history counts (dashboard/data.py `load_history`, which sums them over its own returns).
-- Grain: year × committee_key.
with findings as (
    select
        load_id,
        file,
        count(*) filter (where severity = 'error') as errors,
        count(*) filter (where severity <> 'error') as warnings
    from stg_load_findings
    group by load_id, file
)

select
    r.year,
    r.committee_key,
    r.unit_code,
    r.load_id,
    r.file_name,
    coalesce(f.errors, 0) as errors,
    coalesce(f.warnings, 0) as warnings
from stg_returns as r
left join findings as f on r.load_id = f.load_id and r.file_name = f.file
