-- Länder and Kreise of the territory with their history, from <territory>/ref_region.csv.
select
    region_key,
    name,
    level,
    parent_key,
    kreis_type,
    valid_from,
    valid_to,
    area_km2
from {{ territory_table('ref_region', {
    'region_key': 'varchar', 'name': 'varchar', 'level': 'varchar', 'parent_key': 'varchar',
    'kreis_type': 'varchar', 'valid_from': 'date', 'valid_to': 'date', 'area_km2': 'double',
}) }}
