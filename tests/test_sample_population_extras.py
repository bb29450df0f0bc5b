"""Sample file of employees at their place of residence (13111-02-02-4). (Migration, births,
deaths and the population by nationality: test_sample_population_movement.py and
test_sample_population_nationality.py.)

Expected values come from plain `csv` parsing of the committed files and the population file
12411-02-03-4, never from the generators. The contract checks run the project's reader and
conform step on the files.
"""

from __future__ import annotations

import csv
import functools
import shutil
from pathlib import Path

import pytest

from pipelines.conform import conform
from pipelines.contracts import load_contracts
from pipelines.readers import read_file
from pipelines.sample import employees_residence

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = PROJECT / "sample_data"
POPULATION_FILE = "12411-02-03-4_de_flat.csv"
EMPLOYEES_FILE = "13111-02-02-4_de_flat.csv"
KREISE = {
    "16051", "16052", "16053", "16054", "16055", "16056", "16061", "16062",
    "16063", "16064", "16065", "16066", "16067", "16068", "16069", "16070",
    "16071", "16072", "16073", "16074", "16075", "16076", "16077",
}  # fmt: skip
YEARS = range(2015, 2025)
EISENACH = "16056"
WORKING_AGE = (
    "ALT015B18", "ALT018B20", "ALT020B25", "ALT025B30", "ALT030B35", "ALT035B40",
    "ALT040B45", "ALT045B50", "ALT050B55", "ALT055B60", "ALT060B65",
)  # fmt: skip
GENERATORS = {EMPLOYEES_FILE: employees_residence}
SOURCES = {EMPLOYEES_FILE: "employees_residence"}


@functools.cache
def _rows(name: str) -> tuple[dict[str, str], ...]:
    with (SAMPLE_DIR / name).open(encoding="utf-8-sig", newline="") as f:
        return tuple(csv.DictReader(f, delimiter=";"))


def _eisenach_gone(key: str, year: int) -> bool:
    return key == EISENACH and year >= 2021


@functools.cache
def _population() -> dict[tuple[str, int, str, str], int]:
    """(Kreis, year, sex attr, age attr) -> population, numeric rows only."""
    return {
        (
            r["1_variable_attribute_code"],
            int(r["time"][:4]),
            r["2_variable_attribute_code"],
            r["3_variable_attribute_code"],
        ): int(r["value"])
        for r in _rows(POPULATION_FILE)
        if r["value"] != "-"
    }


def _working_age(key: str, year: int, sex: str) -> int:
    return sum(_population()[key, year, sex, age] for age in WORKING_AGE)


def _cells(name: str, column: str) -> dict[tuple[str, int, str], str]:
    """(Kreis, year, `column` value) -> value as printed; each cell exactly once."""
    out: dict[tuple[str, int, str], str] = {}
    for r in _rows(name):
        cell = (r["1_variable_attribute_code"], int(r["time"][:4]), r[column])
        assert cell not in out, f"{name}: {cell} twice"
        out[cell] = r["value"]
    return out


@pytest.mark.parametrize("name", list(GENERATORS))
def test_generator_is_byte_stable(name: str, tmp_path: Path) -> None:
    shutil.copy(SAMPLE_DIR / POPULATION_FILE, tmp_path / POPULATION_FILE)
    written = GENERATORS[name].generate(tmp_path)
    assert [p.name for p in written] == [name]
    assert (tmp_path / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), (
        f"{name} differs from a fresh run: regenerate and commit"
    )


