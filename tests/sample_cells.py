"""Plain readings of the committed sample files for the tests of what the sample means: the
csv module only, never the project's readers or the generator, so the expectations are
independent of both."""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

from tests.conftest import SAMPLE_DIR, sample_rows

KREISE = tuple(f"160{n}" for n in (*range(51, 57), *range(61, 78)))
YEARS = range(2015, 2025)
EISENACH = "16056"
POPULATION = "12411-02-03-4_de_flat.csv"
SGB2 = "SGB2-01-4_de_flat.csv"
U15 = ("ALT000B03", "ALT003B06", "ALT006B10", "ALT010B15")
O65 = ("ALT065B75", "ALT075UM")
AGES_15_64 = (
    "ALT015B18", "ALT018B20", "ALT020B25", "ALT025B30", "ALT030B35", "ALT035B40",
    "ALT040B45", "ALT045B50", "ALT050B55", "ALT055B60", "ALT060B65",
)  # fmt: skip


def gone(key: str, year: int) -> bool:
    """Eisenach from 2021: part of the Wartburgkreis, its rows `-`."""
    return key == EISENACH and year >= 2021


def kreis_years() -> list[tuple[str, int]]:
    """Every (Kreis, year) with numbers: Eisenach from 2021 has none."""
    return [(key, y) for key in KREISE for y in YEARS if not gone(key, y)]


@functools.cache
def rows(name: str) -> tuple[dict[str, str], ...]:
    """The rows of a GENESIS ffcsv sample file (plain or the API's ZIP) by column name."""
    return tuple(sample_rows(name))


def year(row: dict[str, str]) -> int:
    return int(row["time"][:4])


@functools.cache
def cells(name: str, *columns: str) -> dict[tuple, str]:
    """(region, year, the row's `columns`…) -> value as printed; each cell exactly once."""
    out: dict[tuple, str] = {}
    for r in rows(name):
        cell = (r["1_variable_attribute_code"], year(r), *(r[c] for c in columns))
        assert cell not in out, f"{name}: {cell} twice"
        out[cell] = r["value"]
    return out


@functools.cache
def numbers(name: str, *columns: str) -> dict[tuple, int]:
    """`cells` without the signs, as numbers (cached: do not change the result)."""
    return {cell: int(v) for cell, v in cells(name, *columns).items() if v.isdigit()}


def population() -> dict[tuple, int]:
    """(Kreis, year, sex, age group) -> persons of 12411-02-03-4 ('' for Insgesamt)."""
    return numbers(POPULATION, "2_variable_attribute_code", "3_variable_attribute_code")


def classic_lines(path: Path) -> list[str]:
    """A classic export's lines (cp1252, LF)."""
    return path.read_bytes().decode("cp1252").split("\n")


def classic_rows(path: Path) -> dict[tuple[str, int], list[str]]:
    """(key, year) -> the values of a data row `year;key;indented name;values…`."""
    return {
        (fields[1], int(fields[0])): fields[3:]
        for fields in csv.reader(classic_lines(path), delimiter=";")
        if fields and re.fullmatch(r"\d{4}", fields[0])
    }


def yearly(table: str) -> list[Path]:
    """The one-year classic exports of `table`, 2015 first."""
    return [SAMPLE_DIR / f"{table}_{y}.csv" for y in YEARS]
