-- The subtraction an attacker tries on what is published (int_measure, which every mart
-- reads): a published total minus the published parts. No group may leave exactly one
-- suppressed count (it would be recomputed), nor suppressed counts that together hold fewer
-- than 3 (for counts; a change may be negative). Groups: the Sozialräume of a Gemeinde
-- (total: the Gemeinde's count, or the Kreis's for a kreisfreie Stadt), the Gemeinden of a
-- Kreis, and a small area's population by age.
with published as (
    select region_key, level, period, measure_id, value
    from {{ ref('int_measure') }}
    where level in ('kreis', 'gemeinde', 'sozialraum')
),

part as (
    select
        concat_ws(
            '|', level, period, measure_id,
            case level
                when 'sozialraum' then split_part(region_key, '-', 1)
                else left(region_key, 5)
            end
        ) as group_id,
        measure_id not like 'pop_change_%' as is_count,
        value
    from published
    where level in ('gemeinde', 'sozialraum')
    union all
    select concat_ws('|', 'age', period, region_key), true, value
    from published
    where level in ('gemeinde', 'sozialraum')
        and measure_id in ('pop_u15', 'pop_15_64', 'pop_65plus')
),

total as (
    select concat_ws('|', 'gemeinde', period, measure_id, region_key) as group_id, value
    from published where level = 'kreis'
    union
    select concat_ws('|', 'sozialraum', period, measure_id, region_key), value
    from published where level = 'gemeinde'
    union
    select concat_ws('|', 'sozialraum', k.period, k.measure_id, k.region_key || '000'), k.value
    from published as k
    inner join {{ ref('ref_region') }} as r
        on r.region_key = k.region_key and r.kreis_type = 'kreisfreie Stadt'
    where k.level = 'kreis'
    union
    select concat_ws('|', 'age', period, region_key), value
    from published where measure_id = 'pop_total' and level in ('gemeinde', 'sozialraum')
)

select
    p.group_id,
    t.value as total,
    count(*) filter (where p.value is null) as suppressed,
    t.value - sum(p.value) as total_minus_published_parts
from part as p
inner join total as t on t.group_id = p.group_id and t.value is not null
group by p.group_id, t.value
having count(*) filter (where p.value is null) = 1
    or (
        count(*) filter (where p.value is null) > 0 and bool_and(p.is_count)
        and t.value - sum(p.value) < 3
    )
