-- Social index per small area and year, after Berlin's Monitoring Soziale Stadtentwicklung
-- (method: see _social_index.yml). Areas: Sozialräume (and Gemeinden, once a source delivers
-- the numerators below the Kreis); compared only with the areas of the same city (Gemeinde
-- of the Sozialraum; Kreis of the Gemeinde) and year.
with measures as (
    select region_key, level, period, measure_id, value, value_status
    from {{ ref('int_measure') }}
    where level in ('sozialraum', 'gemeinde')
        and measure_id in (
            'pop_total', 'pop_u15', 'pop_15_64', 'unemployed', 'unemployed_long_term',
            'sgb2_lb', 'sgb2_lb_u15'
        )
),

wide as (
    select
        region_key,
        level,
        period,
        case level
            when 'sozialraum' then split_part(region_key, '-', 1)
            else left(region_key, 5)
        end as city_key,
        max(value) filter (where measure_id = 'pop_total') as population,
        max(value) filter (where measure_id = 'pop_u15') as pop_u15,
        max(value) filter (where measure_id = 'pop_15_64') as pop_15_64,
        max(value) filter (where measure_id = 'unemployed') as unemployed,
        max(value) filter (where measure_id = 'unemployed_long_term') as unemployed_long_term,
        max(value) filter (where measure_id = 'sgb2_lb') as sgb2_lb,
        max(value) filter (where measure_id = 'sgb2_lb_u15') as sgb2_lb_u15,
        count(value_status) > 0 as any_suppressed
    from measures
    group by all
    -- only areas for which a numerator of the index was delivered at all
    having count(*) filter (
        where measure_id in ('unemployed', 'unemployed_long_term', 'sgb2_lb', 'sgb2_lb_u15')
    ) > 0
),

shares as (
    select
        *,
        100.0 * unemployed / nullif(pop_15_64, 0) as unemployment_share,
        100.0 * unemployed_long_term / nullif(pop_15_64, 0) as long_term_unemployment_share,
        100.0 * sgb2_lb / nullif(population, 0) as transfer_share,
        100.0 * sgb2_lb_u15 / nullif(pop_u15, 0) as child_poverty_share
    from wide
),

eligible as (
    select
        *,
        case
            when population is null then 'population missing'
            when population < 300 then 'under 300 inhabitants'
            when unemployment_share is null
                or long_term_unemployment_share is null
                or transfer_share is null
                or child_poverty_share is null
                then 'suppressed or missing count'
        end as exclusion_reason
    from shares
),

status_z as (
    -- the mean and standard deviation are those of the classified areas only
    select
        *,
        case when exclusion_reason is null then
            (unemployment_share - {{ exact_mean("u_in", "over w") }}) / nullif({{ exact_sd("u_in", "over w") }}, 0)
        end as z_unemployment,
        case when exclusion_reason is null then
            (long_term_unemployment_share - {{ exact_mean("l_in", "over w") }})
            / nullif({{ exact_sd("l_in", "over w") }}, 0)
        end as z_long_term_unemployment,
        case when exclusion_reason is null then
            (transfer_share - {{ exact_mean("t_in", "over w") }}) / nullif({{ exact_sd("t_in", "over w") }}, 0)
        end as z_transfer,
        case when exclusion_reason is null then
            (child_poverty_share - {{ exact_mean("c_in", "over w") }}) / nullif({{ exact_sd("c_in", "over w") }}, 0)
        end as z_child_poverty
    from (
        select
            *,
            case when exclusion_reason is null then unemployment_share end as u_in,
            case when exclusion_reason is null then long_term_unemployment_share end as l_in,
            case when exclusion_reason is null then transfer_share end as t_in,
            case when exclusion_reason is null then child_poverty_share end as c_in
        from eligible
    )
    window w as (partition by city_key, level, period)
),

changes as (
    -- change of each share over two years (percentage points); both years classified
    select
        now.region_key,
        now.period,
        now.unemployment_share - before.unemployment_share as unemployment_change,
        now.long_term_unemployment_share - before.long_term_unemployment_share
            as long_term_unemployment_change,
        now.transfer_share - before.transfer_share as transfer_change,
        now.child_poverty_share - before.child_poverty_share as child_poverty_change,
        now.city_key,
        now.level
    from eligible as now
    inner join eligible as before
        on before.region_key = now.region_key and before.period = now.period - 2
    where now.exclusion_reason is null and before.exclusion_reason is null
),

