"""The Gemeindeverzeichnis reader and the Thüringen seed extract, on the real GV workbook and on
small broken workbooks.

Expected values come from plain openpyxl reads of the raw sheet with the layout written out
here by hand (row 7 onwards; A Satzart, B Textkennzeichen, C–G ARS parts, H name, I area,
J–L population total/male/female, N postcode, O–P coordinates), from the facts in
`tests/fixtures/real/README.md`, and from the GENESIS table 11111-02-01-4 (plain csv),
never from the code under test.
"""

from __future__ import annotations

import csv
import functools
import subprocess
import sys
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from pipelines.readers.errors import InputError
from pipelines.regions import extract
from pipelines.regions.gemeindeverzeichnis import read_gv

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = Path(__file__).resolve().parent / "fixtures" / "real"
GV = REFERENCE_DIR / "gemeindeverzeichnis" / "AuszugGV2QAktuell.xlsx"
GEMEINDEN_PER_KREIS = REFERENCE_DIR / "genesis_ffcsv" / "11111-02-01-4_de_flat.csv"
SEED = PROJECT_ROOT / "data_contracts" / "territories" / "thueringen" / "ref_region_gv.csv"
SHEET = "Onlineprodukt_Gemeinden30062024"
FIRST_DATA_ROW = 7
needs_reference = pytest.mark.skipif(
    not GV.is_file(),
    reason=f"tests/fixtures/real is absent: {GV} not found "
    "(it sits beside the project checkout on developer machines and in CI)",
)
SEED_COLUMNS = [
    "region_key",
    "ars",
    "name",
    "level",
    "parent_key",
    "verband_key",
    "kreis_type",
    "municipality_type",
    "area_km2",
    "population_2022",
    "valid_from",
    "gebietsstand",
]


# --- independent reads ------------------------------------------------------------------------


@functools.cache
def _raw_rows() -> tuple[tuple[int, tuple], ...]:
    """(sheet row, cells) of every row whose column A holds a two-digit Satzart."""
    workbook = openpyxl.load_workbook(GV, read_only=True, data_only=True)
    try:
        rows = workbook[SHEET].iter_rows(min_row=FIRST_DATA_ROW, values_only=True)
        out = tuple(
            (number, cells)
            for number, cells in enumerate(rows, start=FIRST_DATA_ROW)
            if isinstance(cells[0], str) and len(cells[0]) == 2 and cells[0].isdigit()
        )
    finally:
        workbook.close()
    return out


def _raw_thuringia(satzart: str) -> list[tuple[int, tuple]]:
    return [(n, c) for n, c in _raw_rows() if c[0] == satzart and c[2] == "16"]


@functools.cache
def _gv(land: str | None = "16"):
    return read_gv(GV, land=land)


