-- Population at 31.12. by 5-year age groups (ALT000B05 … ALT080B85, ALT085UM), both sexes;
-- '' attribute code = GENESIS "Insgesamt" row.
select
    region_key,
    period_year as period,
    case var1_attr_code when '' then 'total' else var1_attr_code end as age_group_code,
    value as population,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'population_age_detail') }}
where measure_code = 'BEVSTD'
