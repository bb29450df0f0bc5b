-- People in need of care (PFL016 Pflegebedürftige, both sexes; 22411-02-03-4). Columns as
-- int_measure_kreis; int_measure_kreis unions it (denominator: pop_65plus).
select
    region_key,
    period,
    'care_recipients' as measure_id,
    persons as value,
    value_status,
    table_code,
    source_file_sha256
from {{ ref('stg_care') }}
where measure_code = 'PFL016' and sex_code = 'total'
