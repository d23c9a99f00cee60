-- Figures stated in the prose of the source documents whose percentage can be recomputed (value / denominator):
-- where the printed percentage is not the rounded ratio, the document contradicts itself.
-- Grain: fact_id.
with facts as (
    select * from stg_ref_facts
    where denominator > 0 and pct_stated is not null and unit <> '%'
),

checked as (
    select
        fact_id,
        source_file,
        subject,
        value,
        denominator,
        pct_stated,
        round(value / denominator * 100, 2) as pct_computed,
        value / denominator * 100 as pct_exact,
        quote,
        note
    from facts
)

select
    * exclude (pct_exact),
    -- The printed percentage keeps one or two decimals: it is consistent if it is the ratio rounded either way.
    abs(pct_stated - round(pct_exact, 2)) > 1e-6 and abs(pct_stated - round(pct_exact, 1)) > 1e-6 as inconsistent
from checked
