"""The social index (mart_social_index) against the sample files, parsed here with plain csv.

Expectations follow the method in dbt_project/models/marts/_social_index.yml: shares per 100,
z-scores with the sample standard deviation over the areas of one city and year that have
at least 300 inhabitants and no suppressed count (by the city or by secondary suppression,
tests/small_area_disclosure.py), status index = mean of the four z-scores,
dynamics = the same on the change of each share against two years before.
"""

from __future__ import annotations

import csv
import statistics

import duckdb
import pytest

from tests.conftest import SAMPLE_DIR
from tests.small_area_disclosure import sample_secondary_suppression

JENA_FILE = SAMPLE_DIR / "jena_planungsraeume_2024.csv"
ERFURT_FILE = SAMPLE_DIR / "erfurt_stadtteile_2024.csv"
JENA_LABELS = {
    "Einwohner": "pop",
    "Einwohner unter 15 Jahren": "u15",
    "Einwohner 15 bis unter 65 Jahren": "w",
    "SGB-II-Leistungsberechtigte": "lb",
    "SGB-II-Leistungsberechtigte unter 15 Jahren": "lb15",
    "Arbeitslose": "alo",
    "Langzeitarbeitslose": "lza",
}
ERFURT_COLUMNS = {
    "Einwohner insgesamt": "pop",
    "unter 15 Jahre": "u15",
    "15 bis unter 65 Jahre": "w",
    "SGB-II-Leistungsberechtigte": "lb",
    "SGB-II-Leistungsberechtigte unter 15 Jahre": "lb15",
    "Arbeitslose": "alo",
    "Langzeitarbeitslose": "lza",
}
INDEX_MEASURES = {
    "pop_total", "pop_u15", "pop_15_64", "unemployed", "unemployed_long_term", "sgb2_lb",
    "sgb2_lb_u15",
}  # fmt: skip
INDICATORS = ("unemployment", "long_term_unemployment", "transfer", "child_poverty")
Counts = dict[str, dict[str, float | None]]  # region key -> measure -> count (None: secret)


def _jena(year: int) -> Counts:
    counts: Counts = {}
    with JENA_FILE.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if int(r["Jahr"]) == year and r["Merkmal"] in JENA_LABELS:
                value = None if r["Wert"] == "." else float(r["Wert"])
                counts.setdefault(f"16053000-{r['Bezirk-Nr']}", {})[JENA_LABELS[r["Merkmal"]]] = (
                    value
                )
    return counts


