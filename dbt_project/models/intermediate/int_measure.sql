-- Measures for every Kreis and for the Land on one Gebietsstand. Land values are sums of
-- the Kreis counts (numerators and denominators), so Land rates are never averages of rates.
with kreis as (
    select * from {{ ref('int_measure_harmonised') }}
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
        min(kreis.source_file_sha256) as source_file_sha256
    from kreis
    inner join region on kreis.region_key = region.region_key
    group by region.parent_key, kreis.period, kreis.measure_id
)

select region_key, period, measure_id, value, value_status, table_code, source_file_sha256
from kreis
union all
select region_key, period, measure_id, value, value_status, table_code, source_file_sha256
from land
