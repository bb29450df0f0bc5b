{% test every_region_every_period(model, regions, as_of=none, group_by='indicator_id', levels=['land', 'kreis'], only=none) %}
-- Region and period combinations without a row, for every value of `group_by` and every
-- period that value has at all: a delivered year must be complete, a year nobody delivered
-- is a gap (meta.coverage_gap), not a failure.
-- Regions count that exist at `as_of` (one Gebietsstand for all periods) or, without it,
-- at the reference date (31.12.) of each period (the map as published).
with periods as (
    select distinct {{ group_by }} as group_value, period from {{ model }}
    where true
    {% if only %}and {{ only }}{% endif %}
    {% if as_of %}and make_date(cast(period as integer), 12, 31) <= cast('{{ as_of }}' as date){% endif %}
),
expected as (
    select p.group_value, r.region_key, p.period
    from periods as p
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
