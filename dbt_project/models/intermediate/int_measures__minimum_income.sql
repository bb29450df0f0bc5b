-- minimum_income_recipients per Kreis and period: SGB II Leistungsberechtigte (sgb2_lb,
-- SGB2-01-4, annual average) + basic_income_old_age + subsistence_aid +
-- asylum_seeker_benefits (22151-01-02-4, 31.12.), the measures of the two contracts'
-- measure_map. A number only when all four parts are numbers; a sign of a part is kept, a
-- missing part gives '...' (not yet available). Columns as int_measure_kreis, which unions
-- it (Kreis filter there).
with recipient_parts as (
    select region_key, period, measure_id as part, value, value_status, table_code, source_file_sha256
    from ({{ measure_rows('minimum_income') }})
    where measure_id in ('basic_income_old_age', 'subsistence_aid', 'asylum_seeker_benefits')
    union all
    select region_key, period, measure_id as part, value, value_status, table_code, source_file_sha256
    from ({{ measure_rows('sgb2_benefits') }})
    where measure_id = 'sgb2_lb'
)

select
    region_key,
    period,
    'minimum_income_recipients' as measure_id,
    case
        when count(value_status) = 0 and count(distinct part) = 4 then sum(value)
    end as value,
    coalesce(
        min(value_status), case when count(distinct part) < 4 then '...' end
    ) as value_status,
    min(table_code) as table_code,
    min(source_file_sha256) as source_file_sha256
from recipient_parts
group by region_key, period
