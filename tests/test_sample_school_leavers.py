"""The school_leavers sample (21111-02-06-4): byte-stable generator, the layout of the real
classic export, consistency with the Kreis population sample. Expected values come from plain
`csv` parsing, never from the generator."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipelines.conform import conform
from pipelines.contracts import load_contracts
from pipelines.ingest import read_delivery
from pipelines.sample import school_leavers
from tests.conftest import REFERENCE_DATA

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = PROJECT / "sample_data"
POPULATION = "12411-02-03-4_de_flat.csv"
TABLE = "21111-02-06-4"
REAL = REFERENCE_DATA / "genesis_classic" / f"{TABLE}.csv"
KREISE = [f"160{n}" for n in (*range(51, 57), *range(61, 78))]
YEARS = range(2015, 2025)
# The 14 value columns of the real export: certificate code, sex ('' = Insgesamt)
CODES = ["", "BILABS11", "BILABS12", "BILABS13", "BILABS14D", "BILABS14", "BILABS15"]
COLUMNS = [(code, sex) for code in CODES for sex in ("", "GESW")]
PARTS = ["BILABS11", "BILABS12", "BILABS13", "BILABS14", "BILABS15"]  # add up to Insgesamt


def _lines(path: Path) -> list[str]:
    return path.read_bytes().decode("cp1252").split("\n")


def _files() -> list[Path]:
    return [SAMPLE_DIR / f"{TABLE}_{year}.csv" for year in YEARS]


def _sample() -> dict:
    """`_data` of every yearly file together."""
    return {cell: value for path in _files() for cell, value in _data(path).items()}


def _data(path: Path) -> dict[tuple[str, int], dict[tuple[str, str], str]]:
    """(key, year) -> {(certificate, sex): value as printed}."""
    out = {}
    for fields in csv.reader(_lines(path), delimiter=";"):
        if len(fields) == 3 + len(COLUMNS) and fields[0].isdigit():
            out[fields[1], int(fields[0])] = dict(zip(COLUMNS, fields[3:], strict=True))
    return out


def _population_15_17() -> dict[tuple[str, int], int]:
    with (SAMPLE_DIR / POPULATION).open(encoding="utf-8-sig", newline="") as f:
        return {
            (r["1_variable_attribute_code"], int(r["time"][:4])): int(r["value"])
            for r in csv.DictReader(f, delimiter=";")
            if (r["2_variable_attribute_code"], r["3_variable_attribute_code"]) == ("", "ALT015B18")
            and r["value"] != "-"
        }


def test_generator_is_byte_stable(tmp_path: Path) -> None:
    (tmp_path / POPULATION).write_bytes((SAMPLE_DIR / POPULATION).read_bytes())
    written = school_leavers.generate(tmp_path)
    assert [p.name for p in written] == [p.name for p in _files()]
    for path in _files():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_layout_is_the_real_exports() -> None:
    real = _lines(REAL)
    for year, path in zip(YEARS, _files(), strict=True):
        mine = _lines(path)
        assert mine[:9] == real[:9]  # title, measure line and the three header rows
        assert mine[-1] == "" and mine[-2].startswith("Stand: ")
        assert "__________" in mine and b"\r" not in path.read_bytes()
        assert set(_data(path)) == {(k, year) for k in ["16", *KREISE]}
        assert mine[9].startswith(f"{year};16;  Thüringen;")


def test_parts_add_up_and_shares_are_plausible() -> None:
    data, pop = _sample(), _population_15_17()
    for (key, year), cells in data.items():
        if key == "16056" and year >= 2021:
            assert set(cells.values()) == {"-"}
            continue
        c = {cell: int(v) for cell, v in cells.items()}
        for sex in ("", "GESW"):
            assert c["", sex] == sum(c[p, sex] for p in PARTS), (key, year, sex)
        for code in CODES:
            assert c[code, "GESW"] <= c[code, ""], (key, year, code)
        assert c["BILABS14D", ""] <= c["BILABS13", ""] and c["BILABS14", ""] == 0
        assert 0.40 < c["", "GESW"] / c["", ""] < 0.56, (key, year)
        assert 0.04 < c["BILABS11", ""] / c["", ""] < 0.14, (key, year)
        if key != "16":
            assert 0.25 < c["", ""] / pop[key, year] < 0.45, (key, year)
    for year in YEARS:
        for column in COLUMNS:
            kreise = [data[k, year][column] for k in KREISE if data[k, year][column] != "-"]
            assert int(data["16", year][column]) == sum(map(int, kreise)), (year, column)


@pytest.mark.parametrize("path", [SAMPLE_DIR / f"{TABLE}_2024.csv", REAL], ids=["sample", "real"])
def test_contract_maps_every_label_to_its_code(path: Path) -> None:
    contract = load_contracts()["school_leavers"]
    frame = conform(read_delivery(path, contract), contract)
    year = 2024 if path.parent == SAMPLE_DIR else 2015
    printed = _data(path)["16053", year]
    rows = frame[(frame["region_key"] == "16053") & (frame["period_year"] == year)]
    assert set(rows["var1_code"]) == {"BILAG2"} and set(rows["var2_code"]) == {"GES"}
    cells = zip(rows["var1_attr_code"], rows["var2_attr_code"], rows["value"], strict=True)
    got = {(a, s): v for a, s, v in cells}
    assert got == {cell: float(v) for cell, v in printed.items()}
    assert set(frame["region_key"]) == {"16", *KREISE}
