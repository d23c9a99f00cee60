-- Staging: the province's units (commune/ward party committees and province-affiliated committees).
-- Grain: unit_code.
select
    unit_code,
    unit_name,
    unit_full_name,
    unit_kind,
    is_commune,
    province_code,
    province_name,
    label_lat,
    label_lon,
    area_km2,
    population
from read_parquet('units.parquet')
