"""The municipal reader on the Erfurt Stadtteil sample, an xlsx variant and broken files.

Expected values come from plain `csv`/`openpyxl` parsing of the same files or from the
Kreis sample files (ffcsv, read with `csv`), never from the reader itself.
"""

from __future__ import annotations

import csv
import functools
import io
import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from pipelines.readers import municipal
from pipelines.readers.errors import InputError
from pipelines.readers.table import CANONICAL_COLUMNS

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE = PROJECT / "sample_data" / "erfurt_stadtteile_2024.csv"
CONTRACT = PROJECT / "data_contracts" / "erfurt_stadtteile.yml"
MEASURES = {  # file column -> measure code, as (and in the order) the contract maps them
    "Einwohner insgesamt": "EW_INSG",
    "unter 18 Jahre": "EW_U18",
    "65 Jahre und älter": "EW_65UM",
    "Ausländer/innen": "EW_AUSL",
    "SGB-II-Leistungsberechtigte": "SGB2_LB",
    "Arbeitslose": "ALO",
    "unter 15 Jahre": "EW_U15",
    "15 bis unter 65 Jahre": "EW_15_64",
    "SGB-II-Leistungsberechtigte unter 15 Jahre": "SGB2_LB_U15",
    "Langzeitarbeitslose": "LZA",
}
FILE_COLUMNS = [  # the measure columns in the order of the file (Arbeitslose stays last)
    "Einwohner insgesamt",
    "unter 18 Jahre",
    "65 Jahre und älter",
    "Ausländer/innen",
    "SGB-II-Leistungsberechtigte",
    "unter 15 Jahre",
    "15 bis unter 65 Jahre",
    "SGB-II-Leistungsberechtigte unter 15 Jahre",
    "Langzeitarbeitslose",
    "Arbeitslose",
]
TOTAL_ROW = "Stadt Erfurt insgesamt"


@functools.cache
def _options() -> dict:
    """The contract's reader options, read with plain YAML (not the contract loader)."""
    return yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))["reader_options"]


def _read(path: Path, **changes):
    return municipal.read(path, **(_options() | changes))


@functools.cache
def _plain() -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line, cells) of every line of the sample, by plain csv."""
    with SAMPLE.open(encoding="cp1252", newline="") as f:
        lines = list(csv.reader(f, delimiter=";"))
    return lines[1], [(i, cells) for i, cells in enumerate(lines, start=1)][2:]


def _data_lines() -> list[tuple[int, dict[str, str]]]:
    header, lines = _plain()
    rows = [(n, dict(zip(header, cells, strict=True))) for n, cells in lines]
    return [(n, r) for n, r in rows if r["Stadtteil-Nr."].isdigit()]


def _count(text: str) -> int:
    return int(text.replace(".", ""))


def _ffcsv(name: str) -> list[dict[str, str]]:
    with (PROJECT / "sample_data" / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def _unemployed(year: int, key: str) -> tuple[int, int]:
    """All and long-term unemployed (ERWP06 and its ARBEITSLOS05 column) of a region, read
    from the year's classic export of 13211-02-05-4."""
    text = (PROJECT / "sample_data" / f"13211-02-05-4_{year}.csv").read_bytes().decode("cp1252")
    (fields,) = [
        f for f in csv.reader(text.splitlines(), delimiter=";") if f[:2] == [str(year), key]
    ]
    return int(fields[3]), int(fields[9])


