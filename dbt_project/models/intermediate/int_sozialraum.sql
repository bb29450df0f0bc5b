-- Sozialräume below a Gemeinde, as the city statistics offices deliver them:
-- key `<AGS8>-<code>`, name, parent Gemeinde.
select distinct
    region_key,
    arg_max(region_name, period) over (partition by region_key) as name,
    split_part(region_key, '-', 1) as gemeinde_key
from {{ ref('stg_erfurt_stadtteile') }}
