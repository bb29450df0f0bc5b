"""The care sample (22421-01-01-4): byte-stable generator, contract, consistency with the Kreis
population sample. Expected values come from plain `csv` parsing, never from the generator."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from pipelines.conform import conform
from pipelines.contracts import load_contracts
from pipelines.readers import read_file
from pipelines.sample import care

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


def test_generator_is_byte_stable(tmp_path: Path) -> None:
    shutil.copy(care_DIR / POPULATION, tmp_path / POPULATION)
    written = care.generate(tmp_path)
    assert [p.name for p in written] == [FILE]
    assert (tmp_path / FILE).read_bytes() == (care_DIR / FILE).read_bytes()


def test_bytes_follow_the_ffcsv_conventions() -> None:
    data = (care_DIR / FILE).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r" not in data and data.endswith(b"\n")


def test_sample_conforms_to_its_contract() -> None:
    contract = load_contracts()["care"]
    result = read_file(contract.sample_file, contract.reader, **contract.reader_options)
    frame = conform(result, contract)
    assert len(frame) == len(_rows(FILE))
    assert set(frame["region_key"]) == set(KREISE)
    assert set(frame["period_year"]) == set(YEARS)


def test_eisenach_is_nothing_from_2021() -> None:
    for r in _rows(FILE):
        merged = r["1_variable_attribute_code"] == "16056" and int(r["time"][:4]) >= 2021
        assert (r["value"] == "-") == merged, r


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
