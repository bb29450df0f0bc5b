-- Published rates, taken as the source prints them for the Land and for each Kreis: never
-- summed to the Land, never averaged, never converted with weights. 13211-02-05-4 publishes
-- its unemployment rates without the civilian labour force they are based on, so a rate
-- cannot be recomputed for another territory:
--   * the Land's value is the Land row of the file;
--   * a Kreis of the Gebietsstand (var `gebietsstand`) keeps the rate published for it when
--     its territory in that period was the same (one key of the period's map, wholly its);
--   * a Kreis whose territory differed (Wartburgkreis before Eisenach joined on 01.07.2021,
--     the Kreise of the 2019 Gemeinde transfers before 2019) has no value in those years:
--     status '.', unknown on this map.
-- Periods after the Gebietsstand are left out, as for the counts.
with rate as (
    select
        region_key,
        period,
        case
            when measure_code = 'ERWP10' and group_code = 'total'
                then 'unemployment_rate_published'
            when measure_code = 'ERWP10' and group_code = 'ARBEITSQUO09'
                then 'unemployment_rate_u25_published'
        end as measure_id,
        value,
        value_status,
        table_code,
        source_file_sha256
    from {{ ref('stg_unemployment') }}
    where make_date(period, 12, 31) <= cast('{{ var("gebietsstand") }}' as date)
),

region as (
    select * from {{ ref('ref_region') }} where level in ('land', 'kreis')
),

-- as published: the Land and the Kreise that exist at the period's reference date (a
-- merged Kreis's '-' rows stay in raw)
published as (
    select rate.*, region.level
    from rate
    inner join region
        on rate.region_key = region.region_key
        and (region.valid_from is null or make_date(rate.period, 12, 31) >= region.valid_from)
        and (region.valid_to is null or make_date(rate.period, 12, 31) <= region.valid_to)
    where rate.measure_id is not null
),

-- where each Kreis of the period lies on the Gebietsstand, with the share that went there
mapped as (
    select
        coalesce(k.to_key, p.region_key) as region_key,
        p.period,
        p.measure_id,
        p.value,
        p.value_status,
        p.table_code,
        p.source_file_sha256,
        coalesce(k.weight_population, 1.0) as weight
    from published as p
    left join {{ ref('int_key_map') }} as k on k.period = p.period and k.from_key = p.region_key
    where p.level = 'kreis'
),

kreis as (
    select
        region_key,
        period,
        measure_id,
        count(*) = 1 and abs(min(weight) - 1.0) < 1e-9 as same_territory,
        min(value) as value,
        min(value_status) as value_status,
        min(table_code) as table_code,
        min(source_file_sha256) as source_file_sha256
    from mapped
    group by region_key, period, measure_id
)

select
    region_key, period, measure_id, value, value_status, table_code, source_file_sha256, level
from published
where level = 'land'
union all
select
    region_key,
    period,
    measure_id,
    case when same_territory then value end as value,
    case when same_territory then value_status else '.' end as value_status,
    table_code,
    source_file_sha256,
    'kreis' as level
from kreis
