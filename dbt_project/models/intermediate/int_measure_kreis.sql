-- Counts per Kreis, period and measure: the numerators and denominators of every indicator.
-- The measures of each source are the rows its contract's measure_map names (macro
-- measure_rows); the var `measure_models` adds the measures computed from others (ratios,
-- differences, sums across sources). A measure of several rows (an age band) is their sum,
-- and a sum over parts is only a number when every part is one; otherwise it keeps the sign.
-- Only Kreise that exist at the reference date (31.12. of the period) are kept: rows the
-- source marks with '-' for a merged Kreis (Eisenach 16056 from 2021) stay in raw.
with parts as (
    select region_key, period, measure_id, value, value_status, table_code, source_file_sha256
    from ({{ measure_rows_of_level('kreis') }})
    {%- for model in var('measure_models') %}
    union all
    select region_key, period, measure_id, value, value_status, table_code, source_file_sha256
    from {{ ref(model) }}
    {%- endfor %}
),

region as (
    select * from {{ ref('ref_region') }} where level = 'kreis'
)

select
    parts.region_key,
    parts.period,
    parts.measure_id,
    case when count(parts.value_status) = 0 then {{ exact_sum("parts.value") }} end as value,
    min(parts.value_status) as value_status,
    min(parts.table_code) as table_code,
    min(parts.source_file_sha256) as source_file_sha256
from parts
inner join region
    on parts.region_key = region.region_key
    and (region.valid_from is null or make_date(parts.period, 12, 31) >= region.valid_from)
    and (region.valid_to is null or make_date(parts.period, 12, 31) <= region.valid_to)
group by parts.region_key, parts.period, parts.measure_id
