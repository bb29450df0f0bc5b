-- Disposable income of private households (82411-01-03-4): EKM006 the annual total in EUR
-- (delivered in Tsd. EUR; the reader has multiplied by 1000) and EKM014 the amount in EUR
-- per inhabitant of the VGR's annual average population. Kreise and the Land as published.
select
    region_key,
    period_year as period,
    measure_code,
    value,
    unit,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'income') }}
