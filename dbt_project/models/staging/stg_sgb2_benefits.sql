-- SGB II benefit recipients (annual averages): all ages and under 15.
select
    region_key,
    period_year as period,
    case var1_attr_code when '' then 'total' else var1_attr_code end as age_group_code,
    measure_code,
    value as persons,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'sgb2_benefits') }}
