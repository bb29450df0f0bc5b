"""The sample of 12411-04-02-4 (population by sex and single years of age): the real table's
layout and codes, byte-stable generator, exact consistency with the Kreis population sample
(12411-02-03-4). Expected values come from plain `csv` parsing, never from the generator."""

from __future__ import annotations

import functools
import shutil
from collections import defaultdict
from pathlib import Path

from pipelines.conform import conform
from pipelines.contracts import load_contracts
from pipelines.readers import read_file
from pipelines.sample import population_age_detail
from tests.conftest import sample_bytes, sample_rows

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
POPULATION = "12411-02-03-4_de_flat.csv"
FILE = "12411-04-02-4.zip"
KREISE = {f"160{n}" for n in (*range(51, 57), *range(61, 78))}
YEARS = range(2015, 2025)
OLD = ("ALT075B80", "ALT080B85", "ALT085B90", "ALT090UM")
AGES = (*(f"ALT{a:03d}" for a in range(75)), *OLD)
# The age groups of 12411-02-03-4 by their first and last single year (75+: the old groups).
GROUPS = {
    "ALT000B03": (0, 2), "ALT003B06": (3, 5), "ALT006B10": (6, 9), "ALT010B15": (10, 14),
    "ALT015B18": (15, 17), "ALT018B20": (18, 19),
    **{f"ALT{lo:03d}B{lo + 5:02d}": (lo, lo + 4) for lo in range(20, 65, 5)},
    "ALT065B75": (65, 74), "ALT075UM": (75, 999),
}  # fmt: skip
MIDPOINT = {
    **{f"ALT{a:03d}": a + 0.5 for a in range(75)},
    **dict(zip(OLD, (77.5, 82.5, 87.5, 92.5), strict=True)),
}
# Erfurt 2024, read off the file by hand: 80-85, 85-90, 90+ and the sum of midpoint x persons
GOLDEN_80 = ("8028", "5506", "2413")
GOLDEN_SUM = 10_024_020.0


@functools.cache
def _rows(name: str) -> tuple[dict[str, str], ...]:
    return tuple(sample_rows(name))


@functools.cache
def _cells() -> dict[tuple[str, int, str, str], str]:
    """(Kreis, year, age, sex) -> value as printed; each cell exactly once."""
    out: dict[tuple[str, int, str, str], str] = {}
    for r in _rows(FILE):
        cell = (
            r["1_variable_attribute_code"],
            int(r["time"][:4]),
            r["2_variable_attribute_code"],
            r["3_variable_attribute_code"],
        )
        assert cell not in out, cell
        out[cell] = r["value"]
    return out


def _population() -> dict[tuple[str, int, str, str], str]:
    """(Kreis, year, age group, sex) -> value of 12411-02-03-4 as printed."""
    return {
        (
            r["1_variable_attribute_code"],
            int(r["time"][:4]),
            r["3_variable_attribute_code"],
            r["2_variable_attribute_code"],
        ): r["value"]
        for r in _rows(POPULATION)
    }


def test_generator_is_byte_stable(tmp_path: Path) -> None:
    shutil.copy(SAMPLE / POPULATION, tmp_path / POPULATION)
    assert [p.name for p in population_age_detail.generate(tmp_path)] == [FILE]
    assert (tmp_path / FILE).read_bytes() == (SAMPLE / FILE).read_bytes()


def test_layout_is_the_real_table() -> None:
    """Rows (Kreis, age) before columns (sex); 79 age classes and Insgesamt."""
    rows = _rows(FILE)
    raw = sample_bytes(FILE)  # the flat file inside the API's ZIP
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw and b'"' not in raw
    assert {(r["statistics_code"], r["time_code"], r["time"][4:]) for r in rows} == {
        ("12411", "STAG", "-12-31")
    }
    assert {(r["1_variable_code"], r["2_variable_code"], r["3_variable_code"]) for r in rows} == {
        ("KREISE", "ALTX76", "GES")
    }
    assert {r["value_variable_code"] for r in rows} == {"BEVSTD"}
    labels = {r["2_variable_attribute_code"]: r["2_variable_attribute_label"] for r in rows}
    assert sorted(labels) == sorted(("", *AGES)) and len(AGES) == 79
    assert labels["ALT000"] == "unter 1 Jahr" and labels["ALT074"] == "74 bis unter 75 Jahre"
    assert labels["ALT090UM"] == "90 Jahre und mehr" and labels[""] == "Insgesamt"
    assert {r["3_variable_attribute_code"] for r in rows} == {"", "GESM", "GESW"}
    assert len(_cells()) == len(rows) == 23 * 10 * 80 * 3
    for (key, year, _, _), value in _cells().items():
        assert (value == "-") == (key == "16056" and year >= 2021)


def test_classes_add_up_exactly_to_the_population_file() -> None:
    cells, pop = _cells(), _population()
    for key in KREISE:
        for year in YEARS:
            if cells[key, year, "", ""] == "-":
                assert pop[key, year, "", ""] == "-"
                continue
            for sex in ("", "GESM", "GESW"):
                assert cells[key, year, "", sex] == pop[key, year, "", sex]
                assert sum(int(cells[key, year, a, sex]) for a in AGES) == int(
                    cells[key, year, "", sex]
                )
                for group, (first, last) in GROUPS.items():
                    parts = [a for a in AGES if first <= int(a[3:6]) <= last]
                    got = sum(int(cells[key, year, a, sex]) for a in parts)
                    assert got == int(pop[key, year, group, sex]), (key, year, group, sex)
            for age in AGES:
                assert int(cells[key, year, age, ""]) == int(cells[key, year, age, "GESM"]) + int(
                    cells[key, year, age, "GESW"]
                )


def test_plausible_shares_and_mean_age() -> None:
    cells = _cells()
    share: dict[int, list[float]] = defaultdict(list)
    for key in KREISE:
        for year in YEARS:
            if cells[key, year, "", ""] == "-":
                continue
            total = int(cells[key, year, "", ""])
            old = sum(int(cells[key, year, a, ""]) for a in OLD[1:])
            share[year].append(old / total)
            mean = sum(MIDPOINT[a] * int(cells[key, year, a, ""]) for a in AGES) / total
            assert 40 < mean < 52, (key, year, mean)
            assert all(int(cells[key, year, a, ""]) > 0 for a in AGES)
            women_90 = int(cells[key, year, "ALT090UM", "GESW"])
            assert women_90 > int(cells[key, year, "ALT090UM", "GESM"])
    assert min(share[2015]) > 0.04 and max(share[2024]) < 0.14
    assert sum(share[2024]) / len(share[2024]) > sum(share[2015]) / len(share[2015])


def test_golden_values() -> None:
    """Erfurt 2024 by hand: the three classes of 80 and over and the mean-age numerator."""
    cells = _cells()
    assert cells["16051", 2024, "", ""] == "218766"
    assert tuple(cells["16051", 2024, a, ""] for a in OLD[1:]) == GOLDEN_80
    assert sum(MIDPOINT[a] * int(cells["16051", 2024, a, ""]) for a in AGES) == GOLDEN_SUM


def test_contract_conforms() -> None:
    contract = load_contracts()["population_age_detail"]
    assert contract.sample_files == (SAMPLE / FILE,)
    result = read_file(contract.sample_files[0], contract.reader, **contract.reader_options)
    frame = conform(result, contract)
    assert len(frame) == len(_rows(FILE))
    assert set(frame["table_code"]) == {"12411-04-02-4"}
