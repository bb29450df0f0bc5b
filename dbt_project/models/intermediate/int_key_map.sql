-- For every period, where each region key of that period's map lies on the target
-- Gebietsstand (var `gebietsstand`): the chain of changes after the period's reference date
-- (31.12.) up to the target, with the product of the weights along the chain.
-- Keys without a change are not listed (they map onto themselves with weight 1).
with recursive periods as (
    select distinct period from {{ ref('int_measure_kreis') }}
),

history as (
    select * from {{ ref('key_history') }}
    where change_date <= cast('{{ var("gebietsstand") }}' as date)
),

chain as (
    select
        p.period,
        h.old_key as from_key,
        h.new_key as to_key,
        h.weight_population,
        h.weight_area,
        h.change_date
    from periods as p
    inner join history as h on h.change_date > make_date(p.period, 12, 31)
    union all
    select
        c.period,
        c.from_key,
        h.new_key,
        c.weight_population * h.weight_population,
        c.weight_area * h.weight_area,
        h.change_date
    from chain as c
    inner join history as h on h.old_key = c.to_key and h.change_date > c.change_date
)

select period, from_key, to_key, weight_population, weight_area
from chain as c
where not exists (
    select 1 from history as h where h.old_key = c.to_key and h.change_date > c.change_date
)
