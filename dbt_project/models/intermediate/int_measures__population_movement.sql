-- The balances of the population movement per Kreis and year, from the measures of the
-- contracts' measure_map: net_migration = in_migration - out_migration (Zuzüge - Fortzüge
-- über die Kreisgrenzen, 12711-04-02-4), natural_balance = births - deaths (Lebendgeborene
-- 12612-01-01-4 - Gestorbene 12613-01-01-4). A difference is only a number when both parts
-- are; otherwise it keeps the sign. Its lineage names both tables and both files. Columns as
-- int_measure_kreis, which unions it (Kreis filter there).
with movement as (
    select
        *,
        'net_migration' as balance_id,
        case measure_id when 'in_migration' then 1 else -1 end as sign
    from ({{ measure_rows('population_movement') }})
    where measure_id in ('in_migration', 'out_migration')

    union all

    select *, 'natural_balance' as balance_id, 1 as sign
    from ({{ measure_rows('births') }})
    where measure_id = 'births'

    union all

    select *, 'natural_balance' as balance_id, -1 as sign
    from ({{ measure_rows('deaths') }})
    where measure_id = 'deaths'
)

select
    region_key,
    period,
    balance_id as measure_id,
    case when count(value_status) = 0 and count(*) = 2 then sum(sign * value) end as value,
    case
        when count(value_status) > 0 then min(value_status)
        when count(*) < 2 then '.'
    end as value_status,
    string_agg(distinct table_code, ' ' order by table_code) as table_code,
    string_agg(distinct source_file_sha256, ' ' order by source_file_sha256) as source_file_sha256
from movement
group by region_key, period, balance_id