dynamics_z as (
    select
        region_key,
        period,
        unemployment_change,
        long_term_unemployment_change,
        transfer_change,
        child_poverty_change,
        (unemployment_change - {{ exact_mean("unemployment_change", "over w") }})
        / nullif({{ exact_sd("unemployment_change", "over w") }}, 0) as dz_unemployment,
        (long_term_unemployment_change - {{ exact_mean("long_term_unemployment_change", "over w") }})
        / nullif({{ exact_sd("long_term_unemployment_change", "over w") }}, 0)
            as dz_long_term_unemployment,
        (transfer_change - {{ exact_mean("transfer_change", "over w") }})
        / nullif({{ exact_sd("transfer_change", "over w") }}, 0) as dz_transfer,
        (child_poverty_change - {{ exact_mean("child_poverty_change", "over w") }})
        / nullif({{ exact_sd("child_poverty_change", "over w") }}, 0) as dz_child_poverty
    from changes
    window w as (partition by city_key, level, period)
),

indexed as (
    select
        s.*,
        (s.z_unemployment + s.z_long_term_unemployment + s.z_transfer + s.z_child_poverty) / 4
            as status_index,
        d.unemployment_change,
        d.long_term_unemployment_change,
        d.transfer_change,
        d.child_poverty_change,
        (d.dz_unemployment + d.dz_long_term_unemployment + d.dz_transfer + d.dz_child_poverty)
        / 4 as dynamics_index
    from status_z as s
    left join dynamics_z as d on d.region_key = s.region_key and d.period = s.period
),

names as (
    select region_key, region_name as name from {{ ref('int_region_names') }}
),

classified as (
    select
        cast(i.region_key as varchar) as region_key,
        cast(n.name as varchar) as region_name,
        cast(i.level as varchar) as level,
        cast(i.city_key as varchar) as city_key,
        cast(i.period as integer) as period,
        cast(i.population as double) as population,
        cast(i.unemployment_share as double) as unemployment_share,
        cast(i.long_term_unemployment_share as double) as long_term_unemployment_share,
        cast(i.transfer_share as double) as transfer_share,
        cast(i.child_poverty_share as double) as child_poverty_share,
        cast(i.z_unemployment as double) as z_unemployment,
        cast(i.z_long_term_unemployment as double) as z_long_term_unemployment,
        cast(i.z_transfer as double) as z_transfer,
        cast(i.z_child_poverty as double) as z_child_poverty,
        cast(i.status_index as double) as status_index,
        cast(
            case
                when i.status_index is null then 'not classified'
                when i.status_index < -1 then 'high'
                when i.status_index <= 1 then 'medium'
                when i.status_index <= 1.5 then 'low'
                else 'very low'
            end as varchar
        ) as status_class,
        cast(i.unemployment_change as double) as unemployment_change,
        cast(i.long_term_unemployment_change as double) as long_term_unemployment_change,
        cast(i.transfer_change as double) as transfer_change,
        cast(i.child_poverty_change as double) as child_poverty_change,
        cast(i.dynamics_index as double) as dynamics_index,
        cast(
            case
                when i.dynamics_index is null then 'not classified'
                when i.dynamics_index < -1 then 'positive'
                when i.dynamics_index <= 1 then 'stable'
                else 'negative'
            end as varchar
        ) as dynamics_class,
        cast(
            coalesce(
                i.exclusion_reason,
                case when i.status_index is null then 'no spread among the areas' end
            ) as varchar
        ) as exclusion_reason
    from indexed as i
    left join names as n on n.region_key = i.region_key
)

-- the German labels beside the English codes (seeds/label_de.csv)
select
    region_key, region_name, level, city_key, period, population,
    unemployment_share, long_term_unemployment_share, transfer_share, child_poverty_share,
    z_unemployment, z_long_term_unemployment, z_transfer, z_child_poverty,
    status_index,
    status_class,
    cast({{ label_de('status_class', 'c.status_class') }} as varchar) as status_class_de,
    unemployment_change, long_term_unemployment_change, transfer_change, child_poverty_change,
    dynamics_index,
    dynamics_class,
    cast({{ label_de('dynamics_class', 'c.dynamics_class') }} as varchar) as dynamics_class_de,
    exclusion_reason,
    cast({{ label_de('exclusion_reason', 'c.exclusion_reason') }} as varchar) as exclusion_reason_de
from classified as c
