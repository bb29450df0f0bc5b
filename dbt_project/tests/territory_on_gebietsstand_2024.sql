-- Coverage of the map on 31.12.2024: 22 Kreise (5 kreisfreie Städte, 17 Landkreise) and
-- 605 Gemeinden. Returns a row per count that is off.
with valid as (
    select * from {{ ref('dim_region') }}
    where (valid_from is null or valid_from <= date '2024-12-31')
        and (valid_to is null or valid_to >= date '2024-12-31')
),

counts as (
    select 'kreisfreie Städte' as what, 5 as expected,
        count(*) filter (where level = 'kreis' and kreis_type = 'kreisfreie Stadt') as found
    from valid
    union all
    select 'Landkreise', 17, count(*) filter (where level = 'kreis' and kreis_type = 'Landkreis')
    from valid
    union all
    select 'Gemeinden', 605, count(*) filter (where level = 'gemeinde') from valid
)

select * from counts where found <> expected
