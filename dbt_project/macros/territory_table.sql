{% macro territory_table(name, columns) %}
{#- One table of the territory (pipelines/territory.py), as the refresh wrote it into schema
    `territory` (every field as text), with the declared column types: keys keep their leading
    zeros. -#}
(
    select
    {%- for column, type in columns.items() %}
        cast("{{ column }}" as {{ type }}) as "{{ column }}"{{ "," if not loop.last }}
    {%- endfor %}
    from {{ source('territory', name) }}
)
{% endmacro %}
