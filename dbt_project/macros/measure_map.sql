{#- Generated from the contracts' measure_map (data_contracts/*.yml) by
    `python -m pipelines.dbt_sources` (`make` runs it): edit the contract, not this file.
    Per source: the level of its regions and its rows
    [measure_id, measure_code, var1_attr_code, var2_attr_code, var3_attr_code]
    ('' is the "Insgesamt" or no breakdown), read by the macro measure_rows(). -#}
{% macro measure_map() -%}
{{ return({
    "area": {"level": "kreis", "rows": [
        ["area_km2", "FLC006", "", "", ""]
    ]},
    "births": {"level": "kreis", "rows": [
        ["births", "BEV001", "", "", ""]
    ]},
    "care": {"level": "kreis", "rows": [
        ["care_recipients", "PFL016", "", "", ""]
    ]},
    "childcare": {"level": "kreis", "rows": [
        ["childcare_u3", "KIND01", "INSGESAMT3", "ALT000B03", ""],
        ["childcare_3_6", "KIND01", "INSGESAMT3", "ALT003B06", ""]
    ]},
    "deaths": {"level": "kreis", "rows": [
        ["deaths", "BEV002", "", "", ""]
    ]},
    "employees_residence": {"level": "kreis", "rows": [
        ["svb_residence", "ERW033", "", "", ""],
        ["svb_residence_women", "ERW033", "", "GESW", ""]
    ]},
    "erfurt_stadtteile": {"level": "sozialraum", "rows": [
        ["pop_total", "EW_INSG", "", "", ""],
        ["pop_u18", "EW_U18", "", "", ""],
        ["pop_65plus", "EW_65UM", "", "", ""],
        ["sgb2_lb", "SGB2_LB", "", "", ""],
        ["unemployed", "ALO", "", "", ""],
        ["pop_u15", "EW_U15", "", "", ""],
        ["pop_15_64", "EW_15_64", "", "", ""],
        ["sgb2_lb_u15", "SGB2_LB_U15", "", "", ""],
        ["unemployed_long_term", "LZA", "", "", ""]
    ]},
    "income": {"level": "kreis", "rows": [
        ["disposable_income_eur", "EKM006", "", "", ""]
    ]},
    "jena_planungsraeume": {"level": "sozialraum", "rows": [
        ["pop_total", "EW_INSG", "", "", ""],
        ["pop_u18", "EW_U18", "", "", ""],
        ["pop_65plus", "EW_65UM", "", "", ""],
        ["sgb2_lb", "SGB2_LB", "", "", ""],
        ["unemployed", "ALO", "", "", ""],
        ["pop_u15", "EW_U15", "", "", ""],
        ["pop_15_64", "EW_15_64", "", "", ""],
        ["sgb2_lb_u15", "SGB2_LB_U15", "", "", ""],
        ["unemployed_long_term", "LZA", "", "", ""]
    ]},
    "minimum_income": {"level": "kreis", "rows": [
        ["basic_income_old_age", "GRUAL", "", "", ""],
        ["subsistence_aid", "HLU", "", "", ""],
        ["asylum_seeker_benefits", "ASYLB", "", "", ""],
        ["wohngeld_households", "WOGHH", "", "", ""],
        ["private_households", "HH", "", "", ""]
    ]},
    "population_age": {"level": "kreis", "rows": [
        ["pop_total", "BEVSTD", "", "", ""],
        ["pop_u3", "BEVSTD", "", "ALT000B03", ""],
        ["pop_3_6", "BEVSTD", "", "ALT003B06", ""],
        ["pop_u15", "BEVSTD", "", "ALT000B03", ""],
        ["pop_u15", "BEVSTD", "", "ALT003B06", ""],
        ["pop_u15", "BEVSTD", "", "ALT006B10", ""],
        ["pop_u15", "BEVSTD", "", "ALT010B15", ""],
        ["pop_15_17", "BEVSTD", "", "ALT015B18", ""],
        ["pop_u18", "BEVSTD", "", "ALT000B03", ""],
        ["pop_u18", "BEVSTD", "", "ALT003B06", ""],
        ["pop_u18", "BEVSTD", "", "ALT006B10", ""],
        ["pop_u18", "BEVSTD", "", "ALT010B15", ""],
        ["pop_u18", "BEVSTD", "", "ALT015B18", ""],
        ["pop_u20", "BEVSTD", "", "ALT000B03", ""],
        ["pop_u20", "BEVSTD", "", "ALT003B06", ""],
        ["pop_u20", "BEVSTD", "", "ALT006B10", ""],
        ["pop_u20", "BEVSTD", "", "ALT010B15", ""],
        ["pop_u20", "BEVSTD", "", "ALT015B18", ""],
        ["pop_u20", "BEVSTD", "", "ALT018B20", ""],
        ["pop_20_64", "BEVSTD", "", "ALT020B25", ""],
        ["pop_20_64", "BEVSTD", "", "ALT025B30", ""],
        ["pop_20_64", "BEVSTD", "", "ALT030B35", ""],
        ["pop_20_64", "BEVSTD", "", "ALT035B40", ""],
        ["pop_20_64", "BEVSTD", "", "ALT040B45", ""],
        ["pop_20_64", "BEVSTD", "", "ALT045B50", ""],
        ["pop_20_64", "BEVSTD", "", "ALT050B55", ""],
        ["pop_20_64", "BEVSTD", "", "ALT055B60", ""],
        ["pop_20_64", "BEVSTD", "", "ALT060B65", ""],
        ["pop_15_64", "BEVSTD", "", "ALT015B18", ""],
        ["pop_15_64", "BEVSTD", "", "ALT018B20", ""],
        ["pop_15_64", "BEVSTD", "", "ALT020B25", ""],
        ["pop_15_64", "BEVSTD", "", "ALT025B30", ""],
        ["pop_15_64", "BEVSTD", "", "ALT030B35", ""],
        ["pop_15_64", "BEVSTD", "", "ALT035B40", ""],
        ["pop_15_64", "BEVSTD", "", "ALT040B45", ""],
        ["pop_15_64", "BEVSTD", "", "ALT045B50", ""],
        ["pop_15_64", "BEVSTD", "", "ALT050B55", ""],
        ["pop_15_64", "BEVSTD", "", "ALT055B60", ""],
        ["pop_15_64", "BEVSTD", "", "ALT060B65", ""],
        ["pop_15_64_women", "BEVSTD", "GESW", "ALT015B18", ""],
        ["pop_15_64_women", "BEVSTD", "GESW", "ALT018B20", ""],
        ["pop_15_64_women", "BEVSTD", "GESW", "ALT020B25", ""],
        ["pop_15_64_women", "BEVSTD", "GESW", "ALT025B30", ""],
        ["pop_15_64_women", "BEVSTD", "GESW", "ALT030B35", ""],
        ["pop_15_64_women", "BEVSTD", "GESW", "ALT035B40", ""],
        ["pop_15_64_women", "BEVSTD", "GESW", "ALT040B45", ""],
        ["pop_15_64_women", "BEVSTD", "GESW", "ALT045B50", ""],
        ["pop_15_64_women", "BEVSTD", "GESW", "ALT050B55", ""],
        ["pop_15_64_women", "BEVSTD", "GESW", "ALT055B60", ""],
        ["pop_15_64_women", "BEVSTD", "GESW", "ALT060B65", ""],
        ["pop_65plus", "BEVSTD", "", "ALT065B75", ""],
        ["pop_65plus", "BEVSTD", "", "ALT075UM", ""],
        ["pop_u65", "BEVSTD", "", "ALT000B03", ""],
        ["pop_u65", "BEVSTD", "", "ALT003B06", ""],
        ["pop_u65", "BEVSTD", "", "ALT006B10", ""],
        ["pop_u65", "BEVSTD", "", "ALT010B15", ""],
        ["pop_u65", "BEVSTD", "", "ALT015B18", ""],
        ["pop_u65", "BEVSTD", "", "ALT018B20", ""],
        ["pop_u65", "BEVSTD", "", "ALT020B25", ""],
        ["pop_u65", "BEVSTD", "", "ALT025B30", ""],
        ["pop_u65", "BEVSTD", "", "ALT030B35", ""],
        ["pop_u65", "BEVSTD", "", "ALT035B40", ""],
        ["pop_u65", "BEVSTD", "", "ALT040B45", ""],
        ["pop_u65", "BEVSTD", "", "ALT045B50", ""],
        ["pop_u65", "BEVSTD", "", "ALT050B55", ""],
        ["pop_u65", "BEVSTD", "", "ALT055B60", ""],
        ["pop_u65", "BEVSTD", "", "ALT060B65", ""]
    ]},
    "population_age_detail": {"level": "kreis", "rows": [
        ["pop_80plus", "BEVSTD", "ALT080B85", "", ""],
        ["pop_80plus", "BEVSTD", "ALT085B90", "", ""],
        ["pop_80plus", "BEVSTD", "ALT090UM", "", ""]
    ]},
    "population_gemeinden": {"level": "gemeinde", "rows": [
        ["pop_total", "BEVSTD", "", "", ""]
    ]},
    "population_movement": {"level": "kreis", "rows": [
        ["in_migration", "BEV085", "", "", ""],
        ["out_migration", "BEV086", "", "", ""]
    ]},
    "population_nationality": {"level": "kreis", "rows": [
        ["pop_foreign", "BEVSTD", "", "NATA", ""],
        ["pop_german", "BEVSTD", "", "NATD", ""]
    ]},
    "school_leavers": {"level": "kreis", "rows": [
        ["school_leavers", "BILABS", "", "", ""],
        ["school_leavers_ohne_hsa", "BILABS", "BILABS11", "", ""]
    ]},
    "sgb2_benefits": {"level": "kreis", "rows": [
        ["sgb2_lb", "LB", "", "", ""],
        ["sgb2_lb_u15", "LB", "ALT000B15", "", ""],
        ["sgb2_rlb", "RLB", "", "", ""],
        ["sgb2_rlb_u15", "RLB", "ALT000B15", "", ""]
    ]},
    "sgb2_details": {"level": "kreis", "rows": [
        ["sgb2_elb", "ELB", "", "", ""],
        ["sgb2_lb_15_17", "LB1517", "", "", ""],
        ["sgb2_bg", "BG", "", "", ""],
        ["sgb2_bg_single_parent", "BGALL", "", "", ""]
    ]},
    "unemployment": {"level": "kreis", "rows": [
        ["unemployed", "ERWP06", "", "", ""],
        ["unemployed_long_term", "ERWP06", "ARBEITSLOS05", "", ""]
    ]}
}) }}
{%- endmacro %}
