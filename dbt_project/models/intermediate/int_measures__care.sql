-- People in need of care at 15.12. Columns as int_measure_kreis; int_measure_kreis unions
-- it (denominator: pop_65plus).
select
    region_key,
    period,
    'care_recipients' as measure_id,
    persons as value,
    value_status,
    table_code,
    source_file_sha256
from {{ ref('stg_care') }}
where measure_code = 'PFL001'
