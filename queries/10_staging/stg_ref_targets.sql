-- Staging: every quantitative target stated in the source documents (reference/targets.csv).
-- Grain: target_id.
select
    target_id,
    source_file,
    issuer,
    indicator as target_text,
    indicator_en,
    comparator,
    value::double as target_value,
    unit,
    deadline,
    scope,
    quote,
    deadline_basis,
    note
from read_parquet('ref_targets.parquet')
