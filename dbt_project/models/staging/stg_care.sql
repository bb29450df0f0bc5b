-- People in need of care (Pflegestatistik, 22411-02-03-4) by kind of benefit (the measures:
-- PFL016 Pflegebedürftige = PFL017 ambulant + PFL018 vollstationär + PFL021 Pflegegeld) and
-- sex (GES); 'total' for the GENESIS "Insgesamt" rows ('' attribute code).
select
    region_key,
    period_year as period,
    case var1_attr_code when '' then 'total' else var1_attr_code end as sex_code,
    measure_code,
    value as persons,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'care') }}
