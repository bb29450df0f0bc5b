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

-- each change with the date of the next change of the key it led to (null: none)
step as (
    select
        h.*,
        (
            select min(n.change_date) from history as n
            where n.old_key = h.new_key and n.change_date > h.change_date
        ) as next_date
    from history as h
),

-- the first change of each key after the period's reference date
first_change as (
    select p.period, h.old_key, min(h.change_date) as change_date
    from periods as p
    inner join history as h on h.change_date > make_date(p.period, 12, 31)
    group by p.period, h.old_key
),

chain as (
    select
        f.period,
        s.old_key as from_key,
        s.new_key as to_key,
        s.weight_population,
        s.weight_area,
        s.next_date
    from first_change as f
    inner join step as s on s.old_key = f.old_key and s.change_date = f.change_date
    union all
    select
        c.period,
        c.from_key,
        s.new_key,
        c.weight_population * s.weight_population,
        c.weight_area * s.weight_area,
        s.next_date
    from chain as c
    inner join step as s on s.old_key = c.to_key and s.change_date = c.next_date
)

select
    period,
    from_key,
    to_key,
    sum(weight_population) as weight_population,
    sum(weight_area) as weight_area
from chain
where next_date is null
group by period, from_key, to_key
