"""The minimum income sample (22151-01-02-4): byte-stable generator, contract, consistency with
the Kreis population and SGB II samples. Expected values come from plain `csv` parsing, never
from the generator."""

from __future__ import annotations

import csv
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE = PROJECT / "sample_data"
POPULATION = "12411-02-03-4_de_flat.csv"
SGB2 = "SGB2-01-4_de_flat.csv"
FILE = "22151-01-02-4_de_flat.csv"
KREISE = [f"160{n}" for n in (*range(51, 57), *range(61, 78))]
YEARS = range(2015, 2025)
MEASURES = {"GRUAL", "HLU", "ASYLB", "WOGHH", "HH"}


def _rows(name: str) -> list[dict[str, str]]:
    with (SAMPLE / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def _cells() -> dict[tuple[str, int, str], str]:
    return {
        (r["1_variable_attribute_code"], int(r["time"][:4]), r["value_variable_code"]): r["value"]
        for r in _rows(FILE)
    }


def _population() -> dict[tuple[str, int, str], str]:
    return {
        (r["1_variable_attribute_code"], int(r["time"][:4]), r["3_variable_attribute_code"]): r[
            "value"
        ]
        for r in _rows(POPULATION)
        if r["2_variable_attribute_code"] == ""
    }


def _sgb2_lb() -> dict[tuple[str, int], str]:
    return {
        (r["1_variable_attribute_code"], int(r["time"][:4])): r["value"]
        for r in _rows(SGB2)
        if r["2_variable_attribute_code"] == "" and r["value_variable_code"] == "LB"
    }


def test_counts_are_plausible_against_population_and_sgb2() -> None:
    cells, pop, lb = _cells(), _population(), _sgb2_lb()
    asyl: dict[int, int] = dict.fromkeys(YEARS, 0)
    wohngeld: dict[int, list[float]] = {y: [] for y in YEARS}
    for key in KREISE:
        for year in YEARS:
            if cells[key, year, "HH"] == "-":
                continue
            c = {m: int(cells[key, year, m]) for m in MEASURES}
            total = int(pop[key, year, ""])
            old = int(pop[key, year, "ALT065B75"]) + int(pop[key, year, "ALT075UM"])
            assert 0.012 < c["GRUAL"] / old < 0.035, (key, year)
            assert 0 < c["HLU"] / total < 0.004, (key, year)
            assert 1.8 < total / c["HH"] < 2.2, (key, year)
            quota = (int(lb[key, year]) + c["GRUAL"] + c["HLU"] + c["ASYLB"]) / total
            assert 0.03 < quota < 0.15, (key, year)
            wohngeld[year].append(c["WOGHH"] / c["HH"])
            asyl[year] += c["ASYLB"]
    assert asyl[2015] > asyl[2016] > asyl[2019] and asyl[2023] > asyl[2021]
    assert min(min(v) for v in wohngeld.values()) > 0.01
    assert max(max(v) for v in wohngeld.values()) < 0.035
    assert min(wohngeld[2023]) > max(wohngeld[2019])  # Wohngeld-Plus


def test_golden_values() -> None:
    """Erfurt 2024 by hand: minimum income quota (20111 / 218766 = 9.193 %), old-age poverty
    (1227 / 52090 = 2.356 %), Wohngeld households per 1,000 households (3202 / 117030 = 27.36)."""
    cells, pop = _cells(), _population()
    got = {m: cells["16051", 2024, m] for m in MEASURES}
    assert got == {"GRUAL": "1227", "HLU": "280", "ASYLB": "1193", "WOGHH": "3202", "HH": "117030"}
    assert _sgb2_lb()["16051", 2024] == "17411"
    assert (pop["16051", 2024, ""], pop["16051", 2024, "ALT065B75"]) == ("218766", "24541")
    assert pop["16051", 2024, "ALT075UM"] == "27549"
