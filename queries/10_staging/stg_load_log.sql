-- Staging: every load attempt, also refused and interrupted ones (append-only log beside the snapshots).
-- Grain: load_id.
select
    load_id,
    started_at,
    finished_at,
    "user" as loaded_by,
    status,
    files,
    file_count,
    errors,
    warnings,
    sha256,
    snapshot
from read_parquet('log/loads/*.parquet', union_by_name = true)
