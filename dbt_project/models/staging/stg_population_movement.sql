-- Moves over the Kreis borders, calendar-year sums (12711-04-02-4): BEV085 Zuzüge,
-- BEV086 Fortzüge über die Kreisgrenzen, by age group (ALTX01) and sex (GES);
-- 'total' for the GENESIS "Insgesamt" rows ('' attribute code).
select
    region_key,
    period_year as period,
    case var1_attr_code when '' then 'total' else var1_attr_code end as age_group_code,
    case var2_attr_code when '' then 'total' else var2_attr_code end as sex_code,
    measure_code,
    value as persons,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'population_movement') }}
