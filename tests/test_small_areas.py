"""Gemeinden and Sozialräume on today's map, computed here from the sample files."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from pipelines.territory import DEFAULT_TERRITORY_DIR
from tests.conftest import SAMPLE_DIR, run_dbt

GEMEINDE_FILE = "12411-01-01-5_de_flat.csv"
KALTENNORDHEIM_PARTS = {
    "16063044", "16063001", "16063016", "16063026", "16063043", "16063045", "16066035", "16066078",
}  # fmt: skip


def _gemeinde_totals() -> dict[tuple[str, int], float]:
    with (SAMPLE_DIR / GEMEINDE_FILE).open(encoding="utf-8-sig", newline="") as f:
        return {
            (r["1_variable_attribute_code"], int(r["time"][:4])): float(r["value"])
            for r in csv.DictReader(f, delimiter=";")
            if r["2_variable_attribute_code"] == "" and r["value"] != "-"
        }


@pytest.fixture(scope="module")
def published(sample_refresh) -> Path:
    root, _ = sample_refresh
    return root / "sozialplanung.duckdb"


def test_a_merged_gemeinde_is_the_sum_of_its_parts_before(published: Path) -> None:
    totals = _gemeinde_totals()
    with duckdb.connect(str(published), read_only=True) as con:
        series = dict(
            con.execute(
                "select period, value from marts.fct_indicator_value "
                "where indicator_id = 'population' and region_key = '16066095'"
            ).fetchall()
        )
    assert sorted(series) == list(range(2015, 2025))
    for year in range(2015, 2019):
        assert series[year] == sum(totals[(k, year)] for k in KALTENNORDHEIM_PARTS)
    for year in range(2019, 2025):
        assert series[year] == totals[("16066095", year)]


def test_every_gemeinde_of_today_every_year(published: Path) -> None:
    with (DEFAULT_TERRITORY_DIR / "ref_region_gv.csv").open(encoding="utf-8") as f:
        today = {r["region_key"] for r in csv.DictReader(f) if r["level"] == "gemeinde"}
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(
            "select period, region_key from marts.fct_indicator_value "
            "where indicator_id = 'population' and length(region_key) = 8"
        ).fetchall()
    by_year: dict[int, set[str]] = defaultdict(set)
    for period, key in rows:
        by_year[period].add(key)
    assert len(today) == 605
    assert {year: keys == today for year, keys in by_year.items()} == {
        year: True for year in range(2015, 2025)
    }


def test_sozialraum_shares_from_the_city_file(published: Path) -> None:
    """Erfurt Stadtteil 1 (Altstadt): under-18 share from the city's own counts."""
    lines = (SAMPLE_DIR / "erfurt_stadtteile_2024.csv").read_text(encoding="cp1252").splitlines()
    header = lines[1].split(";")
    row = dict(zip(header, lines[2].split(";"), strict=True))
    total = float(row["Einwohner insgesamt"].replace(".", ""))
    under_18 = float(row["unter 18 Jahre"].replace(".", ""))
    key = f"16051000-{int(row['Stadtteil-Nr.']):02d}"
    with duckdb.connect(str(published), read_only=True) as con:
        value, numerator, denominator = con.execute(
            "select value, numerator, denominator from marts.fct_indicator_value "
            "where indicator_id = 'share_under_18' and region_key = ? and period = 2024",
            [key],
        ).fetchone()
        parent = con.execute(
            "select parent_key, kreis_key, level from marts.dim_region where region_key = ?", [key]
        ).fetchone()
    assert (numerator, denominator) == (under_18, total)
    assert value == pytest.approx(100 * under_18 / total, rel=1e-12)
    assert parent == ("16051000", "16051", "sozialraum")


def test_parts_that_miss_the_total_fail_the_check(
    published_warehouse: Path, tmp_path: Path
) -> None:
    """Gemeinden that do not add up to their Kreis: the dbt test every refresh runs before it
    publishes (parts_add_up_to_totals) names the Kreis, the year and both sums. Run here on a
    copy of the published warehouse whose Gemeinde delivery holds 500 people too many (the
    refresh's gate itself: test_refresh_gate.py)."""
    totals = _gemeinde_totals()
    gemeinde = min(k for (k, year) in totals if k.startswith("16068") and year == 2020)
    with duckdb.connect(str(published_warehouse)) as con:
        changed = con.execute(
            "update raw_history.population_gemeinden set value = value + 500 where region_key = ? "
            "and period_year = 2020 and var1_attr_code = ''",
            [gemeinde],
        ).fetchall()
    assert changed == [(1,)]
    proc = run_dbt("test", "parts_add_up_to_totals", published_warehouse, tmp_path)
    assert proc.returncode == 1, proc.stdout
    assert "parts_add_up_to_totals" in proc.stdout
    kreis = sum(v for (k, year), v in totals.items() if k.startswith("16068") and year == 2020)
    with duckdb.connect(str(published_warehouse), read_only=True) as con:
        failing = con.execute(
            "select kreis_key, level, period, measure_id, sum_of_parts, kreis_total "
            "from audit.parts_add_up_to_totals"
        ).fetchall()
    assert failing == [("16068", "gemeinde", 2020, "pop_total", kreis + 500, kreis)]
