{# The German label of an English code (seeds/label_de.csv): planners read the label, joins
   and filters keep the stable English code. Null when the seed has no label for the code,
   which the not_null constraint on every *_de column turns into a failed build. #}
{% macro label_de(kind, code) -%}
    (select l.label_de from {{ ref('label_de') }} as l where l.kind = '{{ kind }}' and l.code = {{ code }})
{%- endmacro %}
