-- Children in day care at 01.03. by age group (ALT000B03 under 3, ALT003B06 3 to under 6).
select
    region_key,
    period_year as period,
    var1_attr_code as age_group_code,
    measure_code,
    value as children,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'childcare') }}
