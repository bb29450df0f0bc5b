-- Leavers of general schools: all (the published Insgesamt row) and those without
-- Hauptschulabschluss. Columns as int_measure_kreis; int_measure_kreis unions it.
select
    region_key,
    period,
    case certificate_code
        when 'total' then 'school_leavers'
        when 'OHNEHSA' then 'school_leavers_ohne_hsa'
    end as measure_id,
    leavers as value,
    value_status,
    table_code,
    source_file_sha256
from {{ ref('stg_school_leavers') }}
where measure_code = 'BIL003' and certificate_code in ('total', 'OHNEHSA')