@pytest.mark.parametrize("name", list(GENERATORS))
def test_format_and_coverage(name: str) -> None:
    raw = (SAMPLE_DIR / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw and b'"' not in raw
    rows = _rows(name)
    keys = KREISE | ({"16"} if name == EMPLOYEES_FILE else set())  # with the Land row
    assert {(r["1_variable_attribute_code"], int(r["time"][:4])) for r in rows} == {
        (k, y) for k in keys for y in YEARS
    }
    for r in rows:
        gone = _eisenach_gone(r["1_variable_attribute_code"], int(r["time"][:4]))
        assert (r["value"] == "-") == gone, r
        if not gone:
            assert int(r["value"]) >= 0, r


def _employees() -> dict[tuple[str, int, str, str], str]:
    """(region, year, nationality, sex) -> value as printed; each cell exactly once."""
    out: dict[tuple[str, int, str, str], str] = {}
    for r in _rows(EMPLOYEES_FILE):
        cell = (
            r["1_variable_attribute_code"],
            int(r["time"][:4]),
            r["2_variable_attribute_code"],
            r["3_variable_attribute_code"],
        )
        assert cell not in out, cell
        out[cell] = r["value"]
    return out


def test_employees_layout_is_the_real_place_of_work_files() -> None:
    """Variables, labels and region variables as in the real ffcsv of 13111-01-03-4."""
    rows = _rows(EMPLOYEES_FILE)
    assert {r["time"][5:] for r in rows} == {"06-30"}
    assert {(r["statistics_code"], r["statistics_label"], r["time_code"]) for r in rows} == {
        ("13111", "Statistik der sozialversicherungspflichtig Beschäftigten", "STAG")
    }
    measures = {
        (r["value_variable_code"], r["value_variable_label"], r["value_unit"]) for r in rows
    }
    assert measures == {("ERW033", "Sozialversicherungspfl. Beschäftigte (Wohnort)", "Anzahl")}
    assert {(r["1_variable_code"], r["1_variable_attribute_code"] == "16") for r in rows} == {
        ("KREISE", False),
        ("DLAND", True),
    }
    fields = ("variable_code", "variable_attribute_code", "variable_attribute_label")
    assert {tuple(r[f"{n}_{f}"] for f in fields) for r in rows for n in (2, 3)} == {
        ("NAT", "", "Insgesamt"), ("NAT", "NATA", "ausländisch"),
        ("GES", "", "Insgesamt"), ("GES", "GESM", "männlich"), ("GES", "GESW", "weiblich"),
    }  # fmt: skip


def test_employees_add_up_and_rates_are_plausible() -> None:
    cells = _employees()
    for year in YEARS:
        for nat in ("", "NATA"):
            for sex in ("", "GESM", "GESW"):
                kreise = [cells[k, year, nat, sex] for k in KREISE if not _eisenach_gone(k, year)]
                assert int(cells["16", year, nat, sex]) == sum(map(int, kreise)), (year, nat, sex)
    for key in KREISE:
        for year in YEARS:
            if _eisenach_gone(key, year):
                continue
            for nat in ("", "NATA"):
                m, w, t = (int(cells[key, year, nat, s]) for s in ("GESM", "GESW", ""))
                assert m + w == t, (key, year, nat)
            t = int(cells[key, year, "", ""])
            rate = 100 * t / _working_age(key, year, "")
            rate_women = 100 * int(cells[key, year, "", "GESW"]) / _working_age(key, year, "GESW")
            assert 55 < rate < 70, (key, year, rate)
            assert 53 < rate_women < rate, (key, year, rate_women)
            foreign = int(cells[key, year, "NATA", ""]) / t
            assert 0.01 < foreign < 0.12, (key, year, foreign)


@pytest.mark.parametrize("name", list(SOURCES))
def test_contract_conforms(name: str) -> None:
    contract = load_contracts()[SOURCES[name]]
    assert contract.sample_files[0] == SAMPLE_DIR / name
    result = read_file(contract.sample_files[0], contract.reader, **contract.reader_options)
    frame = conform(result, contract)
    assert len(frame) == len(_rows(name))
    assert set(frame["table_code"]) == {contract.table_code}
    assert int(frame["value_status"].eq("-").sum()) == sum(r["value"] == "-" for r in _rows(name))
