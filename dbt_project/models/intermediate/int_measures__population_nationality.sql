-- Population by nationality per Kreis and year (12411-03-03-4), all ages and both sexes;
-- columns as int_measure_kreis (int_measure_kreis unions it): pop_foreign (NATA, ausländisch),
-- pop_german (NATD, deutsch). The Insgesamt rows equal pop_total of 12411-02-03-4 and are not
-- repeated here.
with measures as (
    select
        region_key,
        period,
        case nationality_code when 'NATA' then 'pop_foreign' when 'NATD' then 'pop_german' end
            as measure_id,
        population as value,
        value_status,
        table_code,
        source_file_sha256
    from {{ ref('stg_population_nationality') }}
    where nationality_code in ('NATA', 'NATD') and age_group_code = 'total' and sex_code = 'total'
),

region as (
    select * from {{ ref('ref_region') }} where level = 'kreis'
)

select measures.*
from measures
inner join region
    on measures.region_key = region.region_key
    and (region.valid_from is null or make_date(measures.period, 12, 31) >= region.valid_from)
    and (region.valid_to is null or make_date(measures.period, 12, 31) <= region.valid_to)
