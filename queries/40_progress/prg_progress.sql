-- Progress toward every measurable target, for the province, each unit and each branch type (docs/METHODS.md §1,
-- linear version): baseline, latest, gap, observed and required pace, ratio, projection, status, gap in units; and
-- which published tables gave points where no return was loaded (`published_source`, up to `published_until`).
-- Annual targets ("every year ≥ 90%") are judged against next year. Mirrors dashboard.methods.progress.
-- A scoped target (some units, some levels: prg_target_series) is followed over its scope — «province» is the whole
-- of its scope — and for each of its units and branch types within it.
-- Grain: target_id × scope_kind × scope_code.
with targets as (
    select * from prg_targets
    where not is_unit_target
),

series as (
    select * from prg_series
    where denominator > 0
),

points as (
    select
        t.target_id,
        s.scope_kind,
        s.scope_code,
        s.year,
        s.value,
        s.denominator,
        s.source
    from targets as t
    inner join series as s
        on t.indicator_id = s.indicator_id and t.subgroup is not distinct from s.subgroup
    where not t.is_scoped
    union all
    select
        s.target_id,
        s.scope_kind,
        s.scope_code,
        s.year,
        s.value,
        s.denominator,
        null::varchar as source  -- a scoped target follows the loaded returns of its scope only
    from prg_target_series as s
    where s.denominator > 0
),

means as (
    select
        target_id,
        scope_kind,
        scope_code,
        sum(year) / count(*) as year_mean,
        sum(value order by year) / count(*) as value_mean
    from points
    group by target_id, scope_kind, scope_code
),

-- The OLS slope from centred sums in year order, as methods.ols_slope computes it: regr_slope's one-pass
-- formula leaves float noise (−1.5e-14 for a flat series) whose sign would turn «limited» into «deteriorating».
centred as (
    select
        p.*,
        p.year - m.year_mean as year_dev,
        p.value - m.value_mean as value_dev
    from points as p
    inner join means as m
        on p.target_id = m.target_id and p.scope_kind = m.scope_kind and p.scope_code = m.scope_code
),

summarised as (
    select
        target_id,
        scope_kind,
        scope_code,
        min(year) as baseline_year,
        arg_min(value, year) as baseline,
        -- the published tables among the points (null: every point from the loaded returns)
        string_agg(distinct source, ', ' order by source) as published_source,
        max(year) filter (where source is not null) as published_until,
        max(year) as latest_year,
        arg_max(value, year) as latest,
        arg_max(denominator, year) as latest_denominator,
        count(*) as years_with_data,
        sum(year_dev * value_dev order by year) / nullif(sum(year_dev * year_dev order by year), 0)
            as observed_pace
    from centred
    group by target_id, scope_kind, scope_code
),

with_target as (
    select
        s.*,
        t.indicator_id,
        t.subgroup,
        t.direction,
        t.target_value,
        t.comparator,
        t.is_annual,
        t.applies,
        t.is_scoped,
        case when t.is_annual then s.latest_year + 1 else t.deadline end as deadline,
        case t.comparator
            when '>=' then s.latest >= t.target_value - 1e-9
            when '>' then s.latest > t.target_value + 1e-9
            when '<=' then s.latest <= t.target_value + 1e-9
            when '<' then s.latest < t.target_value - 1e-9
        end as met
    from summarised as s
    inner join targets as t on s.target_id = t.target_id
),

paces as (
    select
        *,
        greatest(0, direction * (target_value - latest)) as gap,
        case when deadline > latest_year then (target_value - latest) / (deadline - latest_year) end as required_pace
    from with_target
),

ratios as (
    select
        *,
        case
            when observed_pace is not null and direction * required_pace > 0
                then (direction * observed_pace) / (direction * required_pace)
        end as ratio
    from paces
),

judged as (
    select
        *,
        case
            when met then 'achieved'
            when years_with_data < 2 then 'insufficient_data'
            -- The thresholds of docs/METHODS.md §1, equal to dashboard/methods.py's ON_TRACK_RATIO and
            -- ACCELERATE_RATIO (the texts say them from there; tests/test_one_home.py holds the two equal).
            when ratio >= 0.95 then 'on_track'
            when ratio >= 0.60 then 'needs_acceleration'
            when ratio >= 0 then 'limited_progress'
            when ratio < 0 then 'deteriorating'
            when observed_pace is null then 'insufficient_data'
            -- No ratio although not met: the deadline has passed, or a strict target sits at the latest value.
            when deadline <= latest_year
                then
                    case when direction * observed_pace < 0 then 'deteriorating' else 'limited_progress' end
            when direction * observed_pace > 0 then 'on_track'
            when direction * observed_pace < 0 then 'deteriorating'
            else 'limited_progress'
        end as status,
        case
            when observed_pace is not null and deadline >= latest_year
                then least(100, greatest(0, latest + observed_pace * (deadline - latest_year)))
        end as projection,
        -- a strict target («trên 95%») needs the smallest count that passes it: at exactly 95%, one more
        case
            when comparator not in ('>', '<')
                then greatest(0, ceil(round(direction * (target_value - latest) / 100 * latest_denominator, 9)))
            when round(direction * (target_value - latest) / 100 * latest_denominator, 9) >= 0
                then floor(round(direction * (target_value - latest) / 100 * latest_denominator, 9)) + 1
            else 0
        end::bigint as gap_units
    from ratios
)

select * from judged
