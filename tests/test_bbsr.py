"""The BBSR Umsteigeschlüssel reader on the real file and on small broken workbooks.

Expected values come from a plain openpyxl read of the same file (columns by position, as
inspected by hand: A old key, C/D[/E] weights, population two columns before the new key),
from the facts in `tests/fixtures/real/README.md`, or from the file read by eye — never
from the reader itself.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from pipelines.readers.errors import InputError
from pipelines.regions.bbsr import key_history_from_bbsr, read_umsteigeschluessel

REFERENCE_DIR = Path(__file__).resolve().parent / "fixtures" / "real"
BBSR_FILE = REFERENCE_DIR / "bbsr" / "ref-kreise-umrech-2020-1990-2019.xlsx"
needs_reference = pytest.mark.skipif(
    not BBSR_FILE.is_file(),
    reason=f"tests/fixtures/real is absent: {BBSR_FILE} not found "
    "(it sits beside the project checkout on developer machines and in CI)",
)
YEARS = range(1990, 2020)
# Sheets that repeat the old Kreis' total on every row of a split Kreis (seen by eye).
TOTALS = {2016: {"pop"}, 2017: {"area", "pop"}, 2018: {"area", "pop"}}


# --- an independent read of the real file ----------------------------------------------


@functools.cache
def _raw(year: int) -> tuple[dict, ...]:
    """Data rows of one sheet by position: 8 columns up to 1996, 10 from 1997 on."""
    workbook = load_workbook(BBSR_FILE, read_only=True, data_only=True)
    rows = list(workbook[f"{year}-2020"].iter_rows(values_only=True))
    workbook.close()
    wide = len(rows[0]) == 10
    assert wide == (year >= 1997)
    result = []
    for number, row in enumerate(rows[1:], start=2):
        if row[0] is None:
            continue
        result.append(
            {
                "row": number,
                "old": f"{row[0]:08d}"[:5],
                "new": f"{row[-2]:08d}"[:5],
                "w_area": row[2],
                "w_pop": row[3],
                "w_emp": row[4] if wide else None,
                "area": row[5 if wide else 4],
                "pop": row[6 if wide else 5],
            }
        )
    return tuple(result)


def _old_totals(year: int, field: str) -> dict[str, float]:
    """Total area or population (file units) of each old Kreis of the sheet."""
    groups: dict[str, list[float]] = defaultdict(list)
    for r in _raw(year):
        groups[r["old"]].append(r[field])
    if field in TOTALS.get(year, ()):
        return {k: v[0] for k, v in groups.items()}
    return {k: sum(v) for k, v in groups.items()}


@functools.cache
def _read() -> pd.DataFrame:
    return read_umsteigeschluessel(BBSR_FILE)


@functools.cache
def _history() -> pd.DataFrame:
    return key_history_from_bbsr(_read(), land="16")


# --- the real file ----------------------------------------------------------------------


@needs_reference
@pytest.mark.parametrize("year", YEARS)
def test_weights_sum_to_one_per_old_key(year: int) -> None:
    """In the file itself (own parsing), and row by row the reader returns those weights."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for r in _raw(year):
        for i, field in enumerate(("w_area", "w_pop", "w_emp")):
            sums[r["old"]][i] += r[field] or 0.0
    for old, (area, pop, emp) in sums.items():
        assert math.isclose(area, 1.0, abs_tol=1e-6), old
        assert math.isclose(pop, 1.0, abs_tol=1e-6), old
        assert math.isclose(emp, 1.0 if year >= 1997 else 0.0, abs_tol=1e-6), old

    got = _read()[_read()["year"] == year]
    raw = _raw(year)
    assert len(got) == len(raw)
    assert got["_source_row"].tolist() == [r["row"] for r in raw]
    assert set(got["_sheet"]) == {f"{year}-2020"}
    assert got["old_key"].tolist() == [r["old"] for r in raw]
    assert got["new_key"].tolist() == [r["new"] for r in raw]
    assert got["weight_area"].tolist() == [r["w_area"] for r in raw]
    assert got["weight_population"].tolist() == [r["w_pop"] for r in raw]
    if year >= 1997:
        assert got["weight_employment"].tolist() == [r["w_emp"] for r in raw]
    else:
        assert got["weight_employment"].isna().all()
    grouped = got.groupby("old_key")[["weight_area", "weight_population"]].sum()
    assert ((grouped - 1.0).abs() <= 1e-6).all().all()
    assert set(got["target_gebietsstand"]) == {"2020-12-31"}


