"""The unemployment sample (13211-02-05-4): one classic export per year, laid out exactly like
the real download of regionalstatistik.de, numbers synthetic but consistent, and accepted by its
contract. Expectations come from plain reading of the files (csv module) and of the real export
in tests/fixtures/real, never from the generator."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from pipelines.conform import check
from pipelines.contracts import load_contracts
from pipelines.ingest import read_delivery
from tests.conftest import REFERENCE_DATA, SAMPLE_DIR

REAL = REFERENCE_DATA / "genesis_classic_recent" / "13211-02-05-4.csv"
YEARS = range(2015, 2025)
KREISE = [f"160{n}" for n in (*range(51, 57), *range(61, 78))]
EISENACH = "16056"
COUNTS = 7  # ERWP06: all, ausländisch, schwerbehindert, 15-20, 15-25, 55-65, langzeitarbeitslos
RATE_DEP, RATE_ALL = 7, 8  # ERWP09 and ERWP10 (all) among the value columns


def _path(year: int) -> Path:
    return SAMPLE_DIR / f"13211-02-05-4_{year}.csv"


def _lines(path: Path) -> list[str]:
    return path.read_bytes().decode("cp1252").split("\n")


def _rows(year: int) -> dict[str, list[str]]:
    """Data rows `year;key;name;values` by region key."""
    text = _path(year).read_bytes().decode("cp1252")
    return {
        fields[1]: fields
        for fields in csv.reader(text.splitlines(), delimiter=";")
        if fields and re.fullmatch(r"\d{4}", fields[0])
    }


def _number(cell: str) -> float:
    return float(cell.replace(",", "."))


def test_one_file_per_year_and_nothing_else() -> None:
    names = sorted(p.name for p in SAMPLE_DIR.glob("13211-02-05-4*"))
    assert names == [f"13211-02-05-4_{year}.csv" for year in YEARS]


@pytest.mark.parametrize("year", YEARS)
def test_layout_is_the_real_exports(year: int) -> None:
    """Title, header and footer are the real file's, byte for byte; cp1252, LF."""
    data = _path(year).read_bytes()
    assert b"\r" not in data and data.endswith(b"\n") and not data.startswith(b"\xef\xbb\xbf")
    real, sample = _lines(REAL), _lines(_path(year))
    assert sample[:9] == real[:9]  # `Tabelle: 13211-02-05-4`, title, measure / group / unit rows
    footer = real.index("__________")
    assert sample[sample.index("__________") :] == real[footer:]
    widths = {len(line.split(";")) for line in sample[1:9]}
    assert widths == {16}


@pytest.mark.parametrize("year", YEARS)
def test_land_and_its_kreise_with_eisenach_merged_from_2021(year: int) -> None:
    rows = _rows(year)
    assert list(rows) == ["16", *KREISE]  # the Land row above its Kreise, by key
    assert rows["16"][2] == "  Thüringen"
    assert all(rows[k][2].startswith("      ") for k in KREISE)
    assert all(r[0] == str(year) for r in rows.values())
    for key, row in rows.items():
        values = row[3:]
        assert len(values) == 13
        if key == EISENACH and year >= 2021:
            assert values == ["-"] * 13  # as the real export shows a dissolved Kreis
            continue
        assert all(re.fullmatch(r"\d+", v) for v in values[:COUNTS]), row
        assert all(re.fullmatch(r"\d+,\d", v) for v in values[COUNTS:]), row


@pytest.mark.parametrize("year", YEARS)
def test_counts_and_rates_are_consistent(year: int) -> None:
    rows = _rows(year)
    kreise = [k for k in KREISE if not (k == EISENACH and year >= 2021)]
    for column in range(COUNTS):
        assert int(rows["16"][3 + column]) == sum(int(rows[k][3 + column]) for k in kreise)
    for key in ["16", *kreise]:
        values = rows[key][3:]
        counts = [int(v) for v in values[:COUNTS]]
        total, foreign, disabled, u20, u25, old, long_term = counts
        assert u20 <= u25 <= total and max(foreign, disabled, old, long_term) < total
        rates = [_number(v) for v in values[COUNTS:]]
        assert all(0 < r < 50 for r in rates)
        assert rates[RATE_DEP - COUNTS] > rates[RATE_ALL - COUNTS]  # a smaller base
        assert 3 <= rates[RATE_ALL - COUNTS] <= 12
    # the Land's rate lies among its Kreise (computed from the same labour force)
    for column in range(COUNTS, 13):
        land = _number(rows["16"][3 + column])
        kreise_rates = [_number(rows[k][3 + column]) for k in kreise]
        assert min(kreise_rates) <= land <= max(kreise_rates)


def test_the_sample_conforms_to_its_contract() -> None:
    contract = load_contracts()["unemployment"]
    assert [p.name for p in contract.sample_files] == [_path(y).name for y in YEARS]
    for path in contract.sample_files:
        checked = check(read_delivery(path, contract), contract)
        assert not checked.problems and not checked.warnings and checked.dropped == 0
        frame = checked.result.frame
        assert len(frame) == 24 * 13
        assert set(frame["measure_code"]) == {"ERWP06", "ERWP09", "ERWP10"}
        groups = set(zip(frame["measure_code"], frame["var1_attr_code"].fillna(""), strict=True))
        assert len(groups) == 13
