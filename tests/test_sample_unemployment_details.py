"""The unemployment detail sample (13211-02-06-4): byte-stable, conforms to its contract, and
consistent with the unemployment (13211-02-05-4) and population (12411-02-03-4) samples and the
BA workbook.

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
from pipelines.sample import unemployment_details

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = PROJECT / "sample_data"
FILE = "13211-02-06-4_de_flat.csv"
UNEMPLOYMENT_FILE = "13211-02-05-4_de_flat.csv"
POPULATION_FILE = "12411-02-03-4_de_flat.csv"
WORKBOOK = "ba_arbeitslose_kreise_2024.xlsx"
YEARS = range(2015, 2025)
EISENACH = "16056"
MEASURES = {"ALO_SGB2", "ALO_LZA", "ALO_U25", "ERWZIV_U25"}
AGES_15_24 = {"ALT015B18", "ALT018B20", "ALT020B25"}


def _rows(name: str) -> list[dict[str, str]]:
    with (SAMPLE_DIR / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def _by_kreis_year(name: str) -> dict[tuple[str, int], dict[str, str]]:
    out: dict[tuple[str, int], dict[str, str]] = {}
    for r in _rows(name):
        cell = out.setdefault((r["1_variable_attribute_code"], int(r["time"])), {})
        assert r["value_variable_code"] not in cell, r
        cell[r["value_variable_code"]] = r["value"]
    return out


def _population_15_24() -> dict[tuple[str, int], int]:
    out: dict[tuple[str, int], int] = {}
    for r in _rows(POPULATION_FILE):
        if (
            r["2_variable_attribute_code"] == ""
            and r["3_variable_attribute_code"] in AGES_15_24
            and r["value"].isdigit()
        ):
            key = (r["1_variable_attribute_code"], int(r["time"][:4]))
            out[key] = out.get(key, 0) + int(r["value"])
    return out


def test_generator_is_byte_stable(tmp_path: Path) -> None:
    for name in (UNEMPLOYMENT_FILE, POPULATION_FILE, WORKBOOK):
        shutil.copy(SAMPLE_DIR / name, tmp_path / name)
    written = unemployment_details.generate(tmp_path)
    assert [p.name for p in written] == [FILE]
    assert (tmp_path / FILE).read_bytes() == (SAMPLE_DIR / FILE).read_bytes()


def test_file_conventions() -> None:
    data = (SAMPLE_DIR / FILE).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" not in data
    assert len(data.decode("utf-8-sig").splitlines()) == 1 + 23 * 10 * 4


def test_contract_conforms() -> None:
    contract = load_contracts()["unemployment_details"]
    result = read_file(SAMPLE_DIR / FILE, contract.reader, **contract.reader_options)
    frame = conform(result, contract)
    assert len(frame) == 23 * 10 * 4
    assert set(frame["table_code"]) == {"13211-02-06-4"}
    assert set(frame["measure_code"]) == MEASURES
    dashes = frame[frame["value_status"] == "-"]
    assert set(dashes["region_key"]) == {EISENACH}
    assert set(dashes["period_year"]) == {2021, 2022, 2023, 2024}


def test_consistent_with_unemployment_and_population() -> None:
    details = _by_kreis_year(FILE)
    unemp = _by_kreis_year(UNEMPLOYMENT_FILE)
    pop = _population_15_24()
    assert len({k for k, _ in details}) == 23
    assert {(k, y) for k, y in details if y in YEARS} == set(details)
    for (key, year), cells in details.items():
        assert set(cells) == MEASURES
        if key == EISENACH and year >= 2021:
            assert set(cells.values()) == {"-"}
            assert unemp[key, year]["ERW003"] == "-"
            continue
        sgb2, lza, u25, labour_u25 = (
            int(cells[m]) for m in ("ALO_SGB2", "ALO_LZA", "ALO_U25", "ERWZIV_U25")
        )
        alo, labour = int(unemp[key, year]["ERW003"]), int(unemp[key, year]["ERWZIV"])
        assert 0.58 <= sgb2 / alo <= 0.67, (key, year)
        assert 0.30 <= lza / alo <= 0.40, (key, year)
        assert 0.065 <= u25 / alo <= 0.095, (key, year)
        assert 0.075 <= labour_u25 / labour <= 0.095, (key, year)
        assert u25 < labour_u25 < pop[key, year], (key, year)


def test_2024_equals_ba_workbook() -> None:
    book = openpyxl.load_workbook(SAMPLE_DIR / WORKBOOK, read_only=True, data_only=True)
    workbook: dict[str, tuple] = {}
    for row in book["Tabelle 1"].iter_rows(values_only=True):
        if isinstance(row[0], str) and len(row[0]) == 5 and row[0].startswith("16"):
            workbook[row[0]] = row  # A key, B name, C insgesamt, D SGB III, E SGB II, F LZA, G U25
    details = _by_kreis_year(FILE)
    assert set(workbook) == {
        k for (k, y), c in details.items() if y == 2024 and c["ALO_SGB2"] != "-"
    }
    for key, row in workbook.items():
        cells = details[key, 2024]
        got = tuple(int(cells[m]) for m in ("ALO_SGB2", "ALO_LZA", "ALO_U25"))
        assert got == (row[4], row[5], row[6])
