"""A real refresh of the bundled sample: indicator values recomputed here from the sample files."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SAMPLE_DIR, sha256

KREISE_2015 = {f"160{n}" for n in (51, 52, 53, 54, 55, 56, 61, 62, 63, 64, 65, 66, 67, 68, 69)}
KREISE_2015 |= {f"160{n}" for n in range(70, 78)}
UNDER_15 = {"ALT000B03", "ALT003B06", "ALT006B10", "ALT010B15"}
UNDER_18 = UNDER_15 | {"ALT015B18"}
AGE_20_64 = {
    "ALT020B25",
    "ALT025B30",
    "ALT030B35",
    "ALT035B40",
    "ALT040B45",
    "ALT045B50",
    "ALT050B55",
    "ALT055B60",
    "ALT060B65",
}
AGE_65_PLUS = {"ALT065B75", "ALT075UM"}
UNDER_65 = UNDER_18 | {"ALT018B20"} | AGE_20_64


def _rows(name: str) -> list[dict[str, str]]:
    with (SAMPLE_DIR / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def _kreise(year: int) -> set[str]:
    return KREISE_2015 - ({"16056"} if year >= 2021 else set())


def expected_counts() -> dict[tuple[str, int], dict[str, float]]:
    """Numerators and denominators per (Kreis, year), straight from the sample files."""
    counts: dict[tuple[str, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in _rows("12411-02-03-4_de_flat.csv"):
        if r["2_variable_attribute_code"] != "" or r["value"] == "-":
            continue  # both sexes only; Eisenach after 2021 is '-'
        key = (r["1_variable_attribute_code"], int(r["time"][:4]))
        age, value = r["3_variable_attribute_code"], float(r["value"])
        c = counts[key]
        if age == "":
            c["pop_total"] += value
        for name, band in (
            ("pop_u15", UNDER_15),
            ("pop_u18", UNDER_18),
            ("pop_20_64", AGE_20_64),
            ("pop_65plus", AGE_65_PLUS),
            ("pop_u65", UNDER_65),
        ):
            if age in band:
                c[name] += value
    for r in _rows("SGB2-01-4_de_flat.csv"):
        if r["value"] == "-" or r["value_variable_code"] != "LB":
            continue
        key = (r["1_variable_attribute_code"], int(r["time"]))
        name = "sgb2_lb" if r["2_variable_attribute_code"] == "" else "sgb2_lb_u15"
        counts[key][name] += float(r["value"])
    for r in _rows("13211-02-05-4_de_flat.csv"):
        if r["value"] == "-" or r["value_variable_code"] == "ERWQ01":
            continue
        key = (r["1_variable_attribute_code"], int(r["time"]))
        name = "unemployed" if r["value_variable_code"] == "ERW003" else "labour_force"
        counts[key][name] += float(r["value"])
    classic = (SAMPLE_DIR / "11111-01-01-4.csv").read_text(encoding="cp1252").splitlines()
    for line in classic:
        fields = line.split(";")
        if len(fields) == 4 and len(fields[1]) == 5 and fields[3] != "-":
            key = (fields[1], int(fields[0][-4:]))
            counts[key]["area"] += float(fields[3].replace(",", "."))
    return counts


INDICATORS = {
    "population": ("pop_total", None, 1),
    "population_density": ("pop_total", "area", 1),
    "share_under_18": ("pop_u18", "pop_total", 100),
    "share_65_plus": ("pop_65plus", "pop_total", 100),
    "old_age_ratio": ("pop_65plus", "pop_20_64", 100),
    "sgb2_quota": ("sgb2_lb", "pop_u65", 100),
    "child_poverty": ("sgb2_lb_u15", "pop_u15", 100),
    "unemployment_rate": ("unemployed", "labour_force", 100),
}


def expected_values() -> dict[tuple[str, str, int], tuple[float, float, float | None]]:
    """(indicator, region, year) → (value, numerator, denominator), Land from summed counts."""
    counts = expected_counts()
    out = {}
    for year in range(2015, 2025):
        land: dict[str, float] = defaultdict(float)
        for kreis in _kreise(year):
            for name, v in counts[(kreis, year)].items():
                land[name] += v
        regions = {k: counts[(k, year)] for k in _kreise(year)} | {"16": land}
        for region, c in regions.items():
            for indicator, (num, den, mult) in INDICATORS.items():
                value = c[num] * mult / (c[den] if den else 1)
                out[(indicator, region, year)] = (value, c[num], c[den] if den else None)
    return out


@pytest.fixture(scope="module")
def published(sample_refresh) -> Path:
    root, _ = sample_refresh
    return root / "sozialplanung.duckdb"


def test_every_indicator_value_matches_the_sample(published: Path) -> None:
    expected = expected_values()
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(
            "select indicator_id, region_key, period, value, numerator, denominator, value_status "
            "from marts.fct_indicator_value"
        ).fetchall()
    assert len(rows) == len(expected) == 8 * (24 * 6 + 23 * 4)
    for indicator, region, period, value, numerator, denominator, status in rows:
        want_value, want_num, want_den = expected[(indicator, region, period)]
        assert status is None
        assert value == pytest.approx(want_value, rel=1e-12), (indicator, region, period)
        assert numerator == pytest.approx(want_num, rel=1e-12)
        assert denominator == (None if want_den is None else pytest.approx(want_den, rel=1e-12))


def test_land_rate_is_not_an_average_of_kreis_rates(published: Path) -> None:
    counts = expected_counts()
    kreise = _kreise(2024)
    mean_of_rates = sum(
        100 * counts[(k, 2024)]["sgb2_lb"] / counts[(k, 2024)]["pop_u65"] for k in kreise
    ) / len(kreise)
    with duckdb.connect(str(published), read_only=True) as con:
        value = con.execute(
            "select value from marts.fct_indicator_value "
            "where indicator_id = 'sgb2_quota' and region_key = '16' and period = 2024"
        ).fetchone()[0]
    assert value == pytest.approx(expected_values()[("sgb2_quota", "16", 2024)][0])
    assert abs(value - mean_of_rates) > 0.01


def test_unemployment_rate_agrees_with_the_published_rate(published: Path) -> None:
    """The rate we compute rounds to the rate the source prints (one decimal)."""
    delivered = {
        (r["1_variable_attribute_code"], int(r["time"])): float(r["value"].replace(",", "."))
        for r in _rows("13211-02-05-4_de_flat.csv")
        if r["value_variable_code"] == "ERWQ01" and r["value"] != "-"
    }
    with duckdb.connect(str(published), read_only=True) as con:
        ours = con.execute(
            "select region_key, period, value from marts.fct_indicator_value "
            "where indicator_id = 'unemployment_rate' and region_key <> '16'"
        ).fetchall()
    assert len(ours) == len(delivered)
    for region, period, value in ours:
        assert abs(value - delivered[(region, period)]) <= 0.05 + 1e-9


def test_eisenach_ends_with_its_merger(published: Path) -> None:
    with duckdb.connect(str(published), read_only=True) as con:
        years = con.execute(
            "select distinct period from marts.fct_indicator_value "
            "where region_key = '16056' order by 1"
        ).fetchall()
        raw_dash = con.execute(
            "select count(*) from raw.population_age "
            "where region_key = '16056' and period_year >= 2021 and value_status = '-' "
            "and value is null"
        ).fetchone()[0]
    assert [y for (y,) in years] == list(range(2015, 2021))
    assert raw_dash == 4 * 3 * 18  # kept as status in raw, never as zero


def test_lineage_release_and_attribution(published: Path, sample_refresh) -> None:
    _, outcome = sample_refresh
    files = {
        "11111-01-01-4": "11111-01-01-4.csv",
        "12411-02-03-4": "12411-02-03-4_de_flat.csv",
        "SGB2-01-4": "SGB2-01-4_de_flat.csv",
        "13211-02-05-4": "13211-02-05-4_de_flat.csv",
    }
    with duckdb.connect(str(published), read_only=True) as con:
        registered = dict(
            con.execute("select table_code, file_sha256 from meta.source_file").fetchall()
        )
        releases = con.execute("select distinct release from marts.fct_indicator_value").fetchall()
        meta_release = con.execute("select release from meta.release").fetchone()[0]
        attributions = con.execute(
            "select count(*) from marts.dim_indicator where attribution like '%dl-de/by-2-0%'"
        ).fetchone()[0]
        lineage = con.execute(
            "select source_file_sha256 from marts.fct_indicator_value "
            "where indicator_id = 'child_poverty' and region_key = '16051' and period = 2020"
        ).fetchone()[0]
    assert {code: registered[code] for code in files} == {
        code: sha256(SAMPLE_DIR / name) for code, name in files.items()
    }
    assert releases == [(outcome.release,)] and meta_release == outcome.release
    assert attributions == 8
    assert lineage.split() == [registered["SGB2-01-4"], registered["12411-02-03-4"]]


def test_summary_reports_rows_and_checks(sample_refresh) -> None:
    _, outcome = sample_refresh
    assert outcome.rows == {
        "marts.dim_region": 24,
        "marts.dim_indicator": 8,
        "marts.fct_indicator_value": 1888,
    }
    assert outcome.checks_failed == 0 and outcome.checks_passed >= 20
    assert f"release {outcome.release}" in outcome.summary()


def test_curated_contracts_are_enforced() -> None:
    import yaml

    models = yaml.safe_load(
        (SAMPLE_DIR.parent / "dbt_project/models/marts/_marts.yml").read_text(encoding="utf-8")
    )["models"]
    assert {m["name"] for m in models} == {"fct_indicator_value", "dim_region", "dim_indicator"}
    assert all(m["config"]["contract"]["enforced"] is True for m in models)
