"""The classic GENESIS table-export reader on real reference files and on small broken files.

Expected values come from a plain split of the same files' lines (see `_plain`) or from the
facts in `tests/fixtures/real/README.md`, never from the reader itself.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from pipelines.readers import genesis_classic
from pipelines.readers.errors import InputError
from pipelines.readers.table import CANONICAL_COLUMNS, ReadResult

REFERENCE_DIR = Path(__file__).resolve().parent / "fixtures" / "real"
CLASSIC_DIR = REFERENCE_DIR / "genesis_classic"
needs_reference = pytest.mark.skipif(
    not CLASSIC_DIR.is_dir(),
    reason=f"tests/fixtures/real is absent: {CLASSIC_DIR} not found "
    "(it sits beside the project checkout on developer machines and in CI)",
)
REFERENCE_FILES = ["12411-01-01-4.csv", "11111-01-01-4.csv", "21111-02-06-4.csv"]
SIGNS = {"-", ".", "/", "x", "..."}  # README "Zeichenerklärung"
# A data line: [period;] region key; name; values — the key is DG or digits.
DATA_LINE = re.compile(r"^(?:(?P<period>\d{2}\.\d{2}\.\d{4}|\d{4});)?(?P<key>DG|\d{2,8});")


@functools.cache
def _read(name: str) -> ReadResult:
    return genesis_classic.read(CLASSIC_DIR / name)


@functools.cache
def _text_lines(name: str) -> tuple[str, ...]:
    return tuple((CLASSIC_DIR / name).read_bytes().decode("latin-1").split("\n"))


@functools.cache
def _plain(name: str) -> tuple[tuple[int, str | None, str, str, tuple[str, ...]], ...]:
    """(line number, period, key, name, value tokens) of every data line, by plain splitting."""
    rows = []
    for number, line in enumerate(_text_lines(name), start=1):
        if line.startswith("__________"):
            break
        if m := DATA_LINE.match(line):
            fields = line.split(";")
            stub = 3 if m["period"] else 2
            rows.append((number, m["period"], m["key"], fields[stub - 1], tuple(fields[stub:])))
    return tuple(rows)


def _plain_row(name: str, key: str) -> tuple[str, ...]:
    (values,) = [v for _n, _p, k, _name, v in _plain(name) if k == key]
    return values


def _number(token: str) -> Decimal:
    return Decimal(token.replace(",", "."))


def _totals(result: ReadResult) -> pd.DataFrame:
    f = result.frame
    return f[f["var1_attr_code"] == ""].set_index("region_key")


# --- reference files -------------------------------------------------------------------


@needs_reference
@pytest.mark.parametrize("name", REFERENCE_FILES)
def test_reference_file_parses_cell_by_cell(name: str) -> None:
    """One row per data cell, in file order, pointing at its line; values and signs kept."""
    frame = _read(name).frame
    assert list(frame.columns) == CANONICAL_COLUMNS
    plain = _plain(name)
    cells = [
        (number, key, name_.strip(), token)
        for number, _period, key, name_, tokens in plain
        for token in tokens
    ]
    assert len(frame) == len(cells)
    for (number, key, region_name, token), got in zip(cells, frame.to_dict("records"), strict=True):
        assert (got["_source_line"], got["region_key"], got["region_name"]) == (
            number,
            key,
            region_name,
        )
        if token in SIGNS:
            assert got["value_status"] == token
            assert pd.isna(got["value"])
        else:
            assert pd.isna(got["value_status"])
            assert got["value"] == float(_number(token))
    assert frame["value_quality"].isna().all()
    assert set(frame["region_variable"]) == {"KREISE"}
    assert set(frame["statistics_code"]) == {name.split("-")[0]}
    assert frame["table_code"].isna().all()  # the contract fills it


@needs_reference
def test_population_facts_of_thuringia() -> None:
    """README: Thüringen 2,170,714; Erfurt 210,118; Eisenach 42,417 (still kreisfrei in 2015)."""
    name = "12411-01-01-4.csv"
    totals = _totals(_read(name))
    assert totals.loc["16", "value"] == 2_170_714
    assert totals.loc["16", "region_name"] == "Thüringen"
    assert totals.loc["16051", "value"] == 210_118
    assert totals.loc["16056", "value"] == 42_417
    assert totals.loc["16056", "region_name"] == "Eisenach, krsfr. Stadt"
    # the same facts in the file's own text
    assert _plain_row(name, "16")[0] == "2170714"
    assert _plain_row(name, "16051")[0] == "210118"
    assert _plain_row(name, "16056")[0] == "42417"
    row = totals.loc["16051"]
    assert (row["time_code"], row["time"], row["period_year"]) == ("STAG", "31.12.2015", 2015)
    assert (row["measure_label"], row["unit"]) == ("Bevölkerungsstand", "Anzahl")


@needs_reference
def test_men_and_women_add_up_for_thuringian_kreise() -> None:
    name = "12411-01-01-4.csv"
    plain = {
        key: tuple(int(v) for v in values)
        for _n, _p, key, _name, values in _plain(name)
        if re.fullmatch(r"160\d\d", key)
    }
    assert len(plain) == 23  # 6 kreisfreie Städte (Eisenach included) + 17 Landkreise in 2015
    for total, men, women in plain.values():
        assert men + women == total
    frame = _read(name).frame
    kreise = frame[frame["region_key"].isin(list(plain))]
    wide = kreise.pivot(index="region_key", columns="var1_attr_code", values="value")
    assert set(kreise["var1_code"]) == {"MERKMAL"}
    assert sorted(wide.columns) == ["", "maennlich", "weiblich"]
    assert (wide["maennlich"] + wide["weiblich"] == wide[""]).all()
    assert {k: tuple(wide.loc[k, ["", "maennlich", "weiblich"]]) for k in plain} == plain


@needs_reference
def test_area_of_thuringia() -> None:
    name = "11111-01-01-4.csv"
    (token,) = _plain_row(name, "16")
    totals = _read(name).frame.set_index("region_key")
    assert totals.loc["16", "value"] == pytest.approx(float(_number(token)))
    assert 16_000 < totals.loc["16", "value"] < 16_300
    row = totals.loc["16"]
    assert (row["measure_label"], row["unit"]) == ("Gebietsfläche", "qkm")
    assert (row["time_code"], row["time"], row["period_year"]) == ("STAG", "31.12.2015", 2015)
    assert pd.isna(row["var1_code"])


@needs_reference
def test_school_leavers_keep_every_special_sign() -> None:
    name = "21111-02-06-4.csv"
    frame = _read(name).frame
    tokens = [t for *_rest, values in _plain(name) for t in values]
    for sign in ("-", ".", "x"):
        assert (frame["value_status"] == sign).sum() == tokens.count(sign) > 0
    assert frame["value_status"].notna().sum() == sum(t in SIGNS for t in tokens)
    assert frame.loc[frame["value_status"].notna(), "value"].isna().all()


@needs_reference
def test_school_leavers_header_becomes_two_variables() -> None:
    """Row 7 names the variable of row 8 (Schulabschluss); row 9 (Insgesamt/weiblich) has none."""
    name = "21111-02-06-4.csv"
    lines = _text_lines(name)
    qualification = [c.strip() for c in lines[7].split(";")[3:]]
    sex = [c.strip() for c in lines[8].split(";")[3:]]
    erfurt = _read(name).frame.query("region_key == '16051'")
    assert erfurt["var1_code"].unique().tolist() == ["SCHULABSCHLUSS"]
    assert erfurt["var1_attr_label"].tolist() == qualification
    assert erfurt["var2_code"].unique().tolist() == ["MERKMAL"]
    assert erfurt["var2_attr_label"].tolist() == sex
    expected_sex_codes = ["" if s == "Insgesamt" else "weiblich" for s in sex]
    assert erfurt["var2_attr_code"].tolist() == expected_sex_codes
    assert erfurt["var1_attr_code"].tolist()[:3] == ["", "", "ohne_hauptschulabschluss"]
    assert erfurt["var3_code"].isna().all()
    assert set(erfurt["time_code"]) == {"SJAHR"}  # "- Schuljahr -" in the title, time '2015'
    assert set(erfurt["time"]) == {"2015"}
    assert erfurt["value"].tolist() == [float(v) for v in _plain_row(name, "16051")]


@needs_reference
@pytest.mark.parametrize("name", REFERENCE_FILES)
def test_metadata_matches_the_literal_text(name: str) -> None:
    lines = [line.rstrip("\r") for line in _text_lines(name)]
    meta = _read(name).metadata
    assert lines[0] == f"GENESIS-Tabelle: {meta['table_code']}"
    assert meta["table_code"] == name.removesuffix(".csv")
    assert meta["title"].startswith(lines[1].split(";")[0].strip())
    assert "regionale Tiefe: Kreise und krfr. Städte" in meta["title"]
    assert meta["regional_depth"] == "Kreise und krfr. Städte"

    last = [line for line in lines if line][-1]
    assert meta["stand_text"] == last
    assert meta["stand"] == datetime.strptime(last, "Stand: %d.%m.%Y / %H:%M:%S")
    assert meta["stand"].year == 2017

    footer = lines[lines.index("__________") + 1 :]
    copyright_at = next(i for i, line in enumerate(footer) if line.startswith('"©'))
    notes = "\n".join(footer[:copyright_at])
    assert notes.startswith('"zu ') and notes.endswith('"')
    assert meta["notes"] == notes[1:-1].replace('""', '"')
    assert meta["copyright"].startswith("© Statistische Ämter des Bundes und der Länder")
    assert meta["copyright"].endswith("- Namensnennung - Version 2.0.")
    assert "\n" in meta["copyright"] and "\n" in meta["notes"]
    periods = {p for _n, p, *_rest in _plain(name)} - {None}
    assert meta["periods"] == (sorted(periods) or ["31.12.2015"])


@needs_reference
def test_population_title_lines() -> None:
    meta = _read("12411-01-01-4.csv").metadata
    assert meta["title"] == (
        "Bevölkerungsstand: Bevölkerung nach Geschlecht - Stichtag 31.12. - "
        "regionale Tiefe: Kreise und krfr. Städte"
    )
    assert meta["statistic"] == "Fortschreibung des Bevölkerungsstandes"
    assert meta["measures"] == [
        {"code": "BEVOELKERUNGSSTAND", "label": "Bevölkerungsstand", "unit": "Anzahl"}
    ]


@needs_reference
def test_options_measure_code_and_region_variable() -> None:
    result = genesis_classic.read(
        CLASSIC_DIR / "12411-01-01-4.csv", measure_code="BEVSTD", region_variable="KREISE"
    )
    assert set(result.frame["measure_code"]) == {"BEVSTD"}
    assert set(result.frame["region_variable"]) == {"KREISE"}


# --- synthetic files ---------------------------------------------------------------------

TITLE = [
    "GENESIS-Tabelle: 12411-01-01-4",
    "Bevölkerungsstand: Bevölkerung nach Geschlecht;;;;",
    "- Stichtag 31.12. -;;;;",
    "regionale Tiefe: Kreise und krfr. Städte;;;;",
    "Fortschreibung des Bevölkerungsstandes;;;;",
    "Bevölkerungsstand (Anzahl);;;;",
    ";;31.12.2015;31.12.2015;31.12.2015",
    ";;Insgesamt;männlich;weiblich",
]
ROWS = [  # lines 9 to 12
    "16;  Thüringen;1000;480;520",
    "16051;      Erfurt, krsfr. Stadt;300;140;160",
    "16052;      Gera, krsfr. Stadt;200;90;110",
    "16053;      Jena, krsfr. Stadt;100;50;50",
]
FOOTER = [
    "__________",
    '"zu  ""gesamter Tabelle"":',
    'ab dem Berichtsjahr 2011: nach dem Zensus 2011"',
    '"© Statistische Ämter des Bundes und der Länder, Deutschland, 2017.',
    '- Namensnennung - Version 2.0."',
    "Stand: 14.12.2017 / 15:51:18",
]


def _classic(
    rows: list[str] = ROWS,
    title: list[str] = TITLE,
    footer: list[str] = FOOTER,
    encoding: str = "cp1252",
) -> bytes:
    return ("\n".join([*title, *rows, *footer]) + "\n").encode(encoding)


def _with_gera(values: str) -> bytes:
    """Gera (line 11) with other values."""
    return _classic([ROWS[0], ROWS[1], f"16052;      Gera, krsfr. Stadt;{values}", ROWS[3]])


def _write(tmp_path: Path, content: bytes, name: str = "12411-01-01-4.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_intact_synthetic_file_reads(tmp_path: Path) -> None:
    """The base of the broken files is itself fine, so each failure is due to its one change."""
    result = genesis_classic.read(_write(tmp_path, _classic()))
    frame = result.frame
    assert frame["region_key"].tolist() == [
        k for k in ("16", "16051", "16052", "16053") for _ in range(3)
    ]
    assert frame["value"].tolist() == [1000, 480, 520, 300, 140, 160, 200, 90, 110, 100, 50, 50]
    assert frame["_source_line"].tolist() == [n for n in (9, 10, 11, 12) for _ in range(3)]
    assert frame["region_name"].tolist()[3] == "Erfurt, krsfr. Stadt"
    assert frame["var1_attr_code"].tolist()[:3] == ["", "maennlich", "weiblich"]
    assert set(frame["region_variable"]) == {"KREISE"}
    assert result.metadata["stand"] == datetime(2017, 12, 14, 15, 51, 18)
    assert result.metadata["notes"] == (
        'zu  "gesamter Tabelle":\nab dem Berichtsjahr 2011: nach dem Zensus 2011'
    )


def test_qualifiers_are_kept_apart_from_the_value(tmp_path: Path) -> None:
    frame = genesis_classic.read(_write(tmp_path, _with_gera("200p;(90);110"))).frame
    gera = frame[frame["region_key"] == "16052"]
    assert gera["value"].tolist() == [200, 90, 110]
    assert [None if pd.isna(q) else q for q in gera["value_quality"]] == ["p", "()", None]


def test_decimal_point_and_thousands_unit(tmp_path: Path) -> None:
    title = [*TITLE[:5], "Bevölkerungsstand (1000);;;;", *TITLE[6:]]
    rows = [ROWS[0], "16051;Erfurt;210.1;102.3;107.8"]
    path = _write(tmp_path, _classic(rows, title=title))
    frame = genesis_classic.read(path, decimal="en").frame
    erfurt = frame[frame["region_key"] == "16051"]
    assert erfurt["value"].tolist() == pytest.approx([210_100, 102_300, 107_800])
    assert set(erfurt["unit"]) == {"1000"}


def test_measure_and_unit_rows_and_period_column(tmp_path: Path) -> None:
    """The 11111 layout: period first, measure label and unit as the last header rows."""
    title = [
        "GENESIS-Tabelle: 11111-01-01-4",
        "Gebietsstand: Gebietsfläche in qkm - Stichtag 31.12. -;;;",
        "regionale Tiefe: Kreise und krfr. Städte;;;",
        "Feststellung des Gebietsstandes;;;",
        ";;;Gebietsfläche",
        ";;;qkm",
    ]
    rows = ["31.12.2015;16;  Thüringen;16202,38", "31.12.2015;16051;      Erfurt;269,91"]
    frame = genesis_classic.read(_write(tmp_path, _classic(rows, title=title))).frame
    assert frame["value"].tolist() == [16202.38, 269.91]
    assert frame["unit"].tolist() == ["qkm", "qkm"]
    assert frame["measure_code"].tolist() == ["GEBIETSFLAECHE"] * 2
    assert frame["_source_line"].tolist() == [7, 8]


def test_periods_across_columns_under_a_label_row(tmp_path: Path) -> None:
    """GENESIS-Online style: a 'Stichtag' row above a row of dates, one period per column."""
    title = [
        "GENESIS-Tabelle: 11111-0002",
        "Gebietsfläche: Kreise, Stichtag;;;",
        "Feststellung des Gebietsstands;;;",
        "Gebietsfläche (qkm);;;",
        ";;Stichtag;Stichtag",
        ";;31.12.2014;31.12.2015",
    ]
    rows = ["16051;Erfurt;269,17;269,91", "16052;Gera;152,18;.", "16053;Jena;114,77;114,77"]
    result = genesis_classic.read(_write(tmp_path, _classic(rows, title=title)))
    frame = result.frame
    assert frame["time"].tolist() == ["31.12.2014", "31.12.2015"] * 3
    assert frame["period_year"].tolist() == [2014, 2015] * 3
    assert frame["value_status"].tolist()[3] == "."
    assert frame["var1_code"].isna().all()
    assert result.metadata["periods"] == ["31.12.2014", "31.12.2015"]
    assert [r["kind"] for r in result.metadata["header_rows"]] == ["period_label", "period"]


@needs_reference
def test_a_real_ffcsv_file_is_refused_with_a_hint() -> None:
    path = REFERENCE_DIR / "genesis_ffcsv" / "12411-01-01-4_de_flat.csv"
    with pytest.raises(InputError, match=r"line 1: expected a GENESIS table export.*genesis_ffcsv"):
        genesis_classic.read(path)


def _utf8_bom() -> bytes:
    return b"\xef\xbb\xbf" + _classic(encoding="utf-8")


FFCSV = (
    "\ufeffstatistics_code;statistics_label;time_code;time_label;time;1_variable_code;"
    "1_variable_label;1_variable_attribute_code;1_variable_attribute_label;value;value_unit;"
    "value_variable_code;value_variable_label\n"
    "12411;Bevölkerung;STAG;Stichtag;2024-12-31;KREISE;Kreise;16051;Erfurt;218793;"
    "Anzahl;BEVSTD;Bevölkerungsstand\n"
).encode("utf-8")

BROKEN = {
    # id: (file content, read options, line, column, fragments of the message)
    "utf8": (
        _classic(encoding="utf-8"),
        {},
        2,
        None,
        ["expected cp1252 text, found UTF-8", "'ö'", "'Ã¶'"],
    ),
    "utf8_bom": (_utf8_bom(), {}, 1, None, ["expected cp1252 text, found UTF-8"]),
    "truncated": (
        _classic([*ROWS[:3], ROWS[3][:20]], footer=[]),
        {},
        12,
        None,
        ["the file ends without the footer (__________): truncated?"],
    ),
    "ragged": (
        _with_gera("200;90;110;7"),
        {},
        11,
        None,
        ["expected 5 fields separated by ';'", "found 6 fields", "Gera"],
    ),
    "non_numeric": (
        _with_gera("200;9O;110"),
        {},
        11,
        "4 (männlich)",
        ["expected a number with decimal comma", "found '9O'"],
    ),
    "thousands_point": (
        _with_gera("2.000;90;110"),
        {},
        11,
        "3 (Insgesamt)",
        ["expected a number with decimal comma (decimal=de)", "found '2.000'"],
    ),
    "unknown_sign": (
        _with_gera("200;90;*"),
        {},
        11,
        "5 (weiblich)",
        ["expected a number or a special sign (- . / x ...)", "unknown special sign '*'"],
    ),
    "empty_cell": (_with_gera("200;;110"), {}, 11, "4 (männlich)", ["found an empty value"]),
    "bad_region_key": (
        _classic([ROWS[0], "1605l;Erfurt;300;140;160"]),
        {},
        10,
        "1 (region key)",
        ["expected a region key", "found '1605l'"],
    ),
    "ffcsv": (
        FFCSV,
        {},
        1,
        None,
        ["expected a GENESIS table export", "ffcsv", "read it with the reader genesis_ffcsv"],
    ),
    "other_csv": (
        b"Kreis;Einwohner\nErfurt;213000\n",
        {},
        1,
        None,
        ["expected a GENESIS table export", "found first line 'Kreis;Einwohner'"],
    ),
    "empty": (b"", {}, None, None, ["expected a table", "found an empty file"]),
    "no_data_rows": (
        _classic([]),
        {},
        9,
        None,
        ["expected at least one data row", "found the footer (__________)"],
    ),
    "two_measures_one_code": (
        _classic(
            ["31.12.2015;16051;Erfurt;269,91;210118"],
            title=[
                "GENESIS-Tabelle: 99999-01-01-4",
                "Test;;;;",
                ";;;Gebietsfläche;Bevölkerung",
                ";;;qkm;Anzahl",
            ],
        ),
        {"measure_code": "FL"},
        3,
        None,
        ["expected one measure (reader option measure_code='FL')", "'Bevölkerung'"],
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_file_names_file_line_column_expected_found(tmp_path: Path, case: str) -> None:
    content, options, line, column, fragments = BROKEN[case]
    path = _write(tmp_path, content, f"12411-01-01-4_{case}.csv")
    with pytest.raises(InputError) as raised:
        genesis_classic.read(path, **options)
    message = str(raised.value)
    place = (
        path.name + (f", line {line}" if line else "") + (f", column '{column}'" if column else "")
    )
    assert message.startswith(f"{place}: expected "), message
    for fragment in fragments:
        assert fragment in message, message
    assert raised.value.problems[0].line == line


def test_every_bad_cell_is_counted(tmp_path: Path) -> None:
    path = _write(tmp_path, _classic([ROWS[0], "16051;Erfurt;3OO;*;160", "16052;Gera;*;*;1"]))
    with pytest.raises(InputError) as raised:
        genesis_classic.read(path)
    problems = raised.value.problems
    assert [(p.line, p.column, p.more) for p in problems] == [
        (10, "3 (Insgesamt)", 0),  # '3OO', the only non-number
        (10, "4 (männlich)", 2),  # '*', and two more like it on line 11
    ]


# --- current exports of regionalstatistik.de -----------------------------------------------

RECENT_DIR = REFERENCE_DIR / "genesis_classic_recent"
needs_recent = pytest.mark.skipif(
    not RECENT_DIR.is_dir(), reason=f"tests/fixtures/real is absent: {RECENT_DIR} not found"
)
# Leading columns of the data rows and where the measures stand, read by eye from each file:
# (period column?, row-label columns, line of the measure labels or None (title), unit line)
RECENT = {
    "13211-02-05-4.csv": (True, 0, 7, 9),
    "82411-01-03-4.csv": (True, 0, 6, 7),
    "21111-01-03-4.csv": (True, 1, 6, 9),
    "13111-07-05-4.csv": (False, 1, None, None),
}


@functools.cache
def _recent(name: str) -> ReadResult:
    return genesis_classic.read(RECENT_DIR / name)


@functools.cache
def _recent_rows(name: str) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """(line number, fields) of every line before the footer, by the csv module."""
    text = (RECENT_DIR / name).read_bytes().decode("cp1252")
    rows = []
    for number, fields in enumerate(csv.reader(io.StringIO(text), delimiter=";"), start=1):
        if fields and fields[0].startswith("__________"):
            break
        rows.append((number, tuple(fields)))
    return tuple(rows)


def _recent_data(name: str) -> list[tuple[int, str | None, str, str, tuple[str, ...], tuple]]:
    """(line, period, key, name, row labels, value tokens) of every data line."""
    period_column, labels, _m, _u = RECENT[name]
    out = []
    for number, fields in _recent_rows(name):
        at = 1 if period_column else 0
        if len(fields) > at + 2 and re.fullmatch(r"DG|\d{2,8}", fields[at]):
            period = fields[0] if period_column else None
            stub = at + 2 + labels
            row = (number, period, fields[at], fields[at + 1].strip())
            out.append((*row, fields[at + 2 : stub], fields[stub:]))
    return out


def _header_cells(name: str, line: int) -> list[str]:
    period_column, labels, _m, _u = RECENT[name]
    fields = dict(_recent_rows(name))[line]
    return [c.strip() for c in fields[(1 if period_column else 0) + 2 + labels :]]


def _cell(result: ReadResult, **where: object) -> pd.Series:
    frame = result.frame
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= (frame[column] == value) if value != "" else frame[column].fillna("").eq("")
    (row,) = frame[mask].to_dict("records")
    return pd.Series(row)


@needs_recent
@pytest.mark.parametrize("name", list(RECENT))
def test_recent_export_parses_cell_by_cell(name: str) -> None:
    """Every value cell arrives once, in file order, with its line, key, name, row labels and
    value (Tsd. EUR multiplied out) or special sign."""
    _period_column, _labels, _measure_line, unit_line = RECENT[name]
    frame = _recent(name).frame
    assert list(frame.columns) == CANONICAL_COLUMNS
    units = _header_cells(name, unit_line) if unit_line else []
    cells = [
        (number, key, region, labels, token, units[k] if units else "Anzahl")
        for number, _period, key, region, labels, tokens in _recent_data(name)
        for k, token in enumerate(tokens)
    ]
    assert len(frame) == len(cells) > 1000
    for (number, key, region, labels, token, unit), got in zip(
        cells, frame.to_dict("records"), strict=True
    ):
        assert (got["_source_line"], got["region_key"], got["region_name"]) == (
            number,
            key,
            region,
        )
        assert got["unit"] == unit
        if labels:
            assert got["var1_attr_label"] == labels[0]
        if token in SIGNS:
            assert got["value_status"] == token
            assert pd.isna(got["value"])
        else:
            assert pd.isna(got["value_status"])
            factor = 1000 if unit == "Tsd. EUR" else 1
            assert got["value"] == pytest.approx(float(_number(token)) * factor)


@needs_recent
@pytest.mark.parametrize("name", list(RECENT))
def test_recent_export_metadata(name: str) -> None:
    """Table code from the first line (`Tabelle:` or `GENESIS-Tabelle:`), labels as in the file,
    codes from labels flagged for the contract."""
    first = _recent_rows(name)[0][1][0]
    meta = _recent(name).metadata
    assert meta["table_code"] == name.removesuffix(".csv")
    assert first in (f"Tabelle: {meta['table_code']}", f"GENESIS-Tabelle: {meta['table_code']}")
    assert meta["codes_from_labels"] is True
    assert meta["stand"] is not None and meta["stand"].year >= 2021
    assert meta["copyright"].startswith("© Statistische Ämter des Bundes und der Länder")
    frame = _recent(name).frame
    assert set(frame["region_variable"]) == {"KREISE"}
    assert set(frame["statistics_code"]) == {name.split("-")[0]}
    _p, _l, measure_line, _u = RECENT[name]
    if measure_line:  # each value column its own measure label, as in the file
        labels = _header_cells(name, measure_line)
        first_line = _recent_data(name)[0][0]
        got = frame.loc[frame["_source_line"] == first_line, "measure_label"].tolist()
        assert got == labels
        assert set(frame["measure_code"]) == {genesis_classic.slug(x).upper() for x in labels}


@needs_recent
def test_unemployment_2023_facts() -> None:
    """README: Thüringen 64,978 unemployed, rate 5.9; Erfurt 6,964; Gera rate 9.1."""
    result = _recent("13211-02-05-4.csv")
    count, rate = "Arbeitslose", "Arbeitslosenquote bez. auf alle zivile Erwerbsp."
    thuringia = _cell(result, region_key="16", measure_label=count, var1_attr_code="")
    assert thuringia["value"] == 64_978
    assert (thuringia["unit"], thuringia["time"], thuringia["period_year"]) == (
        "Anzahl",
        "2023",
        2023,
    )
    assert _cell(result, region_key="16", measure_label=rate, var1_attr_code="")["value"] == 5.9
    assert _cell(result, region_key="16051", measure_label=count, var1_attr_code="")["value"] == (
        6_964
    )
    gera = _cell(result, region_key="16052", measure_label=rate, var1_attr_code="")
    assert (gera["value"], gera["unit"]) == (9.1, "Prozent")
    # the middle header row is one unlabelled variable; its empty cells are the total
    foreigners = _cell(result, region_key="16", measure_label=count, var1_attr_code="auslaendisch")
    assert (foreigners["var1_code"], foreigners["var1_attr_label"]) == ("MERKMAL", "ausländisch")
    assert foreigners["value"] == float(_plain_recent("13211-02-05-4.csv", "16")[1])
    assert result.frame["var2_code"].isna().all()


def _plain_recent(name: str, key: str) -> tuple[str, ...]:
    (tokens,) = [t for _n, _p, k, _r, _l, t in _recent_data(name) if k == key]
    return tokens


@needs_recent
def test_income_2021_facts() -> None:
    """README: Thüringen 46,102,855 Tsd. EUR = 46,102,855,000 EUR; 21,803 and Erfurt 21,236 EUR
    per inhabitant."""
    result = _recent("82411-01-03-4.csv")
    total = "verfügbares Einkommen der privaten Haushalte"
    per_head = "verfüg. Einkommen der priv. Haushalte je Einwohner"
    row = _cell(result, region_key="16", measure_label=total)
    assert (row["value"], row["unit"]) == (46_102_855_000, "Tsd. EUR")
    assert _plain_recent("82411-01-03-4.csv", "16")[0] == "46102855"
    assert _cell(result, region_key="16", measure_label=per_head)["value"] == 21_803
    erfurt = _cell(result, region_key="16051", measure_label=per_head)
    assert (erfurt["value"], erfurt["unit"]) == (21_236, "EUR")
    assert result.frame["var1_code"].isna().all()


@needs_recent
def test_schools_2023_facts() -> None:
    """README: Thüringen Grundschulen 421 schools, 70,553 pupils; the school type column is a
    row variable, the per-column labels (Geschlecht, Nationalität, …) name the attributes."""
    result = _recent("21111-01-03-4.csv")
    frame = result.frame
    primary = frame[(frame["region_key"] == "16") & (frame["var1_attr_label"] == "Grundschulen")]
    assert set(primary["var1_code"]) == {"MERKMAL"}
    assert set(primary["var1_attr_code"]) == {"grundschulen"}
    schools = primary[primary["measure_label"] == "Allgemeinbildende Schulen"]
    assert schools["value"].tolist() == [421]
    assert schools["var2_code"].isna().all()
    pupils = primary[primary["measure_label"].str.startswith("Schülerinnen und Schüler")]
    total = pupils[(pupils["var2_code"] == "GESCHLECHT") & (pupils["var2_attr_code"] == "")]
    assert total["value"].tolist() == [70_553]
    tokens = _plain_recent_labelled("21111-01-03-4.csv", "16", "Grundschulen")
    assert [float(t) for t in tokens[:2]] == [421, 70_553]
    assert pupils["var2_code"].tolist() == [
        "GESCHLECHT",
        "GESCHLECHT",
        "NATIONALITAET",
        "KLASSENSTUFE_JAHRGANGSSTUFE_SCHULBESUCHSJAHR",
        "KLASSENSTUFE_JAHRGANGSSTUFE_SCHULBESUCHSJAHR",
    ]
    assert pupils["var2_attr_label"].tolist()[1:] == _header_cells("21111-01-03-4.csv", 8)[2:]
    assert set(frame["time_code"]) == {"SJAHR"} and set(frame["time"]) == {"2023"}
    every_total = frame[frame["var1_attr_label"] == "Insgesamt"]
    assert set(every_total["var1_attr_code"]) == {""}


def _plain_recent_labelled(name: str, key: str, label: str) -> tuple[str, ...]:
    (tokens,) = [t for _n, _p, k, _r, lab, t in _recent_data(name) if k == key and lab == (label,)]
    return tokens


@needs_recent
def test_employees_2020_facts() -> None:
    """README: Deutschland, Land- und Forstwirtschaft (A): 253,548. Reference date only in the
    title block (`Stichtag: 30.06.2020`), rows key; name; branch."""
    result = _recent("13111-07-05-4.csv")
    branch = "Land- und Forstwirtschaft, Fischerei (A)"
    row = _cell(
        result, region_key="DG", var1_attr_label=branch, var2_attr_code="", var3_attr_code=""
    )
    assert row["value"] == 253_548
    assert (row["var1_code"], row["var2_code"], row["var3_code"]) == (
        "MERKMAL",
        "NATIONALITAET",
        "GESCHLECHT",
    )
    assert (row["time_code"], row["time"], row["period_year"]) == ("STAG", "30.06.2020", 2020)
    assert row["measure_label"] == "Sozialversicherungspfl. Beschäftigte (Arbeitsort)"
    assert row["unit"] == "Anzahl"
    assert _plain_recent_labelled("13111-07-05-4.csv", "DG", branch)[0] == "253548"
    women = _cell(
        result,
        region_key="16",
        var1_attr_code="",
        var2_attr_label="Ausländer(innen)",
        var3_attr_code="weiblich",
    )
    assert women["value"] == float(
        _plain_recent_labelled("13111-07-05-4.csv", "16", "Insgesamt")[5]
    )
    assert _recent("13111-07-05-4.csv").metadata["periods"] == ["30.06.2020"]


# --- layouts written here --------------------------------------------------------------------

FOOT = ["__________", "Stand: 09.07.2026 / 11:01:42"]


def _cp1252(tmp_path: Path, lines: list[str], name: str = "table.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join([*lines, *FOOT]) + "\n").encode("cp1252"))
    return path


def test_measure_row_over_attributes_over_units(tmp_path: Path) -> None:
    """A newer layout of 12411-01-01-4: one measure over the attribute row over the units."""
    path = _cp1252(
        tmp_path,
        [
            "Tabelle: 12411-01-01-4",
            "Bevölkerung nach Geschlecht - Stichtag 31.12. -;;;;;",
            "regionale Tiefe: Kreise und krfr. Städte;;;;;",
            "Fortschreibung des Bevölkerungsstandes;;;;;",
            ";;;Bevölkerungsstand;Bevölkerungsstand;Bevölkerungsstand",
            ";;;Insgesamt;männlich;weiblich",
            ";;;Anzahl;Anzahl;Anzahl",
            "31.12.2022;16;  Thüringen;2000;990;1010",
            "31.12.2023;16;  Thüringen;1990;985;1005",
        ],
    )
    result = genesis_classic.read(path)
    frame = result.frame
    assert frame["value"].tolist() == [2000, 990, 1010, 1990, 985, 1005]
    assert frame["period_year"].tolist() == [2022] * 3 + [2023] * 3
    assert frame["var1_attr_code"].fillna("").tolist() == ["", "maennlich", "weiblich"] * 2
    assert set(frame["measure_label"]) == {"Bevölkerungsstand"}
    assert [r["kind"] for r in result.metadata["header_rows"]] == [
        "measure",
        "attributes",
        "unit",
    ]


def test_header_names_the_row_label_column(tmp_path: Path) -> None:
    path = _cp1252(
        tmp_path,
        [
            "Tabelle: 21111-01-03-4",
            "Schulen nach Schularten;;;;",
            "Statistik der allgemeinbildenden Schulen;;;;",
            ";;;Schulart;Schulen;Schüler",
            ";;;;Anzahl;Anzahl",
            "2023;16;  Thüringen;Grundschulen;421;70553",
            "2023;16;  Thüringen;Insgesamt;x;208808",
        ],
    )
    frame = genesis_classic.read(path).frame
    assert set(frame["var1_code"]) == {"SCHULART"}
    assert frame["var1_attr_code"].tolist() == ["grundschulen", "grundschulen", "", ""]
    assert frame["var1_attr_label"].tolist() == ["Grundschulen"] * 2 + ["Insgesamt"] * 2
    assert frame["value_status"].tolist()[2] == "x"
    assert frame["measure_label"].tolist()[:2] == ["Schulen", "Schüler"]


def test_reference_date_in_title_and_two_row_labels(tmp_path: Path) -> None:
    path = _cp1252(
        tmp_path,
        [
            "GENESIS-Tabelle: 13111-07-05-4",
            "Beschäftigte nach Wirtschaftszweigen;;;;",
            "Sozialversicherungspflichtig Beschäftigte;;;;",
            "Sozialversicherungspfl. Beschäftigte (Arbeitsort) (Anzahl);;;;",
            "Stichtag: 30.06.2020;;;;",
            ";;;;Insgesamt;weiblich",
            "16;  Thüringen;Industrie (C);ausländisch;100;40",
            "16;  Thüringen;Insgesamt;Insgesamt;900;450",
        ],
    )
    frame = genesis_classic.read(path).frame
    assert frame["time"].unique().tolist() == ["30.06.2020"]
    assert frame[["var1_code", "var2_code", "var3_code"]].drop_duplicates().values.tolist() == [
        ["MERKMAL", "MERKMAL2", "MERKMAL3"]
    ]
    assert frame["var1_attr_code"].tolist() == ["industrie_c", "industrie_c", "", ""]
    assert frame["var2_attr_code"].tolist() == ["auslaendisch", "auslaendisch", "", ""]
    assert frame["var3_attr_code"].tolist() == ["", "weiblich", "", "weiblich"]
    assert frame["value"].tolist() == [100, 40, 900, 450]


def test_more_than_three_variables_are_refused(tmp_path: Path) -> None:
    path = _cp1252(
        tmp_path,
        [
            "Tabelle: 13111-07-05-4",
            "Beschäftigte;;;;;;;",
            "Sozialversicherungspfl. Beschäftigte (Anzahl);;;;;;;",
            "Stichtag: 30.06.2020;;;;;;;",
            ";;;;Deutsche;Deutsche;Ausländer;Ausländer",
            ";;;;Insgesamt;weiblich;Insgesamt;weiblich",
            "16;  Thüringen;Industrie (C);Vollzeit;100;40;10;4",
        ],
    )
    with pytest.raises(InputError) as raised:
        genesis_classic.read(path)
    message = str(raised.value)
    assert message.startswith("table.csv, line 5: expected at most 3 variables"), message
    assert "2 row-label column(s) (MERKMAL, MERKMAL2) and 2 attribute row(s)" in message


def test_bare_tabelle_line_needs_a_table_code(tmp_path: Path) -> None:
    """`Tabelle: <code>` marks a classic export only with a GENESIS table code after it."""
    path = _cp1252(tmp_path, ["Tabelle: Einwohner nach Stadtteilen;;", "Altstadt;1;2"])
    with pytest.raises(InputError, match=r"line 1: expected a GENESIS table export.*"):
        genesis_classic.read(path)


@needs_recent
def test_recent_export_saved_as_utf8_is_named(tmp_path: Path) -> None:
    text = (RECENT_DIR / "13211-02-05-4.csv").read_bytes().decode("cp1252")
    path = tmp_path / "13211-02-05-4.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"expected cp1252 text, found UTF-8: 'ä'"):
        genesis_classic.read(path)
    assert genesis_classic.read(path, encoding="utf-8").frame["value"].notna().sum() > 1000


@needs_reference
def test_an_api_zip_is_named_for_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "12411-01-01-4.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(
            REFERENCE_DIR / "genesis_ffcsv" / "12411-01-01-4_de_flat.csv",
            "12411-01-01-4_1731234567890_de_flat.csv",
        )
    with pytest.raises(InputError) as raised:
        genesis_classic.read(path)
    message = str(raised.value)
    assert "found a ZIP from the GENESIS API holding the flat-file CSV" in message
    assert message.endswith("read it with the reader genesis_ffcsv")
