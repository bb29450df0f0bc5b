{% macro raw_as_delivered(source_name, breakdowns=2) %}
-- The raw table of a source in the staging shape: one row per region (Kreise and the file's
-- Land row), period, breakdown and measure as delivered; '' is the GENESIS "Insgesamt".
select
    region_key,
    period_year as period,
    measure_code,
    {%- for n in range(1, breakdowns + 1) %}
    var{{ n }}_code,
    coalesce(var{{ n }}_attr_code, '') as var{{ n }}_attr_code,
    {%- endfor %}
    value,
    unit,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', source_name) }}
{% endmacro %}
