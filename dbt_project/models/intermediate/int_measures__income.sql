-- The VGR's inhabitants behind the disposable income of private households (82411-01-03-4),
-- a denominator; the income itself (EKM006, disposable_income_eur) comes from the contract's
-- measure_map. The VGR publish income per inhabitant (EKM014) of their own annual average
-- population, not of the population at 31.12.; that population is the published total over
-- the published amount per inhabitant. With it as the denominator the indicator of a Kreis
-- is the published EKM014, and the Land and regions on another map are computed from summed
-- totals and summed inhabitants, never from averaged amounts. Columns as int_measure_kreis,
-- which unions it.
with income as (
    select * from {{ ref('stg_income') }}
),

total as (
    select * from income where measure_code = 'EKM006'
),

per_head as (
    select * from income where measure_code = 'EKM014'
)

select
    t.region_key,
    t.period,
    'inhabitants_vgr' as measure_id,
    case when coalesce(t.value_status, p.value_status) is null and p.value <> 0
        then t.value / p.value end as value,
    coalesce(
        t.value_status, p.value_status, case when p.region_key is null or p.value = 0 then '.' end
    ) as value_status,
    t.table_code,
    t.source_file_sha256
from total as t
left join per_head as p on p.region_key = t.region_key and p.period = t.period
