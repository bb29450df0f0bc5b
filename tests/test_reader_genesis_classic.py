"""The classic GENESIS table-export reader on real reference files and on small broken files.

Expected values come from a plain split of the same files' lines (see `_plain`) or from the
facts in `tests/fixtures/real/README.md`, never from the reader itself.
"""

from __future__ import annotations

import functools
import re
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
