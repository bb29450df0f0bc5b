"""The Gemeinde population sample (12411-01-01-5) and the Jena district sample.

Expected values come from plain `csv` parsing of the committed files, the Kreis sample
files, the Gemeindeverzeichnis extract and the key history seed, never from the generators.
The contract checks at the end run the project's reader and conform step on the files.
"""

from __future__ import annotations

import csv
import functools
import math
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from pipelines.conform import conform
from pipelines.contracts import load_contracts
from pipelines.readers import read_file
from pipelines.sample import gemeinden, jena

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = PROJECT / "sample_data"
SEEDS = PROJECT / "data_contracts" / "territories" / "thueringen"
GEMEINDE_FILE = "12411-01-01-5_de_flat.csv"
KREIS_FILE = "12411-02-03-4_de_flat.csv"
JENA_FILE = "jena_planungsraeume_2024.csv"
JENA_YEARS = (2022, 2023, 2024)
YEARS = range(2015, 2025)
SEXES = ("", "GESM", "GESW")

KALTENNORDHEIM = "16066095"
FORMER_WBK = {
    "16063044": "Kaltennordheim, Stadt",
    "16063001": "Andenhausen",
    "16063016": "Diedorf/Rhön",
    "16063026": "Fischbach/Rhön",
    "16063043": "Kaltenlengsfeld",
    "16063045": "Klings",
}
FORMER_SM = {"16066035": "Kaltensundheim", "16066078": "Unterweid"}
FORMER = FORMER_WBK | FORMER_SM
EISENACH_OLD = "16056000"