@needs_reference
def test_keys_are_zero_padded_five_digit_strings() -> None:
    frame = _read()
    first = frame.iloc[0]
    assert (first["year"], first["old_key"], first["new_key"]) == (1990, "01001", "01001")
    assert first["old_name"] == "KS Flensburg"
    assert frame["old_key"].str.fullmatch(r"(0[1-9]|1[0-6])\d{3}").all()
    assert frame["new_key"].str.fullmatch(r"(0[1-9]|1[0-6])\d{3}").all()
    assert frame["year"].tolist() == sorted(frame["year"].tolist())
    assert sorted(frame["year"].unique()) == list(YEARS)


@needs_reference
def test_2019_thuringia_maps_one_to_one_and_eisenach_still_exists() -> None:
    raw = [r for r in _raw(2019) if r["old"].startswith("16")]
    assert len(raw) == 23  # 6 kreisfreie Städte (Eisenach among them) + 17 Landkreise
    assert all(r["old"] == r["new"] and r["w_area"] == r["w_pop"] == 1 for r in raw)

    got = read_umsteigeschluessel(BBSR_FILE, years=[2019], land="16")
    assert len(got) == 23
    assert (got["old_key"] == got["new_key"]).all()
    assert (got[["weight_area", "weight_population", "weight_employment"]] == 1.0).all().all()
    eisenach = got[got["old_key"] == "16056"]
    assert eisenach[["new_key", "new_name"]].values.tolist() == [["16056", "Eisenach, Stadt"]]
    assert eisenach["population"].item() == pytest.approx(42_300)


@needs_reference
@pytest.mark.parametrize("year", YEARS)
def test_population_of_thuringia(year: int) -> None:
    """Old Kreise: the reader's pieces add up to the old totals; at the 2020 status the
    pieces add up to old totals × population weights (within the file's rounding to 100)."""
    got = _read()[_read()["year"] == year]
    totals = _old_totals(year, "pop")
    thuringian = {k: v for k, v in totals.items() if k.startswith("16")}
    by_old = got[got["old_key"].str.startswith("16")]["population"].sum()
    assert by_old == pytest.approx(sum(thuringian.values()) * 1000, abs=1e-3)

    raw_new = [r for r in _raw(year) if r["new"].startswith("16")]
    expected = sum(totals[r["old"]] * r["w_pop"] for r in raw_new) * 1000
    by_new = got[got["new_key"].str.startswith("16")]["population"].sum()
    assert by_new == pytest.approx(expected, abs=50 * len(raw_new))
    area = sum(_old_totals(year, "area")[r["old"]] * r["w_area"] for r in raw_new)
    got_area = got[got["new_key"].str.startswith("16")]["area_km2"].sum()
    assert got_area == pytest.approx(area, abs=1e-6)


@needs_reference
def test_population_2015_matches_the_official_figure() -> None:
    """README: Thüringen 31.12.2015 had 2,170,714 inhabitants, Eisenach 42,417."""
    got = read_umsteigeschluessel(BBSR_FILE, years=[2015], land="16")
    assert got["population"].sum() == pytest.approx(2_170_714, abs=23 * 50)
    eisenach = got.loc[got["old_key"] == "16056", "population"].item()
    assert eisenach == pytest.approx(42_417, abs=50)


