"""The care sample (22421-01-01-4): byte-stable generator, contract, consistency with the Kreis
population sample. Expected values come from plain `csv` parsing, never from the generator."""

from __future__ import annotations

import csv
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
care_DIR = PROJECT / "sample_data"
POPULATION = "12411-02-03-4_de_flat.csv"
FILE = "22421-01-01-4_de_flat.csv"
KREISE = [f"160{n}" for n in (*range(51, 57), *range(61, 78))]
YEARS = range(2015, 2025)


def _rows(name: str) -> list[dict[str, str]]:
    with (care_DIR / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def _population() -> dict[tuple[str, int, str], int]:
    """(Kreis, year, age group or '') -> population of both sexes (numeric cells only)."""
    return {
        (r["1_variable_attribute_code"], int(r["time"][:4]), r["3_variable_attribute_code"]): int(
            r["value"]
        )
        for r in _rows(POPULATION)
        if r["2_variable_attribute_code"] == "" and r["value"] != "-"
    }


def test_every_year_and_plausible_rates() -> None:
    pop = _population()
    years = set()
    for r in _rows(FILE):
        assert (r["time_code"], r["time"][4:]) == ("STAG", "-12-15")
        years.add(int(r["time"][:4]))
        if r["value"] == "-":
            continue
        key, year = r["1_variable_attribute_code"], int(r["time"][:4])
        n = int(r["value"])
        old = pop[key, year, "ALT065B75"] + pop[key, year, "ALT075UM"]
        assert 0.05 < n / pop[key, year, ""] < 0.12, (key, year)
        assert 200 < 1000 * n / old < 450, (key, year)
    assert years == set(YEARS)  # every year, although the real statistic is biennial
