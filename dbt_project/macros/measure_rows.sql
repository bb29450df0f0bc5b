{#-
    The warehouse's measures in a raw table, as its contract's measure_map says (generated
    macro measure_map(), see pipelines/dbt_sources.py): the rows of a measure code whose
    attribute codes (var1…var3, '' the "Insgesamt") are those of a measure. One row per raw
    row; a measure of several rows (an age band) is summed by the model that groups them.
    Columns: region_key, period, measure_id, value, value_status, table_code,
    source_file_sha256.
-#}
{% macro measure_rows(source_name) -%}
    {%- if source_name not in measure_map() %}
        {{- exceptions.raise_compiler_error(
            "measure_rows('" ~ source_name ~ "'): data_contracts/" ~ source_name
            ~ ".yml has no measure_map (sources with one: " ~ (measure_map().keys() | join(", ")) ~ ")"
        ) }}
    {%- endif %}
    {%- set rows = measure_map()[source_name]["rows"] %}
    select
        r.region_key,
        r.period_year as period,
        m.measure_id,
        r.value,
        r.value_status,
        r.table_code,
        r._source_file_sha256 as source_file_sha256
    from {{ source("raw", source_name) }} as r
    inner join (
        values
        {%- for row in rows %}
            ({% for code in row %}'{{ code | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor %}){{ "," if not loop.last }}
        {%- endfor %}
    ) as m(measure_id, measure_code, var1_attr_code, var2_attr_code, var3_attr_code)
        on r.measure_code = m.measure_code
        and coalesce(r.var1_attr_code, '') = m.var1_attr_code
        and coalesce(r.var2_attr_code, '') = m.var2_attr_code
        and coalesce(r.var3_attr_code, '') = m.var3_attr_code
{%- endmacro %}

{#- The sources whose measure_map names measures of `level` (kreis, gemeinde, sozialraum). -#}
{% macro measure_sources(level) -%}
    {%- set names = [] %}
    {%- for name, entry in measure_map().items() if entry["level"] == level %}
        {%- do names.append(name) %}
    {%- endfor %}
    {{- return(names) }}
{%- endmacro %}

{#- The measure rows of every source of `level`, one union (none: no rows). -#}
{% macro measure_rows_of_level(level) -%}
    {%- for name in measure_sources(level) %}
    {{ "union all" if not loop.first }}
    ({{ measure_rows(name) }})
    {%- else %}
    select
        null::varchar as region_key,
        null::bigint as period,
        null::varchar as measure_id,
        null::double as value,
        null::varchar as value_status,
        null::varchar as table_code,
        null::varchar as source_file_sha256
    where false
    {%- endfor %}
{%- endmacro %}
