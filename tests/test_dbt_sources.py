"""dbt's sources and measure map are generated from the data contracts, and are current."""

from __future__ import annotations

import json

import yaml

from pipelines.contracts import load_contracts
from pipelines.dbt_sources import MEASURE_MAP_SQL, SOURCES_YML, generated, stale
from tests.conftest import PROJECT_ROOT

DBT_PROJECT = PROJECT_ROOT / "dbt_project"


def test_generated_files_are_current() -> None:
    """The committed `_sources.yml` and `measure_map.sql` are what the contracts give
    (`python -m pipelines.dbt_sources` rewrites them; `make` does it)."""
    assert stale(DBT_PROJECT, load_contracts()) == []
    assert set(generated(load_contracts())) == {SOURCES_YML, MEASURE_MAP_SQL}


def _raw_tables() -> dict[str, dict]:
    sources = yaml.safe_load((DBT_PROJECT / SOURCES_YML).read_text(encoding="utf-8"))["sources"]
    raw = next(s for s in sources if s["name"] == "raw")
    assert raw["schema"] == "raw"
    return {t["name"]: t for t in raw["tables"]}


def test_every_contract_is_a_raw_source_named_by_its_table_code() -> None:
    contracts = load_contracts()
    tables = _raw_tables()
    assert set(tables) == set(contracts)
    for name, table in tables.items():
        assert table["description"] == f"{contracts[name].table_code}: {contracts[name].title}"


def test_small_area_tables_are_tested_for_disclosure_control() -> None:
    """Sozialraum counts arrive disclosure-controlled: the source test is on every city table."""
    tables = _raw_tables()
    cities = {"erfurt_stadtteile", "jena_planungsraeume"}
    for name, table in tables.items():
        tests = [t["expression_is_true"] for t in table.get("data_tests", [])]
        if name not in cities:
            assert tests == [], name
            continue
        assert tests == [
            {
                "name": f"{name}_counts_are_disclosure_controlled",
                "arguments": {
                    "expression": "value is null or value = 0 or value >= 3",
                    "where": "unit = 'Anzahl'",
                },
            }
        ]


def test_every_mapped_source_feeds_its_measure_model() -> None:
    """In dbt's own record of dependencies (the manifest `make` builds), the model of each
    level reads the raw table of every contract with a measure map of that level, so a
    refresh that builds one source's descendants (`source:raw.<source>+`) rebuilds it."""
    manifest = json.loads((DBT_PROJECT / "target" / "manifest.json").read_text(encoding="utf-8"))
    model_of = {
        "kreis": "int_measure_kreis",
        "gemeinde": "int_measure_small_area",
        "sozialraum": "int_measure_small_area",
    }
    mapped = {s: c for s, c in load_contracts().items() if c.measure_map}
    assert {"population_age", "area", "population_gemeinden", "erfurt_stadtteile"} <= set(mapped)
    for name, contract in mapped.items():
        node = manifest["nodes"][f"model.sozialplanung.{model_of[contract.level]}"]
        assert f"source.sozialplanung.raw.{name}" in node["depends_on"]["nodes"], name
