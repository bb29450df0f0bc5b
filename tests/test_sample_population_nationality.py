"""Sample file of the population by sex, nationality and age groups (12411-03-03-4): the real
table's layout and codes, byte-stable generator, totals equal to the population files.

Expected values come from plain `csv` parsing of the committed files (this one,
12411-02-03-4 and 12411-04-02-4), never from the generator.
"""

from __future__ import annotations

import functools
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from pipelines.conform import conform
from pipelines.contracts import load_contracts
from pipelines.readers import read_file
from pipelines.sample import population_nationality
from tests.conftest import sample_bytes, sample_rows

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"
POPULATION_FILE = "12411-02-03-4_de_flat.csv"
SINGLE_YEARS_FILE = "12411-04-02-4.zip"
FILE = "12411-03-03-4.zip"
KREISE = {f"160{n}" for n in (*range(51, 57), *range(61, 78))}
YEARS = range(2015, 2025)
AGES = (
    "ALT000B03", "ALT003B06", "ALT006B10", "ALT010B15", "ALT015B18", "ALT018B20",
    *(f"ALT{lo:03d}B{lo + 5:02d}" for lo in range(20, 90, 5)), "ALT090UM",
)  # fmt: skip
# the groups 12411-02-03-4 has too
SAME_IN_POPULATION_FILE = AGES[:15]


@functools.cache
def _rows(name: str) -> tuple[dict[str, str], ...]:
    return tuple(sample_rows(name))


def _gone(key: str, year: int) -> bool:
    return key == "16056" and year >= 2021


@functools.cache
def _cells() -> dict[tuple[str, int, str, str, str], int]:
    """(Kreis, year, age group, nationality, sex) -> persons; each cell exactly once."""
    out: dict[tuple[str, int, str, str, str], int] = {}
    for r in _rows(FILE):
        cell = (
            r["1_variable_attribute_code"],
            int(r["time"][:4]),
            r["2_variable_attribute_code"],
            r["3_variable_attribute_code"],
            r["4_variable_attribute_code"],
        )
        assert cell not in out, cell
        if r["value"] != "-":
            out[cell] = int(r["value"])
    return out


@functools.cache
def _population() -> dict[tuple[str, int, str, str], int]:
    """(Kreis, year, sex, age group) -> persons of 12411-02-03-4."""
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


def test_generator_is_byte_stable(tmp_path: Path) -> None:
    shutil.copy(SAMPLE_DIR / POPULATION_FILE, tmp_path / POPULATION_FILE)
    written = population_nationality.generate(tmp_path)
    assert [p.name for p in written] == [FILE]
    assert (tmp_path / FILE).read_bytes() == (SAMPLE_DIR / FILE).read_bytes()


def test_generator_refuses_a_foreign_population_file(tmp_path: Path) -> None:
    lines = (SAMPLE_DIR / POPULATION_FILE).read_text(encoding="utf-8-sig").split("\n")
    i, fields = next(
        (i, line.split(";"))
        for i, line in enumerate(lines)
        if i
        and ";GES;Geschlecht;;Insgesamt;ALTX20;" in line
        and ";;Insgesamt;" in line[-80:]
        and line.split(";")[-4] != "-"
    )
    fields[-4] = str(int(fields[-4]) + 1)
    lines[i] = ";".join(fields)
    (tmp_path / POPULATION_FILE).write_text("\ufeff" + "\n".join(lines), encoding="utf-8")
    with pytest.raises(ValueError, match="population generator"):
        population_nationality.generate(tmp_path)


def test_layout_is_the_real_table() -> None:
    """Rows (Kreis, age group) before columns (nationality, sex), as the table is laid out."""
    rows = _rows(FILE)
    raw = sample_bytes(FILE)  # the flat file inside the API's ZIP
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw and b'"' not in raw
    assert {(r["statistics_code"], r["time_code"], r["time"][4:]) for r in rows} == {
        ("12411", "STAG", "-12-31")
    }
    assert {
        (r["value_variable_code"], r["value_variable_label"], r["value_unit"]) for r in rows
    } == {("BEVSTD", "Bevölkerungsstand", "Anzahl")}
    variables = {tuple(r[f"{i}_variable_code"] for i in (1, 2, 3, 4)) for r in rows}
    assert variables == {("KREISE", "ALTX21", "NAT", "GES")}
    assert {r["2_variable_attribute_code"] for r in rows} == {"", *AGES}
    assert {(r["3_variable_attribute_code"], r["3_variable_attribute_label"]) for r in rows} == {
        ("", "Insgesamt"),
        ("NATD", "deutsch"),
        ("NATA", "ausländisch"),
    }
    assert {(r["4_variable_attribute_code"], r["4_variable_attribute_label"]) for r in rows} == {
        ("", "Insgesamt"),
        ("GESM", "männlich"),
        ("GESW", "weiblich"),
    }
    assert {(r["1_variable_attribute_code"], int(r["time"][:4])) for r in rows} == {
        (k, y) for k in KREISE for y in YEARS
    }
    for r in rows:
        assert (r["value"] == "-") == _gone(r["1_variable_attribute_code"], int(r["time"][:4]))


