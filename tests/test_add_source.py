"""A new source is a contract and a delivery: no model, no source entry, no SQL of its own.

In a copy of the project's contracts and dbt project, a made-up table (statistic 99911, by
sex) gets a contract whose `measure_map` sums men and women into the measure
`severely_disabled`, and an indicator per 1,000 inhabitants. The dbt sources and measure map
are generated from the copy, the delivery lands in the inbox, and one refresh of a copy of
the published sample publishes the measure (int_measure_kreis, summed to the Land in
int_measure) and the indicator with the values computed here from the file.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from pipelines.indicators import load_catalogue, profile_yml, seed_text
from tests.conftest import PROJECT_ROOT, sample_rows

CONTRACT = """\
source: severely_disabled
title: Schwerbehinderte Menschen nach Geschlecht - Stichtag 31.12. - Kreise und krfr. Städte
publisher: Statistische Ämter des Bundes und der Länder (Regionalstatistik)
table_code: 99911-01-01-4
verified_against: "UNVERIFIED: a table made up for this test"
reader: genesis_ffcsv
reader_options:
  decimal: de
file_pattern: "99911-01-01-4*"
reference_date_kind: Stichtag
cadence: yearly
period_range: [2015]
region:
  variable: KREISE
  key_length: 5
variables:
  - code: GES
    attributes: ["", GESM, GESW]
measures:
  - code: SBM001
    label: Schwerbehinderte Menschen
    unit: Anzahl
measure_map:
  - measure_id: severely_disabled
    measure_code: SBM001
    where: {GES: [GESM, GESW]}
allowed_status: ["-", ".", "/", "x", "..."]
key_columns: [region_key, period_year, var1_attr_code, measure_code]
licence: dl-de/by-2-0
attribution: Test
"""

INDICATOR = """\
id: severely_disabled_per_1000
title_de: Schwerbehinderte Menschen je 1.000 Einwohner
title_en: Severely disabled people per 1,000 inhabitants
topic: Gesundheit
definition: Schwerbehinderte Menschen (99911-01-01-4) je 1.000 Einwohner (12411-02-03-4)
numerator: severely_disabled
denominator: pop_total
multiplier: 1000
unit: je 1.000
polarity: higher_is_worse
lowest_level: kreis
sources: [99911-01-01-4, 12411-02-03-4]
plausible_range: [0, 1000]
max_yoy_change: {value: 100, kind: percent}
"""

YEAR = 2024


def _delivery() -> tuple[str, dict[str, float]]:
    """The file (the care sample's 2024 counts by sex under the made-up table) and, per
    region whose men and women are numbers, their sum."""
    rows = [
        r
        for r in sample_rows("22411-02-03-4_de_flat.csv")
        if r["value_variable_code"] == "PFL016" and r["time"].startswith(str(YEAR))
    ]
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=";", lineterminator="\n")
    writer.writeheader()
    by_sex: dict[str, dict[str, float]] = defaultdict(dict)
    for row in rows:
        writer.writerow(
            {
                **row,
                "statistics_code": "99911",
                "statistics_label": "Statistik der schwerbehinderten Menschen",
                "value_variable_code": "SBM001",
                "value_variable_label": "Schwerbehinderte Menschen",
            }
        )
        if row["value"].isdigit():
            by_sex[row["1_variable_attribute_code"]][row["2_variable_attribute_code"]] = float(
                row["value"]
            )
    summed = {k: s["GESM"] + s["GESW"] for k, s in by_sex.items() if {"GESM", "GESW"} <= set(s)}
    return out.getvalue(), summed


def _population() -> dict[str, float]:
    """pop_total of 2024 per region: the sample's Insgesamt rows of 12411-02-03-4."""
    population = {}
    for row in sample_rows("12411-02-03-4_de_flat.csv"):
        codes = [v for k, v in row.items() if k.endswith("_variable_attribute_code")]
        insgesamt = all(c == "" for c in codes[1:])  # codes[0] is the region
        if (
            insgesamt
            and row["time"].startswith(str(YEAR))
            and row["value_variable_code"] == "BEVSTD"
            and row["value"].isdigit()
        ):
            population[codes[0]] = float(row["value"])
    return population


def _run(args: list[str], env: dict[str, str], cwd: Path = PROJECT_ROOT) -> None:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, f"{' '.join(args)}:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"


def test_a_source_is_a_contract_and_a_delivery(published_warehouse: Path, tmp_path: Path) -> None:
    contracts = tmp_path / "project" / "data_contracts"
    dbt = tmp_path / "project" / "dbt_project"
    shutil.copytree(PROJECT_ROOT / "data_contracts", contracts)
    shutil.copytree(
        PROJECT_ROOT / "dbt_project", dbt, ignore=shutil.ignore_patterns("target", "logs")
    )
    (contracts / "severely_disabled.yml").write_text(CONTRACT, encoding="utf-8")
    (contracts / "indicators" / "severely_disabled_per_1000.yml").write_text(
        INDICATOR, encoding="utf-8"
    )
    text, expected = _delivery()
    inbox = published_warehouse.parent / "inbox"
    inbox.mkdir()
    (inbox / "99911-01-01-4_de_flat.csv").write_text("\ufeff" + text, encoding="utf-8")

    env = {
        **os.environ,
        "SOZPLAN_CONTRACTS_DIR": str(contracts),
        "SOZPLAN_DBT_PROJECT_DIR": str(dbt),
        "SOZPLAN_WAREHOUSE_DIR": str(published_warehouse.parent),
    }
    env.pop("DAGSTER_HOME", None)
    # what `make` does: the generated dbt files, the indicator seed, the manifest
    _run([sys.executable, "-m", "pipelines.dbt_sources"], env)
    catalogue = load_catalogue(contracts / "indicators")
    (dbt / "seeds" / "indicator_catalogue.csv").write_text(seed_text(catalogue), encoding="utf-8")
    (dbt / "models" / "marts" / "_mart_region_profile.yml").write_text(
        profile_yml(catalogue), encoding="utf-8"
    )
    _run([sys.executable, "-m", "pipelines.dbt_parse"], env)  # as a refresh will parse
    assert "severely_disabled" in (dbt / "models" / "staging" / "_sources.yml").read_text("utf-8")

    _run([sys.executable, "-m", "pipelines.cli", "refresh"], env)

    with duckdb.connect(str(published_warehouse), read_only=True) as con:
        kreise = dict(
            con.execute(
                "select region_key, value from intermediate.int_measure_kreis "
                "where measure_id = 'severely_disabled' and period = ?",
                [YEAR],
            ).fetchall()
        )
        land = con.execute(
            "select value from intermediate.int_measure where level = 'land' "
            "and measure_id = 'severely_disabled' and period = ?",
            [YEAR],
        ).fetchall()
        indicator = dict(
            con.execute(
                "select region_key, value from marts.fct_indicator_value "
                "where indicator_id = 'severely_disabled_per_1000' and period = ?",
                [YEAR],
            ).fetchall()
        )
    delivered = {k: v for k, v in expected.items() if len(k) == 5}
    assert len(delivered) == 22  # Thüringen's Kreise of 2024 (Eisenach's rows are '-')
    assert kreise == delivered
    assert land == [(sum(delivered.values()),)]  # the Land is the sum of its Kreise
    population = _population()
    for key, value in delivered.items():
        assert indicator[key] == pytest.approx(value / population[key] * 1000, rel=1e-12), key
    land_rate = sum(delivered.values()) / sum(population[k] for k in delivered) * 1000
    assert indicator["16"] == pytest.approx(land_rate, rel=1e-12)
