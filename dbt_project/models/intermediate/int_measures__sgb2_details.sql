-- SGB II details per Kreis and year (SGB2-02-4): sgb2_elb, sgb2_lb_15_17, sgb2_bg,
-- sgb2_bg_single_parent. Columns as int_measure_kreis, which unions it (denominators
-- pop_15_64, pop_15_17 there).
select
    region_key,
    period,
    case measure_code
        when 'ELB' then 'sgb2_elb'
        when 'LB1517' then 'sgb2_lb_15_17'
        when 'BG' then 'sgb2_bg'
        when 'BGALL' then 'sgb2_bg_single_parent'
    end as measure_id,
    value,
    value_status,
    table_code,
    source_file_sha256
from {{ ref('stg_sgb2_details') }}
where measure_code in ('ELB', 'LB1517', 'BG', 'BGALL')
