-- Jena by district (region_key <AGS8>-<Nr.>): population, age groups, SGB II, unemployed.
-- Small counts the city suppressed ('.') arrive as value_status '.'.
select
    region_key,
    region_name,
    period_year as period,
    measure_code,
    value as count,
    value_status,
    value_quality,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'jena_planungsraeume') }}
