"""The BA Excel reader on the sample workbooks and on small broken workbooks.

Expected values come from plain openpyxl cell reads of the same workbooks (with the layout
written out here by hand) and from plain `csv` parsing of the ffcsv sample, never from the
reader itself.
"""

from __future__ import annotations

import csv
import functools
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from pipelines.conform import conform
from pipelines.contracts import load_contracts
from pipelines.readers import ba_xlsx
from pipelines.readers.errors import InputError
from pipelines.readers.table import CANONICAL_COLUMNS, ReadResult

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = PROJECT_ROOT / "sample_data"
CONTRACTS_DIR = PROJECT_ROOT / "data_contracts"
SGB2 = "ba_sgb2_kreise_2024.xlsx"
ALO = "ba_arbeitslose_kreise_2024.xlsx"
KREISE = [
    "16051",
    "16052",
    "16053",
    "16054",
    "16055",
    "16061",
    "16062",
    "16063",
    "16064",
    "16065",
    "16066",
    "16067",
    "16068",
    "16069",
    "16070",
    "16071",
    "16072",
    "16073",
    "16074",
    "16075",
    "16076",
    "16077",
]  # fmt: skip  (the 22 Kreise of 2024: Eisenach 16056 belongs to the Wartburgkreis)
# The layout of the sample sheets, by hand: data rows and the measure in each column.
LAYOUT = {
    SGB2: {
        "rows": range(12, 35),
        "land_row": 12,
        "columns": dict(
            zip(
                "CDEFGHIJKL",
                [
                    "LB",
                    "RLB",
                    "ELB",
                    "NEF",
                    "BG",
                    "BG_SINGLE",
                    "BG_ALLEINERZ",
                    "BG_PARTNER_OHNE_KIND",
                    "BG_PARTNER_MIT_KIND",
                    "BG_SONSTIGE",
                ],
                strict=True,
            )
        ),  # fmt: skip
    },
    ALO: {
        "rows": range(10, 33),
        "land_row": 32,
        "columns": dict(
            zip(
                "CDEFGH",
                ["ALO", "ALO_SGB3", "ALO_SGB2", "ALO_LZA", "ALO_U25", "ALQ"],
                strict=True,
            )
        ),
    },
}
CONTRACT_OF = {SGB2: "ba_sgb2_kreise", ALO: "ba_arbeitslose_kreise"}


def _options(name: str, **changes: object) -> dict:
    """The contract's reader options (plain YAML), with changes; None removes an option."""
    data = yaml.safe_load((CONTRACTS_DIR / f"{CONTRACT_OF[name]}.yml").read_text("utf-8"))
    options = {**data["reader_options"], **changes}
    return {k: v for k, v in options.items() if v is not None}


@functools.cache
def _read_all_levels(name: str) -> ReadResult:
    """The sample read with the contract's options but every region level kept."""
    return ba_xlsx.read(SAMPLE_DIR / name, **_options(name, region_levels=None))


@functools.cache
def _cells(name: str) -> dict[tuple[str, str], object]:
    """(region key, measure) -> cell value, by plain openpyxl."""
    ws = openpyxl.load_workbook(SAMPLE_DIR / name, data_only=True)["Tabelle 1"]
    layout = LAYOUT[name]
    out = {}
    for r in layout["rows"]:
        key = ws[f"A{r}"].value
        for col, code in layout["columns"].items():
            out[key, code] = ws[f"{col}{r}"].value
    return out


def _by_key(result: ReadResult) -> dict[tuple[str, str], pd.Series]:
    return {(row.region_key, row.measure_code): row for row in result.frame.itertuples()}


def _ffcsv_2024(file: str, second_var_total: bool) -> dict[tuple[str, str], str]:
    with (SAMPLE_DIR / file).open(encoding="utf-8-sig", newline="") as f:
        rows = csv.DictReader(f, delimiter=";", quoting=csv.QUOTE_NONE)
        return {
            (r["1_variable_attribute_code"], r["value_variable_code"]): r["value"]
            for r in rows
            if r["time"] == "2024"
            and (not second_var_total or r["2_variable_attribute_code"] == "")
        }


