"""The committed sample data is exactly what the generator writes, and it is plausible.

Read with plain `csv` on purpose: these checks must not depend on the project's readers.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from pipelines.sample.generate import generate_all

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"
FILES = ["12411-02-03-4_de_flat.csv", "SGB2-01-4_de_flat.csv"]  # (13211: test_sample_unemployment)
KREISE = {
    "16051", "16052", "16053", "16054", "16055", "16056", "16061", "16062",
    "16063", "16064", "16065", "16066", "16067", "16068", "16069", "16070",
    "16071", "16072", "16073", "16074", "16075", "16076", "16077",
}  # fmt: skip
YEARS = set(range(2015, 2025))
EISENACH = "16056"


def _rows(name: str) -> list[dict[str, str]]:
    with (SAMPLE_DIR / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def _year(row: dict[str, str]) -> int:
    return int(row["time"][:4])


def test_committed_files_match_a_fresh_run(tmp_path: Path) -> None:
    written = generate_all(tmp_path)
    committed = sorted(p.name for p in SAMPLE_DIR.iterdir() if p.name != "README.md")
    assert sorted(p.name for p in written) == committed
    for name in committed:
        assert (tmp_path / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), (
            f"{name} differs: run `python -m pipelines.sample.generate` and commit"
        )


@pytest.mark.parametrize("name", FILES)
def test_format_and_coverage(name: str) -> None:
    raw = (SAMPLE_DIR / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw and b'"' not in raw
    rows = _rows(name)
    assert {(r["1_variable_attribute_code"], _year(r)) for r in rows} == {
        (k, y) for k in KREISE for y in YEARS
    }
    for r in rows:
        if r["1_variable_attribute_code"] == EISENACH and _year(r) >= 2021:
            assert r["value"] == "-"
        else:
            assert r["value"] != "-"


def test_population_totals_are_sums_of_parts() -> None:
    cells: dict[tuple[str, int], dict[tuple[str, str], int]] = defaultdict(dict)
    for r in _rows(FILES[0]):
        if r["value"] != "-":
            sex, age = r["2_variable_attribute_code"], r["3_variable_attribute_code"]
            cells[r["1_variable_attribute_code"], _year(r)][sex, age] = int(r["value"])
    assert len(cells) == 23 * 10 - 4
    for c in cells.values():
        assert len(c) == 3 * 18
        sexes, ages = {s for s, _ in c} - {""}, {a for _, a in c} - {""}
        for sex in (*sexes, ""):
            assert c[sex, ""] == sum(c[sex, a] for a in ages)
        for age in (*ages, ""):
            assert c["", age] == sum(c[s, age] for s in sexes)
    land_2015 = sum(c["", ""] for (_, y), c in cells.items() if y == 2015)
    assert 2_100_000 < land_2015 < 2_200_000


def test_sgb2_is_plausible() -> None:
    pop_u15: dict[tuple[str, int], int] = defaultdict(int)
    u15 = {"ALT000B03", "ALT003B06", "ALT006B10", "ALT010B15"}
    for r in _rows(FILES[0]):
        sex, age = r["2_variable_attribute_code"], r["3_variable_attribute_code"]
        if r["value"] != "-" and sex == "" and age in u15:
            pop_u15[r["1_variable_attribute_code"], _year(r)] += int(r["value"])
    sgb2 = {
        (r["1_variable_attribute_code"], _year(r), r["2_variable_attribute_code"],
         r["value_variable_code"]): int(r["value"])
        for r in _rows(FILES[1])
        if r["value"] != "-"
    }  # fmt: skip
    for key, year in pop_u15:
        lb15, rlb15 = sgb2[key, year, "ALT000B15", "LB"], sgb2[key, year, "ALT000B15", "RLB"]
        assert rlb15 <= lb15 < sgb2[key, year, "", "LB"]
        assert lb15 < pop_u15[key, year]
        assert sgb2[key, year, "", "RLB"] <= sgb2[key, year, "", "LB"]
