-- depends_on: {{ ref('indicator_catalogue') }}
-- One row per region and year, one column per indicator of the catalogue: for dashboards
-- that want a wide table. The columns follow data_contracts/indicators/ (the contract of this
-- model is generated from the same catalogue by `python -m pipelines.indicators`).
{%- set indicator_ids = [] -%}
{%- if execute -%}
    {%- set indicator_ids = run_query(
        "select indicator_id from " ~ ref('indicator_catalogue') ~ " order by indicator_id"
    ).columns[0].values() -%}
{%- endif %}
select
    cast(region_key as varchar) as region_key,
    cast(max(region_name) as varchar) as region_name,
    cast(max(level) as varchar) as level,
    cast(period as integer) as period,
    cast(max(gebietsstand) as date) as gebietsstand
    {%- for indicator_id in indicator_ids %},
    cast(max(value) filter (where indicator_id = '{{ indicator_id }}') as double) as {{ indicator_id }}
    {%- endfor %}
from {{ ref('mart_indicator_values') }}
group by region_key, period
-- stored by region: one region's profile reads only the row groups that hold it
order by region_key, period
