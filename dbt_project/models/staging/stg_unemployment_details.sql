-- Unemployed in the Rechtskreis SGB II, long-term unemployed, unemployed and civilian labour
-- force 15 to under 25 (annual averages).
select
    region_key,
    period_year as period,
    measure_code,
    value,
    unit,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'unemployment_details') }}
