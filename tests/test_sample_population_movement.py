"""Sample files of migration over the Kreis borders (12711-04-02-4), live births
(12612-01-01-4) and deaths (12613-01-01-4): the real tables' layout and codes, byte-stable
generator, consistent numbers.

Expected values come from plain `csv` parsing of the committed files and the population file
12411-02-03-4, never from the generator. The contract checks run the project's reader and
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
from pipelines.sample import population_movement

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"
POPULATION_FILE = "12411-02-03-4_de_flat.csv"
MIGRATION = "12711-04-02-4_de_flat.csv"
BIRTHS = "12612-01-01-4_de_flat.csv"
DEATHS = "12613-01-01-4_de_flat.csv"
SOURCES = {MIGRATION: "population_movement", BIRTHS: "births", DEATHS: "deaths"}
KREISE = {f"160{n}" for n in (*range(51, 57), *range(61, 78))}
YEARS = range(2015, 2025)
AGES = ("ALT000B18", "ALT018B25", "ALT025B30", "ALT030B50", "ALT050B65", "ALT065UM")
SEX = {("", "Insgesamt"), ("GESM", "männlich"), ("GESW", "weiblich")}
# (Kreis, year) whose area changed: the 2019 transfers and Eisenach into the Wartburgkreis.
AREA_CHANGES = {(k, 2019) for k in ("16063", "16066", "16070", "16054", "16073", "16072")}
AREA_CHANGES |= {("16063", 2021)}


@functools.cache
def _rows(name: str) -> tuple[dict[str, str], ...]:
    with (SAMPLE_DIR / name).open(encoding="utf-8-sig", newline="") as f:
        return tuple(csv.DictReader(f, delimiter=";"))


def _gone(key: str, year: int) -> bool:
    return key == "16056" and year >= 2021


@functools.cache
def _population() -> dict[tuple[str, int], int]:
    """(Kreis, year) -> population (sex and age Insgesamt), numeric rows only."""
    return {
        (r["1_variable_attribute_code"], int(r["time"][:4])): int(r["value"])
        for r in _rows(POPULATION_FILE)
        if r["2_variable_attribute_code"] == r["3_variable_attribute_code"] == ""
        and r["value"] != "-"
    }


@functools.cache
def _migration() -> dict[tuple[str, int, str, str, str], int]:
    """(Kreis, year, measure, age, sex) -> persons; each cell exactly once."""
    out: dict[tuple[str, int, str, str, str], int] = {}
    for r in _rows(MIGRATION):
        cell = (
            r["1_variable_attribute_code"],
            int(r["time"]),
            r["value_variable_code"],
            r["2_variable_attribute_code"],
            r["3_variable_attribute_code"],
        )
        assert cell not in out, cell
        if r["value"] != "-":
            out[cell] = int(r["value"])
    return out


@functools.cache
def _natural(name: str) -> dict[tuple[str, int, str], int]:
    """(Kreis, year, sex) -> persons of the births or deaths file; each cell exactly once."""
    out: dict[tuple[str, int, str], int] = {}
    for r in _rows(name):
        cell = (r["1_variable_attribute_code"], int(r["time"]), r["2_variable_attribute_code"])
        assert cell not in out, cell
        if r["value"] != "-":
            out[cell] = int(r["value"])
    return out


def _net(key: str, year: int, age: str = "") -> int:
    m = _migration()
    return m[key, year, "BEV085", age, ""] - m[key, year, "BEV086", age, ""]


def test_generator_is_byte_stable(tmp_path: Path) -> None:
    shutil.copy(SAMPLE_DIR / POPULATION_FILE, tmp_path / POPULATION_FILE)
    written = population_movement.generate(tmp_path)
    assert [p.name for p in written] == [MIGRATION, BIRTHS, DEATHS]
    for path in written:
        assert path.read_bytes() == (SAMPLE_DIR / path.name).read_bytes(), path.name


def test_layout_is_the_real_tables() -> None:
    """Statistic, time, variables in table order (rows before columns) and measures."""
    expected = {
        MIGRATION: (
            ("12711", "Wanderungsstatistik"),
            ("ALTX01", "GES"),
            {
                ("BEV085", "Zuzüge über die Kreisgrenzen"),
                ("BEV086", "Fortzüge über die Kreisgrenzen"),
            },
        ),
        BIRTHS: (("12612", "Statistik der Geburten"), ("GES",), {("BEV001", "Lebendgeborene")}),
        DEATHS: (("12613", "Statistik der Sterbefälle"), ("GES",), {("BEV002", "Gestorbene")}),
    }
    for name, (statistic, variables, measures) in expected.items():
        rows = _rows(name)
        raw = (SAMPLE_DIR / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw and b'"' not in raw
        assert {(r["statistics_code"], r["statistics_label"]) for r in rows} == {statistic}
        assert {(r["time_code"], r["time_label"], len(r["time"])) for r in rows} == {
            ("JAHR", "Jahr", 4)
        }
        assert {(r["1_variable_code"], r["1_variable_label"]) for r in rows} == {
            ("KREISE", "Kreise und kreisfreie Städte")
        }
        for i, code in enumerate(variables, start=2):
            assert {r[f"{i}_variable_code"] for r in rows} == {code}, name
        assert f"{len(variables) + 2}_variable_code" not in rows[0]
        assert {(r["value_variable_code"], r["value_variable_label"]) for r in rows} == measures
        assert {r["value_unit"] for r in rows} == {"Anzahl"}
        sexes = {(r[f"{len(variables) + 1}_variable_attribute_code"],
                  r[f"{len(variables) + 1}_variable_attribute_label"]) for r in rows}  # fmt: skip
        assert sexes == SEX
    ages = {
        (r["2_variable_attribute_code"], r["2_variable_attribute_label"]) for r in _rows(MIGRATION)
    }
    assert {a for a, _ in ages} == {"", *AGES}
    assert ("", "Insgesamt") in ages and ("ALT065UM", "65 Jahre und mehr") in ages


@pytest.mark.parametrize("name", [MIGRATION, BIRTHS, DEATHS])
def test_every_kreis_every_year_and_eisenach(name: str) -> None:
    rows = _rows(name)
    assert {(r["1_variable_attribute_code"], int(r["time"])) for r in rows} == {
        (k, y) for k in KREISE for y in YEARS
    }
    for r in rows:
        gone = _gone(r["1_variable_attribute_code"], int(r["time"]))
        assert (r["value"] == "-") == gone, r
        if not gone:
            assert int(r["value"]) >= 0, r


def test_totals_are_sums_of_their_cells() -> None:
    m = _migration()
    for key in KREISE:
        for year in YEARS:
            if _gone(key, year):
                continue
            for code in ("BEV085", "BEV086"):
                for sex in ("", "GESM", "GESW"):
                    assert m[key, year, code, "", sex] == sum(
                        m[key, year, code, a, sex] for a in AGES
                    ), (key, year, code, sex)
                for age in ("", *AGES):
                    assert m[key, year, code, age, ""] == (
                        m[key, year, code, age, "GESM"] + m[key, year, code, age, "GESW"]
                    )
            for name in (BIRTHS, DEATHS):
                n = _natural(name)
                assert n[key, year, ""] == n[key, year, "GESM"] + n[key, year, "GESW"]


def test_rates_are_plausible() -> None:
    births, deaths = _natural(BIRTHS), _natural(DEATHS)
    for key in KREISE:
        for year in YEARS:
            if _gone(key, year):
                continue
            pop = _population()[key, year]
            assert 4.5 < 1000 * births[key, year, ""] / pop < 11, (key, year)
            assert 8 < 1000 * deaths[key, year, ""] / pop < 19, (key, year)
            assert 0.49 < births[key, year, "GESM"] / births[key, year, ""] < 0.54
            assert -20 < 1000 * _net(key, year) / pop < 25, (key, year)
            out = _migration()[key, year, "BEV086", "", ""]
            assert 15 < 1000 * out / pop < 60, (key, year)


def test_students_move_to_the_university_towns() -> None:
    for key in ("16051", "16053"):  # Erfurt, Jena
        for year in YEARS:
            assert _net(key, year, "ALT018B25") > 0, (key, year)


def test_movement_roughly_explains_the_population_change() -> None:
    births, deaths, pop = _natural(BIRTHS), _natural(DEATHS), _population()
    for key in KREISE:
        for year in YEARS[1:]:
            if _gone(key, year) or (key, year) in AREA_CHANGES:
                continue
            change = pop[key, year] - pop[key, year - 1]
            flows = births[key, year, ""] - deaths[key, year, ""] + _net(key, year)
            assert abs(flows - change) <= 0.009 * pop[key, year], (key, year)


def test_refugee_years_have_the_highest_net_migration() -> None:
    land = {y: sum(_net(k, y) for k in KREISE if not _gone(k, y)) for y in YEARS}
    assert sorted(land, key=land.get)[-2:] in ([2015, 2022], [2022, 2015])


@pytest.mark.parametrize("name", list(SOURCES))
def test_contract_conforms(name: str) -> None:
    contract = load_contracts()[SOURCES[name]]
    assert contract.sample_files == (SAMPLE_DIR / name,)
    result = read_file(contract.sample_files[0], contract.reader, **contract.reader_options)
    frame = conform(result, contract)
    assert len(frame) == len(_rows(name))
    assert set(frame["table_code"]) == {contract.table_code}
    assert int(frame["value_status"].eq("-").sum()) == sum(r["value"] == "-" for r in _rows(name))
