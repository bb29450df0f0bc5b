-- Employees subject to social insurance at their place of residence, 30.06., by nationality
-- and sex (13111-02-02-4, ERW033): Kreise and the Land as published. '' attribute codes
-- (GENESIS "Insgesamt") become 'total'.
select
    region_key,
    period_year as period,
    case coalesce(var1_attr_code, '') when '' then 'total' else var1_attr_code end
        as nationality_code,
    case coalesce(var2_attr_code, '') when '' then 'total' else var2_attr_code end as sex_code,
    measure_code,
    value as employees,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'employees_residence') }}
where measure_code = 'ERW033'
