-- Staging: why a target of the source documents cannot be measured from the annual return (target_unmeasured.csv
-- of the province): the targets neither linked to an indicator nor to a per-unit measure.
-- Grain: target_id.
select
    target_id,
    reason
from read_parquet('ref_target_unmeasured.parquet')
