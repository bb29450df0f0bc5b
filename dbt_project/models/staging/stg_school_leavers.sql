-- Leavers of general schools by kind of certificate; period = year the school year ends;
-- '' attribute code (GENESIS "Insgesamt") becomes 'total'.
select
    region_key,
    period_year as period,
    case var1_attr_code when '' then 'total' else var1_attr_code end as certificate_code,
    measure_code,
    value as leavers,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'school_leavers') }}
