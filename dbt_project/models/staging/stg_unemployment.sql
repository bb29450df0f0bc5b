-- Registered unemployed, civilian labour force and the published rate (annual averages).
select
    region_key,
    period_year as period,
    measure_code,
    value,
    unit,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'unemployment') }}
