-- The territory's extract of the Gemeindeverzeichnis, from <territory>/ref_region_gv.csv.
select *
from {{ territory_table('ref_region_gv', {
    'region_key': 'varchar', 'ars': 'varchar', 'name': 'varchar', 'level': 'varchar',
    'parent_key': 'varchar', 'verband_key': 'varchar', 'kreis_type': 'varchar',
    'municipality_type': 'varchar', 'area_km2': 'double', 'population_2022': 'bigint',
    'valid_from': 'date', 'gebietsstand': 'date',
}) }}
