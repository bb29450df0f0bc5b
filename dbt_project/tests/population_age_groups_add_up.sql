-- Plausibility: per Kreis, period and sex the age groups add up to the delivered total.
with parts as (
    select region_key, period, sex_code, sum(population) as sum_of_groups
    from {{ ref('stg_population_age') }}
    where age_group_code <> 'total' and value_status is null
    group by all
),
total as (
    select region_key, period, sex_code, population as total
    from {{ ref('stg_population_age') }}
    where age_group_code = 'total' and value_status is null
)
select t.*, p.sum_of_groups
from total as t
left join parts as p using (region_key, period, sex_code)
where p.sum_of_groups is distinct from t.total
