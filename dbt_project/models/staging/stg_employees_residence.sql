-- Employees subject to social insurance at their place of residence, 30.06., by sex
-- (13111-07-05-4); '' attribute codes are GENESIS "Insgesamt" rows.
select
    region_key,
    period_year as period,
    case var1_attr_code when '' then 'total' else var1_attr_code end as sex_code,
    measure_code,
    value as employees,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'employees_residence') }}
where measure_code = 'ERW133'
