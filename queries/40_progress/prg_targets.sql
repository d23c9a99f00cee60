-- Targets the data can measure, with their indicator, direction, comparable value and deadline, and whether the
-- target is stated as the complement of its indicator. A target linked to a measure of the committee-year (an id
-- starting «unit_», queries/indicators.toml [[unit_measure]]) is a per-unit target: each committee's count against
-- the value (prg_unit_targets), not a rate over branches (prg_progress).
-- A scoped target (`is_scoped`) applies to some units only (stg_ref_target_units: Bình Lư, the Khối, Hà Giang's
-- old communes) or counts some branch levels only (`levels`): its progress is over that scope (prg_target_series).
-- Grain: target_id.
with links as (
    select * from stg_ref_target_links
),

targets as (
    select * from stg_ref_targets
),

joined as (
    select
        l.target_id,
        l.indicator_id,
        l.subgroup,
        l.direction,
        coalesce(l.value_override, t.target_value) as target_value,
        -- A plain figure ("100%") is a floor when higher is better and a ceiling when lower is better.
        case when t.comparator = '=' then case when l.direction = 1 then '>=' else '<=' end else t.comparator end
            as comparator,
        l.deadline_year = 'annual' as is_annual,
        try_cast(l.deadline_year as integer) as deadline,
        l.applies,
        l.has_units,
        l.levels,
        l.has_units or l.levels is not null as is_scoped,
        starts_with(l.indicator_id, 'unit_') as is_unit_target,
        t.issuer,
        t.target_text,
        t.unit as target_unit,
        t.scope as target_scope,
        t.quote,
        l.note,
        -- A target stated as the share that has something («100% chi bộ xóm có ít nhất 3 đảng viên tại chỗ») and
        -- measured by the share that lacks it (small_branch ≤ 0%): shown in its own words and direction
        -- (dashboard.methods.stated), judged on the indicator.
        coalesce(
            t.unit = '%' and l.direction = -1 and t.comparator in ('=', '>=', '>')
            and t.target_value = 100 - l.value_override,
            false
        ) as stated_complement
    from links as l
    inner join targets as t on l.target_id = t.target_id
)

select * from joined
