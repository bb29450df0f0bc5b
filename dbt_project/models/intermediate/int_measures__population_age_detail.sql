-- Counts per Kreis, period and measure from the population by single years of age
-- (12411-04-02-4), both sexes. Columns as int_measure_kreis; int_measure_kreis unions it.
-- pop_80plus: population aged 80 and over (ALT080B85 + ALT085B90 + ALT090UM);
-- age_years_sum: sum over the age classes of midpoint x persons - age + 0.5 for a single
-- year (the official method), 77.5, 82.5 and 87.5 for 75-80, 80-85, 85-90 and 92.5 for 90 and
-- over - the numerator of the mean age (denominator pop_total).
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
),

parts as (
    select
        region_key,
        period,
        'age_years_sum' as measure_id,
        midpoint * population as value,
        value_status,
        table_code,
        source_file_sha256
    from detail
    union all
    select
        region_key,
        period,
        'pop_80plus' as measure_id,
        population as value,
        value_status,
        table_code,
        source_file_sha256
    from detail
    where age_code in ('ALT080B85', 'ALT085B90', 'ALT090UM')
)

select
    region_key,
    period,
    measure_id,
    case when count(value_status) = 0 then {{ exact_sum("value") }} end as value,
    min(value_status) as value_status,
    min(table_code) as table_code,
    min(source_file_sha256) as source_file_sha256
from parts
group by region_key, period, measure_id
