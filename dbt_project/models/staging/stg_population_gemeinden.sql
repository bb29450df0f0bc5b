-- Population at 31.12. per Gemeinde (8-digit AGS) by sex; former Gemeinden show '-'.
select
    region_key,
    region_name,
    period_year as period,
    case var1_attr_code when '' then 'total' else var1_attr_code end as sex_code,
    value as population,
    value_status,
    table_code,
    _source_file_sha256 as source_file_sha256
from {{ source('raw', 'population_gemeinden') }}
where measure_code = 'BEVSTD'