def _ffcsv(name: str) -> list[dict[str, str]]:
    with (SAMPLE_DIR / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def _unemployed(year: int, key: str) -> tuple[int, int]:
    """All and long-term unemployed (ERWP06 and its ARBEITSLOS05 column) of a region, read
    from the year's classic export of 13211-02-05-4."""
    text = (SAMPLE_DIR / f"13211-02-05-4_{year}.csv").read_bytes().decode("cp1252")
    (fields,) = [
        f for f in csv.reader(text.splitlines(), delimiter=";") if f[:2] == [str(year), key]
    ]
    return int(fields[3]), int(fields[9])


@functools.cache
def _gemeinde_rows() -> list[dict[str, str]]:
    return _ffcsv(GEMEINDE_FILE)


@functools.cache
def _extract() -> dict[str, dict[str, str]]:
    """Gemeinden of the Gemeindeverzeichnis extract by key."""
    with (SEEDS / "ref_region_gv.csv").open(encoding="utf-8", newline="") as f:
        return {r["region_key"]: r for r in csv.DictReader(f) if r["level"] == "gemeinde"}


def _eisenach_new() -> str:
    keys = [k for k, r in _extract().items() if r["name"] == "Eisenach, Stadt"]
    assert len(keys) == 1
    return keys[0]


@functools.cache
def _gemeinde_cells() -> dict[tuple[str, int], dict[str, str]]:
    """(Gemeinde, year) -> sex code -> value as printed."""
    cells: dict[tuple[str, int], dict[str, str]] = defaultdict(dict)
    for r in _gemeinde_rows():
        key, year, sex = (
            r["1_variable_attribute_code"],
            int(r["time"][:4]),
            r["2_variable_attribute_code"],
        )
        assert sex not in cells[key, year], f"{key} {year} {sex!r} twice"
        cells[key, year][sex] = r["value"]
    return dict(cells)


@functools.cache
def _kreis_totals() -> dict[tuple[str, int, str], str]:
    """(Kreis, year, sex) -> value of the Kreis file's age `Insgesamt` rows."""
    return {
        (r["1_variable_attribute_code"], int(r["time"][:4]), r["2_variable_attribute_code"]): r[
            "value"
        ]
        for r in _ffcsv(KREIS_FILE)
        if r["3_variable_attribute_code"] == ""
    }


def _share_from_key_history() -> float:
    with (SEEDS / "key_history.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if (
                r["old_key"] in ("16063", "16063000")
                and r["new_key"] in ("16066", "16066000")
                and r["change_date"].startswith("2019")
            ):
                return float(r["weight_population"])
    return 0.012


# --- regeneration ------------------------------------------------------------------------


def test_regeneration_is_byte_identical(tmp_path: Path) -> None:
    written = gemeinden.generate(tmp_path, source_dir=SAMPLE_DIR)
    written += jena.generate(tmp_path, source_dir=SAMPLE_DIR)
    assert [p.name for p in written] == [GEMEINDE_FILE, JENA_FILE]
    modules = {GEMEINDE_FILE: "gemeinden", JENA_FILE: "jena"}
    for path in written:
        assert path.read_bytes() == (SAMPLE_DIR / path.name).read_bytes(), (
            f"{path.name} differs: run `python -m pipelines.sample.{modules[path.name]}` "
            "and commit (the Gemeinde file depends on key_history.csv and ref_region_gv.csv)"
        )


# --- Gemeinden ---------------------------------------------------------------------------


def test_gemeinde_file_format() -> None:
    raw = (SAMPLE_DIR / GEMEINDE_FILE).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw and b'"' not in raw
    kreis_header = (SAMPLE_DIR / KREIS_FILE).read_bytes().split(b"\n", 1)[0]
    header = raw.split(b"\n", 1)[0]
    assert header == re.sub(rb"3_variable_[a-z_]+;", b"", kreis_header)
    rows = _gemeinde_rows()
    for r in rows:
        assert (r["statistics_code"], r["time_code"], r["1_variable_code"]) == (
            "12411",
            "STAG",
            "GEMEIN",
        )
        assert re.fullmatch(r"20(1[5-9]|2[0-4])-12-31", r["time"])
        assert re.fullmatch(r"16\d{6}", r["1_variable_attribute_code"])
        assert (r["2_variable_code"], r["value_variable_code"], r["value_unit"]) == (
            "GES",
            "BEVSTD",
            "Anzahl",
        )
        assert r["value"] == "-" or re.fullmatch(r"[0-9]+", r["value"])
    keys = [(r["time"], r["1_variable_attribute_code"]) for r in rows]
    assert keys != sorted(keys), "rows should be shuffled, as GENESIS delivers them"


def test_every_gemeinde_every_year_with_the_two_changes() -> None:
    extract = _extract()
    assert len(extract) == 605
    eisenach_new = _eisenach_new()
    cells = _gemeinde_cells()
    numeric: set[tuple[str, int]] = set()
    dash: set[tuple[str, int]] = set()
    for (key, year), by_sex in cells.items():
        assert set(by_sex) == set(SEXES), (key, year)
        values = set(by_sex.values())
        if values == {"-"}:
            dash.add((key, year))
        else:
            assert "-" not in values, (key, year)
            numeric.add((key, year))
    expected_numeric = {
        (k, y)
        for k in extract
        for y in YEARS
        if not (k == KALTENNORDHEIM and y < 2019) and not (k == eisenach_new and y < 2021)
    }
    expected_numeric |= {(k, y) for k in FORMER for y in YEARS if y < 2019}
    expected_numeric |= {(EISENACH_OLD, y) for y in YEARS if y < 2021}
    expected_dash = {(k, y) for k in FORMER for y in YEARS if y >= 2019}
    expected_dash |= {(EISENACH_OLD, y) for y in YEARS if y >= 2021}
    assert numeric == expected_numeric
    assert dash == expected_dash
    # New keys have no rows at all before they exist (not `-`).
    assert not any((KALTENNORDHEIM, y) in cells for y in range(2015, 2019))
    assert not any((eisenach_new, y) in cells for y in range(2015, 2021))
    assert len(_gemeinde_rows()) == 3 * (len(expected_numeric) + len(expected_dash))


def test_names_are_the_extract_names_and_the_former_ones() -> None:
    names = {
        r["1_variable_attribute_code"]: r["1_variable_attribute_label"] for r in _gemeinde_rows()
    }
    for key, row in _extract().items():
        assert names[key] == row["name"]
    for key, name in FORMER.items():
        assert names[key] == name
    assert names[EISENACH_OLD] == "Eisenach, Stadt"


def test_gemeinden_add_up_to_the_kreis_file() -> None:
    sums: Counter[tuple[str, int, str]] = Counter()
    for (key, year), by_sex in _gemeinde_cells().items():
        if by_sex[""] == "-":
            continue
        total, male, female = (int(by_sex[s]) for s in SEXES)
        assert total == male + female and min(male, female) >= 0, (key, year)
        for sex in SEXES:
            sums[key[:5], year, sex] += int(by_sex[sex])
    kreis = _kreis_totals()
    assert len(kreis) == 23 * 10 * 3
    for (k, year, sex), value in kreis.items():
        if value == "-":
            assert (k, year, sex) not in sums
        else:
            assert sums[k, year, sex] == int(value), (k, year, sex)
    assert set(sums) <= set(kreis)


def test_former_gemeinden_and_eisenach() -> None:
    cells = _gemeinde_cells()
    kreis = _kreis_totals()
    for key in FORMER:
        for year in YEARS:
            if year < 2019:
                assert int(cells[key, year][""]) > 0
            else:
                assert set(cells[key, year].values()) == {"-"}
    wbk_2018 = int(kreis["16063", 2018, ""])
    parts_2018 = sum(int(cells[k, 2018][""]) for k in FORMER_WBK)
    assert parts_2018 == math.floor(_share_from_key_history() * wbk_2018 + 0.5)
    sm_parts_2018 = sum(int(cells[k, 2018][""]) for k in FORMER_SM)
    assert 1500 <= sm_parts_2018 <= 1700
    for year in YEARS:
        if year < 2021:
            for sex in SEXES:
                assert cells[EISENACH_OLD, year][sex] == kreis["16056", year, sex]
        else:
            assert int(cells[_eisenach_new(), year][""]) > 30_000


# --- Jena ----------------------------------------------------------------------------------

JENA_MEASURES = {
    "Einwohner": "EW_INSG",
    "Einwohner unter 18 Jahren": "EW_U18",
    "Einwohner 65 Jahre und älter": "EW_65UM",
    "SGB-II-Leistungsberechtigte": "SGB2_LB",
    "Arbeitslose": "ALO",
    "Einwohner unter 15 Jahren": "EW_U15",
    "Einwohner 15 bis unter 65 Jahren": "EW_15_64",
    "SGB-II-Leistungsberechtigte unter 15 Jahren": "SGB2_LB_U15",
    "Langzeitarbeitslose": "LZA",
}


@functools.cache
def _jena_rows() -> list[dict[str, str]]:
    with (SAMPLE_DIR / JENA_FILE).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=","))