# Columns of the classic 13211-02-05-4 export (after year, key, name) the workbook repeats:
# ERWP06 all, ERWP06 long-term (7th), ERWP06 15 to under 25 (5th), ERWP10 all (9th value).
CLASSIC_COLUMNS = {"ALO": 0, "ALO_LZA": 6, "ALO_U25": 4, "ALQ": 8}


def _unemployment_2024() -> dict[tuple[str, str], str]:
    """The Land and Kreis rows of the 2024 unemployment export, under the workbook's codes."""
    text = (SAMPLE_DIR / "13211-02-05-4_2024.csv").read_bytes().decode("cp1252")
    return {
        (fields[1], code): fields[3 + column]
        for fields in csv.reader(text.splitlines(), delimiter=";")
        if fields and fields[0] == "2024"
        for code, column in CLASSIC_COLUMNS.items()
    }


# --- sample workbooks ------------------------------------------------------------------------


@pytest.mark.parametrize("name", [SGB2, ALO])
def test_sample_equals_cells_read_with_openpyxl(name: str) -> None:
    result = _read_all_levels(name)
    frame = result.frame
    assert list(frame.columns) == CANONICAL_COLUMNS
    cells = _cells(name)
    got = _by_key(result)
    assert set(got) == set(cells)
    assert len(frame) == len(cells) == 23 * len(LAYOUT[name]["columns"])
    for (key, code), raw in cells.items():
        row = got[key, code]
        if isinstance(raw, int | float):
            assert row.value == raw and row.value_status is None and row.value_quality is None
        elif raw == "*":
            assert pd.isna(row.value) and (row.value_status, row.value_quality) == (".", "*")
        else:
            assert raw == "-"
            assert pd.isna(row.value) and (row.value_status, row.value_quality) == ("-", None)
    assert set(frame["time"]) == {"2024"} and set(frame["time_code"]) == {"JAHR"}
    assert set(frame["period_year"]) == {2024}
    assert set(frame.loc[frame["region_key"] == "16", "region_variable"]) == {"DLAND"}
    assert set(frame.loc[frame["region_key"] != "16", "region_variable"]) == {"KREISE"}
    assert sorted(set(frame["region_key"]) - {"16"}) == KREISE
    land = frame[frame["region_key"] == "16"]
    assert set(land["_source_line"]) == {LAYOUT[name]["land_row"]}
    assert set(land["region_name"]) == {"Thüringen"}
    assert result.metadata["sheet"] == "Tabelle 1"
    assert result.metadata["period"] == "Jahresdurchschnitt 2024"
    assert "Quelle: Statistik der Bundesagentur für Arbeit" in result.metadata["notes"]


def test_sample_matches_the_tables_of_2024() -> None:
    """LB and RLB as in SGB2-01-4; Arbeitslose, long-term, 15 to under 25 and the rate as
    13211-02-05-4 publishes them (2024), the Land row too."""
    sgb2 = _ffcsv_2024("SGB2-01-4_de_flat.csv", second_var_total=True)
    alo = _unemployment_2024()
    assert sgb2["16056", "LB"] == "-"  # Eisenach: merged into the Wartburgkreis
    assert alo["16056", "ALO"] == "-"
    got_sgb2 = _by_key(_read_all_levels(SGB2))
    got_alo = _by_key(_read_all_levels(ALO))
    for key in KREISE:
        for code in ("LB", "RLB"):
            assert got_sgb2[key, code].value == int(sgb2[key, code])
    for key in [*KREISE, "16"]:
        for code in ("ALO", "ALO_LZA", "ALO_U25"):
            assert got_alo[key, code].value == int(alo[key, code]), (key, code)
        assert got_alo[key, "ALQ"].value == float(alo[key, "ALQ"].replace(",", "."))
    assert {k for k, _ in got_alo} == {k for k, _ in got_sgb2} == {*KREISE, "16"}


