-- Regions with their key, level, parent and validity (Gebietsstand of the areas: 30.06.2024).
select
    cast(region_key as varchar) as region_key,
    cast(name as varchar) as name,
    cast(level as varchar) as level,
    cast(parent_key as varchar) as parent_key,
    cast(kreis_type as varchar) as kreis_type,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to,
    cast(area_km2 as double) as area_km2
from {{ ref('ref_region') }}
