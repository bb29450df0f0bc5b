-- Minimum income benefits besides SGB II at 31.12.: GRUAL (Grundsicherung im Alter, SGB XII
-- 4. Kapitel, 65+), HLU (Hilfe zum Lebensunterhalt, SGB XII 3. Kapitel), ASYLB (Regelleistungen
-- AsylbLG); WOGHH Wohngeldhaushalte and HH private Haushalte.
select
    region_key,
    period_year as period,
    measure_code,
    value as persons,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'minimum_income') }}
