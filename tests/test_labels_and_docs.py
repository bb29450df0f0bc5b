"""German labels for planners and a warehouse that describes itself.

Every code a mart can produce has a German label (seeds/label_de.csv) and the marts carry it
beside the stable English code. The expected codes come from the models' own
accepted_values tests and the indicator files, the labels from the seed read with the csv
module: neither is read back from the warehouse under test.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.conftest import PROJECT_ROOT

DBT = PROJECT_ROOT / "dbt_project"
MARTS = DBT / "models" / "marts"

# (mart, code column, label column, seed kind): the labels the marts carry.
LABELLED = [
    ("mart_social_index", "status_class", "status_class_de", "status_class"),
    ("mart_social_index", "dynamics_class", "dynamics_class_de", "dynamics_class"),
    ("mart_social_index", "exclusion_reason", "exclusion_reason_de", "exclusion_reason"),
    ("mart_goal_monitoring", "status", "status_de", "goal_status"),
    ("dim_indicator", "polarity", "polarity_de", "polarity"),
]
# Codes labelled in the seed only, for exports and reports: (model, column, seed kind).
SEED_ONLY = [
    ("fct_indicator_value", "value_status", "value_status"),
    ("dim_region", "level", "level"),
]


def _labels() -> dict[tuple[str, str], dict[str, str]]:
    with (DBT / "seeds" / "label_de.csv").open(encoding="utf-8", newline="") as f:
        return {(r["kind"], r["code"]): r for r in csv.DictReader(f)}


def _model_columns() -> dict[str, dict[str, dict]]:
    """Model name → column name → the column's yml entry, from every marts yml."""
    models = {}
    for path in MARTS.glob("*.yml"):
        for model in yaml.safe_load(path.read_text(encoding="utf-8")).get("models", []):
            models[model["name"]] = {c["name"]: c for c in model.get("columns", [])}
    return models


def _accepted_values(column: dict) -> list[str]:
    for test in column.get("data_tests", []):
        if isinstance(test, dict) and "accepted_values" in test:
            return [str(v) for v in test["accepted_values"]["arguments"]["values"]]
    raise AssertionError(f"{column['name']} has no accepted_values test")


def _query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_code_the_marts_can_produce_has_a_german_label() -> None:
    labels, models = _labels(), _model_columns()
    for model, column, _, kind in LABELLED:
        codes = _accepted_values(models[model][column])
        if kind in ("status_class", "dynamics_class"):
            assert "not classified" in codes
        missing = [c for c in codes if (kind, c) not in labels]
        assert missing == [], f"{model}.{column}: no German label for {missing}"
    for model, column, kind in SEED_ONLY:
        missing = [c for c in _accepted_values(models[model][column]) if (kind, c) not in labels]
        assert missing == [], f"{model}.{column}: no German label for {missing}"
    polarities = {
        yaml.safe_load(p.read_text(encoding="utf-8"))["polarity"]
        for p in (PROJECT_ROOT / "data_contracts" / "indicators").glob("*.yml")
    }
    assert {p for p in polarities if ("polarity", p) not in labels} == set()
    for row in labels.values():
        assert row["label_de"].strip() and row["meaning_de"].strip(), row


def test_labels_say_what_is_good() -> None:
    """A planner must not have to guess whether `high` is good: the social index's status
    index grows with the shares of unemployed and SGB II recipients, so `high` social status
    (index < -1) is the favourable end, and each polarity names the better direction."""
    labels = _labels()
    assert "geringer Handlungsbedarf" in labels[("status_class", "high")]["label_de"]
    assert "hoher Handlungsbedarf" in labels[("status_class", "very low")]["label_de"]
    assert "gut" in labels[("status_class", "high")]["meaning_de"]
    assert "verbessert" in labels[("dynamics_class", "positive")]["label_de"]
    assert labels[("polarity", "higher_is_worse")]["label_de"] == "niedriger ist besser"
    assert labels[("polarity", "higher_is_better")]["label_de"] == "höher ist besser"


def test_the_marts_carry_the_german_label_of_every_code(published_warehouse: Path) -> None:
    labels = _labels()
    for model, column, label_column, kind in LABELLED:
        rows = _query(published_warehouse, f"select {column}, {label_column} from marts.{model}")
        assert rows, model
        for code, label in rows:
            expected = labels[(kind, code)]["label_de"] if code is not None else None
            assert label == expected, (model, code, label)
    polarity = {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))["polarity"]
        for p in (PROJECT_ROOT / "data_contracts" / "indicators").glob("*.yml")
    }
    rows = _query(published_warehouse, "select indicator_id, polarity_de from marts.dim_indicator")
    assert dict(rows) == {i: labels[("polarity", p)]["label_de"] for i, p in polarity.items()}


def test_high_social_status_is_the_favourable_end(published_warehouse: Path) -> None:
    """The label follows the data: areas of `high` status have lower transfer shares than
    every area of `very low` status in the same city and year."""
    rows = _query(
        published_warehouse,
        """
        select h.city_key, h.period, max(h.transfer_share), min(v.transfer_share)
        from marts.mart_social_index as h
        join marts.mart_social_index as v using (city_key, period)
        where h.status_class = 'high' and v.status_class = 'very low'
        group by all
        """,
    )
    assert rows, "the sample has no city and year with both a high and a very low status"
    for city, period, high, very_low in rows:
        assert high < very_low, (city, period)


