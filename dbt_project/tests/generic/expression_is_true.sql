{% test expression_is_true(model, expression, where=none) %}
-- Rows for which the expression does not hold (null counts as not holding).
select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{% if where %} and ({{ where }}){% endif %}
{% endtest %}
