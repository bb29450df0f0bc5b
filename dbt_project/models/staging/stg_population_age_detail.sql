-- Population at 31.12. by single years of age (ALTX76: ALT000 … ALT074, then ALT075B80,
-- ALT080B85, ALT085B90, ALT090UM) and sex (12411-04-02-4); 'total' for the GENESIS
-- "Insgesamt" rows ('' attribute code).
select
    region_key,
    period_year as period,
    case var1_attr_code when '' then 'total' else var1_attr_code end as age_code,
    case var2_attr_code when '' then 'total' else var2_attr_code end as sex_code,
    value as population,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'population_age_detail') }}
where measure_code = 'BEVSTD'
