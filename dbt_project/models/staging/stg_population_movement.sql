-- Migration across the Kreis border and natural movement, calendar-year sums (12711-01-03-4):
-- BEV081 Zuzüge, BEV082 Fortzüge, BEV001 Lebendgeborene, BEV002 Gestorbene.
select
    region_key,
    period_year as period,
    measure_code,
    value as persons,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'population_movement') }}
