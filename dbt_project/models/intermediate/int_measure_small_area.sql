-- Counts below the Kreis, as published: Gemeinden and Sozialräume (city statistics offices),
-- the rows their contracts' measure_map names (macro measure_rows). Former Gemeinden that a
-- source shows as '-' after a merger are not measures of that period: the unit no longer
-- exists.
with gemeinde as (
    select
        g.region_key,
        'gemeinde' as level,
        g.period,
        g.measure_id,
        g.value,
        g.value_status,
        g.table_code,
        g.source_file_sha256
    from ({{ measure_rows_of_level('gemeinde') }}) as g
    where not exists (
        select 1 from {{ ref('key_history') }} as h
        where h.old_key = g.region_key and h.change_date <= make_date(g.period, 12, 31)
    )
),

sozialraum as (
    select
        region_key,
        'sozialraum' as level,
        period,
        measure_id,
        value,
        value_status,
        table_code,
        source_file_sha256
    from ({{ measure_rows_of_level('sozialraum') }})
)

select * from gemeinde
union all
select * from sozialraum
