{% test every_region_every_period(model, regions, first_period, last_period) %}
-- Kreis/Land and period combinations without a row, for every indicator, counting only
-- regions that exist at the reference date (31.12.) of the period.
with periods as (
    select range as period from range({{ first_period }}, {{ last_period }} + 1)
),
expected as (
    select i.indicator_id, r.region_key, p.period
    from (select distinct indicator_id from {{ model }}) as i
    cross join periods as p
    inner join {{ regions }} as r
        on r.level in ('land', 'kreis')
        and make_date(cast(p.period as integer), 12, 31) >= r.valid_from
        and (r.valid_to is null or make_date(cast(p.period as integer), 12, 31) <= r.valid_to)
)
select e.*
from expected as e
left join {{ model }} as m
    on m.indicator_id = e.indicator_id and m.region_key = e.region_key and m.period = e.period
where m.indicator_id is null
{% endtest %}
