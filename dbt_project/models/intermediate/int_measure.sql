-- Every measure on one Gebietsstand, by level: the Land (sum of its Kreise, so Land rates
-- are never averages of rates), the Kreise, the Gemeinden (converted with the key history)
-- and the Sozialräume (as delivered by the cities).
with kreis as (
    select *, 'kreis' as level from {{ ref('int_measure_harmonised') }}
),

region as (
    select * from {{ ref('ref_region') }}
),

land as (
    select
        region.parent_key as region_key,
        kreis.period,
        kreis.measure_id,
        case when count(kreis.value_status) = 0 then sum(kreis.value) end as value,
        min(kreis.value_status) as value_status,
        min(kreis.table_code) as table_code,
        min(kreis.source_file_sha256) as source_file_sha256,
        'land' as level
    from kreis
    inner join region on kreis.region_key = region.region_key
    group by region.parent_key, kreis.period, kreis.measure_id
),

small_area as (
    select
        coalesce(k.to_key, m.region_key) as region_key,
        m.period,
        m.measure_id,
        case
            when count(m.value_status) = 0
                then sum(m.value * coalesce(k.weight_population, 1.0))
        end as value,
        min(m.value_status) as value_status,
        min(m.table_code) as table_code,
        min(m.source_file_sha256) as source_file_sha256,
        m.level
    from {{ ref('int_measure_small_area') }} as m
    left join {{ ref('int_key_map') }} as k on k.period = m.period and k.from_key = m.region_key
    where make_date(m.period, 12, 31) <= cast('{{ var("gebietsstand") }}' as date)
    group by all
)

select region_key, period, measure_id, value, value_status, table_code, source_file_sha256, level
from kreis
union all by name
select * from land
union all by name
select * from small_area
