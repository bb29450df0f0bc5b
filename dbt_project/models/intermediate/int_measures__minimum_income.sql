-- Counts per Kreis, period and measure from the minimum income table (22151-01-02-4) and
-- the Mindestsicherung total. Columns as int_measure_kreis; int_measure_kreis unions it
-- (Kreis filter there). Measures: basic_income_old_age (GRUAL), subsistence_aid (HLU),
-- asylum_seeker_benefits (ASYLB), wohngeld_households (WOGHH), private_households (HH);
-- minimum_income_recipients = SGB II Leistungsberechtigte (SGB2-01-4, annual average) + GRUAL +
-- HLU + ASYLB (31.12.): a number only when all four parts are numbers; a sign of a part is
-- kept, a missing part gives '...' (not yet available).
with minimum_income as (
    select
        *,
        case measure_code
            when 'GRUAL' then 'basic_income_old_age'
            when 'HLU' then 'subsistence_aid'
            when 'ASYLB' then 'asylum_seeker_benefits'
            when 'WOGHH' then 'wohngeld_households'
            when 'HH' then 'private_households'
        end as measure_id
    from {{ ref('stg_minimum_income') }}
),

recipient_parts as (
    select region_key, period, measure_code as part, persons, value_status, table_code, source_file_sha256
    from minimum_income
    where measure_code in ('GRUAL', 'HLU', 'ASYLB')
    union all
    select region_key, period, 'LB' as part, persons, value_status, table_code, source_file_sha256
    from {{ ref('stg_sgb2_benefits') }}
    where measure_code = 'LB' and age_group_code = 'total'
),

recipients as (
    select
        region_key,
        period,
        'minimum_income_recipients' as measure_id,
        case
            when count(value_status) = 0 and count(distinct part) = 4 then sum(persons)
        end as value,
        coalesce(
            min(value_status), case when count(distinct part) < 4 then '...' end
        ) as value_status,
        min(table_code) as table_code,
        min(source_file_sha256) as source_file_sha256
    from recipient_parts
    group by region_key, period
)

select region_key, period, measure_id, persons as value, value_status, table_code, source_file_sha256
from minimum_income
where measure_id is not null

union all

select region_key, period, measure_id, value, value_status, table_code, source_file_sha256
from recipients
