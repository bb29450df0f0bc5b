{{ config(meta={'dagster': {'ref': {'name': 'stg_ba_sgb2_kreise'}}}) }}
-- Plausibility across sources: where a BA workbook and the SGB II / unemployment tables
-- report the same count for the same Kreis and year, they must agree.
with workbook as (
    select region_key, period, measure_code, count as workbook_value
    from {{ ref('stg_ba_sgb2_kreise') }}
    where measure_code in ('LB', 'RLB') and value_status is null
    union all
    select region_key, period, measure_code, value
    from {{ ref('stg_ba_arbeitslose_kreise') }}
    where measure_code = 'ERW003' and value_status is null
),

tables as (
    select region_key, period, measure_code, persons as table_value
    from {{ ref('stg_sgb2_benefits') }}
    where age_group_code = 'total' and value_status is null
    union all
    select region_key, period, measure_code, value
    from {{ ref('stg_unemployment') }}
    where measure_code = 'ERW003' and value_status is null
)

select w.*, t.table_value
from workbook as w
inner join tables as t using (region_key, period, measure_code)
where w.workbook_value <> t.table_value
