"""The school_leavers sample (21111-02-06-4): byte-stable generator, contract, consistency
with the Kreis population sample. Expected values come from plain `csv` parsing, never from
the generator."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
school_leavers_DIR = PROJECT / "sample_data"
POPULATION = "12411-02-03-4_de_flat.csv"
FILE = "21111-02-06-4_de_flat.csv"
KREISE = [f"160{n}" for n in (*range(51, 57), *range(61, 78))]
YEARS = range(2015, 2025)


def _rows(name: str) -> list[dict[str, str]]:
    with (school_leavers_DIR / name).open(encoding="utf-8-sig", newline="") as f:
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


def test_parts_add_up_and_shares_are_plausible() -> None:
    pop = _population()
    cells: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
    for r in _rows(FILE):
        assert r["time_code"] == "JAHR" and len(r["time"]) == 4
        if r["value"] != "-":
            cells[r["1_variable_attribute_code"], int(r["time"])][
                r["2_variable_attribute_code"]
            ] = int(r["value"])
    assert len(cells) == 23 * 10 - 4  # Eisenach 2021-2024 is '-'
    for (key, year), c in cells.items():
        assert set(c) == {"", "OHNEHSA", "HSA", "RSA", "ALLGHR"}
        assert c[""] == c["OHNEHSA"] + c["HSA"] + c["RSA"] + c["ALLGHR"], (key, year)
        assert 0.007 < c[""] / pop[key, year, ""] < 0.011, (key, year)
        assert 0.04 < c["OHNEHSA"] / c[""] < 0.14, (key, year)
