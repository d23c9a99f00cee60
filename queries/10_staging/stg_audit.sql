-- Staging: the audit log (log-ins, failed log-ins, exports, loads), append-only JSON lines beside the snapshots.
-- Grain: one event (time × event × user is not unique: two events can share a second).
select
    "time"::timestamp as event_time,
    event,
    "user" as username,
    details
from read_json(
    'log/audit/*.jsonl',
    format = 'newline_delimited',
    columns = { "time": 'varchar', "event": 'varchar', "user": 'varchar', "details": 'varchar' }
)
