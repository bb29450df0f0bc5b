{#-
    Aggregates that give the same double whatever order DuckDB adds the rows in: each row is
    rounded to 9 decimals and added as DECIMAL (exact), so two builds from the same input
    publish the same values to the last bit, and a release diff shows no floating-point noise.
    `over` is an optional window (e.g. "over w").
-#}
{% macro exact_sum(expr, over="") -%}
    cast(sum(cast({{ expr }} as decimal(38, 9))) {{ over }} as double)
{%- endmacro %}

{% macro exact_mean(expr, over="") -%}
    ({{ exact_sum(expr, over) }} / count({{ expr }}) {{ over }})
{%- endmacro %}

{#- sample standard deviation from the exact sums of x and x² -#}
{% macro exact_sd(expr, over="") -%}
    sqrt(greatest(
        {{ exact_sum("(" ~ expr ~ ") * (" ~ expr ~ ")", over) }}
        - {{ exact_sum(expr, over) }} ^ 2 / count({{ expr }}) {{ over }},
        0
    ) / nullif(count({{ expr }}) {{ over }} - 1, 0))
{%- endmacro %}
