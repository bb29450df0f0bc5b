-- Coverage of the map on the Gebietsstand of the Gemeindeverzeichnis: as many kreisfreie Städte, Landkreise (and the
-- other kinds of Kreis) and Gemeinden as the territory's Gemeindeverzeichnis extract lists
-- (Thüringen: 5 kreisfreie Städte, 17 Landkreise, 605 Gemeinden). Returns a row per count
-- that is off.
with gv_date as (
    select max(gebietsstand) as on_date from {{ ref('ref_region_gv') }}
),

valid as (
    select d.* from {{ ref('dim_region') }} as d, gv_date
    where (d.valid_from is null or d.valid_from <= gv_date.on_date)
        and (d.valid_to is null or d.valid_to >= gv_date.on_date)
),

expected as (
    select coalesce(nullif(kreis_type, ''), level) as what, count(*) as expected
    from {{ ref('ref_region_gv') }}
    where level in ('kreis', 'gemeinde')
    group by all
),

found as (
    select coalesce(kreis_type, level) as what, count(*) as found
    from valid
    where level in ('kreis', 'gemeinde')
    group by all
)

select coalesce(e.what, f.what) as what, e.expected, f.found
from expected as e
full outer join found as f on f.what = e.what
where e.expected is distinct from f.found
