-- Counts below the Kreis on the Gebietsstand, disclosure-controlled: what int_measure and
-- every mart read of the Gemeinden and Sozialräume. The counts a source suppressed (primary
-- suppression: 1 or 2, status '.') come as delivered; secondary suppression then hides
-- further counts so that no suppressed count can be recomputed as a total minus the other
-- parts (README, "Small areas: secondary suppression"). The groups whose total is published:
--   * the Sozialräume of a Gemeinde, per measure and period (total: the Gemeinde's count,
--     or the Kreis's when the Gemeinde is a kreisfreie Stadt);
--   * the Gemeinden of a Kreis, per measure and period (total: the Kreis's count);
--   * the breakdown of a small area's population by age (under 15, 15 to 64, 65 and over)
--     against its population.
-- A group needs one more suppressed count while it has suppressed counts and
--   (a) exactly one of them (the total minus the published parts gives it),
--   (b) together they hold fewer than 3 (total minus the published parts is a small count),
--   (c) all are primary and their sum leaves each a single value (2 per count: all are 2;
--       1 per count: all are 1).
-- It then also suppresses its smallest published part (ties: the region key, then the
-- measure), its total when no part is left; the groups overlap, so this repeats until no
-- group needs more (each step looks only at the groups of the cells the last one hid). Primary and secondary suppression look the same: value null, status '.'.
{{ config(materialized='table') }}

-- `as materialized`: each CTE is computed once; the recursive step reads them every
-- iteration, and DuckDB would otherwise hold their results per iteration (at Germany scale
-- more than 1 GB instead of under 512 MB).

with recursive converted as materialized (
    -- Gemeinden of an earlier map summed onto today's keys with the key history's weights
    select
        coalesce(k.to_key, m.region_key) as region_key,
        m.period,
        m.measure_id,
        case
            when count(m.value_status) = 0
                then {{ exact_sum("m.value * coalesce(k.weight_population, 1.0)") }}
        end as value,
        min(m.value_status) as value_status,
        min(m.table_code) as table_code,
        min(m.source_file_sha256) as source_file_sha256,
        m.level
    from {{ ref('int_measure_small_area') }} as m
    left join {{ ref('int_key_map') }} as k on k.period = m.period and k.from_key = m.region_key
    where make_date(m.period, 12, 31) <= cast('{{ var("gebietsstand") }}' as date)
    group by all
),

cell as materialized (
    select
        row_number() over (order by level, region_key, period, measure_id) as cell_id,
        *,
        case level
            when 'sozialraum' then split_part(region_key, '-', 1)
            else left(region_key, 5)
        end as parent_key,
        value_status is not null as is_primary
    from converted
),

-- parts of a breakdown and the measure they add up to, within one small area
breakdown(measure_id, total_measure_id) as (
    values ('pop_u15', 'pop_total'), ('pop_15_64', 'pop_total'), ('pop_65plus', 'pop_total')
),

kreisfreie_stadt as materialized (
    select region_key from {{ ref('ref_region') }}
    where level = 'kreis' and kreis_type = 'kreisfreie Stadt'
),

-- each group with its members (is_total: the member is the group's total)
area_group as materialized (
    select
        concat_ws('|', c.level, c.parent_key, c.period, c.measure_id) as group_id,
        c.cell_id,
        false as is_total
    from cell as c
    union all
    -- a Gemeinde's own count is the total of its Sozialräume
    select distinct concat_ws('|', s.level, s.parent_key, s.period, s.measure_id), g.cell_id, true
    from cell as s
    inner join cell as g
        on g.level = 'gemeinde' and g.region_key = s.parent_key
        and g.period = s.period and g.measure_id = s.measure_id
    where s.level = 'sozialraum'
),

breakdown_group as materialized (
    select
        concat_ws('|', 'breakdown', p.region_key, p.period, b.total_measure_id) as group_id,
        p.cell_id,
        false as is_total
    from cell as p
    inner join breakdown as b on b.measure_id = p.measure_id
    union all
    select distinct
        concat_ws('|', 'breakdown', t.region_key, t.period, t.measure_id), t.cell_id, true
    from cell as t
    where t.measure_id in (select total_measure_id from breakdown)
),

member as materialized (
    select * from area_group
    union all
    select * from breakdown_group
),

-- totals that are no small-area count: the Kreis's, for the Gemeinden of a Kreis and for
-- the Sozialräume of a kreisfreie Stadt whose own count is not among the cells
kreis_total as materialized (
    select distinct
        concat_ws('|', c.level, c.parent_key, c.period, c.measure_id) as group_id,
        k.value as total
    from cell as c
    inner join {{ ref('int_measure_harmonised') }} as k
        on k.region_key = left(c.parent_key, 5) and k.period = c.period
        and k.measure_id = c.measure_id
    where c.level = 'gemeinde'
        or (
            c.parent_key = left(c.parent_key, 5) || '000'
            and left(c.parent_key, 5) in (select region_key from kreisfreie_stadt)
        )
),

member_value as materialized (
    select m.group_id, m.cell_id, m.is_total, c.value, c.is_primary, c.region_key, c.measure_id
    from member as m
    inner join cell as c on c.cell_id = m.cell_id
),

-- suppressed: the cell is hidden (primary from the start, secondary once chosen)
suppression(cell_id, suppressed, step) using key (cell_id) as (
    select cell_id, is_primary, 0 from cell
    union
    (
        -- only a group with a cell hidden in the last step can need more: the first step
        -- looks at the groups with primary suppression, each later one at the groups of
        -- the cells it chose (`suppression` is the last step's rows, `recurring.` all)
        with touched as (
            select distinct m.group_id
            from suppression as w
            inner join member as m on m.cell_id = w.cell_id
            where w.suppressed
        ),

        state as (
            select m.*, s.suppressed
            from member_value as m
            inner join touched as t on t.group_id = m.group_id
            inner join recurring.suppression as s on s.cell_id = m.cell_id
        ),

        group_state as (
            select
                s.group_id,
                count(*) filter (where s.suppressed) as hidden,
                count(*) filter (where s.suppressed and not s.is_total) as hidden_parts,
                bool_and(s.is_primary) filter (where s.suppressed) as all_primary,
                coalesce(
                    max(s.value) filter (where s.is_total and not s.suppressed),
                    case when count(*) filter (where s.is_total) = 0 then max(t.total) end
                ) - coalesce(sum(s.value) filter (where not s.is_total and not s.suppressed), 0)
                    as hidden_sum
            from state as s
            left join kreis_total as t on t.group_id = s.group_id
            group by s.group_id
        ),

        needy as (
            select group_id from group_state
            where hidden = 1
                or (hidden_parts > 0 and hidden_sum < 3)
                or (
                    hidden_parts > 0 and all_primary and hidden = hidden_parts
                    and hidden_sum in (hidden_parts, 2 * hidden_parts)
                )
        ),

        chosen as (
            select
                s.cell_id,
                row_number() over (
                    partition by s.group_id
                    order by s.is_total, s.value, s.region_key, s.measure_id
                ) as rank_in_group
            from state as s
            inner join needy as n on n.group_id = s.group_id
            where not s.suppressed
        )

        select distinct c.cell_id, true, (select max(step) from suppression) + 1
        from chosen as c
        where c.rank_in_group = 1
    )
)

select
    c.region_key,
    c.period,
    c.measure_id,
    case when not s.suppressed then c.value end as value,
    case when s.suppressed then coalesce(c.value_status, '.') end as value_status,
    c.table_code,
    c.source_file_sha256,
    c.level
from cell as c
inner join suppression as s on s.cell_id = c.cell_id
