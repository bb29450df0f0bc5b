-- Children in day care and the population of the same age at 31.12. of the same year.
-- Columns as int_measure_kreis; the lead unions this model into it (Kreis filter there).
-- childcare_u3 / childcare_3_6: children in care at 01.03. (22541-01-01-4);
-- pop_u3 / pop_3_6: population of that age group, both sexes (12411-02-03-4).
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
where measure_code = 'BEV095' and age_group_code in ('ALT000B03', 'ALT003B06')

union all

select
    region_key,
    period,
    case age_group_code when 'ALT000B03' then 'pop_u3' when 'ALT003B06' then 'pop_3_6' end,
    population,
    value_status,
    table_code,
    source_file_sha256
from {{ ref('stg_population_age') }}
where sex_code = 'total' and age_group_code in ('ALT000B03', 'ALT003B06')
