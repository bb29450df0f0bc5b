{# Schemas are named by layer (raw, staging, intermediate, marts, audit), without a prefix. #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name else target.schema }}
{%- endmacro %}
