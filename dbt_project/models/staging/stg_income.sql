-- Disposable income of private households, annual total in EUR (delivered in Tsd. EUR; the
-- reader has multiplied by 1000).
select
    region_key,
    period_year as period,
    measure_code,
    value as income_eur,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'income') }}