def _jena_city(year: int) -> dict[str, int]:
    """Jena's figures of `year` from the Kreis sample files, by plain csv."""
    pop = {
        r["3_variable_attribute_code"]: int(r["value"])
        for r in _ffcsv(KREIS_FILE)
        if r["time"] == f"{year}-12-31"
        and r["1_variable_attribute_code"] == "16053"
        and r["2_variable_attribute_code"] == ""
    }
    (lb,) = (
        int(r["value"])
        for r in _ffcsv("SGB2-01-4_de_flat.csv")
        if r["time"] == str(year)
        and r["1_variable_attribute_code"] == "16053"
        and r["2_variable_attribute_code"] == ""
        and r["value_variable_code"] == "LB"
    )
    (lb_u15,) = (
        int(r["value"])
        for r in _ffcsv("SGB2-01-4_de_flat.csv")
        if r["time"] == str(year)
        and r["1_variable_attribute_code"] == "16053"
        and r["2_variable_attribute_code"] == "ALT000B15"
        and r["value_variable_code"] == "LB"
    )
    alo, lza = _unemployed(year, "16053")
    u15 = ("ALT000B03", "ALT003B06", "ALT006B10", "ALT010B15")
    u18 = (*u15, "ALT015B18")
    ew_u15 = sum(pop[a] for a in u15)
    ew_65um = pop["ALT065B75"] + pop["ALT075UM"]
    return {
        "EW_INSG": pop[""],
        "EW_U18": sum(pop[a] for a in u18),
        "EW_65UM": ew_65um,
        "SGB2_LB": lb,
        "ALO": alo,
        "EW_U15": ew_u15,
        "EW_15_64": pop[""] - ew_u15 - ew_65um,
        "SGB2_LB_U15": lb_u15,
        "LZA": lza,
    }


