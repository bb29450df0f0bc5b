-- SGB II details (annual averages): erwerbsfähige Leistungsberechtigte, Leistungsberechtigte
-- 15 bis unter 18, Bedarfsgemeinschaften, Alleinerziehenden-Bedarfsgemeinschaften.
select
    region_key,
    period_year as period,
    measure_code,
    value,
    unit,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'sgb2_details') }}
