{% test unique_combination_of_columns(model, combination) %}
-- Rows whose key combination occurs more than once.
select {{ combination | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ combination | join(', ') }}
having count(*) > 1
{% endtest %}