@needs_reference
def test_sheets_with_totals_give_pieces() -> None:
    """2018-2020 repeats Wartburgkreis' total (1307.44 km², 123.0 thousand) on both rows."""
    raw = [r for r in _raw(2018) if r["old"] == "16063"]
    assert [(r["area"], r["pop"]) for r in raw] == [(1307.44, 123), (1307.44, 123)]
    got = read_umsteigeschluessel(BBSR_FILE, years=[2018], land="16")
    wartburg = got[got["old_key"] == "16063"]
    assert wartburg["new_key"].tolist() == ["16063", "16066"]
    assert wartburg["area_km2"].tolist() == pytest.approx([1307.44 * r["w_area"] for r in raw])
    assert wartburg["population"].tolist() == pytest.approx([123_000 * r["w_pop"] for r in raw])
    assert wartburg["derived_parts"].all()
    assert set(got.loc[got["derived_parts"], "old_key"]) == {"16063", "16070", "16073"}
    assert not read_umsteigeschluessel(BBSR_FILE, years=[2015])["derived_parts"].any()


@needs_reference
def test_land_filter_keeps_whole_old_kreise() -> None:
    """1991: a piece of the Saxon Kreis Plauen (14045) goes to Greiz (16076)."""
    got = read_umsteigeschluessel(BBSR_FILE, years=[1991], land="16")
    plauen = got[got["old_key"] == "14045"]
    assert plauen["new_key"].tolist() == ["14523", "16076"]
    assert plauen["weight_area"].sum() == pytest.approx(1.0)
    raw_old = {r["old"] for r in _raw(1991)}
    touching = {r["old"] for r in _raw(1991) if "16" in (r["old"][:2], r["new"][:2])}
    assert set(got["old_key"]) == touching < raw_old


# --- key history ------------------------------------------------------------------------


@needs_reference
def test_history_of_thuringia() -> None:
    history = _history()
    assert history["old_key"].str.startswith("16").all()
    assert set(history["source"]) == {"BBSR Umsteigeschlüssel 2020"}
    per_year = history.groupby("valid_until")["old_key"].nunique().to_dict()
    # By eye in the file: Zeulenroda loses a piece to Saxony after 1990, Greiz, Schleiz and
    # Zeulenroda after 1991; all 40 old Kreise end with the Kreisreform of 1 July 1994;
    # Gotha's piece counted to Altenburger Land ends after 1994; Wartburgkreis (Eisenach
    # kreisfrei again) and Saalfeld-Rudolstadt after 1996; 2019 Gemeinde moves out of
    # Wartburgkreis, Ilm-Kreis and Saalfeld-Rudolstadt.
    assert per_year == {
        "1990-12-31": 1,
        "1991-12-31": 3,
        "1993-12-31": 40,
        "1994-12-31": 1,
        "1996-12-31": 2,
        "2018-12-31": 3,
    }
    reform = set(history.loc[history["valid_until"] == "1993-12-31", "old_key"])
    old_1993 = {r["old"] for r in _raw(1993) if r["old"].startswith("16")}
    old_1994 = {r["old"] for r in _raw(1994)}
    assert reform == old_1993 and not reform & old_1994
    assert "16056" not in set(history["old_key"])  # Eisenach: unchanged until 31.12.2020

    sums = history.groupby(["old_key", "valid_until"])[["weight_area", "weight_population"]].sum()
    assert ((sums - 1.0).abs() <= 1e-6).all().all()
    assert ((history["old_key"] != history["new_key"]) | (history["weight_area"] < 1)).all()