@functools.cache
def _erfurt_2024() -> dict[str, int]:
    """Erfurt 16051, 2024, from the Kreis sample files, by plain csv."""
    pop = {
        r["3_variable_attribute_code"]: int(r["value"])
        for r in _ffcsv("12411-02-03-4_de_flat.csv")
        if r["time"] == "2024-12-31"
        and r["1_variable_attribute_code"] == "16051"
        and r["2_variable_attribute_code"] == ""
    }
    (lb,) = [
        int(r["value"])
        for r in _ffcsv("SGB2-01-4_de_flat.csv")
        if (r["time"], r["1_variable_attribute_code"], r["2_variable_attribute_code"])
        == ("2024", "16051", "")
        and r["value_variable_code"] == "LB"
    ]
    (lb_u15,) = [
        int(r["value"])
        for r in _ffcsv("SGB2-01-4_de_flat.csv")
        if (r["time"], r["1_variable_attribute_code"], r["2_variable_attribute_code"])
        == ("2024", "16051", "ALT000B15")
        and r["value_variable_code"] == "LB"
    ]
    alo, lza = _unemployed(2024, "16051")
    under_15 = ("ALT000B03", "ALT003B06", "ALT006B10", "ALT010B15")
    under_18 = (*under_15, "ALT015B18")
    ew_65um = pop["ALT065B75"] + pop["ALT075UM"]
    ew_u15 = sum(pop[a] for a in under_15)
    return {
        "EW_INSG": pop[""],
        "EW_U18": sum(pop[a] for a in under_18),
        "EW_65UM": ew_65um,
        "SGB2_LB": lb,
        "ALO": alo,
        "EW_U15": ew_u15,
        "EW_15_64": pop[""] - ew_u15 - ew_65um,
        "SGB2_LB_U15": lb_u15,
        "LZA": lza,
    }


# --- the sample ----------------------------------------------------------------------------


def test_sample_reads_like_plain_csv() -> None:
    """Every cell arrives with its region key, line, value or sign, and nothing else."""
    result = _read(SAMPLE)
    frame = result.frame
    assert list(frame.columns) == CANONICAL_COLUMNS
    expected = []
    for line, row in _data_lines():
        for column, code in MEASURES.items():
            raw = row[column]
            expected.append(
                (
                    f"16051000-{int(row['Stadtteil-Nr.']):02d}",
                    row["Stadtteil"],
                    code,
                    None if raw == "*" else float(_count(raw)),
                    "." if raw == "*" else None,
                    "*" if raw == "*" else None,
                    line,
                )
            )
    got = [
        (
            r["region_key"],
            r["region_name"],
            r["measure_code"],
            None if pd.isna(r["value"]) else r["value"],
            r["value_status"],
            r["value_quality"],
            r["_source_line"],
        )
        for r in frame.to_dict("records")
    ]
    assert got == expected
    assert len(_data_lines()) == 25 and len(frame) == 25 * len(MEASURES) == 25 * 10
    assert set(frame["time"]) == {"2024-12-31"} and set(frame["period_year"]) == {2024}
    assert set(frame["time_code"]) == {"STAG"} and set(frame["region_variable"]) == {"SOZRAUM"}
    assert set(frame["unit"]) == {"Anzahl"}
    assert frame["region_key"].str.fullmatch(r"16051000-\d{2}").all()
    assert frame.groupby("measure_code").size().to_dict() == {c: 25 for c in MEASURES.values()}
    assert frame[[f"var{i}_code" for i in (1, 2, 3)]].isna().all().all()
    assert result.metadata["total_rows"] == [
        n for n, cells in _plain()[1] if len(cells) > 1 and cells[1] == TOTAL_ROW
    ]
    assert "Stand 31.12.2024" in result.metadata["title"][0]


def test_sums_match_the_erfurt_totals_of_the_kreis_samples() -> None:
    """Stadtteile add up to Erfurt's 2024 figures; `*` cells (each below 3) are missing."""
    frame = _read(SAMPLE).frame
    totals = _erfurt_2024()
    header, lines = _plain()
    (total_row,) = [dict(zip(header, c, strict=True)) for _, c in lines if c[1:2] == [TOTAL_ROW]]
    for column, code in MEASURES.items():
        cells = [row[column] for _, row in _data_lines()]
        secret = cells.count("*")
        plain_sum = sum(_count(c) for c in cells if c != "*")
        got = frame[frame["measure_code"] == code]
        assert got["value"].sum() == plain_sum
        assert got["value"].isna().sum() == secret
        total = totals.get(code, _count(total_row[column]))  # no Kreis table for Ausländer
        assert _count(total_row[column]) == total
        assert plain_sum <= total
        assert total - plain_sum <= 2 * secret  # each hidden cell holds 0, 1 or 2
        if not secret:
            assert plain_sum == total


def test_secret_cells_keep_status_and_office_marker() -> None:
    frame = _read(SAMPLE).frame
    star = [(n, c) for n, row in _data_lines() for c in MEASURES if row[c] == "*"]
    secret = frame[frame["value_quality"] == "*"]
    assert len(star) >= 3
    assert len(secret) == len(star)
    assert set(secret["value_status"]) == {"."}
    assert secret["value"].isna().all()
    assert frame.loc[frame["value_status"].isna(), "value"].notna().all()


