-- Disposable income of private households in EUR (annual total). Columns as
-- int_measure_kreis; int_measure_kreis unions it (denominator: pop_total).
select
    region_key,
    period,
    'disposable_income_eur' as measure_id,
    income_eur as value,
    value_status,
    table_code,
    source_file_sha256
from {{ ref('stg_income') }}
where measure_code = 'VGR014'
