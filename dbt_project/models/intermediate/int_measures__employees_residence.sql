-- Employees subject to social insurance at their place of residence, 30.06. (13111-02-02-4),
-- all nationalities: svb_residence (both sexes), svb_residence_women. Columns as
-- int_measure_kreis, which unions it (denominators pop_15_64, pop_15_64_women there).
select
    region_key,
    period,
    case sex_code when 'total' then 'svb_residence' when 'GESW' then 'svb_residence_women' end
        as measure_id,
    employees as value,
    value_status,
    table_code,
    source_file_sha256
from {{ ref('stg_employees_residence') }}
where nationality_code = 'total' and sex_code in ('total', 'GESW')
