-- Migration over the Kreis borders (12711-04-02-4) and the natural movement (births
-- 12612-01-01-4, deaths 12613-01-01-4) per Kreis and year, all ages and both sexes; columns
-- as int_measure_kreis (int_measure_kreis unions it):
-- in_migration / out_migration (Zuzüge / Fortzüge über die Kreisgrenzen), births, deaths,
-- net_migration = Zuzüge - Fortzüge, natural_balance = Lebendgeborene - Gestorbene.
-- A difference is only a number when both parts are; otherwise it keeps the sign. Its
-- lineage names both tables and both files.
with movement as (
    select
        region_key,
        period,
        persons,
        value_status,
        table_code,
        source_file_sha256,
        case measure_code when 'BEV085' then 'in_migration' else 'out_migration' end as measure_id,
        'net_migration' as balance_id,
        case measure_code when 'BEV085' then 1 else -1 end as sign
    from {{ ref('stg_population_movement') }}
    where measure_code in ('BEV085', 'BEV086') and age_group_code = 'total' and sex_code = 'total'

    union all

    select
        region_key, period, persons, value_status, table_code, source_file_sha256,
        'births' as measure_id, 'natural_balance' as balance_id, 1 as sign
    from {{ ref('stg_births') }}
    where sex_code = 'total'

    union all

    select
        region_key, period, persons, value_status, table_code, source_file_sha256,
        'deaths' as measure_id, 'natural_balance' as balance_id, -1 as sign
    from {{ ref('stg_deaths') }}
    where sex_code = 'total'
),

region as (
    select * from {{ ref('ref_region') }} where level = 'kreis'
),

measures as (
    select region_key, period, measure_id, persons as value, value_status, table_code, source_file_sha256
    from movement

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
        string_agg(distinct table_code, ' ' order by table_code) as table_code,
        string_agg(distinct source_file_sha256, ' ' order by source_file_sha256) as source_file_sha256
    from movement
    group by region_key, period, balance_id
)

select measures.*
from measures
inner join region
    on measures.region_key = region.region_key
    and (region.valid_from is null or make_date(measures.period, 12, 31) >= region.valid_from)
    and (region.valid_to is null or make_date(measures.period, 12, 31) <= region.valid_to)
