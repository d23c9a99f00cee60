-- Indicator: regular meetings held on the province's uniform meeting day / regular meetings held (document 002:
-- «thống nhất thực hiện sinh hoạt chi bộ toàn Đảng bộ tỉnh vào ngày 03 hằng tháng»). Only a province that fixes a
-- day (province.toml [meetings] day) asks for it; a branch that did not report it has no row.
-- Grain: year × branch_code. Unit: % (numerator / denominator, re-aggregated as sum / sum).
with meetings as (
    select * from int_branch_meeting
),

counted as (
    select
        year,
        unit_code,
        branch_code,
        level,
        branch_type,
        null::varchar as subgroup,
        on_fixed_day as numerator,
        regular_held as denominator
    from meetings
    where on_fixed_day is not null
)

select
    *,
    numerator / nullif(denominator, 0) * 100 as value
from counted
