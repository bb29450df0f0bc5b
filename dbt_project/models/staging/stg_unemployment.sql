-- Registered unemployed by group (ERWP06 by ERWAQ7) and the published unemployment rates
-- (ERWP09; ERWP10 by ERWAQ8), annual averages, for the Land and its Kreise as published.
-- '' attribute codes are the "Insgesamt" columns; ERWP09 has no breakdown.
select
    region_key,
    period_year as period,
    measure_code,
    coalesce(nullif(var1_attr_code, ''), 'total') as group_code,
    value,
    unit,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'unemployment') }}
