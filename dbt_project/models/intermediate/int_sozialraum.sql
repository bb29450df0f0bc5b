-- Sozialräume below a Gemeinde, as the city statistics offices deliver them:
-- key `<AGS8>-<code>`, the latest name, parent Gemeinde.
with delivered as (
    select region_key, region_name, period from {{ ref('stg_erfurt_stadtteile') }}
    union all
    select region_key, region_name, period from {{ ref('stg_jena_planungsraeume') }}
)

select
    region_key,
    arg_max(region_name, period) as name,
    split_part(region_key, '-', 1) as gemeinde_key
from delivered
group by region_key
