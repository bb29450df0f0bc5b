-- The catalogue's plausibility rules (data_contracts/indicators/*.yml): every value inside its
-- plausible range, and no Kreis or Land value changing from one year to the next by more
-- than the largest plausible change (in points, or in percent of the previous value).
with value as (
    select f.*, i.plausible_min, i.plausible_max, i.max_yoy_change, i.max_yoy_change_kind
    from {{ ref('fct_indicator_value') }} as f
    inner join {{ ref('dim_indicator') }} as i using (indicator_id)
    where f.value is not null
),

out_of_range as (
    select
        'outside the plausible range' as problem,
        indicator_id, region_key, period, value,
        plausible_min as limit_low, plausible_max as limit_high
    from value
    where value < plausible_min or value > plausible_max
),

jumps as (
    select
        'change from the previous year too large' as problem,
        v.indicator_id, v.region_key, v.period, v.value,
        p.value as limit_low, v.max_yoy_change as limit_high
    from value as v
    inner join value as p
        on p.indicator_id = v.indicator_id and p.region_key = v.region_key
        and p.period = v.period - 1
    where length(v.region_key) <= 5
        and case v.max_yoy_change_kind
            when 'points' then abs(v.value - p.value) > v.max_yoy_change
            else abs(v.value - p.value) > v.max_yoy_change / 100 * abs(p.value)
        end
)

select * from out_of_range
union all
select * from jumps
