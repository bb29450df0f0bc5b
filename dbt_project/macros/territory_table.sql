{% macro territory_table(name, columns) %}
{#- One table of the territory folder (var `territory_dir`, see pipelines/territory.py), read
    with the declared column types so keys keep their leading zeros. -#}
read_csv(
    '{{ var("territory_dir") }}/{{ name }}.csv',
    header = true,
    delim = ',',
    quote = '"',
    columns = {
    {%- for column, type in columns.items() %}
        '{{ column }}': '{{ type }}'{{ "," if not loop.last }}
    {%- endfor %}
    }
)
{% endmacro %}
