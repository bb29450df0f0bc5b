-- Employees subject to social insurance at their place of residence and the population of
-- working age, per Kreis and year; columns as int_measure_kreis (the lead unions this model
-- into it):
-- svb_residence / svb_residence_women: ERW133 at 30.06. (13111-07-05-4), all / women;
-- pop_15_64 / pop_15_64_women: population aged 15 to under 65 at 31.12. (12411-02-03-4),
-- both sexes / women, summed over ALT015B18 … ALT060B65 - a number only when every part is.
with population_parts as (
    select
        *,
        case sex_code when 'total' then 'pop_15_64' when 'GESW' then 'pop_15_64_women' end
            as measure_id
    from {{ ref('stg_population_age') }}
    where
        sex_code in ('total', 'GESW')
        and age_group_code in (
            'ALT015B18', 'ALT018B20', 'ALT020B25', 'ALT025B30', 'ALT030B35', 'ALT035B40',
            'ALT040B45', 'ALT045B50', 'ALT050B55', 'ALT055B60', 'ALT060B65'
        )
),

population as (
    select
        region_key,
        period,
        measure_id,
        case when count(value_status) = 0 and count(*) = 11 then sum(population) end as value,
        case
            when count(value_status) > 0 then min(value_status)
            when count(*) < 11 then '.'
        end as value_status,
        min(table_code) as table_code,
        min(source_file_sha256) as source_file_sha256
    from population_parts
    group by region_key, period, measure_id
),

measures as (
    select
        region_key,
        period,
        case sex_code when 'total' then 'svb_residence' when 'GESW' then 'svb_residence_women' end
            as measure_id,
        employees as value,
        value_status,
        table_code,
        source_file_sha256
    from {{ ref('stg_employees_residence') }}
    where sex_code in ('total', 'GESW')

    union all

    select * from population
),

region as (
    select * from {{ ref('ref_region') }} where level = 'kreis'
)

select measures.*
from measures
inner join region
    on measures.region_key = region.region_key
    and make_date(measures.period, 12, 31) >= region.valid_from
    and (region.valid_to is null or make_date(measures.period, 12, 31) <= region.valid_to)
