-- Sozialversicherungspflichtig Beschäftigte am Arbeitsort nach Geschlecht und Nationalität - Stichtag 30.06. - Kreise und krfr. Städte
{{ raw_as_delivered('employees_workplace', breakdowns=2) }}
