-- The latest name each region key carried in a delivery (names are labels, never join keys).
select region_key, arg_max(region_name, period_year) as region_name
from (
    {% for table in ['population_age', 'population_gemeinden', 'erfurt_stadtteile', 'jena_planungsraeume'] %}
    select region_key, region_name, period_year from {{ source('raw', table) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)
group by region_key
