-- One value per indicator, region and period, computed from its numerator and denominator,
-- every period on the same Gebietsstand (var `gebietsstand`): regions as they are today.
-- Add an indicator by adding a row to seeds/indicator_catalogue.csv.
{%- set build = adapter.get_relation(database=this.database, schema='meta', identifier='dbt_build')
    if execute else none %}
{%- set build_release = '(select release from meta.dbt_build)' if build else "'dev'" %}
with catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

level_rank(level, level_rank) as (
    values ('land', 0), ('kreis', 1), ('gemeinde', 2), ('sozialraum', 3)
),

measure as (
    select * from {{ ref('int_measure') }}
),

paired as (
    select
        c.indicator_id,
        n.region_key,
        n.period,
        c.multiplier,
        c.unit,
        c.denominator_measure,
        n.level,
        n.value as numerator,
        d.value as denominator,
        coalesce(n.value_status, d.value_status) as component_status,
        n.table_code as numerator_table,
        d.table_code as denominator_table,
        n.source_file_sha256 as numerator_sha256,
        d.source_file_sha256 as denominator_sha256
    from catalogue as c
    inner join measure as n on n.measure_id = c.numerator_measure
    -- an indicator goes down to its `lowest_level` only
    inner join level_rank as lowest on lowest.level = c.lowest_level
    inner join level_rank as here on here.level = n.level and here.level_rank <= lowest.level_rank
    left join measure as d
        on d.measure_id = c.denominator_measure
        and d.region_key = n.region_key
        and d.period = n.period
    -- a ratio needs both parts; a missing denominator row shows up as status '.'
),

guarded as (
    -- disclosure control: shares of small areas over fewer than 100 people are not shown
    select
        *,
        coalesce(level in ('gemeinde', 'sozialraum') and unit = 'Prozent' and denominator < 100, false)
            as small_base
    from paired
)

select
    cast(indicator_id as varchar) as indicator_id,
    cast(region_key as varchar) as region_key,
    cast(period as integer) as period,
    cast(case
        when component_status is not null then null
        when denominator_measure is null then numerator * multiplier
        when denominator is null or denominator = 0 then null
        when small_base then null
        else numerator * multiplier / denominator
    end as double) as value,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    cast(unit as varchar) as unit,
    cast(case
        when component_status is not null then component_status
        when denominator_measure is not null and denominator is null then '.'
        when denominator_measure is not null and denominator = 0 then 'x'
        when small_base then '.'
    end as varchar) as value_status,
    cast('{{ var("gebietsstand") }}' as date) as gebietsstand,
    cast(concat_ws(' ', numerator_table, denominator_table) as varchar) as source_tables,
    cast(concat_ws(' ', numerator_sha256, denominator_sha256) as varchar) as source_file_sha256,
    -- the release id the refresh writes before dbt runs ('dev' when dbt runs by hand): no
    -- var, so that dbt's partial parse holds from one release to the next
    cast({{ build_release }} as varchar) as release
from guarded
-- stored by indicator, period and region: a map (one indicator, every region, one year) reads
-- only the row groups that hold that year, a Kreis's series only its indicator's; DuckDB skips
-- the others by their min/max
order by indicator_id, period, region_key