def test_every_total_is_the_sum_of_its_parts() -> None:
    c = _cells()
    for key in KREISE:
        for year in YEARS:
            if _gone(key, year):
                continue
            for age in ("", *AGES):
                for nat in ("", "NATD", "NATA"):
                    assert c[key, year, age, nat, ""] == (
                        c[key, year, age, nat, "GESM"] + c[key, year, age, nat, "GESW"]
                    )
                for sex in ("", "GESM", "GESW"):
                    assert c[key, year, age, "", sex] == (
                        c[key, year, age, "NATD", sex] + c[key, year, age, "NATA", sex]
                    )
            for nat in ("", "NATD", "NATA"):
                for sex in ("", "GESM", "GESW"):
                    assert c[key, year, "", nat, sex] == sum(
                        c[key, year, a, nat, sex] for a in AGES
                    )


def test_totals_equal_the_population_files() -> None:
    c, pop = _cells(), _population()
    single: dict[tuple[str, int, str, str], int] = defaultdict(int)
    for r in _rows(SINGLE_YEARS_FILE):
        age, sex = r["2_variable_attribute_code"], r["3_variable_attribute_code"]
        if age and sex and r["value"] != "-":
            lower = int(age[3:6])
            group = next(g for g in reversed(AGES) if int(g[3:6]) <= lower)
            single[r["1_variable_attribute_code"], int(r["time"][:4]), group, sex] += int(
                r["value"]
            )
    for key in KREISE:
        for year in YEARS:
            if _gone(key, year):
                continue
            assert c[key, year, "", "", ""] == pop[key, year, "", ""], (key, year)
            for sex in ("GESM", "GESW"):
                for age in SAME_IN_POPULATION_FILE:
                    assert c[key, year, age, "", sex] == pop[key, year, sex, age]
                for age in AGES:
                    assert c[key, year, age, "", sex] == single[key, year, age, sex]


def test_share_of_foreigners_rises_and_is_higher_in_the_towns() -> None:
    c = _cells()

    def share(keys: set[str], year: int) -> float:
        keys = {k for k in keys if not _gone(k, year)}
        return sum(c[k, year, "", "NATA", ""] for k in keys) / sum(
            c[k, year, "", "", ""] for k in keys
        )

    assert 0.025 < share(KREISE, 2015) < 0.045
    assert 0.06 < share(KREISE, 2024) < 0.085
    towns = {"16051", "16052", "16053"}
    for year in YEARS:
        assert share(towns, year) > share(KREISE - towns, year), year


def _foreign_share(year: int, age: str, sex: str) -> float:
    c = _cells()
    kreise = [k for k in KREISE if not _gone(k, year)]
    return sum(c[k, year, age, "NATA", sex] for k in kreise) / sum(
        c[k, year, age, "", sex] for k in kreise
    )


def test_foreigners_are_younger_and_more_often_men() -> None:
    for year in YEARS:
        young, all_ages = _foreign_share(year, "ALT025B30", ""), _foreign_share(year, "", "")
        assert young > 2 * all_ages > 4 * _foreign_share(year, "ALT075B80", "")
        assert _foreign_share(year, "", "GESM") > _foreign_share(year, "", "GESW")


def test_contract_conforms() -> None:
    contract = load_contracts()["population_nationality"]
    assert contract.sample_files == (SAMPLE_DIR / FILE,)
    result = read_file(contract.sample_files[0], contract.reader, **contract.reader_options)
    frame = conform(result, contract)
    assert len(frame) == len(_rows(FILE))
    assert set(frame["table_code"]) == {"12411-03-03-4"}
    assert int(frame["value_status"].eq("-").sum()) == sum(r["value"] == "-" for r in _rows(FILE))