def test_sample_layout_is_a_city_office_export() -> None:
    raw = SAMPLE.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    raw.decode("cp1252")
    assert "ö".encode("cp1252") in raw and b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n")
    header, lines = _plain()
    assert header[:2] == ["Stadtteil-Nr.", "Stadtteil"] and header[2:] == FILE_COLUMNS
    assert sorted(FILE_COLUMNS) == sorted(MEASURES) and header[-1] == "Arbeitslose"


def test_contract_loads_and_the_sample_conforms() -> None:
    from pipelines.conform import contract_problems
    from pipelines.contracts import load_contract

    contract = load_contract(CONTRACT)
    result = municipal.read(contract.sample_files[0], **contract.reader_options)
    assert contract_problems(result, contract) == []


# --- xlsx ----------------------------------------------------------------------------------


def _workbook(path: Path, broken: dict[str, object] | None = None) -> Path:
    """The sample as a city office would save it in Excel: title row, header, numbers."""
    header, lines = _plain()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Stadtteile"
    ws.append(["Bevölkerung nach Stadtteilen, Stand 31.12.2024"])
    ws.append(header)
    for _, cells in lines:
        if not any(cells):
            continue
        row: list[object] = []
        for i, c in enumerate(cells):
            if i == 0 and c.isdigit():
                row.append(int(c))
            elif i >= 2 and c and c != "*":
                row.append(_count(c))
            else:
                row.append(c or None)
        ws.append(row)
    for ref, value in (broken or {}).items():
        ws[ref] = value
    wb.save(path)
    return path


def _xlsx_options() -> dict:
    return _options() | {"format": "xlsx", "sheet": "Stadtteile", "encoding": "utf-8"}


def test_xlsx_variant_reads_the_same_values_with_sheet_rows(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "erfurt_stadtteile_2024.xlsx")
    frame = municipal.read(path, **_xlsx_options()).frame
    csv_frame = _read(SAMPLE).frame
    keep = ["region_key", "region_name", "measure_code", "value", "value_status", "value_quality"]
    pd.testing.assert_frame_equal(frame[keep], csv_frame[keep])
    # same layout: the title row and the header row sit above the data, as in the CSV
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = {r[1]: i for i, r in enumerate(wb["Stadtteile"].iter_rows(values_only=True), 1)}
    wb.close()
    altstadt = frame[frame["region_name"] == "Altstadt"]["_source_line"].unique().tolist()
    assert altstadt == [rows["Altstadt"]] == [3]


@pytest.mark.parametrize(
    ("broken", "fragments"),
    [
        ({"L7": "12a4"}, ["cell L7", "(column 'Arbeitslose')", "found '12a4'"]),
        ({"H7": "12a4"}, ["cell H7", "(column 'unter 15 Jahre')", "found '12a4'"]),
        ({"D9": "#"}, ["cell D9", "(column 'unter 18 Jahre')", "unknown special sign '#'"]),
        ({"A8": "7b"}, ["cell A8", "(column 'Stadtteil-Nr.')", "an area code", "'7b'"]),
        ({"A9": 6}, ["cell A9", "one row per area and period", "(first at row 8)"]),
    ],
)
def test_xlsx_errors_name_sheet_and_cell(tmp_path: Path, broken: dict, fragments: list) -> None:
    path = _workbook(tmp_path / "broken.xlsx", broken)  # row 8: Stadtteil 6, row 9: 7
    with pytest.raises(InputError) as raised:
        municipal.read(path, **_xlsx_options())
    message = str(raised.value)
    assert message.startswith("broken.xlsx, sheet 'Stadtteile', cell "), message
    for fragment in fragments:
        assert fragment in message, message


def test_xlsx_missing_column_and_wrong_sheet(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "b.xlsx", {"L2": "Arbeitslose gesamt"})
    with pytest.raises(InputError) as raised:
        municipal.read(path, **_xlsx_options())
    message = str(raised.value)
    assert "sheet 'Stadtteile', row 2: expected the column(s) 'Arbeitslose'" in message
    assert "unmapped column(s) 'Arbeitslose gesamt'" in message
    with pytest.raises(InputError, match=r"expected a sheet 'Daten', found sheets 'Stadtteile'"):
        municipal.read(path, **(_xlsx_options() | {"sheet": "Daten"}))


