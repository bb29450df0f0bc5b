"""The childcare sample (22543-01-01-4): the real table's layout and codes, byte-stable
generator, consistency with the Kreis population sample. Expected values come from plain
`csv` parsing, never from the generator."""

from __future__ import annotations

import csv
import functools
import shutil
from collections import defaultdict
from pathlib import Path

from pipelines.conform import conform
from pipelines.contracts import load_contracts
from pipelines.readers import read_file
from pipelines.sample import childcare

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
POPULATION = "12411-02-03-4_de_flat.csv"
FILE = "22543-01-01-4_de_flat.csv"
KREISE = {f"160{n}" for n in (*range(51, 57), *range(61, 78))}
YEARS = range(2015, 2025)
KINDS = ("ARTDHILFE69", "ARTDHILFE64", "INSGESAMT3")
AGES = ("ALT000B03", "ALT003B06", "ALT006B14")


@functools.cache
def _rows(name: str) -> tuple[dict[str, str], ...]:
    with (SAMPLE / name).open(encoding="utf-8-sig", newline="") as f:
        return tuple(csv.DictReader(f, delimiter=";"))


def _population() -> dict[tuple[str, int, str], int]:
    """(Kreis, year, age group or '') -> population of both sexes (numeric cells only)."""
    return {
        (r["1_variable_attribute_code"], int(r["time"][:4]), r["3_variable_attribute_code"]): int(
            r["value"]
        )
        for r in _rows(POPULATION)
        if r["2_variable_attribute_code"] == "" and r["value"] != "-"
    }


@functools.cache
def _cells() -> dict[tuple[str, int, str, str, str], int]:
    """(Kreis, year, measure, kind of care, age group) -> children; each cell exactly once."""
    out: dict[tuple[str, int, str, str, str], int] = {}
    for r in _rows(FILE):
        cell = (
            r["1_variable_attribute_code"],
            int(r["time"][:4]),
            r["value_variable_code"],
            r["2_variable_attribute_code"],
            r["3_variable_attribute_code"],
        )
        assert cell not in out, cell
        if r["value"] != "-":
            out[cell] = int(r["value"])
    return out


def test_generator_is_byte_stable(tmp_path: Path) -> None:
    shutil.copy(SAMPLE / POPULATION, tmp_path / POPULATION)
    assert [p.name for p in childcare.generate(tmp_path)] == [FILE]
    assert (tmp_path / FILE).read_bytes() == (SAMPLE / FILE).read_bytes()


def test_layout_is_the_real_table() -> None:
    """Rows (Kreis, kind of care) before columns (measure, age group); only KIND01 has ages."""
    rows = _rows(FILE)
    raw = (SAMPLE / FILE).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw and b'"' not in raw
    assert {(r["statistics_code"], r["time_code"], r["time"][4:]) for r in rows} == {
        ("22543", "STAG", "-03-01")
    }
    assert {(r["value_variable_code"], r["value_variable_label"]) for r in rows} == {
        ("KIND01", "Betreute Kinder"),
        ("KIND02", "Kinder, Herkunft mind. 1 Elternteil ausländisch"),
        ("KIND03", "Kinder mit Mittagsverpflegung"),
    }
    assert {(r["2_variable_code"], r["2_variable_attribute_code"]) for r in rows} == {
        ("KINTE5", kind) for kind in KINDS
    }
    for r in rows:
        group = (r["3_variable_code"], r["3_variable_attribute_code"], r["3_variable_label"])
        if r["value_variable_code"] == "KIND01":
            assert group[0] == "ALT033" and group[1] in ("", *AGES), r
        else:
            assert group == ("", "", ""), r
    assert {(r["1_variable_attribute_code"], int(r["time"][:4])) for r in rows} == {
        (k, y) for k in KREISE for y in YEARS
    }
    for r in rows:
        gone = r["1_variable_attribute_code"] == "16056" and int(r["time"][:4]) >= 2021
        assert (r["value"] == "-") == gone, r


def test_totals_count_every_child_once() -> None:
    c = _cells()
    for (key, year, measure, kind, age), n in c.items():
        if kind != "INSGESAMT3":
            continue
        day_care = c[key, year, measure, "ARTDHILFE69", age]
        day_nursery = c[key, year, measure, "ARTDHILFE64", age]
        assert max(day_care, day_nursery) <= n <= day_care + day_nursery, (key, year, age)
    for (key, year, measure, kind, age), n in c.items():
        if measure == "KIND01" and age == "":
            assert n == sum(c[key, year, measure, kind, a] for a in AGES)
        if measure != "KIND01":
            assert n <= c[key, year, "KIND01", kind, ""]


def test_children_in_care_stay_below_the_population_of_their_age() -> None:
    pop = _population()
    rates: dict[str, list[float]] = defaultdict(list)
    for (key, year, measure, kind, age), n in _cells().items():
        if measure == "KIND01" and kind == "INSGESAMT3" and age in AGES[:2]:
            rate = n / pop[key, year, age]
            assert rate < 1, (key, year, age)
            rates[age].append(rate)
    assert min(rates["ALT000B03"]) > 0.45 and max(rates["ALT000B03"]) < 0.65
    assert min(rates["ALT003B06"]) > 0.88 and max(rates["ALT003B06"]) < 0.99


def test_golden_value() -> None:
    """Erfurt 2024: the rate under 3 by hand from the two files."""
    assert _cells()["16051", 2024, "KIND01", "INSGESAMT3", "ALT000B03"] == 2734
    assert _population()["16051", 2024, "ALT000B03"] == 4664


def test_contract_conforms() -> None:
    contract = load_contracts()["childcare"]
    assert contract.sample_files == (SAMPLE / FILE,)
    result = read_file(contract.sample_files[0], contract.reader, **contract.reader_options)
    frame = conform(result, contract)
    assert len(frame) == len(_rows(FILE))
    assert set(frame["table_code"]) == {"22543-01-01-4"}
