"""The 5-year age group sample (12411-04-02-4): byte-stable generator, contract, exact
consistency with the Kreis population sample (12411-02-03-4). Expected values come from plain
`csv` parsing, never from the generator."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE = PROJECT / "sample_data"
POPULATION = "12411-02-03-4_de_flat.csv"
FILE = "12411-04-02-4_de_flat.csv"
KREISE = [f"160{n}" for n in (*range(51, 57), *range(61, 78))]
YEARS = range(2015, 2025)
FINE = ["ALT000B05", *(f"ALT{lo:03d}B{lo + 5:02d}" for lo in range(5, 85, 5)), "ALT085UM"]
# fine groups and the coarse groups of 12411-02-03-4 they must add up to exactly
BLOCKS = [
    (["ALT000B05", "ALT005B10"], ["ALT000B03", "ALT003B06", "ALT006B10"]),
    (["ALT010B15"], ["ALT010B15"]),
    (["ALT015B20"], ["ALT015B18", "ALT018B20"]),
    *(([f"ALT{lo:03d}B{lo + 5:02d}"], [f"ALT{lo:03d}B{lo + 5:02d}"]) for lo in range(20, 65, 5)),
    (["ALT065B70", "ALT070B75"], ["ALT065B75"]),
    (["ALT075B80", "ALT080B85", "ALT085UM"], ["ALT075UM"]),
]
# Erfurt 2024, read off the file by hand: 80-85 and 85+; sum of midpoint x persons
# (share 80+ = 18709 / 218766 = 8.552 %, mean age = 10029815 / 218766 = 45.847 years)
GOLDEN_80 = ("9489", "9220")
GOLDEN_SUM = 10_029_815.0


def _rows(name: str) -> list[dict[str, str]]:
    with (SAMPLE / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def _cells() -> dict[tuple[str, int, str], str]:
    return {
        (r["1_variable_attribute_code"], int(r["time"][:4]), r["2_variable_attribute_code"]): r[
            "value"
        ]
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


def test_groups_add_up_exactly_to_the_population_file() -> None:
    cells, pop = _cells(), _population()
    for key in KREISE:
        for year in YEARS:
            if cells[key, year, ""] == "-":
                assert pop[key, year, ""] == "-"
                continue
            assert int(cells[key, year, ""]) == int(pop[key, year, ""])
            assert sum(int(cells[key, year, g]) for g in FINE) == int(pop[key, year, ""])
            for fine, coarse in BLOCKS:
                got = sum(int(cells[key, year, g]) for g in fine)
                assert got == sum(int(pop[key, year, g]) for g in coarse), (key, year, fine)


def test_plausible_shares_and_mean_age() -> None:
    cells = _cells()
    share: dict[int, list[float]] = defaultdict(list)
    for key in KREISE:
        for year in YEARS:
            if cells[key, year, ""] == "-":
                continue
            total = int(cells[key, year, ""])
            old = int(cells[key, year, "ALT080B85"]) + int(cells[key, year, "ALT085UM"])
            share[year].append(old / total)
            mean = sum((int(g[3:6]) + 2.5) * int(cells[key, year, g]) for g in FINE) / total
            assert 40 < mean < 52, (key, year, mean)
            assert all(int(cells[key, year, g]) > 0 for g in FINE)
    assert min(share[2015]) > 0.04 and max(share[2024]) < 0.14
    assert sum(share[2024]) / len(share[2024]) > sum(share[2015]) / len(share[2015])


def test_golden_values() -> None:
    """Erfurt 2024 by hand: share 80+ and mean age from the group midpoints."""
    cells = _cells()
    assert cells["16051", 2024, ""] == "218766"
    assert (cells["16051", 2024, "ALT080B85"], cells["16051", 2024, "ALT085UM"]) == GOLDEN_80
    assert sum((int(g[3:6]) + 2.5) * int(cells["16051", 2024, g]) for g in FINE) == GOLDEN_SUM