def test_parts_are_consistent() -> None:
    """RLB = ELB + NEF; BG = its types; Arbeitslose = SGB III + SGB II (where no marker)."""
    sgb2, alo = _cells(SGB2), _cells(ALO)
    for key in [*KREISE, "16"]:
        assert sgb2[key, "RLB"] == sgb2[key, "ELB"] + sgb2[key, "NEF"] <= sgb2[key, "LB"]
        types = [
            sgb2[key, c]
            for c in ("BG_SINGLE", "BG_ALLEINERZ", "BG_PARTNER_OHNE_KIND", "BG_PARTNER_MIT_KIND")
        ]
        if isinstance(sgb2[key, "BG_SONSTIGE"], int):
            assert sum(types) + sgb2[key, "BG_SONSTIGE"] == sgb2[key, "BG"]
        assert 0.55 <= sgb2[key, "BG"] / sgb2[key, "LB"] <= 0.60
        assert alo[key, "ALO"] == alo[key, "ALO_SGB3"] + alo[key, "ALO_SGB2"]


@pytest.mark.parametrize("name", [SGB2, ALO])
def test_land_row_is_the_sum_of_the_kreise_where_nothing_is_anonymised(name: str) -> None:
    frame = _read_all_levels(name).frame
    counts = frame[frame["unit"] == "Anzahl"]
    for code, rows in counts.groupby("measure_code"):
        land = rows.loc[rows["region_key"] == "16", "value"].item()
        kreise = rows[rows["region_key"] != "16"]
        if kreise["value_quality"].eq("*").any():
            assert land > kreise["value"].sum(), code  # the Land row holds the true total
        else:
            assert land == kreise["value"].sum(), code


def test_anonymised_and_nothing_cells() -> None:
    frame = _read_all_levels(SGB2).frame
    star = frame[frame["value_quality"] == "*"]
    assert sorted(star["region_key"]) == ["16069", "16072"]
    assert set(star["measure_code"]) == {"BG_SONSTIGE"}
    assert set(star["value_status"]) == {"."} and star["value"].isna().all()
    dash = frame[frame["value_status"] == "-"]
    assert dash[["region_key", "measure_code"]].values.tolist() == [["16054", "BG_SONSTIGE"]]
    assert dash["value_quality"].isna().all()
    assert _read_all_levels(ALO).frame["value_status"].isna().all()


@pytest.mark.parametrize("name", [SGB2, ALO])
def test_contract_conforms_and_keeps_the_kreise(name: str) -> None:
    contract = load_contracts()[CONTRACT_OF[name]]
    assert contract.sample_files[0] == SAMPLE_DIR / name
    result = ba_xlsx.read(contract.sample_files[0], **contract.reader_options)
    frame = conform(result, contract)
    assert set(frame["table_code"]) == {contract.table_code}
    assert sorted(set(frame["region_key"])) == ["16", *KREISE]  # the Land row is kept
    units = {m.code: m.unit for m in contract.measures}
    assert dict(zip(frame["measure_code"], frame["unit"], strict=True)) == units


@pytest.mark.parametrize(
    ("name", "explicit"),
    [
        (SGB2, {"header_rows": [8, 9, 10], "first_data_row": 12, "period_cell": "A4"}),
        (ALO, {"header_rows": [8, 9], "first_data_row": 10, "period": "2024"}),
    ],
)
def test_explicit_layout_gives_the_same_table(name: str, explicit: dict) -> None:
    found = _read_all_levels(name).frame
    given = ba_xlsx.read(SAMPLE_DIR / name, **_options(name, region_levels=None, **explicit))
    pd.testing.assert_frame_equal(given.frame, found)


# --- small workbooks -------------------------------------------------------------------------

MEASURES = {"Arbeitslose / SGB III": "ALO_SGB3", "Arbeitslose / SGB II": "ALO_SGB2", "Quote": "Q"}
ROWS = [
    ("16", "Thüringen", 200, 300, 6.0),
    ("16051", "Erfurt, Stadt", 120, 180, 7.1),
    ("16052", "Gera, Stadt", 80, 120, 8.4),
]


