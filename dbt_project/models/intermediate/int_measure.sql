-- Every measure on one Gebietsstand, by level: the Land (sum of its Kreise, so Land rates
-- are never averages of rates), the Kreise, the Gemeinden (converted with the key history)
-- and the Sozialräume (as delivered by the cities), both disclosure-controlled
-- (int_measure_small_area_protected). Published rates (int_measure_published) come as
-- published: the Land's from its own row, never a sum.
-- A table, not a view: every mart reads it, some twice (numerator and denominator), and
-- deriving it from the raw tables each time needs more memory than dbt's DuckDB is given.
{{ config(materialized='table') }}

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
        case when count(kreis.value_status) = 0 then {{ exact_sum("kreis.value") }} end as value,
        min(kreis.value_status) as value_status,
        min(kreis.table_code) as table_code,
        min(kreis.source_file_sha256) as source_file_sha256,
        'land' as level
    from kreis
    inner join region on kreis.region_key = region.region_key
    group by region.parent_key, kreis.period, kreis.measure_id
),

small_area as (
    -- on the Gebietsstand and disclosure-controlled (secondary suppression)
    select * from {{ ref('int_measure_small_area_protected') }}
),

levels as (
    select region_key, period, measure_id, value, value_status, table_code, source_file_sha256, level
    from kreis
    union all by name
    select * from land
    union all by name
    select * from small_area
    union all by name
    select * from {{ ref('int_measure_published') }}
),

-- Population change on the same map: the population 1 and 5 years before and the change.
-- Without the earlier year in the warehouse the measure is unknown (status '.'), not zero.
population as (
    select * from levels where measure_id = 'pop_total'
),

lags(lag_years) as (values (1), (5)),

changes as (
    select
        p.region_key,
        p.period,
        p.level,
        l.lag_years,
        p.value as now_value,
        b.value as before_value,
        coalesce(p.value_status, b.value_status, case when b.region_key is null then '.' end)
            as value_status,
        p.table_code,
        p.source_file_sha256
    from population as p
    cross join lags as l
    left join population as b
        on b.region_key = p.region_key and b.period = p.period - l.lag_years
)

select * from levels
union all by name
select
    region_key, period, level, 'pop_before_' || lag_years || 'y' as measure_id,
    case when value_status is null then before_value end as value,
    value_status, table_code, source_file_sha256
from changes
union all by name
select
    region_key, period, level, 'pop_change_' || lag_years || 'y' as measure_id,
    case when value_status is null then now_value - before_value end as value,
    value_status, table_code, source_file_sha256
from changes
