-- Bevölkerung nach Geschlecht - Stichtag 31.12. - regionale Tiefe Kreise und krfr. Städte
{{ raw_as_delivered('population_sex', breakdowns=1) }}
