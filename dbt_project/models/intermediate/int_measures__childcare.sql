-- Children in day care at 01.03. (22543-01-01-4): childcare_u3, childcare_3_6 - KIND01
-- Betreute Kinder in Tageseinrichtungen and Tagespflege together, each child counted once
-- (KINTE5 INSGESAMT3). Columns as int_measure_kreis, which unions it (denominators pop_u3,
-- pop_3_6 there).
select
    region_key,
    period,
    case age_group_code
        when 'ALT000B03' then 'childcare_u3'
        when 'ALT003B06' then 'childcare_3_6'
    end as measure_id,
    children as value,
    value_status,
    table_code,
    source_file_sha256
from {{ ref('stg_childcare') }}
where
    measure_code = 'KIND01'
    and care_type_code = 'INSGESAMT3'
    and age_group_code in ('ALT000B03', 'ALT003B06')
