-- Where a source publishes parts (Gemeinden, Sozialräume) and another the total (the Kreis),
-- the parts add up to the total: exactly, or within the contract's `parts_tolerance` plus
-- 2 per suppressed part (a suppressed count is 1 or 2).
with parts as (
    select
        left(p.region_key, 5) as kreis_key,
        p.level,
        p.period,
        p.measure_id,
        p.table_code,
        sum(p.value) as sum_of_parts,
        count(*) filter (where p.value_status is not null) as suppressed
    from {{ ref('int_measure_small_area') }} as p
    group by all
),

tolerance as (
    select table_code, max(parts_tolerance) as parts_tolerance
    from {{ source('meta', 'source_file') }}
    group by table_code
)

select
    p.*,
    k.value as kreis_total,
    coalesce(t.parts_tolerance, 0) + 2 * p.suppressed as allowed
from parts as p
inner join {{ ref('int_measure_kreis') }} as k
    on k.region_key = p.kreis_key and k.period = p.period and k.measure_id = p.measure_id
left join tolerance as t on t.table_code = p.table_code
where abs(p.sum_of_parts - k.value) > coalesce(t.parts_tolerance, 0) + 2 * p.suppressed
