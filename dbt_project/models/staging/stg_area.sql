-- Area of each Kreis at 31.12. in km² (classic GENESIS export 11111-01-01-4).
select
    region_key,
    period_year as period,
    value as area_km2,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'area') }}
where measure_code = 'FLC006'
