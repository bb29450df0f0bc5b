-- Registered unemployed by Rechtskreis, long-term and young unemployed, rate (BA workbook).
select
    region_key,
    period_year as period,
    measure_code,
    value,
    unit,
    value_status,
    value_quality,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'ba_arbeitslose_kreise') }}
