-- age_years_sum per Kreis and period from the population by single years of age
-- (12411-04-02-4), both sexes: the sum over the age classes of midpoint x persons - age + 0.5
-- for a single year (the official method), 77.5, 82.5 and 87.5 for 75-80, 80-85, 85-90 and
-- 92.5 for 90 and over - the numerator of the mean age (denominator pop_total). pop_80plus
-- comes from the contract's measure_map. Columns as int_measure_kreis, which unions it.
-- A sum over classes is only a number when every class is one; otherwise it keeps the sign.
with detail as (
    select
        *,
        case
            when age_code = 'ALT090UM' then 92.5
            when age_code like 'ALT___B__' then cast(substr(age_code, 4, 3) as integer) + 2.5
            else cast(substr(age_code, 4, 3) as integer) + 0.5
        end as midpoint
    from {{ ref('stg_population_age_detail') }}
    where sex_code = 'total' and age_code <> 'total'
)

select
    region_key,
    period,
    'age_years_sum' as measure_id,
    case when count(value_status) = 0 then {{ exact_sum("midpoint * population") }} end as value,
    min(value_status) as value_status,
    min(table_code) as table_code,
    min(source_file_sha256) as source_file_sha256
from detail
group by region_key, period
