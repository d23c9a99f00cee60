-- Staging: figures stated in the prose of the source documents (reference/facts.csv).
-- Grain: fact_id.
select
    fact_id,
    source_file,
    subject,
    value,
    denominator,
    unit,
    as_of,
    quote,
    pct_stated,
    qualifier,
    note
from read_parquet('ref_facts.parquet')
