-- Goal monitoring: for every planning goal (data_contracts/goals/goals.yml) the baseline value, the
-- latest value, where the straight path from baseline to target stands in the latest year,
-- and the status: reached, on track (at least as good as the path), off track. "Good" follows
-- the indicator's polarity; a neutral indicator counts as reached within 1 % of the target.
-- Planners read status_de, the German label.
with goal as (
    select * from {{ ref('goals') }}
),

fact as (
    select * from {{ ref('fct_indicator_value') }} where value is not null
),

latest as (
    select indicator_id, region_key, max(period) as latest_year
    from fact
    group by indicator_id, region_key
),

evaluated as (
    select
        g.*,
        i.polarity,
        i.unit,
        b.value as baseline_value,
        l.latest_year,
        v.value as latest_value,
        b.value + (g.target - b.value)
            * least(1.0, (l.latest_year - g.baseline_year) / (g.target_year - g.baseline_year))
            as path_value
    from goal as g
    inner join {{ ref('dim_indicator') }} as i on i.indicator_id = g.indicator_id
    left join fact as b
        on b.indicator_id = g.indicator_id and b.region_key = g.region_key
        and b.period = g.baseline_year
    left join latest as l on l.indicator_id = g.indicator_id and l.region_key = g.region_key
    left join fact as v
        on v.indicator_id = g.indicator_id and v.region_key = g.region_key
        and v.period = l.latest_year
),

monitored as (
    select
        cast(region_key as varchar) as region_key,
        cast(indicator_id as varchar) as indicator_id,
        cast(note as varchar) as note,
        cast(unit as varchar) as unit,
        cast(baseline_year as integer) as baseline_year,
        cast(baseline_value as double) as baseline_value,
        cast(target_year as integer) as target_year,
        cast(target as double) as target_value,
        cast(latest_year as integer) as latest_year,
        cast(latest_value as double) as latest_value,
        cast(path_value as double) as path_value,
        cast(case
            when latest_value is null or baseline_value is null then 'no data'
            when polarity = 'higher_is_better' and latest_value >= target then 'reached'
            when polarity = 'higher_is_worse' and latest_value <= target then 'reached'
            when polarity = 'neutral' and abs(latest_value - target) <= 0.01 * abs(target) then 'reached'
            when polarity = 'higher_is_better' and latest_value >= path_value then 'on track'
            when polarity = 'higher_is_worse' and latest_value <= path_value then 'on track'
            when polarity = 'neutral'
                and abs(latest_value - target) <= abs(path_value - target) then 'on track'
            else 'off track'
        end as varchar) as status
    from evaluated
)

-- the German label beside the English code (seeds/label_de.csv)
select
    m.*,
    cast({{ label_de('goal_status', 'm.status') }} as varchar) as status_de
from monitored as m
