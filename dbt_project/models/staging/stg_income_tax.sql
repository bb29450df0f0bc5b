-- Lohn- und Einkommensteuerpflichtige, Gesamtbetrag der Einkünfte, Lohn- und Einkommensteuer - Jahr - Kreise und krfr. Städte
-- Kreise and the Land as published (the Land row as delivered, not summed).
select
    region_key,
    period_year as period,
    measure_code,
    var1_code,
    coalesce(var1_attr_code, '') as var1_attr_code,
    var2_code,
    coalesce(var2_attr_code, '') as var2_attr_code,
    value,
    unit,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'income_tax') }}
