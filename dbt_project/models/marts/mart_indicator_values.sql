-- What dashboards read: one row per indicator, region and year on one Gebietsstand, with the
-- Land and parent-Kreis values beside it, the difference to the Land, the rank and z-score
-- among the Kreise (rank 1 = best by the indicator's polarity; neutral: highest first) and
-- the change against the previous year and five years before.
with fact as (
    select * from {{ ref('fct_indicator_value') }}
),

region as (
    select * from {{ ref('dim_region') }}
),

indicator as (
    select * from {{ ref('dim_indicator') }}
),

kreis_stats as (
    select
        f.indicator_id,
        f.period,
        {{ exact_mean("f.value") }} as kreis_mean,
        {{ exact_sd("f.value") }} as kreis_sd
    from fact as f
    inner join region as r on r.region_key = f.region_key and r.level = 'kreis'
    where f.value is not null
    group by f.indicator_id, f.period
),

ranked as (
    select
        f.indicator_id,
        f.region_key,
        f.period,
        rank() over (
            partition by f.indicator_id, f.period
            order by case when i.polarity = 'higher_is_worse' then f.value else -f.value end
        ) as rank_among_kreise
    from fact as f
    inner join region as r on r.region_key = f.region_key and r.level = 'kreis'
    inner join indicator as i on i.indicator_id = f.indicator_id
    where f.value is not null
),

-- the rows a Land or a parent Kreis is read from: joined on their own, not the whole fact
land_values as (
    select indicator_id, period, region_key, value from fact where length(region_key) = 2
),

kreis_values as (
    select f.indicator_id, f.period, f.region_key, f.value
    from fact as f
    where f.region_key in (select kreis_key from region)
),

-- the values one and five years earlier (one row per indicator, region and period: the frame
-- holds that year's row or none)
with_earlier as (
    select
        *,
        max(value) over (
            partition by indicator_id, region_key order by period
            range between 1 preceding and 1 preceding
        ) as value_1y_before,
        max(value) over (
            partition by indicator_id, region_key order by period
            range between 5 preceding and 5 preceding
        ) as value_5y_before
    from fact
)

select
    cast(f.indicator_id as varchar) as indicator_id,
    cast(f.region_key as varchar) as region_key,
    cast(r.name as varchar) as region_name,
    cast(r.level as varchar) as level,
    cast(f.period as integer) as period,
    cast(f.value as double) as value,
    cast(f.numerator as double) as numerator,
    cast(f.denominator as double) as denominator,
    cast(f.unit as varchar) as unit,
    cast(f.value_status as varchar) as value_status,
    cast(land.value as double) as land_value,
    cast(kreis.value as double) as kreis_value,
    cast(f.value - land.value as double) as difference_to_land,
    cast(rk.rank_among_kreise as integer) as rank_among_kreise,
    cast((f.value - s.kreis_mean) / nullif(s.kreis_sd, 0) as double) as z_score_among_kreise,
    cast(f.value - f.value_1y_before as double) as change_1y,
    cast(f.value - f.value_5y_before as double) as change_5y,
    cast(f.gebietsstand as date) as gebietsstand,
    cast(f.release as varchar) as release
from with_earlier as f
inner join region as r on r.region_key = f.region_key
left join land_values as land
    on land.indicator_id = f.indicator_id and land.period = f.period and land.region_key = left(f.region_key, 2)
left join kreis_values as kreis
    on kreis.indicator_id = f.indicator_id and kreis.period = f.period
    and kreis.region_key = r.kreis_key
left join ranked as rk
    on rk.indicator_id = f.indicator_id and rk.period = f.period and rk.region_key = f.region_key
left join kreis_stats as s
    on s.indicator_id = f.indicator_id and s.period = f.period and r.level = 'kreis'
-- stored as fct_indicator_value: one indicator's rows lie together, by period
order by f.indicator_id, f.period, f.region_key
