-- Deaths (BEV002 Gestorbene), calendar-year sums, by sex (12613-01-01-4);
-- 'total' for the GENESIS "Insgesamt" rows ('' attribute code).
select
    region_key,
    period_year as period,
    case var1_attr_code when '' then 'total' else var1_attr_code end as sex_code,
    value as persons,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'deaths') }}
where measure_code = 'BEV002'
