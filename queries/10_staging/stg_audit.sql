-- Staging: the audit log (log-ins, failed log-ins, exports, loads), append-only JSON lines beside the snapshots.
-- Grain: one event (time × event × user is not unique: two events can share a second).
-- A line torn by a write cut short (full disk, kill) is skipped here; etl.audit.damaged_lines counts them.
with lines as (
    select
        "time",
        event,
        "user",
        details
    from read_json(
        'log/audit/*.jsonl',
        format = 'newline_delimited',
        ignore_errors = true,
        columns = { "time": 'varchar', "event": 'varchar', "user": 'varchar', "details": 'varchar' }
    )
),

events as (
    select
        event,
        "user" as username,
        details,
        try_cast("time" as timestamp) as event_time
    from lines
    where try_cast("time" as timestamp) is not null and event is not null
)

select * from events