@pytest.mark.parametrize("model", sorted({m for m, *_ in LABELLED}))
def test_every_label_column_is_documented_and_enforced(model: str) -> None:
    columns = _model_columns()[model]
    for m, column, label_column, _ in LABELLED:
        if m == model:
            assert label_column in columns, label_column
            assert "label_de" in columns[label_column]["description"], label_column
            assert columns[label_column]["data_type"] == "varchar"
            assert columns[column]["data_type"] == "varchar"


def _described(model: str) -> tuple[str, dict[str, str]]:
    """The model's description and its columns' descriptions, from the marts yml files."""
    for path in MARTS.glob("*.yml"):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")).get("models", []):
            if entry["name"] == model:
                return entry["description"], {c["name"]: c["description"] for c in entry["columns"]}
    raise AssertionError(f"{model} is not documented")


def test_the_dbt_docs_are_comments_in_the_warehouse(published_warehouse: Path) -> None:
    """BI tools read duckdb_tables() / duckdb_columns(): the yml descriptions are there."""
    for model in ("fct_indicator_value", "mart_social_index", "dim_indicator"):
        table, columns = _described(model)
        [(comment,)] = _query(
            published_warehouse,
            f"select comment from duckdb_tables() where schema_name = 'marts' "
            f"and table_name = '{model}'",
        )
        assert comment == table.strip()
        got = dict(
            _query(
                published_warehouse,
                f"select column_name, comment from duckdb_columns() where schema_name = 'marts' "
                f"and table_name = '{model}'",
            )
        )
        assert got == {name: text.strip() for name, text in columns.items()}, model


def test_every_meta_table_and_column_is_described(published_warehouse: Path) -> None:
    """The meta tables are written in Python: their comments come from pipelines/meta_docs.py,
    and every table and column of schema meta in the published file has one."""
    tables = _query(
        published_warehouse,
        "select table_name, comment from duckdb_tables() where schema_name = 'meta'",
    )
    assert {"release", "source_file", "coverage_gap"} <= {t for t, _ in tables}
    assert [t for t, comment in tables if not (comment or "").strip()] == []
    undescribed = _query(
        published_warehouse,
        "select table_name || '.' || column_name from duckdb_columns() "
        "where schema_name = 'meta' and coalesce(trim(comment), '') = ''",
    )
    assert undescribed == []


def test_describe_shows_the_comments(published_warehouse: Path) -> None:
    table, columns = _described("fct_indicator_value")
    proc = subprocess.run(
        [str(PROJECT_ROOT / ".venv" / "bin" / "sozplan"), "describe", "marts.fct_indicator_value",
         "--format", "json"],
        capture_output=True, text=True, check=False, env=os.environ.copy(),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rows = {r["column"]: r["description"] for r in json.loads(proc.stdout)}
    assert rows == {name: text.strip() for name, text in columns.items()}
    proc = subprocess.run(
        [str(PROJECT_ROOT / ".venv" / "bin" / "sozplan"), "describe", "fct_indicator_value"],
        capture_output=True, text=True, check=False, env=os.environ.copy(),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0]
    assert first == f"marts.fct_indicator_value (table): {table.strip()}"


def test_audit_tables_are_named_after_their_tests_and_empty(published_warehouse: Path) -> None:
    """The quality layer stays out of the analysts' way: readable names, no rows in a release
    (it is published only when every test passes), and not served by `sozplan tables`."""
    tables = [
        name
        for (name,) in _query(
            published_warehouse,
            "select table_name from duckdb_tables() where schema_name = 'audit' order by 1",
        )
    ]
    assert tables
    hashed = [t for t in tables if re.search(r"[0-9a-f]{20,}", t)]
    assert hashed == [], "give these dbt tests a `name:` in their yml"
    for table in tables:
        assert _query(published_warehouse, f'select count(*) from audit."{table}"') == [(0,)]
    proc = subprocess.run(
        [str(PROJECT_ROOT / ".venv" / "bin" / "sozplan"), "tables", "--format", "json"],
        capture_output=True, text=True, check=False, env=os.environ.copy(),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    listed = [r["table"] for r in json.loads(proc.stdout)]
    assert listed and all(t.startswith(("marts.", "meta.")) for t in listed)
    assert listed[0].startswith("marts.")


def test_the_docs_site_opens_on_the_project_overview() -> None:
    text = (DBT / "models" / "overview.md").read_text(encoding="utf-8")
    assert text.startswith("{% docs __overview__ %}") and text.rstrip().endswith("{% enddocs %}")
    for start in ("fct_indicator_value", "mart_indicator_values", "mart_region_profile"):
        assert f"model.sozialplanung.{start}" in text, start
    manifest = json.loads((DBT / "target" / "manifest.json").read_text(encoding="utf-8"))
    overview = manifest["docs"]["doc.sozialplanung.__overview__"]
    assert "Where to start" in overview["block_contents"]
