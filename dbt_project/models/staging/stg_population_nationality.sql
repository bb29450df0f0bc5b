-- Population at 31.12. by age group (ALTX21), nationality (NAT: 'NATD' deutsch, 'NATA'
-- ausländisch) and sex (GES) (12411-03-03-4); 'total' for the GENESIS "Insgesamt" rows
-- ('' attribute code).
select
    region_key,
    period_year as period,
    case var1_attr_code when '' then 'total' else var1_attr_code end as age_group_code,
    case var2_attr_code when '' then 'total' else var2_attr_code end as nationality_code,
    case var3_attr_code when '' then 'total' else var3_attr_code end as sex_code,
    value as population,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'population_nationality') }}
where measure_code = 'BEVSTD'
