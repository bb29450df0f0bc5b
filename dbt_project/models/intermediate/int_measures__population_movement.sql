-- Migration and natural movement per Kreis and year (12711-01-03-4), columns as
-- int_measure_kreis (int_measure_kreis unions it):
-- in_migration / out_migration (Zuzüge / Fortzüge über die Kreisgrenze), births, deaths,
-- net_migration = Zuzüge - Fortzüge, natural_balance = Lebendgeborene - Gestorbene.
-- A difference is only a number when both parts are; otherwise it keeps the sign.
with movement as (
    select
        m.*,
        case m.measure_code
            when 'BEV081' then 'in_migration'
            when 'BEV082' then 'out_migration'
            when 'BEV001' then 'births'
            when 'BEV002' then 'deaths'
        end as measure_id,
        case m.measure_code
            when 'BEV081' then 'net_migration'
            when 'BEV082' then 'net_migration'
            when 'BEV001' then 'natural_balance'
            when 'BEV002' then 'natural_balance'
        end as balance_id,
        case when m.measure_code in ('BEV081', 'BEV001') then 1 else -1 end as sign
    from {{ ref('stg_population_movement') }} as m
),

region as (
    select * from {{ ref('ref_region') }} where level = 'kreis'
),

measures as (
    select region_key, period, measure_id, persons as value, value_status, table_code, source_file_sha256
    from movement
    where measure_id is not null

    union all

    select
        region_key,
        period,
        balance_id as measure_id,
        case when count(value_status) = 0 and count(*) = 2 then sum(sign * persons) end as value,
        case
            when count(value_status) > 0 then min(value_status)
            when count(*) < 2 then '.'
        end as value_status,
        min(table_code) as table_code,
        min(source_file_sha256) as source_file_sha256
    from movement
    where balance_id is not null
    group by region_key, period, balance_id
)

select measures.*
from measures
inner join region
    on measures.region_key = region.region_key
    and (region.valid_from is null or make_date(measures.period, 12, 31) >= region.valid_from)
    and (region.valid_to is null or make_date(measures.period, 12, 31) <= region.valid_to)
