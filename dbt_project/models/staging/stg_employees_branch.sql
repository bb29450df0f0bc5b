-- Employees subject to social insurance at the place of work, 30.06., by branch (WZ 2008
-- sections, WZ08S1), nationality and sex (13111-07-05-4, ERW032): Kreise and the Land as
-- published. '' attribute codes (GENESIS "Insgesamt") become 'total'.
select
    region_key,
    period_year as period,
    case coalesce(var1_attr_code, '') when '' then 'total' else var1_attr_code end
        as branch_code,
    case coalesce(var2_attr_code, '') when '' then 'total' else var2_attr_code end
        as nationality_code,
    case coalesce(var3_attr_code, '') when '' then 'total' else var3_attr_code end as sex_code,
    measure_code,
    value as employees,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'employees_branch') }}
