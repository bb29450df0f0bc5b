-- Leavers of general schools, both sexes: all (the published Insgesamt) and those without
-- Hauptschulabschluss (BILABS11). Columns as int_measure_kreis; int_measure_kreis unions it.
select
    region_key,
    period,
    case certificate_code
        when 'total' then 'school_leavers'
        when 'BILABS11' then 'school_leavers_ohne_hsa'
    end as measure_id,
    leavers as value,
    value_status,
    table_code,
    source_file_sha256
from {{ ref('stg_school_leavers') }}
where sex_code = 'total' and certificate_code in ('total', 'BILABS11')