def _write(
    tmp_path: Path,
    rows: list[tuple] = ROWS,
    period: str = "Berichtsmonat Dezember 2024",
    header: tuple[str, str, str] = ("SGB III", "SGB II", "Quote"),
    sheet: str = "Tabelle 1",
) -> Path:
    """Title A1:A2, blank row 3, header rows 4-5 (C4:D4 and E4:E5 merged), data from row 6,
    a blank row and a footnote."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws["A1"] = "Arbeitsmarkt in Zahlen"
    ws["A2"] = period
    ws["A4"], ws["B4"], ws["C4"] = "Regionalschlüssel", "Region", "Arbeitslose"
    ws.merge_cells("C4:D4")
    ws["C5"], ws["D5"], ws["E4"] = header
    ws.merge_cells("E4:E5")
    for i, row in enumerate(rows, start=6):
        for j, value in enumerate(row, start=1):
            ws.cell(i, j, value)
    ws.cell(6 + len(rows) + 1, 1, "Quelle: Statistik der Bundesagentur für Arbeit")
    path = tmp_path / "tabelle.xlsx"
    wb.save(path)
    return path


def _with(row: int, col: int, value: object) -> list[tuple]:
    rows = [list(r) for r in ROWS]
    rows[row][col] = value
    return [tuple(r) for r in rows]


def test_intact_small_workbook_reads(tmp_path: Path) -> None:
    """The base of the broken workbooks is itself fine, so each failure is due to its change."""
    result = ba_xlsx.read(_write(tmp_path), measures=MEASURES, units={"Q": "Prozent"})
    frame = result.frame
    assert frame["region_key"].tolist() == ["16"] * 3 + ["16051"] * 3 + ["16052"] * 3
    assert frame["region_variable"].tolist() == ["DLAND"] * 3 + ["KREISE"] * 6
    assert frame["value"].tolist() == [200, 300, 6.0, 120, 180, 7.1, 80, 120, 8.4]
    assert frame["unit"].tolist() == ["Anzahl", "Anzahl", "Prozent"] * 3
    assert frame["_source_line"].tolist() == [6] * 3 + [7] * 3 + [8] * 3
    assert set(frame["time"]) == {"2024-12"} and set(frame["time_code"]) == {"MONAT"}
    assert result.metadata["header_rows"] == [4, 5]
    assert result.metadata["notes"] == ["Quelle: Statistik der Bundesagentur für Arbeit"]


def test_header_texts_are_normalised(tmp_path: Path) -> None:
    """Line breaks, hyphenation and footnote marks go; a '/' inside a header text stays."""
    path = _write(tmp_path, header=("SGB III 1)", "Ausländer/innen", "Arbeitslosen-\nquote 2)"))
    measures = {
        "Arbeitslose / SGB III": "ALO_SGB3",
        "Arbeitslose / Ausländer/innen": "ALO_AUSL",
        "Arbeitslosenquote": "Q",
    }
    result = ba_xlsx.read(path, measures=measures)
    assert result.metadata["columns"] == {
        "C": "Arbeitslose / SGB III",
        "D": "Arbeitslose / Ausländer/innen",
        "E": "Arbeitslosenquote",
    }


def test_markers_and_special_regions(tmp_path: Path) -> None:
    rows = [
        ("D", "Deutschland", 1000, 2000, 6.0),
        *_with(1, 2, "*")[:2],
        ("16052", "Gera, Stadt", "-", 120, "x"),
        (16053, "Jena, Stadt", 1, 2, 3.0),  # a key stored as a number
    ]
    frame = ba_xlsx.read(_write(tmp_path, rows=rows), measures=MEASURES).frame
    columns = ["region_key", "measure_code", "value_status", "value_quality"]
    signs = {(k, m): (s, q) for k, m, s, q in frame[columns].itertuples(index=False) if s}
    assert signs == {
        ("16051", "ALO_SGB3"): (".", "*"),
        ("16052", "ALO_SGB3"): ("-", None),
        ("16052", "Q"): ("x", None),
    }
    assert frame.loc[frame["region_key"] == "DG", "region_variable"].unique().tolist() == ["DINSG"]
    assert "16053" in set(frame["region_key"])


def test_deutschland_row_without_key_and_ignored_columns(tmp_path: Path) -> None:
    rows = [(None, "Deutschland", 1000, 2000, 6.0), *ROWS]
    path = _write(tmp_path, rows=rows)
    measures = {k: v for k, v in MEASURES.items() if v != "Q"}
    frame = ba_xlsx.read(path, measures=measures, ignore_columns=["Quote"]).frame
    assert frame["region_key"].drop_duplicates().tolist() == ["DG", "16", "16051", "16052"]
    assert set(frame["measure_code"]) == {"ALO_SGB3", "ALO_SGB2"}


def test_values_without_a_header(tmp_path: Path) -> None:
    path = _write(tmp_path, rows=[(*r, 99) for r in ROWS])
    with pytest.raises(InputError) as raised:
        ba_xlsx.read(path, measures=MEASURES)
    assert str(raised.value).startswith(
        "tabelle.xlsx, sheet 'Tabelle 1', cell F6: expected a column header in rows 4-5 above "
        "values, found values without a header in column F (and 2 more rows like it)"
    ), str(raised.value)


def test_workbook_with_several_sheets_needs_the_sheet_option() -> None:
    with pytest.raises(InputError) as raised:
        ba_xlsx.read(SAMPLE_DIR / SGB2, **_options(SGB2, sheet=None))
    assert str(raised.value) == (
        f"{SGB2}: expected reader_options.sheet naming the table sheet, "
        "found 2 sheets: 'Hinweise', 'Tabelle 1'"
    )


def test_key_and_name_in_one_column(tmp_path: Path) -> None:
    """Key and name in one cell ("16051 Erfurt, Stadt") in column A, the values from B on."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tabelle 1"
    ws["A1"], ws["A2"] = "Arbeitsmarkt in Zahlen", "Jahresdurchschnitt 2024"
    ws["A4"], ws["B4"], ws["D4"] = "Region", "Arbeitslose", "Quote"
    ws.merge_cells("B4:C4")
    ws.merge_cells("D4:D5")
    ws["B5"], ws["C5"] = "SGB III", "SGB II"
    for i, (key, name, *values) in enumerate(ROWS, start=6):
        ws.cell(i, 1, f"{key} {name}")
        for j, v in enumerate(values, start=2):
            ws.cell(i, j, v)
    path = tmp_path / "tabelle.xlsx"
    wb.save(path)
    frame = ba_xlsx.read(path, measures=MEASURES, name_column="A").frame
    assert frame.drop_duplicates("region_key")[["region_key", "region_name"]].values.tolist() == [
        ["16", "Thüringen"],
        ["16051", "Erfurt, Stadt"],
        ["16052", "Gera, Stadt"],
    ]
    assert set(frame["time"]) == {"2024"} and set(frame["time_code"]) == {"JAHR"}


