-- SGB II Leistungsberechtigte and Bedarfsgemeinschaften by type per Kreis (BA workbook).
-- BA's anonymised cells ('*') arrive as value_status '.' with value_quality '*'.
select
    region_key,
    period_year as period,
    measure_code,
    value as count,
    value_status,
    value_quality,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'ba_sgb2_kreise') }}