def _erfurt_2024() -> Counts:
    with ERFURT_FILE.open(encoding="cp1252", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    header = rows[1]
    counts: Counts = {}
    for row in rows[2:]:
        if not row[0].isdigit():  # total row, blank and note lines
            continue
        counts[f"16051000-{int(row[0]):02d}"] = {
            ERFURT_COLUMNS[h]: None if cell == "*" else float(cell.replace(".", ""))
            for h, cell in zip(header, row, strict=True)
            if h in ERFURT_COLUMNS
        }
    return counts


def _shares(counts: Counts, year: int) -> dict[str, dict[str, float]]:
    """Shares of the areas that are classified (>= 300 inhabitants, no secret count, none
    hidden by secondary suppression)."""
    hidden = {
        c.region_key
        for c in sample_secondary_suppression()
        if c.period == year and c.measure_id in INDEX_MEASURES
    }
    out = {}
    for key, c in counts.items():
        if any(v is None for v in c.values()) or c["pop"] < 300 or key in hidden:
            continue
        out[key] = {
            "unemployment": 100 * c["alo"] / c["w"],
            "long_term_unemployment": 100 * c["lza"] / c["w"],
            "transfer": 100 * c["lb"] / c["pop"],
            "child_poverty": 100 * c["lb15"] / c["u15"],
        }
    return out


def _z(values: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    z: dict[str, dict[str, float]] = {k: {} for k in values}
    for name in INDICATORS:
        column = [v[name] for v in values.values()]
        mean, sd = statistics.fmean(column), statistics.stdev(column)
        for k, v in values.items():
            z[k][name] = (v[name] - mean) / sd
    return z


def _status_class(index: float) -> str:
    if index < -1:
        return "high"
    if index <= 1:
        return "medium"
    return "low" if index <= 1.5 else "very low"


def _dynamics_class(index: float) -> str:
    return "positive" if index < -1 else "stable" if index <= 1 else "negative"


def test_the_sample_parts_add_up_to_the_kreis_for_the_new_measures() -> None:
    """Jena 2022-2024: under 15, 15-64, SGB II under 15, LZA against the Kreis files."""

    def rows(name: str) -> list[dict[str, str]]:
        with (SAMPLE_DIR / name).open(encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f, delimiter=";"))

    population = [
        r
        for r in rows("12411-02-03-4_de_flat.csv")
        if r["1_variable_attribute_code"] == "16053" and r["2_variable_attribute_code"] == ""
    ]
    sgb2 = rows("SGB2-01-4_de_flat.csv")

    def long_term(year: int) -> int:
        """Jena's long-term unemployed (ERWP06, ARBEITSLOS05) in the year's classic export."""
        text = (SAMPLE_DIR / f"13211-02-05-4_{year}.csv").read_bytes().decode("cp1252")
        lines = csv.reader(text.splitlines(), delimiter=";")
        (fields,) = [f for f in lines if f[:2] == [str(year), "16053"]]
        return int(fields[9])

    for year in (2022, 2023, 2024):
        ages = {
            r["3_variable_attribute_code"]: int(r["value"])
            for r in population
            if r["time"] == f"{year}-12-31"
        }
        u15 = sum(ages[c] for c in ("ALT000B03", "ALT003B06", "ALT006B10", "ALT010B15"))
        kreis = {
            "u15": u15,
            "w": ages[""] - u15 - ages["ALT065B75"] - ages["ALT075UM"],
            "lb15": next(
                int(r["value"])
                for r in sgb2
                if r["time"] == str(year)
                and r["1_variable_attribute_code"] == "16053"
                and r["2_variable_attribute_code"] == "ALT000B15"
                and r["value_variable_code"] == "LB"
            ),
            "lza": long_term(year),
        }
        counts = _jena(year)
        for measure, total in kreis.items():
            values = [c[measure] for c in counts.values()]
            secret = values.count(None)
            shown = sum(v for v in values if v is not None)
            assert total - 2 * secret <= shown <= total, (year, measure)


@pytest.fixture(scope="module")
def index(sample_refresh) -> dict[tuple[str, int], dict]:
    root, _ = sample_refresh
    with duckdb.connect(str(root / "sozialplanung.duckdb"), read_only=True) as con:
        cursor = con.execute("select * from marts.mart_social_index")
        names = [d[0] for d in cursor.description]
        return {(r[0], r[4]): dict(zip(names, r, strict=True)) for r in cursor.fetchall()}


@pytest.mark.parametrize("key", ["16053000-07", "16053000-01"])
def test_jena_2024_status_and_dynamics(index: dict, key: str) -> None:
    z_now = _z(_shares(_jena(2024), 2024))
    row = index[(key, 2024)]
    for name in INDICATORS:
        assert row[f"z_{name}"] == pytest.approx(z_now[key][name], abs=1e-9), name
    status = statistics.fmean(z_now[key].values())
    assert row["status_index"] == pytest.approx(status, abs=1e-9)
    assert row["status_class"] == _status_class(status)

    now, before = _shares(_jena(2024), 2024), _shares(_jena(2022), 2022)
    both = now.keys() & before.keys()
    change = {k: {n: now[k][n] - before[k][n] for n in INDICATORS} for k in both}
    dynamics = statistics.fmean(_z(change)[key].values())
    assert row["dynamics_index"] == pytest.approx(dynamics, abs=1e-9)
    assert row["dynamics_class"] == _dynamics_class(dynamics)


@pytest.mark.parametrize("key", ["16051000-05", "16051000-02"])
def test_erfurt_2024_status(index: dict, key: str) -> None:
    z = _z(_shares(_erfurt_2024(), 2024))
    row = index[(key, 2024)]
    for name in INDICATORS:
        assert row[f"z_{name}"] == pytest.approx(z[key][name], abs=1e-9), name
    status = statistics.fmean(z[key].values())
    assert row["status_index"] == pytest.approx(status, abs=1e-9)
    assert row["status_class"] == _status_class(status)
    # one year only: no dynamics
    assert row["dynamics_index"] is None and row["dynamics_class"] == "not classified"


def test_small_and_suppressed_areas_are_not_classified(index: dict) -> None:
    erfurt = _erfurt_2024()
    jena = _jena(2024)
    # Schmira (Erfurt 19) has secret counts, Closewitz (Jena 18) too
    assert None in erfurt["16051000-19"].values() and None in jena["16053000-18"].values()
    for key in ("16051000-19", "16053000-18"):
        row = index[(key, 2024)]
        assert row["status_index"] is None and row["status_class"] == "not classified"
        assert row["exclusion_reason"] is not None
    classified = {
        k for (k, year), r in index.items() if year == 2024 and r["status_index"] is not None
    }
    assert classified == set(_shares(erfurt, 2024)) | set(_shares(jena, 2024))