@functools.cache
def _seed() -> tuple[dict[str, str], ...]:
    with SEED.open(encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


def _seed_level(level: str) -> list[dict[str, str]]:
    return [r for r in _seed() if r["level"] == level]


# --- the reader on the real file -------------------------------------------------------------


@needs_reference
def test_thuringia_has_5_kreisfreie_staedte_17_landkreise_605_gemeinden() -> None:
    gv = _gv()
    kreise = gv[gv["level"] == "kreis"]
    assert Counter(kreise["kreis_type"]) == {"kreisfreie Stadt": 5, "Landkreis": 17}
    assert (gv["level"] == "gemeinde").sum() == 605
    assert gv.loc[gv["level"] == "land", "name"].tolist() == ["Thüringen"]
    assert set(gv["level"]) == {"land", "kreis", "gemeindeverband", "gemeinde"}  # no RB
    assert set(gv["gebietsstand"]) == {date(2024, 6, 30)}
    assert gv.attrs["sheet"] == SHEET
    assert gv.attrs["population_date"] == date(2022, 12, 31)


@needs_reference
def test_every_row_points_at_its_sheet_row_and_keeps_the_sheet_values() -> None:
    gv = _gv().set_index("_source_row")
    raw = {n: c for n, c in _raw_rows() if c[2] == "16"}
    assert sorted(gv.index) == sorted(raw)
    for number, row in gv.iterrows():
        cells = raw[number]
        assert row["satzart"] == int(cells[0])
        assert row["name"] == cells[7]
        assert row["ars"] == "".join(part or "" for part in cells[2:7])
        if cells[0] != "60":
            assert row["area_km2"] != row["area_km2"]  # NaN: the GV has no area above Gemeinden
            continue
        assert row["area_km2"] == cells[8]
        assert (row["population"], row["population_male"], row["population_female"]) == (
            cells[9],
            cells[10],
            cells[11],
        )
        assert row["plz"] == cells[13]
        assert row["longitude"] == float(cells[14].replace(",", "."))
        assert row["latitude"] == float(cells[15].replace(",", "."))


@needs_reference
def test_gemeinde_types_and_verband_types_follow_textkennzeichen() -> None:
    gv = _gv()
    gemeinden = gv[gv["level"] == "gemeinde"]
    raw_gemeinden = Counter(c[1] for _, c in _raw_thuringia("60"))
    assert raw_gemeinden == {"64": 485, "63": 115, "61": 5}
    assert Counter(gemeinden["gemeinde_type"]) == {
        "Gemeinde": raw_gemeinden["64"],
        "Stadt": raw_gemeinden["63"],
        "kreisfreie Stadt": raw_gemeinden["61"],
    }
    raw_verbaende = Counter(c[1] for _, c in _raw_thuringia("50"))
    verbaende = gv[gv["level"] == "gemeindeverband"]
    assert Counter(verbaende["verband_type"]) == {
        "verbandsfreie Gemeinde": raw_verbaende["50"],
        "Verwaltungsgemeinschaft": raw_verbaende["54"],
        "erfüllende Gemeinde": raw_verbaende["58"],
    }
    assert (
        gemeinden["population"] == gemeinden["population_male"] + gemeinden["population_female"]
    ).all()


@needs_reference
def test_ags_is_ars_without_the_verband_part() -> None:
    gemeinden = _gv()[lambda f: f["level"] == "gemeinde"]
    for ars, ags, verband in zip(
        gemeinden["ars"], gemeinden["ags"], gemeinden["verband_ars"], strict=True
    ):
        assert len(ars) == 12 and len(ags) == 8
        assert ags == ars[0:5] + ars[9:12]
        assert verband == ars[:9]
    for row in _seed_level("gemeinde"):
        assert row["region_key"] == row["ars"][0:5] + row["ars"][9:12]


@needs_reference
def test_whole_germany_reads_every_row() -> None:
    """All 16,012 rows of Germany, the Satzart counts as a plain count gives them; the two
    gemeindefreie Gebiete outside any Kreis (Kreis 00) hang on their Land."""
    gv = _gv(None)
    assert len(gv) == len(_raw_rows())
    assert Counter(gv["satzart"]) == Counter(int(c[0]) for _, c in _raw_rows())
    assert (gv["level"] == "land").sum() == 16
    kreisless = gv[(gv["level"] == "gemeinde") & ~gv["parent_key"].str.len().eq(5)]
    assert sorted(kreisless["ars"]) == ["070009999999", "130009999999"]
    assert sorted(kreisless["parent_key"]) == ["07", "13"]


# --- the seed ---------------------------------------------------------------------------------


@needs_reference
def test_committed_seed_equals_a_fresh_extract(tmp_path: Path) -> None:
    out = tmp_path / "ref_region_gv.csv"
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.regions.extract", str(GV), "--out", str(out)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "605 gemeinde" in done.stdout
    assert out.read_bytes() == SEED.read_bytes()


def test_committed_seed_format() -> None:
    data = SEED.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data and data.endswith(b"\n")
    text = data.decode("utf-8")
    assert text.splitlines()[0].split(",") == SEED_COLUMNS
    keys = [r["region_key"] for r in _seed()]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert {r["gebietsstand"] for r in _seed()} == {"2024-06-30"}
    assert {r["valid_from"] for r in _seed()} == {""}


def test_seed_rows_per_level() -> None:
    assert Counter(r["level"] for r in _seed()) == {
        "land": 1,
        "kreis": 22,
        "gemeindeverband": 189,
        "gemeinde": 605,
    }
    assert Counter(r["kreis_type"] for r in _seed_level("kreis")) == {
        "kreisfreie Stadt": 5,
        "Landkreis": 17,
    }
    assert Counter(r["municipality_type"] for r in _seed_level("gemeindeverband")) == {
        "verbandsfrei": 109,
        "Verwaltungsgemeinschaft": 42,
        "erfüllende Gemeinde": 38,
    }
    land = _seed_level("land")[0]
    assert (land["region_key"], land["parent_key"], land["name"]) == ("16", "", "Thüringen")


def test_every_gemeinde_has_its_kreis_and_verband_in_the_seed() -> None:
    by_key = {r["region_key"]: r for r in _seed()}
    for row in _seed_level("gemeinde"):
        assert by_key[row["parent_key"]]["level"] == "kreis"
        assert row["parent_key"] == row["region_key"][:5]
        verband = by_key[row["verband_key"]]
        assert verband["level"] == "gemeindeverband"
        assert verband["parent_key"] == row["parent_key"]
    for row in _seed_level("gemeindeverband"):
        assert by_key[row["parent_key"]]["level"] == "kreis"
    for row in _seed_level("kreis"):
        assert row["parent_key"] == "16"


@needs_reference
def test_land_area_and_population_equal_the_sum_of_kreise_and_of_the_raw_gemeinden() -> None:
    land = _seed_level("land")[0]
    kreise = _seed_level("kreis")
    assert float(land["area_km2"]) == pytest.approx(
        sum(float(k["area_km2"]) for k in kreise), abs=0.005
    )
    assert int(land["population_2022"]) == sum(int(k["population_2022"]) for k in kreise)
    raw = _raw_thuringia("60")
    assert Decimal(land["area_km2"]) == sum(Decimal(repr(c[8])) for _, c in raw)
    assert int(land["population_2022"]) == sum(c[9] for _, c in raw)
    # ref_region.csv, written earlier from the same GV by hand, gives the Land 16202.25 km²
    assert land["area_km2"] == "16202.25"
    for kreis in kreise:
        members = [c for _, c in raw if "".join(c[2:5]) == kreis["region_key"]]
        assert Decimal(kreis["area_km2"]) == sum(Decimal(repr(c[8])) for c in members)
        assert int(kreis["population_2022"]) == sum(c[9] for c in members)


@needs_reference
def test_gemeinden_per_kreis_equal_a_plain_count_of_the_sheet() -> None:
    plain = Counter("".join(c[2:5]) for _, c in _raw_thuringia("60"))
    assert len(plain) == 22 and sum(plain.values()) == 605
    gv = _gv()
    assert Counter(gv.loc[gv["level"] == "gemeinde", "parent_key"]) == plain
    assert Counter(r["parent_key"] for r in _seed_level("gemeinde")) == plain


@needs_reference
def test_gemeinden_per_kreis_agree_with_genesis_11111_02_01_4() -> None:
    """31.12.2024 (GENESIS) vs 30.06.2024 (GV): the same 605 Gemeinden in every Kreis; the
    only difference is Eisenach 16056, which GENESIS still lists with '-' (merged 2021)."""
    with GEMEINDEN_PER_KREIS.open(encoding="utf-8-sig", newline="") as f:
        genesis = {
            r["1_variable_attribute_code"]: r["value"]
            for r in csv.DictReader(f, delimiter=";")
            if r["1_variable_attribute_code"][:2] == "16"
            and len(r["1_variable_attribute_code"]) == 5
        }
    assert genesis.pop("16056") == "-"
    seed = Counter(r["parent_key"] for r in _seed_level("gemeinde"))
    assert {k: int(v) for k, v in genesis.items()} == dict(seed)


# --- broken workbooks -------------------------------------------------------------------------

TITLE = (
    "Gemeinden in Deutschland nach Fläche, Bevölkerung und Postleitzahl am 30.06.2024 (2. Quartal)"
)
HEADER = [
    "Satz-art", "Text-kenn-zeichen", "Amtlicher Regionalschlüssel (ARS)", None, None, None, None,
    "Gemeindename", "Fläche km2 1)", "Bevölkerung2)", None, None, None, "Postleit-zahl3)",
    "Geografische Mittelpunktkoordinaten", None,
]  # fmt: skip
SUBHEADER = [
    None, None, "Land", "RB", "Kreis", "VB", "Gem", None, None,
    "insgesamt", "männlich", "weiblich", "je km2", None, "Längengrad", "Breitengrad",
]  # fmt: skip
DATES = [None, None, "Gebietsstand am 30.06.2024 (2. Quartal)", None, None, None, None, None,
         "31.12.2022 (Jahr)", "am 31.12.2022 (Jahr)"]  # fmt: skip
DATA = [
    ["10", None, "16", None, None, None, None, "Thüringen"],
    ["40", "41", "16", "0", "51", None, None, "Erfurt, Stadt"],
    ["50", "50", "16", "0", "51", "0000", None, "Erfurt, Stadt"],
    ["60", "61", "16", "0", "51", "0000", "000", "Erfurt, Stadt", 269.91, 214969, 104205,
     110764, 796, "99084", "11,027236", "50,977122"],
]  # fmt: skip
FIRST_TINY_DATA_ROW = 7  # like the real sheet: title, blank, 3 header rows, blank


def _tiny_gv(path: Path, data: list[list] | None = None, header: list | None = None) -> Path:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Inhalt"
    sheet = workbook.create_sheet(SHEET)
    for row in ([TITLE], [], header or HEADER, SUBHEADER, DATES, []):
        sheet.append(row)
    for row in DATA if data is None else data:
        sheet.append(row)
    sheet.append([])
    sheet.append(["Quelle: Gemeindeverzeichnis-Informationssytem GV-ISys"])
    workbook.save(path)
    return path


def _error(path: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        read_gv(path)
    return caught.value


def test_a_small_well_formed_workbook_reads(tmp_path: Path) -> None:
    gv = read_gv(_tiny_gv(tmp_path / "gv.xlsx"))
    assert gv["level"].tolist() == ["land", "kreis", "gemeindeverband", "gemeinde"]
    assert gv["ars"].tolist() == ["16", "16051", "160510000", "160510000000"]
    assert gv["_source_row"].tolist() == [7, 8, 9, 10]
    assert gv["ags"].iloc[3] == "16051000" and gv["plz"].iloc[3] == "99084"


def test_workbook_without_the_gv_sheet(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Tabelle1"
    workbook.active.append(["Satz-art", "irgendwas"])
    workbook.save(tmp_path / "other.xlsx")
    error = _error(tmp_path / "other.xlsx")
    assert "Onlineprodukt_Gemeinden" in str(error) and "'Tabelle1'" in str(error)


def test_missing_headers_are_named(tmp_path: Path) -> None:
    header = [h if h != "Bevölkerung2)" else "Einwohner" for h in HEADER]
    error = _error(_tiny_gv(tmp_path / "gv.xlsx", header=header))
    text = str(error)
    assert f"sheet '{SHEET}'" in text
    assert "Bevölkerung / insgesamt" in text and "Bevölkerung / weiblich" in text
    assert {p.line for p in error.problems} == {3}


@pytest.mark.parametrize(
    ("row", "column", "value", "cell", "words"),
    [
        (3, 4, "5", "E10", "2 digit(s)"),  # Kreis '5' in the Gemeinde row (sheet row 10)
        (0, 2, 16, "C7", "leading zeros lost"),  # Land key as a number
        (3, 6, "0O0", "G10", "3 digit(s)"),  # letter O in the Gemeinde number
        (1, 1, "49", "B8", "Textkennzeichen for Satzart 40"),
        (3, 0, "70", "A10", "a Satzart"),
        (3, 9, "viele", "J10", "a whole number"),
    ],
)
def test_malformed_cells_give_sheet_and_cell(
    tmp_path: Path, row: int, column: int, value: object, cell: str, words: str
) -> None:
    data = [list(r) for r in DATA]
    data[row][column] = value
    error = _error(_tiny_gv(tmp_path / "gv.xlsx", data=data))
    assert len(error.problems) == 1
    problem = error.problems[0]
    assert (problem.sheet, problem.column) == (SHEET, cell)
    assert words in problem.expected + problem.found
    assert f"sheet '{SHEET}', cell {cell}" in str(error)


def test_gemeinde_without_its_kreis_row(tmp_path: Path) -> None:
    data = [DATA[0], DATA[2], DATA[3]]
    error = _error(_tiny_gv(tmp_path / "gv.xlsx", data=data))
    assert "the kreis row 16051" in str(error)
    assert {p.line for p in error.problems} == {8, 9}  # the Verband and the Gemeinde


def test_data_after_the_footer(tmp_path: Path) -> None:
    path = _tiny_gv(tmp_path / "gv.xlsx")
    workbook = openpyxl.load_workbook(path)
    workbook[SHEET].append(DATA[3])
    workbook.save(path)
    error = _error(path)
    assert "only footer text" in str(error) and error.problems[0].line == 13


def test_a_csv_renamed_to_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "gv.xlsx"
    path.write_text("Satzart;ARS\n60;160510000000\n", encoding="utf-8")
    assert "no workbook" in str(_error(path))


def test_cli_reports_a_bad_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = [list(r) for r in DATA]
    data[3][4] = "5"
    path = _tiny_gv(tmp_path / "gv.xlsx", data=data)
    out = tmp_path / "seed.csv"
    assert extract.main([str(path), "--out", str(out)]) == 1
    assert "cell E10" in capsys.readouterr().err
    assert not out.exists()
