-- Counts per Kreis, period and measure from the SGB II details (SGB2-02-4), and the population
-- denominators they need: 15 to under 65 (pop_15_64_sgb2) and 15 to under 18 (pop_15_17).
-- A sum over age groups is only a number when every part is one; otherwise it keeps the sign.
-- Only Kreise that exist at 31.12. of the period are kept (Eisenach's '-' rows from 2021 drop).
with age_group(age_group_code, age_from, age_to) as (
    values
        ('ALT015B18', 15, 18), ('ALT018B20', 18, 20), ('ALT020B25', 20, 25),
        ('ALT025B30', 25, 30), ('ALT030B35', 30, 35), ('ALT035B40', 35, 40),
        ('ALT040B45', 40, 45), ('ALT045B50', 45, 50), ('ALT050B55', 50, 55),
        ('ALT055B60', 55, 60), ('ALT060B65', 60, 65)
),

age_band(measure_id, age_from, age_to) as (
    values ('pop_15_64_sgb2', 15, 65), ('pop_15_17', 15, 18)
),

population_parts as (
    select p.*, b.measure_id
    from {{ ref('stg_population_age') }} as p
    inner join age_group as g on p.age_group_code = g.age_group_code
    inner join age_band as b on g.age_from >= b.age_from and g.age_to <= b.age_to
    where p.sex_code = 'total'
),

detail_parts as (
    select
        *,
        case measure_code
            when 'ELB' then 'sgb2_elb'
            when 'LB1517' then 'sgb2_lb_15_17'
            when 'BG' then 'sgb2_bg'
            when 'BGALL' then 'sgb2_bg_single_parent'
        end as measure_id
    from {{ ref('stg_sgb2_details') }}
),

parts as (
    select region_key, period, measure_id, population as value, value_status, table_code, source_file_sha256
    from population_parts
    union all
    select region_key, period, measure_id, value, value_status, table_code, source_file_sha256
    from detail_parts where measure_id is not null
),

region as (
    select * from {{ ref('ref_region') }} where level = 'kreis'
)

select
    parts.region_key,
    parts.period,
    parts.measure_id,
    case when count(parts.value_status) = 0 then sum(parts.value) end as value,
    min(parts.value_status) as value_status,
    min(parts.table_code) as table_code,
    min(parts.source_file_sha256) as source_file_sha256
from parts
inner join region
    on parts.region_key = region.region_key
    and make_date(parts.period, 12, 31) >= region.valid_from
    and (region.valid_to is null or make_date(parts.period, 12, 31) <= region.valid_to)
group by parts.region_key, parts.period, parts.measure_id
