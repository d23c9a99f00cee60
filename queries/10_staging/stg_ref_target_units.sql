-- Staging: the units a target applies to, for the targets whose link names them (target_links.csv «units», expanded
-- by etl/reference.py: unit codes, or the units that came from an old province through the crosswalk). A target
-- with no row applies to every unit of the deployment.
-- Grain: target_id × unit_code.
select
    target_id,
    unit_code
from read_parquet('ref_target_units.parquet')
