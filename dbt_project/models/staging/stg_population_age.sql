-- Population at 31.12. by sex and age group; '' attribute codes are GENESIS "Insgesamt" rows.
select
    region_key,
    period_year as period,
    case var1_attr_code when '' then 'total' else var1_attr_code end as sex_code,
    case var2_attr_code when '' then 'total' else var2_attr_code end as age_group_code,
    value as population,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'population_age') }}
where measure_code = 'BEVSTD'
