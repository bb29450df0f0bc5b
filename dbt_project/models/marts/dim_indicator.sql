-- The indicator catalogue, with the licence attribution of the sources each one uses.
with catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

source_file as (
    select * from {{ source('meta', 'source_file') }}
),

attribution as (
    select
        c.indicator_id,
        string_agg(distinct s.licence, '; ' order by s.licence) as licence,
        string_agg(distinct s.attribution, ' | ' order by s.attribution) as attribution
    from catalogue as c
    inner join source_file as s
        on list_contains(string_split(c.source_tables, ' '), s.table_code)
    group by c.indicator_id
)

select
    cast(c.indicator_id as varchar) as indicator_id,
    cast(c.title_de as varchar) as title_de,
    cast(c.title_en as varchar) as title_en,
    cast(c.topic as varchar) as topic,
    cast(c.definition as varchar) as definition,
    cast(c.numerator_measure as varchar) as numerator,
    cast(c.denominator_measure as varchar) as denominator,
    cast(c.multiplier as double) as multiplier,
    cast(c.unit as varchar) as unit,
    cast(c.polarity as varchar) as polarity,
    cast({{ label_de('polarity', 'c.polarity') }} as varchar) as polarity_de,
    cast(c.source_tables as varchar) as source_statistics,
    cast(c.lowest_level as varchar) as lowest_level,
    cast(c.plausible_min as double) as plausible_min,
    cast(c.plausible_max as double) as plausible_max,
    cast(c.max_yoy_change as double) as max_yoy_change,
    cast(c.max_yoy_change_kind as varchar) as max_yoy_change_kind,
    cast(c.taken_as_published as boolean) as taken_as_published,
    cast(a.licence as varchar) as licence,
    cast(a.attribution as varchar) as attribution
from catalogue as c
left join attribution as a on c.indicator_id = a.indicator_id