@needs_reference
@pytest.mark.parametrize(
    ("old_key", "valid_until", "kind", "new_keys"),
    [
        ("16044", "1993-12-31", "merger", ["16061"]),  # Worbis + Heiligenstadt -> Eichsfeld
        ("16022", "1993-12-31", "merger", ["16061"]),
        ("16031", "1993-12-31", "rekey", ["16062"]),  # Nordhausen: same territory, new key
        ("16018", "1993-12-31", "split", ["16051", "16067", "16068", "16070", "16071"]),
        ("16063", "2018-12-31", "split", ["16063", "16066"]),
        ("16070", "2018-12-31", "split", ["16054", "16070"]),
    ],
)
def test_history_rows(old_key: str, valid_until: str, kind: str, new_keys: list[str]) -> None:
    history = _history()
    rows = history[(history["old_key"] == old_key) & (history["valid_until"] == valid_until)]
    assert rows["new_key"].tolist() == new_keys
    assert set(rows["kind"]) == {kind}
    year = int(valid_until[:4])
    raw = {r["new"]: r for r in _raw(year) if r["old"] == old_key}
    assert rows["weight_area"].tolist() == [raw[k]["w_area"] for k in new_keys]
    assert rows["weight_population"].tolist() == [raw[k]["w_pop"] for k in new_keys]


# --- broken workbooks -------------------------------------------------------------------

HEADER = [
    "Kreise\n 31.12.2019",
    "Kreisname 2019",
    "flächen-\nproportionaler\nUmsteige-schlüssel",
    "bevölkerungs- \nproportionaler \nUmsteige- \nschlüssel",
    "beschäftigten- \nproportionaler \nUmsteige- \nschlüssel",
    "Fläche am 31.12.2019 in km²",
    "Bevölkerung am 31.12.2019 in 1000",
    "sozialvers.pflichtig Beschäftigte am Arbeitsort am 30.6.2019 in 1000",
    "Kreise\n 31.12.2020",
    "Kreisname 2020",
]
GOOD_ROWS = [
    [16055000, "Weimar, Stadt", 1, 1, 1, 84.48, 65.1, 30.1, 16055000, "Weimar, Stadt"],
    [16056000, "Eisenach, Stadt", 1, 1, 1, 104.17, 42.3, 22.8, 16056000, "Eisenach, Stadt"],
    [16063000, "Wartburgkreis", 0.6, 0.5, 0.5, 800.0, 60.0, 20.0, 16063000, "Wartburgkreis"],
    [16063000, "Wartburgkreis", 0.4, 0.5, 0.5, 500.0, 60.0, 20.0, 16066000, "Schmalkalden"],
]


def _workbook(tmp_path: Path, rows: list[list], sheets: tuple[str, ...] = ("2019-2020",)) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name in sheets:
        sheet = workbook.create_sheet(name)
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
    path = tmp_path / "umsteigeschluessel.xlsx"
    workbook.save(path)
    return path


def test_intact_synthetic_workbook_reads(tmp_path: Path) -> None:
    """Keys as text or with the leading zero, blank rows and a footnote are fine."""
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][0] = "16055"
    rows[1][8] = "16056000"
    rows += [[None] * 10, ["Quelle: BBSR Bonn 2022"]]
    got = read_umsteigeschluessel(_workbook(tmp_path, rows))
    assert got["old_key"].tolist() == ["16055", "16056", "16063", "16063"]
    assert got["new_key"].tolist() == ["16055", "16056", "16063", "16066"]
    assert got["_source_row"].tolist() == [2, 3, 4, 5]
    assert got["population"].tolist() == pytest.approx([65_100, 42_300, 60_000, 60_000])
    assert not got["derived_parts"].any()
    history = key_history_from_bbsr(got)
    assert history[["old_key", "new_key", "kind"]].values.tolist() == [
        ["16063", "16063", "split"],
        ["16063", "16066", "split"],
    ]
    assert set(history["valid_until"]) == {"2019-12-31"}


def test_weights_summing_to_0_9_name_sheet_and_cells(tmp_path: Path) -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[3][3] = 0.4  # population weights of 16063: 0.5 + 0.4
    with pytest.raises(InputError) as raised:
        read_umsteigeschluessel(_workbook(tmp_path, rows))
    (problem,) = raised.value.problems
    assert (problem.sheet, problem.column, problem.line) == ("2019-2020", "D4:D5", 4)
    assert "16063" in problem.expected and "0.9" in problem.found
    assert "sheet '2019-2020', cell D4:D5" in str(raised.value)


