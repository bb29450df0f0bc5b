"""The childcare sample (22541-01-01-4): byte-stable generator, contract, consistency with the Kreis
population sample. Expected values come from plain `csv` parsing, never from the generator."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
childcare_DIR = PROJECT / "sample_data"
POPULATION = "12411-02-03-4_de_flat.csv"
FILE = "22541-01-01-4_de_flat.csv"
KREISE = [f"160{n}" for n in (*range(51, 57), *range(61, 78))]
YEARS = range(2015, 2025)


def _rows(name: str) -> list[dict[str, str]]:
    with (childcare_DIR / name).open(encoding="utf-8-sig", newline="") as f:
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


def test_children_in_care_stay_below_the_population_of_their_age() -> None:
    pop = _population()
    rates: dict[str, list[float]] = defaultdict(list)
    for r in _rows(FILE):
        assert (r["time_code"], r["time"][4:]) == ("STAG", "-03-01")
        if r["value"] == "-":
            continue
        key, year, age = (
            r["1_variable_attribute_code"],
            int(r["time"][:4]),
            r["2_variable_attribute_code"],
        )
        rate = int(r["value"]) / pop[key, year, age]
        assert rate < 1, r
        rates[age].append(rate)
    assert set(rates) == {"ALT000B03", "ALT003B06"}
    assert min(rates["ALT000B03"]) > 0.45 and max(rates["ALT000B03"]) < 0.65
    assert min(rates["ALT003B06"]) > 0.88 and max(rates["ALT003B06"]) < 0.99


def test_golden_value() -> None:
    """Erfurt 2024: the rate under 3 by hand from the two files."""
    cell = {
        (r["1_variable_attribute_code"], r["time"], r["2_variable_attribute_code"]): r["value"]
        for r in _rows(FILE)
    }
    assert cell["16051", "2024-03-01", "ALT000B03"] == "2742"
    assert _population()["16051", 2024, "ALT000B03"] == 4664
