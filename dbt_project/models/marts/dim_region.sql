-- Every region from the Land down to the Sozialraum, with parent, Kreis, validity and area.
-- Land and Kreise (with their history: Eisenach 16056 until 30.06.2021) from ref_region;
-- Gemeindeverbände and Gemeinden from the Gemeindeverzeichnis extract (Gebietsstand
-- 30.06.2024); former Gemeinden from the key history; Sozialräume from the city tables.
with kreis_level as (
    select
        region_key,
        name,
        level,
        nullif(parent_key, '') as parent_key,
        case when level = 'kreis' then region_key end as kreis_key,
        nullif(kreis_type, '') as kreis_type,
        cast(null as varchar) as municipality_type,
        cast(null as varchar) as ars,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        area_km2
    from {{ ref('ref_region') }}
),

gv as (
    select
        region_key,
        name,
        level,
        parent_key,
        parent_key as kreis_key,
        cast(null as varchar) as kreis_type,
        nullif(municipality_type, '') as municipality_type,
        ars,
        (
            -- a Gemeinde formed by a change in the key history exists from that day
            select max(h.change_date) from {{ ref('key_history') }} as h
            where h.new_key = gv.region_key and h.old_key <> h.new_key
        ) as valid_from,
        cast(null as date) as valid_to,
        area_km2
    from {{ ref('ref_region_gv') }} as gv
    where level in ('gemeindeverband', 'gemeinde')
),

former_gemeinde as (
    select
        h.old_key as region_key,
        coalesce(max(n.region_name), h.old_key) as name,
        'gemeinde' as level,
        left(h.old_key, 5) as parent_key,
        left(h.old_key, 5) as kreis_key,
        cast(null as varchar) as kreis_type,
        cast(null as varchar) as municipality_type,
        cast(null as varchar) as ars,
        cast(null as date) as valid_from,
        cast(min(h.change_date) - interval 1 day as date) as valid_to,
        cast(null as double) as area_km2
    from {{ ref('key_history') }} as h
    left join {{ ref('int_region_names') }} as n on n.region_key = h.old_key
    where length(h.old_key) = 8
        and h.old_key not in (select region_key from gv)
    group by h.old_key
),

sozialraum as (
    select
        region_key,
        name,
        'sozialraum' as level,
        gemeinde_key as parent_key,
        left(gemeinde_key, 5) as kreis_key,
        cast(null as varchar) as kreis_type,
        cast(null as varchar) as municipality_type,
        cast(null as varchar) as ars,
        cast(null as date) as valid_from,
        cast(null as date) as valid_to,
        cast(null as double) as area_km2
    from {{ ref('int_sozialraum') }}
),

regions as (
    select * from kreis_level
    union all select * from gv
    union all select * from former_gemeinde
    union all select * from sozialraum
)

select
    cast(region_key as varchar) as region_key,
    cast(name as varchar) as name,
    cast(level as varchar) as level,
    cast(parent_key as varchar) as parent_key,
    cast(kreis_key as varchar) as kreis_key,
    cast(kreis_type as varchar) as kreis_type,
    cast(municipality_type as varchar) as municipality_type,
    cast(ars as varchar) as ars,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to,
    cast(area_km2 as double) as area_km2
from regions
