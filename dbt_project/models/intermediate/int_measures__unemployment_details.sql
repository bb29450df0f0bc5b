-- Counts per Kreis, period and measure from the unemployment details (13211-02-06-4):
-- unemployed in the Rechtskreis SGB II, long-term unemployed, unemployed and civilian labour
-- force 15 to under 25. Only Kreise that exist at 31.12. of the period are kept (Eisenach's
-- '-' rows from 2021 drop).
with parts as (
    select
        region_key,
        period,
        case measure_code
            when 'ALO_SGB2' then 'unemployed_sgb2'
            when 'ALO_LZA' then 'unemployed_long_term'
            when 'ALO_U25' then 'unemployed_u25'
            when 'ERWZIV_U25' then 'labour_force_civil_u25'
        end as measure_id,
        value,
        value_status,
        table_code,
        source_file_sha256
    from {{ ref('stg_unemployment_details') }}
),

region as (
    select * from {{ ref('ref_region') }} where level = 'kreis'
)

select
    parts.region_key,
    parts.period,
    parts.measure_id,
    case when count(parts.value_status) = 0 then sum(parts.value) end as value,
    min(parts.value_status) as value_status,
    min(parts.table_code) as table_code,
    min(parts.source_file_sha256) as source_file_sha256
from parts
inner join region
    on parts.region_key = region.region_key
    and (region.valid_from is null or make_date(parts.period, 12, 31) >= region.valid_from)
    and (region.valid_to is null or make_date(parts.period, 12, 31) <= region.valid_to)
where parts.measure_id is not null
group by parts.region_key, parts.period, parts.measure_id
