"""The income sample (82411-01-03-4): byte-stable generator, contract, consistency with the Kreis
population sample. Expected values come from plain `csv` parsing, never from the generator."""

from __future__ import annotations

import csv
from pathlib import Path

from pipelines.contracts import load_contracts
from pipelines.readers import read_file

PROJECT = Path(__file__).resolve().parents[1]
income_DIR = PROJECT / "sample_data"
POPULATION = "12411-02-03-4_de_flat.csv"
FILE = "82411-01-03-4_de_flat.csv"
KREISE = [f"160{n}" for n in (*range(51, 57), *range(61, 78))]
YEARS = range(2015, 2025)


def _rows(name: str) -> list[dict[str, str]]:
    with (income_DIR / name).open(encoding="utf-8-sig", newline="") as f:
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


def test_income_per_inhabitant_is_plausible() -> None:
    pop = _population()
    per_head: dict[tuple[str, int], float] = {}
    for r in _rows(FILE):
        assert (r["time_code"], r["value_unit"], r["value_variable_code"]) == (
            "JAHR",
            "Tsd. EUR",
            "VGR014",
        )
        if r["value"] != "-":
            key, year = r["1_variable_attribute_code"], int(r["time"])
            per_head[key, year] = int(r["value"]) * 1000 / pop[key, year, ""]
    assert all(19_000 < v < 24_500 for (_, y), v in per_head.items() if y == 2015)
    for (key, year), v in per_head.items():
        if year > 2015 and (key, year - 1) in per_head and not (key == "16063" and year == 2021):
            assert 0.98 < v / per_head[key, year - 1] < 1.06, (key, year)


def test_reader_gives_euro() -> None:
    contract = load_contracts()["income"]
    frame = read_file(contract.sample_files[0], contract.reader, **contract.reader_options).frame
    raw = {(r["1_variable_attribute_code"], r["time"]): r["value"] for r in _rows(FILE)}
    row = frame[(frame["region_key"] == "16053") & (frame["time"] == "2024")].iloc[0]
    assert row["value"] == int(raw["16053", "2024"]) * 1000
