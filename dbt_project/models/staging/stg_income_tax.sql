-- Lohn- und Einkommensteuerpflichtige, Gesamtbetrag der Einkünfte, Lohn- und Einkommensteuer - Jahr - Kreise und krfr. Städte
{{ raw_as_delivered('income_tax', breakdowns=0) }}
