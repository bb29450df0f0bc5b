-- Kreis measures expressed on one Gebietsstand (var `gebietsstand`, default the newest).
-- Counts of a former Kreis go to its successor(s) with the population weights (the area
-- with the area weights); rates are never converted, they are recomputed downstream from
-- these numerators and denominators. Periods after the target Gebietsstand are left out:
-- a merger cannot be reversed without split weights.
with measure as (
    select * from {{ ref('int_measure_kreis') }}
    where make_date(period, 12, 31) <= cast('{{ var("gebietsstand") }}' as date)
),

key_map as (
    select * from {{ ref('int_key_map') }}
),

converted as (
    select
        coalesce(k.to_key, m.region_key) as region_key,
        m.period,
        m.measure_id,
        m.value * coalesce(
            case when m.measure_id = 'area_km2' then k.weight_area else k.weight_population end,
            1.0
        ) as value,
        m.value_status,
        m.table_code,
        m.source_file_sha256
    from measure as m
    left join key_map as k on k.period = m.period and k.from_key = m.region_key
)

select
    region_key,
    period,
    measure_id,
    case when count(value_status) = 0 then {{ exact_sum("value") }} end as value,
    min(value_status) as value_status,
    min(table_code) as table_code,
    min(source_file_sha256) as source_file_sha256
from converted
group by region_key, period, measure_id