def test_region_levels_keeps_only_the_kreise(tmp_path: Path) -> None:
    result = ba_xlsx.read(_write(tmp_path), measures=MEASURES, region_levels=["KREISE"])
    assert set(result.frame["region_key"]) == {"16051", "16052"}
    assert result.metadata["dropped_rows"] == 1


BROKEN = {
    # id: (workbook changes, read options, cell, fragments of the message)
    "text_in_number_cell": (
        {"rows": _with(2, 3, "12a4")},
        {},
        "D8",
        ["expected a number", "found '12a4'"],
    ),
    "number_as_text": (
        {"rows": _with(1, 2, "1.234")},
        {},
        "C7",
        ["expected a number stored as a number", "the text '1.234'"],
    ),
    "unknown_marker": (
        {"rows": _with(2, 2, "n.v.")},
        {},
        "C8",
        [
            "expected a number or a BA marker (* anonymised, - nothing, x not meaningful)",
            "unknown marker 'n.v.'",
        ],
    ),  # fmt: skip
    "empty_value_cell": (
        {"rows": _with(1, 4, None)},
        {},
        "E7",
        ["found an empty cell"],
    ),
    "renamed_header": (
        {"header": ("SGB III", "Grundsicherung", "Quote")},
        {},
        "D5",
        [
            "a column of the contract (schema drift",
            "column D headed 'Arbeitslose / Grundsicherung'",
        ],
    ),
    "key_of_wrong_length": (
        {"rows": _with(2, 0, "1605")},
        {},
        "A8",
        ["expected a region key: 5 digits (Kreis), 2 (Land)", "found '1605'"],
    ),
    "no_period": (
        {"period": "Datenstand: Januar 2025"},
        {},
        None,
        ["expected a reporting period like 'Jahresdurchschnitt 2024'", "'Datenstand: Januar 2025'"],
    ),
    "period_cell_without_period": (
        {},
        {"period_cell": "A1"},
        "A1",
        ["expected a reporting period", "found 'Arbeitsmarkt in Zahlen'"],
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_workbook_names_sheet_cell_expected_found(tmp_path: Path, case: str) -> None:
    changes, options, cell, fragments = BROKEN[case]
    path = _write(tmp_path, **changes)
    with pytest.raises(InputError) as raised:
        ba_xlsx.read(path, **{"measures": MEASURES, **options})
    message = str(raised.value)
    place = "tabelle.xlsx, sheet 'Tabelle 1'" + (f", cell {cell}" if cell else "")
    assert message.startswith(f"{place}: expected "), message
    for fragment in fragments:
        assert fragment in message, message
    problem = raised.value.problems[0]
    assert problem.sheet == "Tabelle 1" and problem.column == cell
    if cell:
        assert problem.line == int(cell[1:])


def test_every_bad_cell_is_counted(tmp_path: Path) -> None:
    rows = _with(1, 2, "?")
    rows[2] = (*rows[2][:3], "??", rows[2][4])
    with pytest.raises(InputError, match=r"cell C7: .*\(and 1 more rows like it\)"):
        ba_xlsx.read(_write(tmp_path, rows=rows), measures=MEASURES)


def test_missing_mapped_column(tmp_path: Path) -> None:
    measures = {**MEASURES, "Arbeitslose / Insgesamt": "ALO"}
    with pytest.raises(InputError) as raised:
        ba_xlsx.read(_write(tmp_path), measures=measures)
    message = str(raised.value)
    assert message.startswith("tabelle.xlsx, sheet 'Tabelle 1', row 4: expected column "), message
    assert (
        "expected column 'Arbeitslose / Insgesamt', found headers 'Arbeitslose / SGB III', "
        "'Arbeitslose / SGB II', 'Quote'" in message
    )


def test_missing_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = _write(tmp_path, sheet="Tab. 1")
    with pytest.raises(InputError) as raised:
        ba_xlsx.read(path, measures=MEASURES, sheet="Tabelle 1")
    assert (
        str(raised.value) == "tabelle.xlsx: expected a sheet 'Tabelle 1', found the sheets 'Tab. 1'"
    )


def test_empty_table(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        ba_xlsx.read(_write(tmp_path, rows=[]), measures=MEASURES)
    message = str(raised.value)
    assert message.startswith("tabelle.xlsx, sheet 'Tabelle 1': expected data rows with a 5-digit")
    assert "found none (an empty table?)" in message


NOT_XLSX = {
    "csv": (
        "Regionalschlüssel;Region;Arbeitslose\n16051;Erfurt;7315\n".encode("cp1252"),
        "a text file (CSV?) renamed to .xlsx: 'Regionalschl",
    ),
    "html": (
        b"<!DOCTYPE html><html><body>Sitzung abgelaufen</body></html>",
        "an HTML/XML page",
    ),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "an Excel 97-2003 workbook (.xls)"),
    "empty": (b"", "an empty file"),
}


@pytest.mark.parametrize("case", NOT_XLSX)
def test_file_that_is_not_xlsx(tmp_path: Path, case: str) -> None:
    content, fragment = NOT_XLSX[case]
    path = tmp_path / "ba_arbeitslose_kreise_2024.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError) as raised:
        ba_xlsx.read(path, measures=MEASURES)
    message = str(raised.value)
    assert message.startswith(f"{path.name}: expected an Excel workbook (.xlsx), found "), message
    assert fragment in message, message


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "download.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("tabelle.csv", "a;b\n")
    with pytest.raises(InputError, match=r"a ZIP archive that is no xlsx workbook.*tabelle\.csv"):
        ba_xlsx.read(path, measures=MEASURES)
