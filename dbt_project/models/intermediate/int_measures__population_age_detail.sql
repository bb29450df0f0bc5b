-- Counts per Kreis, period and measure from the population by 5-year age groups (12411-04-02-4).
-- Columns as int_measure_kreis; int_measure_kreis unions it.
-- pop_80plus: population aged 80 and over (ALT080B85 + ALT085UM);
-- age_years_sum: sum over the groups of group midpoint x persons (2.5, 7.5, …, 82.5; 87.5 for
-- 85 and over), the numerator of the mean age (denominator pop_total).
-- A sum over groups is only a number when every group is one; otherwise it keeps the sign.
with age_group(age_group_code, midpoint) as (
    values
        ('ALT000B05', 2.5), ('ALT005B10', 7.5), ('ALT010B15', 12.5), ('ALT015B20', 17.5),
        ('ALT020B25', 22.5), ('ALT025B30', 27.5), ('ALT030B35', 32.5), ('ALT035B40', 37.5),
        ('ALT040B45', 42.5), ('ALT045B50', 47.5), ('ALT050B55', 52.5), ('ALT055B60', 57.5),
        ('ALT060B65', 62.5), ('ALT065B70', 67.5), ('ALT070B75', 72.5), ('ALT075B80', 77.5),
        ('ALT080B85', 82.5), ('ALT085UM', 87.5)
),

parts as (
    select
        p.region_key,
        p.period,
        'age_years_sum' as measure_id,
        g.midpoint * p.population as value,
        p.value_status,
        p.table_code,
        p.source_file_sha256
    from {{ ref('stg_population_age_detail') }} as p
    inner join age_group as g on p.age_group_code = g.age_group_code
    union all
    select
        region_key,
        period,
        'pop_80plus' as measure_id,
        population as value,
        value_status,
        table_code,
        source_file_sha256
    from {{ ref('stg_population_age_detail') }}
    where age_group_code in ('ALT080B85', 'ALT085UM')
)

select
    region_key,
    period,
    measure_id,
    case when count(value_status) = 0 then sum(value) end as value,
    min(value_status) as value_status,
    min(table_code) as table_code,
    min(source_file_sha256) as source_file_sha256
from parts
group by region_key, period, measure_id
