-- Counts below the Kreis, as published: Gemeinden (population by Gemeinde) and Sozialräume
-- (city statistics offices). Former Gemeinden that a source shows as '-' after a merger
-- are not measures of that period: the unit no longer exists.
with gemeinde as (
    select
        g.region_key,
        'gemeinde' as level,
        g.period,
        'pop_total' as measure_id,
        g.population as value,
        g.value_status,
        g.table_code,
        g.source_file_sha256
    from {{ ref('stg_population_gemeinden') }} as g
    where g.sex_code = 'total'
        and not exists (
            select 1 from {{ ref('key_history') }} as h
            where h.old_key = g.region_key and h.change_date <= make_date(g.period, 12, 31)
        )
),

city as (
    select * from {{ ref('stg_erfurt_stadtteile') }}
    union all by name
    select * from {{ ref('stg_jena_planungsraeume') }}
),

sozialraum as (
    select
        region_key,
        'sozialraum' as level,
        period,
        case measure_code
            when 'EW_INSG' then 'pop_total'
            when 'EW_U18' then 'pop_u18'
            when 'EW_65UM' then 'pop_65plus'
            when 'SGB2_LB' then 'sgb2_lb'
            when 'ALO' then 'unemployed'
            when 'EW_U15' then 'pop_u15'
            when 'EW_15_64' then 'pop_15_64'
            when 'SGB2_LB_U15' then 'sgb2_lb_u15'
            when 'LZA' then 'unemployed_long_term'
        end as measure_id,
        count as value,
        value_status,
        table_code,
        source_file_sha256
    from city
)

select * from gemeinde
union all
select * from sozialraum where measure_id is not null
