"""The care sample (22411-02-03-4): the real table's layout and codes, byte-stable generator,
consistency with the Kreis population sample. Expected values come from plain `csv` parsing,
never from the generator."""

from __future__ import annotations

import csv
import functools
import shutil
from pathlib import Path

from pipelines.conform import conform
from pipelines.contracts import load_contracts
from pipelines.readers import read_file
from pipelines.sample import care

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
POPULATION = "12411-02-03-4_de_flat.csv"
FILE = "22411-02-03-4_de_flat.csv"
KREISE = {f"160{n}" for n in (*range(51, 57), *range(61, 78))}
YEARS = range(2015, 2025)
MEASURES = {
    "PFL016": "Pflegebedürftige",
    "PFL017": "ambulante Pflege",
    "PFL018": "Pflegebedürftige der Pflegeheime, vollstationär",
    "PFL019": "Pflegebedürft.d.Pflegeheime Dauerpflege, vollstat.",
    "PFL020": "Pflegebed.d.Pflegeheime vollstat. Kurzzeitpflege",
    "PFL021": "Pflegegeldempfänger",
    "PFL022": "nachrichtlich: teilstationäre Pflege",
    "PFL023": "mit erheblich eingeschränkter Alltagskompetenz",
    "PFL024": "nachrichtl.: o.Pflegest.m.erheb.eingesch.Alltagsk.",
}


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
def _cells() -> dict[tuple[str, int, str, str], str]:
    """(Kreis, year, measure, sex) -> value as printed; each cell exactly once."""
    out: dict[tuple[str, int, str, str], str] = {}
    for r in _rows(FILE):
        cell = (
            r["1_variable_attribute_code"],
            int(r["time"][:4]),
            r["value_variable_code"],
            r["2_variable_attribute_code"],
        )
        assert cell not in out, cell
        out[cell] = r["value"]
    return out


def test_generator_is_byte_stable(tmp_path: Path) -> None:
    shutil.copy(SAMPLE / POPULATION, tmp_path / POPULATION)
    assert [p.name for p in care.generate(tmp_path)] == [FILE]
    assert (tmp_path / FILE).read_bytes() == (SAMPLE / FILE).read_bytes()


def test_layout_is_the_real_table() -> None:
    rows = _rows(FILE)
    raw = (SAMPLE / FILE).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw and b'"' not in raw
    assert {(r["statistics_code"], r["statistics_label"]) for r in rows} == {
        ("22411", "Pflegestatistik (Pflegeeinricht./Pflegebedürftige)")
    }
    assert {(r["time_code"], r["time"][4:]) for r in rows} == {("STAG", "-12-31")}
    assert {(r["1_variable_code"], r["2_variable_code"]) for r in rows} == {("KREISE", "GES")}
    assert "3_variable_code" not in rows[0]
    assert {r["value_variable_code"]: r["value_variable_label"] for r in rows} == MEASURES
    assert {(r["2_variable_attribute_code"], r["2_variable_attribute_label"]) for r in rows} == {
        ("", "Insgesamt"),
        ("GESM", "männlich"),
        ("GESW", "weiblich"),
    }
    assert {(r["1_variable_attribute_code"], int(r["time"][:4])) for r in rows} == {
        (k, y) for k in KREISE for y in YEARS
    }  # every year, although the real statistic is biennial


def test_signs_eisenach_and_the_reform_of_2017() -> None:
    for (key, year, measure, _), value in _cells().items():
        if key == "16056" and year >= 2021:
            assert value == "-"
        elif measure in ("PFL023", "PFL024") and year >= 2017:
            assert value == "x"  # notions of the law before the Pflegegrade
        else:
            assert value.isdigit(), (key, year, measure, value)


def test_kinds_of_benefit_and_sexes_add_up() -> None:
    c = _cells()
    for key in KREISE:
        for year in YEARS:
            if c[key, year, "PFL016", ""] == "-":
                continue
            for sex in ("", "GESM", "GESW"):
                n = {m: int(c[key, year, m, sex]) for m in MEASURES if c[key, year, m, sex] != "x"}
                assert n["PFL016"] == n["PFL017"] + n["PFL018"] + n["PFL021"]
                assert n["PFL018"] == n["PFL019"] + n["PFL020"]
            for m in MEASURES:
                if c[key, year, m, ""] != "x":
                    parts = int(c[key, year, m, "GESM"]) + int(c[key, year, m, "GESW"])
                    assert int(c[key, year, m, ""]) == parts


def test_plausible_rates() -> None:
    pop, c = _population(), _cells()
    for key in KREISE:
        for year in YEARS:
            if c[key, year, "PFL016", ""] == "-":
                continue
            n = int(c[key, year, "PFL016", ""])
            old = pop[key, year, "ALT065B75"] + pop[key, year, "ALT075UM"]
            assert 0.05 < n / pop[key, year, ""] < 0.12, (key, year)
            assert 200 < 1000 * n / old < 450, (key, year)
            assert int(c[key, year, "PFL016", "GESW"]) > 0.55 * n
            assert 0.4 < int(c[key, year, "PFL021", ""]) / n < 0.7


def test_contract_conforms() -> None:
    contract = load_contracts()["care"]
    assert contract.sample_files == (SAMPLE / FILE,)
    result = read_file(contract.sample_files[0], contract.reader, **contract.reader_options)
    frame = conform(result, contract)
    assert len(frame) == len(_rows(FILE))
    assert set(frame["table_code"]) == {"22411-02-03-4"}
    assert int(frame["value_status"].eq("x").sum()) == 2 * 3 * 8 * 22 + 2 * 3 * 4
