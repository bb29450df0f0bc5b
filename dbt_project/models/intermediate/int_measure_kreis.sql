-- Counts per Kreis, period and measure: the numerators and denominators of every indicator.
-- A sum over parts is only a number when every part is one; otherwise it keeps the sign.
-- Only Kreise that exist at the reference date (31.12. of the period) are kept: rows the
-- source marks with '-' for a merged Kreis (Eisenach 16056 from 2021) stay in raw/staging.
with age_group(age_group_code, age_from, age_to) as (
    values
        ('ALT000B03', 0, 3), ('ALT003B06', 3, 6), ('ALT006B10', 6, 10),
        ('ALT010B15', 10, 15), ('ALT015B18', 15, 18), ('ALT018B20', 18, 20),
        ('ALT020B25', 20, 25), ('ALT025B30', 25, 30), ('ALT030B35', 30, 35),
        ('ALT035B40', 35, 40), ('ALT040B45', 40, 45), ('ALT045B50', 45, 50),
        ('ALT050B55', 50, 55), ('ALT055B60', 55, 60), ('ALT060B65', 60, 65),
        ('ALT065B75', 65, 75), ('ALT075UM', 75, 999)
),

-- The population bands every denominator uses, defined once (sex 'total' or 'GESW' women).
age_band(measure_id, age_from, age_to, sex_code) as (
    values
        ('pop_u3', 0, 3, 'total'), ('pop_3_6', 3, 6, 'total'), ('pop_u15', 0, 15, 'total'),
        ('pop_15_17', 15, 18, 'total'), ('pop_u18', 0, 18, 'total'), ('pop_u20', 0, 20, 'total'),
        ('pop_20_64', 20, 65, 'total'), ('pop_15_64', 15, 65, 'total'),
        ('pop_15_64_women', 15, 65, 'GESW'), ('pop_65plus', 65, 999, 'total'),
        ('pop_u65', 0, 65, 'total')
),

population as (
    select * from {{ ref('stg_population_age') }}
),

population_parts as (
    select p.* exclude (sex_code), b.measure_id
    from population as p
    inner join age_group as g on p.age_group_code = g.age_group_code
    inner join age_band as b
        on g.age_from >= b.age_from and g.age_to <= b.age_to and p.sex_code = b.sex_code
    union all
    select p.* exclude (sex_code), 'pop_total' as measure_id
    from population as p
    where p.age_group_code = 'total' and p.sex_code = 'total'
),

sgb2_parts as (
    select
        *,
        case
            when measure_code = 'LB' and age_group_code = 'total' then 'sgb2_lb'
            when measure_code = 'LB' and age_group_code = 'ALT000B15' then 'sgb2_lb_u15'
            when measure_code = 'RLB' and age_group_code = 'total' then 'sgb2_rlb'
            when measure_code = 'RLB' and age_group_code = 'ALT000B15' then 'sgb2_rlb_u15'
        end as measure_id
    from {{ ref('stg_sgb2_benefits') }}
),

-- counts only: the table's rates are published rates (int_measure_published)
unemployment_parts as (
    select
        *,
        case
            when measure_code = 'ERWP06' and group_code = 'total' then 'unemployed'
            when measure_code = 'ERWP06' and group_code = 'ARBEITSLOS05' then 'unemployed_long_term'
        end as measure_id
    from {{ ref('stg_unemployment') }}
),

area_parts as (
    select *, 'area_km2' as measure_id from {{ ref('stg_area') }}
),

parts as (
    select region_key, period, measure_id, population as value, value_status, table_code, source_file_sha256
    from population_parts
    union all
    select region_key, period, measure_id, persons, value_status, table_code, source_file_sha256
    from sgb2_parts where measure_id is not null
    union all
    select region_key, period, measure_id, value, value_status, table_code, source_file_sha256
    from unemployment_parts where measure_id is not null
    union all
    select region_key, period, measure_id, area_km2, value_status, table_code, source_file_sha256
    from area_parts
    {%- for model in var('measure_models') %}
    union all
    select region_key, period, measure_id, value, value_status, table_code, source_file_sha256
    from {{ ref(model) }}
    {%- endfor %}
),

region as (
    select * from {{ ref('ref_region') }} where level = 'kreis'
)

select
    parts.region_key,
    parts.period,
    parts.measure_id,
    case when count(parts.value_status) = 0 then {{ exact_sum("parts.value") }} end as value,
    min(parts.value_status) as value_status,
    min(parts.table_code) as table_code,
    min(parts.source_file_sha256) as source_file_sha256
from parts
inner join region
    on parts.region_key = region.region_key
    and (region.valid_from is null or make_date(parts.period, 12, 31) >= region.valid_from)
    and (region.valid_to is null or make_date(parts.period, 12, 31) <= region.valid_to)
group by parts.region_key, parts.period, parts.measure_id