# --- broken CSV files ----------------------------------------------------------------------


def _sample_text() -> str:
    return SAMPLE.read_bytes().decode("cp1252")


def _replace_line(line: int, old: str, new: str) -> bytes:
    lines = _sample_text().split("\r\n")
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return "\r\n".join(lines).encode("cp1252")


def _set_cell(line: int, column: int, value: str) -> bytes:
    """The sample with one field changed (column: 0-based; -1 = Arbeitslose)."""
    lines = _sample_text().split("\r\n")
    cells = lines[line - 1].split(";")
    cells[column] = value
    lines[line - 1] = ";".join(cells)
    return "\r\n".join(lines).encode("cp1252")


def _without_last_column() -> bytes:
    lines = _sample_text().split("\r\n")
    return "\r\n".join(x.rsplit(";", 1)[0] if ";" in x else x for x in lines).encode("cp1252")


def _with_extra_column() -> bytes:
    lines = _sample_text().split("\r\n")
    out = [lines[0] + ";", lines[1] + ";Fläche in km²"]
    out += [x + (";1,5" if x[:1].isdigit() else ";") if x else x for x in lines[2:]]
    return "\r\n".join(out).encode("cp1252")


BROKEN = {
    # id: (content, changed options, line, column, fragments of the message)
    "missing_column": (
        _without_last_column(),
        {},
        2,
        None,
        [
            "expected the column(s) 'Arbeitslose' (reader option columns)",
            "found columns 'Stadtteil-Nr.', 'Stadtteil', 'Einwohner insgesamt'",
        ],
    ),
    "extra_column": (
        _with_extra_column(),
        {},
        2,
        None,
        ["expected only the mapped columns (schema drift", "unmapped column(s) 'Fläche in km²'"],
    ),
    "non_numeric": (
        _set_cell(5, -1, "2l5"),
        {},
        5,
        "Arbeitslose",
        ["expected a number with decimal comma, thousands separator '.'", "found '2l5'"],
    ),
    "decimal_point_number": (
        _set_cell(5, -1, "2.15"),
        {},
        5,
        "Arbeitslose",
        ["expected a number with decimal comma", "found '2.15'"],
    ),
    "unknown_marker": (
        _set_cell(6, -1, "#"),
        {},
        6,
        "Arbeitslose",
        ["expected a number or a special sign (- . / x ... *)", "unknown special sign '#'"],
    ),
    "star_without_signs_option": (
        SAMPLE.read_bytes(),
        {"signs": {}},
        14,
        "SGB-II-Leistungsberechtigte unter 15 Jahre",
        [
            "unknown special sign '*' (and 2 more rows like it)",
            "reader option signs, e.g. {'*': '.'}",
            "line 14, column 'Langzeitarbeitslose': expected a number or a special sign",
            "line 20, column 'SGB-II-Leistungsberechtigte': expected a number or a special sign",
            "found unknown special sign '*' (and 1 more rows like it)",
            "line 21, column 'Ausländer/innen': expected a number or a special sign",
            "line 21, column 'Arbeitslose': expected",
        ],
    ),
    "empty_cell": (
        _set_cell(5, -1, ""),
        {},
        5,
        "Arbeitslose",
        ["expected a number or a special sign", "found an empty cell"],
    ),
    "duplicate_area_code": (
        _set_cell(9, 0, "6"),
        {},
        9,
        "Stadtteil-Nr.",
        ["expected one row per area and period", "found area code '6' again (first at line 8)"],
    ),
    "area_code_not_numeric": (
        _set_cell(9, 0, "7a"),
        {},
        9,
        "Stadtteil-Nr.",
        ["expected an area code matching '[0-9]+'", "found '7a'"],
    ),
    "area_code_too_long": (
        _set_cell(9, 0, "107"),
        {},
        9,
        "Stadtteil-Nr.",
        ["at most 2 digits (key_scheme pad)", "found '107'"],
    ),
    "wrong_delimiter": (
        SAMPLE.read_bytes(),
        {"delimiter": ","},
        2,
        None,
        [
            "expected columns 'Stadtteil-Nr.', 'Stadtteil', 'Einwohner insgesamt'",
            "separated by ','",
            "found one column 'Stadtteil-Nr.;Stadtteil;Einwohner insgesamt;",
            "— wrong delimiter? (the header contains 11 × ';')",
        ],
    ),
    "utf8_read_as_cp1252": (
        _sample_text().encode("utf-8"),
        {},
        1,
        None,
        [
            "expected text in cp1252",
            "found UTF-8 text ('Bevölkerung' would read as 'BevÃ¶lkerung')",
            "encoding: utf-8",
        ],
    ),
    "utf8_bom_read_as_cp1252": (
        b"\xef\xbb\xbf"
        + _sample_text().replace("ö", "o").replace("ä", "a").encode("ascii", "replace"),
        {},
        1,
        None,
        ["expected text in cp1252", "found a UTF-8 byte order mark"],
    ),
    "cp1252_read_as_utf8": (
        SAMPLE.read_bytes(),
        {"encoding": "utf-8"},
        1,
        None,
        ["expected text in utf-8", "byte 0x96"],
    ),
    "empty": (b"", {}, None, None, ["expected a table", "found an empty file"]),
    "title_only": (
        _sample_text().split("\r\n")[0].encode("cp1252"),
        {},
        None,
        None,
        ["expected a header row in line 2 (skip_rows=1)", "the file ends after 1 lines"],
    ),
    "header_only": (
        "\r\n".join(_sample_text().split("\r\n")[:2]).encode("cp1252"),
        {"skip_footer": 0},
        None,
        None,
        ["expected at least one data row", "found only the header"],
    ),
    "wrong_skip_rows": (
        SAMPLE.read_bytes(),
        {"skip_rows": 0},
        1,
        None,
        [
            "expected the column(s) 'Stadtteil-Nr.'",
            "the mapped columns are in line 2: skip_rows 1?",
        ],
    ),
    "too_many_fields": (
        _set_cell(7, -1, "401;9"),
        {},
        7,
        None,
        ["expected 12 fields separated by ';', as in the header", "found 13 fields"],
    ),
    "notes_missing_but_skip_footer": (
        SAMPLE.read_bytes(),
        {"skip_footer": 4},
        27,
        None,
        ["expected a note line below the data (skip_footer: 4)", "a data row of area '25'"],
    ),
    "period_not_in_title": (
        _replace_line(1, "Stand 31.12.2024", "Stand Ende 2024"),
        {},
        1,
        None,
        ["expected the period in the title or file name", "Stand Ende 2024"],
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_file_names_file_line_column_expected_found(tmp_path: Path, case: str) -> None:
    content, changes, line, column, fragments = BROKEN[case]
    path = tmp_path / f"erfurt_{case}.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as raised:
        _read(path, **changes)
    message = str(raised.value)
    place = (
        path.name + (f", line {line}" if line else "") + (f", column '{column}'" if column else "")
    )
    assert message.startswith(f"{place}: expected "), message
    for fragment in fragments:
        assert fragment in message, message
    assert raised.value.problems[0].line == line


def test_extra_column_can_be_ignored_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "extra.csv"
    path.write_bytes(_with_extra_column())
    with pytest.warns(UserWarning, match=r"ignoring unmapped column\(s\) 'Fläche in km²'"):
        result = _read(path, extra_columns="ignore")
    assert result.metadata["ignored_columns"] == ["Fläche in km²"]
    plain = _read(SAMPLE).frame
    pd.testing.assert_frame_equal(result.frame, plain)


def test_xlsx_file_given_as_csv(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "erfurt.csv")
    with pytest.raises(InputError, match="found an Excel workbook .* format: xlsx"):
        _read(path)


def test_contract_mistakes_are_value_errors() -> None:
    with pytest.raises(ValueError, match="option decimal: expected ',' or '.'"):
        _read(SAMPLE, decimal="de")
    with pytest.raises(ValueError, match="role of 'Arbeitslose': expected one of"):
        _read(SAMPLE, columns=_options()["columns"] | {"Arbeitslose": "measur:ALO"})
    with pytest.raises(ValueError, match="exactly one of"):
        _read(SAMPLE, period="2024")
    with pytest.raises(ValueError, match="'\\*' maps to 'geheim'"):
        _read(SAMPLE, signs={"*": "geheim"})


# --- other layouts -------------------------------------------------------------------------

LONG = (
    "Jahr,Planungsraum,Name,Merkmal,Wert\n"
    '2023,1,Nord,Einwohner,"12,345.5"\n'
    "2023,2,Süd,Einwohner,-7\n"
    "2023,1,Nord,Arbeitslose,x\n"
    '2023,2,Süd,Arbeitslose,"1,002"\n'
    "2024,1,Nord,Einwohner,12400\n"
)
LONG_OPTIONS = {
    "encoding": "utf-8",
    "delimiter": ",",
    "decimal": ".",
    "thousands": ",",
    "columns": {
        "Jahr": "period",
        "Planungsraum": "area_code",
        "Name": "area_name",
        "Merkmal": "measure",
        "Wert": "value",
    },
    "key_scheme": {"gemeinde_ags": "16053000", "pad": 3},
    "measure_codes": {"Einwohner": "EW_INSG", "Arbeitslose": "ALO"},
    "region_variable": "PLANRAUM",
}


def test_long_layout_with_decimal_point_and_thousands_comma(tmp_path: Path) -> None:
    path = tmp_path / "jena.csv"
    path.write_text(LONG, encoding="utf-8")
    frame = municipal.read(path, **LONG_OPTIONS).frame
    rows = list(csv.DictReader(io.StringIO(LONG)))
    assert frame["region_key"].tolist() == [f"16053000-{int(r['Planungsraum']):03d}" for r in rows]
    assert frame["measure_code"].tolist() == ["EW_INSG", "EW_INSG", "ALO", "ALO", "EW_INSG"]
    assert frame["value"].tolist()[:2] == [12345.5, -7.0]
    assert pd.isna(frame["value"].iloc[2]) and frame["value_status"].iloc[2] == "x"
    assert frame["value"].tolist()[3:] == [1002.0, 12400.0]
    assert frame["time"].tolist() == ["2023"] * 4 + ["2024"]
    assert set(frame["time_code"]) == {"JAHR"} and set(frame["region_variable"]) == {"PLANRAUM"}
    assert frame["measure_label"].tolist()[:3] == ["Einwohner", "Einwohner", "Arbeitslose"]
    assert frame["_source_line"].tolist() == [2, 3, 4, 5, 6]


def test_long_layout_unknown_measure_and_duplicate(tmp_path: Path) -> None:
    path = tmp_path / "jena.csv"
    path.write_text(LONG + "2024,2,Süd,Bedarfsgemeinschaften,17\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        municipal.read(path, **LONG_OPTIONS)
    assert str(raised.value).startswith("jena.csv, line 7, column 'Merkmal': expected a measure")
    assert "found 'Bedarfsgemeinschaften'" in str(raised.value)
    with pytest.warns(UserWarning, match="ignoring unmapped measure"):
        frame = municipal.read(path, **(LONG_OPTIONS | {"extra_columns": "ignore"})).frame
    assert len(frame) == 5
    path.write_text(LONG + "2023,1,Nord,Einwohner,5\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        municipal.read(path, **LONG_OPTIONS)
    assert str(raised.value) == (
        "jena.csv, line 7, column 'Planungsraum': expected one row per area and period and "
        "measure, found area code '1' again (first at line 2)"
    )


def test_number_formats(tmp_path: Path) -> None:
    """Thousands separators only in groups of three; space and NBSP for thousands ' '."""
    path = tmp_path / "weimar.csv"
    path.write_text("Nr;Wert\n1;1 234,5\n2;1\u00a0234\n3;-0,25\n4;1234\n", encoding="utf-8")
    options = {"columns": {"Nr": "area_code", "Wert": "measure:X"}, "period": "31.12.2024"}
    frame = municipal.read(path, **options, thousands=" ").frame
    assert frame["value"].tolist() == [1234.5, 1234.0, -0.25, 1234.0]
    assert frame["region_key"].tolist() == ["1", "2", "3", "4"]
    assert frame["time"].tolist() == ["2024-12-31"] * 4
    with pytest.raises(InputError, match=r"line 2, column 'Wert'.*found '1 234,5'"):
        municipal.read(path, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        municipal.read(path, **options, thousands=" ")
