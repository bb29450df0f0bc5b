{% test every_region_every_period(model, regions, first_period, last_period, as_of=none, group_by='indicator_id', levels=['land', 'kreis'], only=none) %}
-- Region and period combinations without a row, for every value of `group_by`.
-- Regions count that exist at `as_of` (one Gebietsstand for all periods) or, without it,
-- at the reference date (31.12.) of each period (the map as published).
with periods as (
    select range as period from range({{ first_period }}, {{ last_period }} + 1)
    {% if as_of %}where make_date(cast(range as integer), 12, 31) <= cast('{{ as_of }}' as date){% endif %}
),
expected as (
    select g.group_value, r.region_key, p.period
    from (
        select distinct {{ group_by }} as group_value from {{ model }}
        {% if only %}where {{ only }}{% endif %}
    ) as g
    cross join periods as p
    inner join {{ regions }} as r
        on r.level in ('{{ levels | join("', '") }}')
        {% set on_date = "cast('" ~ as_of ~ "' as date)" if as_of else "make_date(cast(p.period as integer), 12, 31)" %}
        and (r.valid_from is null or {{ on_date }} >= r.valid_from)
        and (r.valid_to is null or {{ on_date }} <= r.valid_to)
)
select e.group_value as {{ group_by }}, e.region_key, e.period
from expected as e
left join {{ model }} as m
    on m.{{ group_by }} = e.group_value and m.region_key = e.region_key and m.period = e.period
where m.{{ group_by }} is null
{% endtest %}
