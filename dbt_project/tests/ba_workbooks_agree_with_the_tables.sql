{{ config(meta={'dagster': {'ref': {'name': 'stg_ba_sgb2_kreise'}}}) }}
-- Plausibility across sources: where a BA workbook and the SGB II / unemployment tables
-- report the same figure for the same region and year, they must agree (the BA publishes
-- the unemployment figures of 13211-02-05-4 itself: all, long-term, 15 to under 25, rate).
with workbook as (
    select region_key, period, measure_code, count as workbook_value
    from {{ ref('stg_ba_sgb2_kreise') }}
    where measure_code in ('LB', 'RLB') and value_status is null
    union all
    select region_key, period, measure_code, value
    from {{ ref('stg_ba_arbeitslose_kreise') }}
    where measure_code in ('ALO', 'ALO_LZA', 'ALO_U25', 'ALQ') and value_status is null
),

tables as (
    select region_key, period, measure_code, persons as table_value
    from {{ ref('stg_sgb2_benefits') }}
    where age_group_code = 'total' and value_status is null
    union all
    -- 13211-02-05-4 under the workbook's codes
    select
        region_key,
        period,
        case
            when measure_code = 'ERWP06' and group_code = 'total' then 'ALO'
            when measure_code = 'ERWP06' and group_code = 'ARBEITSLOS05' then 'ALO_LZA'
            when measure_code = 'ERWP06' and group_code = 'ARBEITSLOS13' then 'ALO_U25'
            when measure_code = 'ERWP10' and group_code = 'total' then 'ALQ'
        end as measure_code,
        value
    from {{ ref('stg_unemployment') }}
    where value_status is null
)

select w.*, t.table_value
from workbook as w
inner join tables as t using (region_key, period, measure_code)
where w.workbook_value <> t.table_value
