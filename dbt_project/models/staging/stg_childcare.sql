-- Children in day care at 01.03. (22543-01-01-4) by kind of care (KINTE5: ARTDHILFE69
-- Tageseinrichtung, ARTDHILFE64 Tagespflege, INSGESAMT3 Insgesamt ohne Doppelzählungen) and,
-- for KIND01 Betreute Kinder, age group (ALT033: ALT000B03, ALT003B06, ALT006B14; 'total'
-- for the "Insgesamt" rows). KIND02 and KIND03 have no age group (null).
select
    region_key,
    period_year as period,
    var1_attr_code as care_type_code,
    case
        when measure_code <> 'KIND01' then null
        when var2_attr_code = '' then 'total'
        else var2_attr_code
    end as age_group_code,
    measure_code,
    value as children,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'childcare') }}
