-- Territorial changes with weights, from <territory>/key_history.csv.
select *
from {{ territory_table('key_history', {
    'old_key': 'varchar', 'new_key': 'varchar', 'change_date': 'date', 'kind': 'varchar',
    'weight_population': 'double', 'weight_area': 'double', 'source': 'varchar',
}) }}
