-- Load history: every load attempt (loaded, refused, interrupted) with its files and number of findings.
-- Grain: load_id.
select
    load_id,
    started_at,
    finished_at,
    loaded_by,
    status,
    file_count,
    files,
    errors,
    warnings,
    snapshot
from stg_load_log
order by finished_at desc
