"""The SGB II detail sample (SGB2-02-4): byte-stable, conforms to its contract, and consistent
with the SGB II (SGB2-01-4) and population (12411-02-03-4) samples and the BA workbook.

Expected values come from plain `csv` / `openpyxl` parsing of the committed files, never from
the generator.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl

from pipelines.conform import conform
from pipelines.contracts import load_contracts
from pipelines.readers import read_file
from pipelines.sample import sgb2_details

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = PROJECT / "sample_data"
FILE = "SGB2-02-4_de_flat.csv"
SGB2_FILE = "SGB2-01-4_de_flat.csv"
POPULATION_FILE = "12411-02-03-4_de_flat.csv"
WORKBOOK = "ba_sgb2_kreise_2024.xlsx"
YEARS = range(2015, 2025)
EISENACH = "16056"
MEASURES = {"ELB", "LB1517", "BG", "BGALL"}
AGES_15_64 = {
    "ALT015B18", "ALT018B20", "ALT020B25", "ALT025B30", "ALT030B35", "ALT035B40",
    "ALT040B45", "ALT045B50", "ALT050B55", "ALT055B60", "ALT060B65",
}  # fmt: skip


def _rows(name: str) -> list[dict[str, str]]:
    with (SAMPLE_DIR / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def _details() -> dict[tuple[str, int], dict[str, str]]:
    out: dict[tuple[str, int], dict[str, str]] = {}
    for r in _rows(FILE):
        cell = out.setdefault((r["1_variable_attribute_code"], int(r["time"])), {})
        assert r["value_variable_code"] not in cell, r
        cell[r["value_variable_code"]] = r["value"]
    return out


def _sgb2() -> dict[tuple[str, int, str, str], str]:
    return {
        (
            r["1_variable_attribute_code"],
            int(r["time"]),
            r["2_variable_attribute_code"],
            r["value_variable_code"],
        ): r["value"]
        for r in _rows(SGB2_FILE)
    }


def _population() -> dict[tuple[str, int], dict[str, int]]:
    out: dict[tuple[str, int], dict[str, int]] = {}
    for r in _rows(POPULATION_FILE):
        if r["2_variable_attribute_code"] == "" and r["value"].isdigit():
            key = (r["1_variable_attribute_code"], int(r["time"][:4]))
            out.setdefault(key, {})[r["3_variable_attribute_code"]] = int(r["value"])
    return out


def test_generator_is_byte_stable(tmp_path: Path) -> None:
    for name in (SGB2_FILE, POPULATION_FILE, WORKBOOK):
        shutil.copy(SAMPLE_DIR / name, tmp_path / name)
    written = sgb2_details.generate(tmp_path)
    assert [p.name for p in written] == [FILE]
    assert (tmp_path / FILE).read_bytes() == (SAMPLE_DIR / FILE).read_bytes()


def test_file_conventions() -> None:
    data = (SAMPLE_DIR / FILE).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" not in data
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[:5] == [
        "statistics_code", "statistics_label", "time_code", "time_label", "time",
    ]  # fmt: skip
    assert len(lines) == 1 + 23 * 10 * 4


def test_contract_conforms() -> None:
    contract = load_contracts()["sgb2_details"]
    result = read_file(SAMPLE_DIR / FILE, contract.reader, **contract.reader_options)
    frame = conform(result, contract)
    assert len(frame) == 23 * 10 * 4
    assert set(frame["table_code"]) == {"SGB2-02-4"}
    assert set(frame["measure_code"]) == MEASURES
    dashes = frame[frame["value_status"] == "-"]
    assert set(dashes["region_key"]) == {EISENACH}
    assert set(dashes["period_year"]) == {2021, 2022, 2023, 2024}


def test_every_kreis_and_year_once() -> None:
    details = _details()
    kreise = {k for k, _ in details}
    assert len(kreise) == 23
    for key in kreise:
        for year in YEARS:
            cells = details[key, year]
            assert set(cells) == MEASURES
            if key == EISENACH and year >= 2021:
                assert set(cells.values()) == {"-"}
            else:
                assert all(v.isdigit() for v in cells.values()), (key, year, cells)


def test_consistent_with_sgb2_and_population() -> None:
    sgb2, pop = _sgb2(), _population()
    for (key, year), cells in _details().items():
        if key == EISENACH and year >= 2021:
            assert sgb2[key, year, "", "LB"] == "-"
            continue
        elb, lb1517, bg, bgall = (int(cells[m]) for m in ("ELB", "LB1517", "BG", "BGALL"))
        lb, rlb = int(sgb2[key, year, "", "LB"]), int(sgb2[key, year, "", "RLB"])
        lb15 = int(sgb2[key, year, "ALT000B15", "LB"])
        assert elb < rlb <= lb, (key, year)
        assert 0.70 <= elb / lb <= 0.77, (key, year)
        assert 0 < lb1517 <= lb - lb15, (key, year)
        assert 0.028 <= lb1517 / lb <= 0.042, (key, year)
        assert bgall < bg < lb, (key, year)
        assert 0.53 <= bg / lb <= 0.62, (key, year)
        assert 0.15 <= bgall / bg <= 0.21, (key, year)
        ages = pop[key, year]
        assert lb1517 < ages["ALT015B18"], (key, year)
        assert elb < sum(ages[a] for a in AGES_15_64), (key, year)


def test_2024_equals_ba_workbook() -> None:
    book = openpyxl.load_workbook(SAMPLE_DIR / WORKBOOK, read_only=True, data_only=True)
    workbook: dict[str, tuple] = {}
    for row in book["Tabelle 1"].iter_rows(values_only=True):
        if isinstance(row[0], str) and len(row[0]) == 5 and row[0].startswith("16"):
            workbook[row[0]] = (
                row  # A key, B name, C LB, D RLB, E ELB, F NEF, G BG, H Single, I Alleinerz.
            )
    details = _details()
    assert set(workbook) == {k for (k, y), c in details.items() if y == 2024 and c["ELB"] != "-"}
    for key, row in workbook.items():
        cells = details[key, 2024]
        assert (int(cells["ELB"]), int(cells["BG"]), int(cells["BGALL"])) == (
            row[4],
            row[6],
            row[8],
        )