def test_jena_file_format_and_areas() -> None:
    raw = (SAMPLE_DIR / JENA_FILE).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
    assert raw.split(b"\n", 1)[0] == b"Jahr,Bezirk-Nr,Bezirk,Merkmal,Wert"
    rows = _jena_rows()
    areas = {(r["Bezirk-Nr"], r["Bezirk"]) for r in rows}
    assert len(areas) >= 10
    assert len({code for code, _ in areas}) == len(areas)
    assert {r["Jahr"] for r in rows} == {str(y) for y in JENA_YEARS}
    by_area: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for r in rows:
        assert re.fullmatch(r"\d{2}", r["Bezirk-Nr"])
        assert r["Merkmal"] not in by_area[r["Jahr"], r["Bezirk-Nr"]]
        by_area[r["Jahr"], r["Bezirk-Nr"]][r["Merkmal"]] = r["Wert"]
        assert r["Wert"] == "." or (re.fullmatch(r"[0-9]+", r["Wert"]) and int(r["Wert"]) >= 3)
    # every district in every year, with every measure
    assert set(by_area) == {(str(y), code) for y in JENA_YEARS for code, _ in areas}
    assert len(rows) == len(JENA_YEARS) * len(areas) * len(JENA_MEASURES)
    for values in by_area.values():
        assert set(values) == set(JENA_MEASURES)
        n = {JENA_MEASURES[m]: int(v) for m, v in values.items() if v != "."}
        assert n["EW_U18"] + n["EW_65UM"] <= n["EW_INSG"]
        assert n["EW_U15"] + n["EW_15_64"] + n["EW_65UM"] == n["EW_INSG"]
        assert n["EW_U15"] <= n["EW_U18"]
        for part, whole in (("SGB2_LB_U15", "SGB2_LB"), ("LZA", "ALO")):
            if part in n and whole in n:
                assert n[part] <= n[whole], (part, whole, values)


def test_jena_sums_are_the_city_figures_less_suppressed_cells() -> None:
    numeric: Counter[tuple[int, str]] = Counter()
    secret: Counter[tuple[int, str]] = Counter()
    for r in _jena_rows():
        key = int(r["Jahr"]), JENA_MEASURES[r["Merkmal"]]
        if r["Wert"] == ".":
            secret[key] += 1
        else:
            numeric[key] += int(r["Wert"])
    assert sum(secret.values()) >= 1, "the sample should exercise the '.' marker"
    assert {y for y, _ in numeric} == set(JENA_YEARS)
    for year in JENA_YEARS:
        city_figures = _jena_city(year)
        assert set(city_figures) == set(JENA_MEASURES.values())
        for code, city in city_figures.items():
            key = year, code
            assert numeric[key] <= city <= numeric[key] + 2 * secret[key], key


# --- contracts ------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["population_gemeinden", "jena_planungsraeume"])
def test_sample_conforms_to_its_contract(source: str) -> None:
    contract = load_contracts()[source]
    assert contract.sample_files[0].is_file()
    result = read_file(contract.sample_files[0], contract.reader, **contract.reader_options)
    frame = conform(result, contract)
    if source == "population_gemeinden":
        rows = _gemeinde_rows()
        expected = {
            (r["1_variable_attribute_code"], int(r["time"][:4]), r["2_variable_attribute_code"]): r[
                "value"
            ]
            for r in rows
        }
        got_keys = zip(
            frame["region_key"], frame["period_year"], frame["var1_attr_code"], strict=True
        )
    else:
        rows = _jena_rows()
        expected = {
            (f"16053000-{r['Bezirk-Nr']}", int(r["Jahr"]), JENA_MEASURES[r["Merkmal"]]): r["Wert"]
            for r in rows
        }
        got_keys = zip(
            frame["region_key"], frame["period_year"], frame["measure_code"], strict=True
        )
    assert len(frame) == len(rows) == len(expected)
    got = {}
    for key, value, status in zip(got_keys, frame["value"], frame["value_status"], strict=True):
        got[key[0], int(key[1]), key[2]] = status if isinstance(status, str) else str(int(value))
    assert got == expected
