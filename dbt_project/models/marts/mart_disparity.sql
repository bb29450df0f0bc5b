-- Regional inequality between the Kreise, per indicator and year ("Abbau regionaler
-- Ungleichheiten" made measurable): min, max, max/min ratio, coefficient of variation,
-- population-weighted Gini, and the trend of the coefficient of variation (change against
-- the previous year and five years before; negative = the Kreise grow closer).
with kreis_value as (
    select f.indicator_id, f.period, f.region_key, f.value, p.value as population
    from {{ ref('fct_indicator_value') }} as f
    inner join {{ ref('dim_region') }} as r on r.region_key = f.region_key and r.level = 'kreis'
    inner join {{ ref('fct_indicator_value') }} as p
        on p.indicator_id = 'population' and p.region_key = f.region_key and p.period = f.period
    where f.value is not null
),

-- population-weighted Gini: sum_i sum_j w_i w_j |x_i - x_j| / (2 * W^2 * weighted mean).
-- The double sum without pairs: in value order, Kreis i differs from those up to it by
-- x_i * W_upto - S_upto and from those after it by (S - S_upto) - x_i * (W - W_upto), with W,
-- S the sums of w and w * x (ties differ by 0, so their order does not matter).
ranked as (
    select
        indicator_id,
        period,
        value,
        population,
        {{ exact_sum("population", "over upto") }} as w_upto,
        {{ exact_sum("population * value", "over upto") }} as s_upto,
        {{ exact_sum("population", "over whole") }} as w_all,
        {{ exact_sum("population * value", "over whole") }} as s_all
    from kreis_value
    window
        upto as (
            partition by indicator_id, period order by value, region_key
            rows between unbounded preceding and current row
        ),
        whole as (partition by indicator_id, period)
),

pairs as (
    select
        indicator_id,
        period,
        {{ exact_sum("population * (value * w_upto - s_upto + (s_all - s_upto) - value * (w_all - w_upto))") }}
            as weighted_abs_diff
    from ranked
    group by indicator_id, period
),

summary as (
    select
        indicator_id,
        period,
        count(*) as kreise,
        min(value) as min_value,
        max(value) as max_value,
        {{ exact_mean("value") }} as mean_value,
        {{ exact_sd("value") }} as sd_value,
        {{ exact_sum("population") }} as total_population,
        {{ exact_sum("population * value") }} / {{ exact_sum("population") }} as weighted_mean
    from kreis_value
    group by indicator_id, period
),

measures as (
    select
        s.*,
        s.sd_value / nullif(s.mean_value, 0) as coefficient_of_variation,
        p.weighted_abs_diff
            / nullif(2 * s.total_population * s.total_population * s.weighted_mean, 0) as gini
    from summary as s
    inner join pairs as p using (indicator_id, period)
)

select
    cast(m.indicator_id as varchar) as indicator_id,
    cast(m.period as integer) as period,
    cast(m.kreise as integer) as kreise,
    cast(m.min_value as double) as min_value,
    cast(m.max_value as double) as max_value,
    cast(m.max_value / nullif(m.min_value, 0) as double) as max_min_ratio,
    cast(m.coefficient_of_variation as double) as coefficient_of_variation,
    -- a Gini needs values that cannot be negative
    cast(case when m.min_value >= 0 then m.gini end as double) as gini_population_weighted,
    cast(m.coefficient_of_variation - prev1.coefficient_of_variation as double) as cv_change_1y,
    cast(m.coefficient_of_variation - prev5.coefficient_of_variation as double) as cv_change_5y
from measures as m
left join measures as prev1
    on prev1.indicator_id = m.indicator_id and prev1.period = m.period - 1
left join measures as prev5
    on prev5.indicator_id = m.indicator_id and prev5.period = m.period - 5