@pytest.mark.parametrize(
    ("column", "value", "cell"),
    [
        (0, "16O63000", "A4"),  # letter O for zero
        (0, 16063001, "A4"),  # a Gemeinde key, not a Kreis key
        (8, 990000, "I4"),  # 6 digits
        (8, 99063000, "I4"),  # Land 99
        (2, 1.4, "C4"),  # weight above 1
        (6, "k.A.", "G4"),  # population no number
    ],
)
def test_bad_cells_name_sheet_and_cell(tmp_path: Path, column: int, value, cell: str) -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[2][column] = value
    with pytest.raises(InputError) as raised:
        read_umsteigeschluessel(_workbook(tmp_path, rows))
    (problem,) = raised.value.problems  # no follow-up complaints about the weight sums
    assert (problem.sheet, problem.column, problem.line) == ("2019-2020", cell, 4)
    assert repr(value) in problem.found


def test_every_bad_row_is_counted(tmp_path: Path) -> None:
    rows = [list(r) for r in GOOD_ROWS] * 3  # rows 2..13
    for row in rows:
        row[0] = "x"
    with pytest.raises(InputError) as raised:
        read_umsteigeschluessel(_workbook(tmp_path, rows))
    problems = raised.value.problems
    assert [p.column for p in problems] == ["A2", "A3", "A4"]
    assert problems[-1].more == 9
    assert "(and 9 more rows like it)" in str(raised.value)


def test_duplicate_pair_names_both_rows(tmp_path: Path) -> None:
    rows = [list(r) for r in GOOD_ROWS] + [list(GOOD_ROWS[1])]
    with pytest.raises(InputError) as raised:
        read_umsteigeschluessel(_workbook(tmp_path, rows))
    (problem,) = raised.value.problems
    assert (problem.column, problem.found) == ("I6", "a second row (first in row 3)")


def test_renamed_header_names_the_missing_column(tmp_path: Path) -> None:
    path = _workbook(tmp_path, GOOD_ROWS)
    workbook = load_workbook(path)
    workbook["2019-2020"]["C1"] = "Flächenanteil"
    workbook.save(path)
    with pytest.raises(InputError, match=r"sheet '2019-2020', row 1: expected .*weight_area"):
        read_umsteigeschluessel(path)


def test_requested_missing_year_lists_the_sheets(tmp_path: Path) -> None:
    path = _workbook(tmp_path, GOOD_ROWS)
    with pytest.raises(InputError, match=r"sheet for 2021.*found sheets '2019-2020'"):
        read_umsteigeschluessel(path, years=[2019, 2021])


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "umsteigeschluessel.xlsx"
    path.write_text("Kreise;Kreisname\n", encoding="utf-8")
    with pytest.raises(InputError, match="expected an xlsx workbook"):
        read_umsteigeschluessel(path)


def test_key_history_seed_is_derived_from_the_bbsr_file() -> None:
    """The BBSR rows of the committed seed are what the script derives from the real file."""
    from pipelines.regions.key_history import SEED, updated_seed

    path = BBSR_FILE
    if not path.is_file():
        pytest.skip("tests/fixtures/real is absent: the BBSR workbook is not available")
    assert updated_seed(path, since=2015) == SEED.read_text(encoding="utf-8")
    rows = [line.split(",") for line in SEED.read_text(encoding="utf-8").splitlines()[1:]]
    transfers = [r for r in rows if r[2] == "2019-01-01" and r[3] == "transfer"]
    # three Kreis transfers on 01.01.2019, each an old key keeping most of itself
    assert {(r[0], r[1]) for r in transfers if r[0] != r[1]} == {
        ("16063", "16066"),
        ("16070", "16054"),
        ("16073", "16072"),
    }
    for old in ("16063", "16070", "16073"):
        assert sum(float(r[4]) for r in transfers if r[0] == old) == pytest.approx(1.0)
