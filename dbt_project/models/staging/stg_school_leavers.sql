-- Leavers of general schools by certificate (BILAG2) and sex (GES: all, women), 21111-02-06-4;
-- the period is the school year as GENESIS gives it. Kreise and the Land as published.
-- '' attribute codes (GENESIS "Insgesamt") become 'total'.
select
    region_key,
    period_year as period,
    case coalesce(var1_attr_code, '') when '' then 'total' else var1_attr_code end
        as certificate_code,
    case coalesce(var2_attr_code, '') when '' then 'total' else var2_attr_code end as sex_code,
    measure_code,
    value as leavers,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'school_leavers') }}
where measure_code = 'BILABS'
