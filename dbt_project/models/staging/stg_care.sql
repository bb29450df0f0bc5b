-- People in need of care (Pflegebedürftige) at 15.12.
select
    region_key,
    period_year as period,
    measure_code,
    value as persons,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'care') }}
