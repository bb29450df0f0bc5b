"""The GENESIS ffcsv reader on real reference files and on small broken files.

Expected values come from plain `csv` parsing of the same files or from the facts in
`tests/fixtures/real/README.md`, never from the reader itself.
"""

from __future__ import annotations

import csv
import functools
import io
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from pipelines.readers import genesis_ffcsv
from pipelines.readers.errors import InputError
from pipelines.readers.table import CANONICAL_COLUMNS, ReadResult

REFERENCE_DIR = Path(__file__).resolve().parent / "fixtures" / "real"
FFCSV_DIR = REFERENCE_DIR / "genesis_ffcsv"
needs_reference = pytest.mark.skipif(
    not FFCSV_DIR.is_dir(),
    reason=f"tests/fixtures/real is absent: {FFCSV_DIR} not found "
    "(it sits beside the project checkout on developer machines and in CI)",
)
REFERENCE_FILES = sorted(p.name for p in FFCSV_DIR.glob("*_flat.csv")) or ["<absent>"]
SIGNS = {"-", ".", "/", "x", "..."}  # README "Zeichenerklärung"
FACTORS = {"1000": 1000, "Tsd. EUR": 1000}  # units of the reference files given in multiples


@functools.cache
def _read(name: str) -> ReadResult:
    return genesis_ffcsv.read(FFCSV_DIR / name)


@functools.cache
def _csv_rows(name: str) -> tuple[dict[str, str], ...]:
    """Data rows by plain csv; row i sits on file line i + 2 (ffcsv has no blank lines)."""
    with (FFCSV_DIR / name).open(encoding="utf-8-sig", newline="") as f:
        return tuple(csv.DictReader(f, delimiter=";", quoting=csv.QUOTE_NONE))


def _number(raw: str) -> Decimal:
    return Decimal(raw.replace(",", "."))


def _thuringian_kreise(result: ReadResult):
    f = result.frame
    return f[f["region_key"].str.fullmatch(r"160[5-7]\d") & (f["var1_attr_code"] == "")]


# --- reference files -------------------------------------------------------------------


@needs_reference
@pytest.mark.parametrize("name", REFERENCE_FILES)
def test_reference_file_parses_row_by_row(name: str) -> None:
    """Every row arrives, points at its file line, and keeps value, sign and unit."""
    result = _read(name)
    rows = _csv_rows(name)
    frame = result.frame
    assert list(frame.columns) == CANONICAL_COLUMNS
    assert len(frame) == len(rows)
    assert frame["_source_line"].tolist() == list(range(2, len(rows) + 2))
    for row, got in zip(rows, frame.itertuples(index=False), strict=True):
        attribute_codes = {v for k, v in row.items() if k.endswith("_variable_attribute_code")}
        assert got.region_key in attribute_codes
        assert (got.measure_code, got.unit, got.time) == (
            row["value_variable_code"],
            row["value_unit"],
            row["time"],
        )
        raw = row["value"]
        if raw in SIGNS:
            assert got.value_status == raw
            assert pd.isna(got.value)
        else:
            assert pd.isna(got.value_status)
            expected = float(_number(raw) * FACTORS.get(row["value_unit"], 1))
            assert got.value == pytest.approx(expected, rel=1e-12, abs=1e-12)


@needs_reference
def test_population_facts_of_thuringia() -> None:
    """12411-01-01-4: 23 Kreise, sum 2,100,277; Erfurt 218,793; Eisenach '-'."""
    kreise = _thuringian_kreise(_read("12411-01-01-4_de_flat.csv")).set_index("region_key")
    assert len(kreise) == 23
    assert kreise.index.min() == "16051" and kreise.index.max() == "16077"
    assert kreise["value"].sum() == 2_100_277
    assert kreise.loc["16051", "value"] == 218_793
    assert kreise.loc["16056", "value_status"] == "-"
    assert pd.isna(kreise.loc["16056", "value"])
    assert set(_read("12411-01-01-4_de_flat.csv").frame["region_variable"]) == {"KREISE"}


@needs_reference
def test_en_file_gives_the_same_numbers_as_de() -> None:
    def numbers(name: str) -> list[tuple[str, str, str]]:
        f = _read(name).frame
        shown = [
            s if pd.isna(v) else repr(v) for v, s in zip(f["value"], f["value_status"], strict=True)
        ]
        return sorted(zip(f["region_key"], f["var1_attr_code"], shown, strict=True))

    assert numbers("12411-01-01-4_en_flat.csv") == numbers("12411-01-01-4_de_flat.csv")


@needs_reference
def test_gemeinden_per_kreis_sum_to_605() -> None:
    kreise = _read("11111-02-01-4_de_flat.csv").frame
    kreise = kreise[kreise["region_key"].str.fullmatch(r"160[5-7]\d")]
    assert len(kreise) == 23
    assert kreise["value"].sum() == 605


@needs_reference
def test_mikrozensus_keeps_quality_codes_and_signs() -> None:
    """12211-Z-11 (quality=on): value_q goes to value_quality row by row, '/' stays a status."""
    name = "12211-Z-11_de_flat.csv"
    frame = _read(name).frame
    expected_quality = [r["value_q"] or None for r in _csv_rows(name)]
    assert [None if pd.isna(q) else q for q in frame["value_quality"]] == expected_quality
    assert {"e", "()"} <= set(frame["value_quality"].dropna())
    slash = frame["value_status"] == "/"
    assert slash.sum() == sum(r["value"] == "/" for r in _csv_rows(name)) > 0
    assert frame.loc[slash, "value"].isna().all()


@needs_reference
def test_regionalatlas_thuringian_gemeinden() -> None:
    """AI-N-01-2-5: 1,005 Thuringian Gemeinden per indicator; AI0111 624 values, 381 '-'."""
    name = "AI-N-01-2-5_de_flat.csv"
    frame = _read(name).frame
    thuringia = frame[frame["region_key"].str.fullmatch(r"16\d{6}")]
    for measure in ("AI0111", "AI0112"):
        rows = [
            r
            for r in _csv_rows(name)
            if r["value_variable_code"] == measure and r["1_variable_attribute_code"][:2] == "16"
        ]
        got = thuringia[thuringia["measure_code"] == measure]
        assert got["region_key"].nunique() == len(got) == len(rows) == 1005
        assert got["value"].notna().sum() == sum(r["value"] not in SIGNS for r in rows)
        assert (got["value_status"] == "-").sum() == sum(r["value"] == "-" for r in rows)
    ai0111 = thuringia[thuringia["measure_code"] == "AI0111"]
    assert ai0111["value"].notna().sum() == 624
    assert (ai0111["value_status"] == "-").sum() == 381


@needs_reference
def test_regionalatlas_negative_decimals() -> None:
    frame = _read("AI-N-01-2-5_de_flat.csv").frame
    row = frame[(frame["region_key"] == "12065136") & (frame["measure_code"] == "AI0112")]
    assert row["value"].tolist() == [pytest.approx(-0.3)]  # '-0,3' in the file
    negatives = [r for r in _csv_rows("AI-N-01-2-5_de_flat.csv") if r["value"].startswith("-0,")]
    assert negatives and (frame["value"] < 0).sum() >= len(negatives)


@needs_reference
def test_thousands_of_euro_become_euro() -> None:
    """73111: Erfurt's Gesamtbetrag der Einkünfte is 4420617 Tsd. EUR in the file."""
    name = "73111-01-01-4_de_flat.csv"
    (raw,) = [
        r["value"]
        for r in _csv_rows(name)
        if r["1_variable_attribute_code"] == "16051" and r["value_variable_code"] == "EKF002"
    ]
    assert raw == "4420617"
    frame = _read(name).frame
    erfurt = frame[(frame["region_key"] == "16051") & (frame["measure_code"] == "EKF002")]
    assert erfurt["value"].tolist() == [4_420_617_000.0]
    assert erfurt["unit"].tolist() == ["Tsd. EUR"]
    persons = frame[(frame["region_key"] == "16051") & (frame["measure_code"] == "LSNW01")]
    assert persons["value"].tolist() == [114_918.0]  # 'Anzahl' stays as it is


# --- broken files ------------------------------------------------------------------------

HEADER = (
    "statistics_code;statistics_label;time_code;time_label;time;1_variable_code;"
    "1_variable_label;1_variable_attribute_code;1_variable_attribute_label;"
    "value;value_unit;value_variable_code;value_variable_label"
)


def _row(key: str, name: str, value: str) -> str:
    return f"13211;Arbeitsmarkt;JAHR;Jahr;2024;KREISE;Kreise;{key};{name};{value};Anzahl;ERW003;AL"


ROWS = [
    _row("16051", "Erfurt", "6875"),
    _row("16052", "Gera", "3477"),
    _row("16053", "Jena", "2100"),
]


def _ffcsv(rows: list[str], header: str = HEADER, end: str = "\n") -> bytes:
    return ("\ufeff" + "\n".join([header, *rows]) + end).encode("utf-8")


def _with_value_on_line_4(value: str) -> bytes:
    return _ffcsv([*ROWS[:2], _row("16054", "Suhl", value), ROWS[2]])


def _zip(member: bytes, name: str = "13211-02-05-4_1700000000000_de_flat.csv") -> bytes:
    """What the GENESIS API sends: a ZIP holding the ffcsv file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, member)
    return buffer.getvalue()


def _other_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "Tabellen")
        archive.writestr("data/table.txt", "1;2")
    return buffer.getvalue()


# A GENESIS cube ("Datenquader") as the API's data/cubefile gives it: K;… header blocks,
# D;… data lines (structure as in GENESIS cube files; numbers made up).
CUBE = (
    b'K;DQ;FACH-SCHL;GHH-ART;GHM-WERTE-JN;GENESIS-VBD;REGIOSTAT;EU-VBD;"mit Werten"\n'
    b"D;12411KJ002;;N;N;N;N\n"
    b"K;DQ-ERH;FACH-SCHL\n"
    b"D;12411\n"
    b"K;DQA;NAME;RHF-BSR;RHF-ACHSE\n"
    b"D;KREISE;1;1\n"
    b"D;GES;2;2\n"
    b"K;DQZ;NAME;ZI-RHF-BSR;ZI-RHF-ACHSE\n"
    b"D;STAG;3;3\n"
    b"K;DQI;NAME;ME-NAME;DST;TYP;NKM-STELLEN;GHH-ART;GHM-WERTE-JN\n"
    b"D;BEVSTD;Anzahl;FEST;GANZ;0;;N\n"
    b"K;QEI;FACH-SCHL;FACH-SCHL;ZI-WERT;WERT;QUALITAET;GESPERRT;WERT-VERFAELSCHT\n"
    b"D;16051;GESM;31.12.2024;107000;e;;0\n"
    b"D;16051;GESW;31.12.2024;111793;e;;0\n"
)


BROKEN = {
    # id: (file content, read options, line, column, fragments of the message)
    "cp1252": (
        (
            "\n".join([HEADER, *ROWS[:2], _row("16066", "Schmalkalden, Thüringen", "5")]) + "\n"
        ).encode("cp1252"),
        {},
        4,
        None,
        ["expected text in utf-8", "byte 0xfc", "cp1252"],
    ),
    "truncated": (
        _ffcsv([*ROWS, _row("16054", "Suhl", "900")[:60]], end=""),
        {},
        5,
        "value_unit",
        ["expected 13 fields separated by ';'", "missing columns", "Suhl;9'"],
    ),
    "missing_column": (
        _ffcsv(
            [r.replace(";Anzahl;", ";") for r in ROWS], header=HEADER.replace(";value_unit", "")
        ),
        {},
        1,
        None,
        ["expected the ffcsv header columns value_unit", "found header 'statistics_code;"],
    ),
    "empty": (b"", {}, None, None, ["expected a table", "found an empty file"]),
    "zip_not_from_the_api": (
        _other_zip(),
        {},
        None,
        None,
        ["or the GENESIS API's ZIP holding one *_flat.csv", "found a ZIP archive that is no"],
    ),
    "cube": (
        CUBE,
        {},
        1,
        None,
        ["expected a GENESIS flat-file CSV (ffcsv", "found a GENESIS cube file ('Datenquader'"],
    ),
    "html": (
        b"<!DOCTYPE html>\n<html><head><title>Fehler</title></head><body>503</body></html>\n",
        {},
        1,
        None,
        ["expected a CSV table", "found an HTML/XML page"],
    ),
    "non_numeric": (
        _with_value_on_line_4("12a4"),
        {},
        4,
        "value",
        ["expected a number with decimal comma", "found '12a4'"],
    ),
    "unknown_sign_star": (
        _with_value_on_line_4("*"),
        {},
        4,
        "value",
        ["expected a number or a special sign (- . / x ...)", "unknown special sign '*'"],
    ),
    "unknown_sign_dash": (
        _with_value_on_line_4("—"),
        {},
        4,
        "value",
        ["unknown special sign '—'"],
    ),
    "decimal_point_in_de": (
        _with_value_on_line_4("12.5"),
        {"decimal": "de"},
        4,
        "value",
        ["expected a number with decimal comma (decimal=de)", "found '12.5'"],
    ),
    "header_only": (
        _ffcsv([]),
        {},
        None,
        None,
        ["expected at least one data row", "found only the header"],
    ),
}


def test_intact_synthetic_file_reads(tmp_path: Path) -> None:
    """The base of the broken files is itself fine, so each failure is due to its one change."""
    path = tmp_path / "13211-02-05-4_de_flat.csv"
    path.write_bytes(_with_value_on_line_4("12,5"))
    frame = genesis_ffcsv.read(path).frame
    assert frame["region_key"].tolist() == ["16051", "16052", "16054", "16053"]
    assert frame["value"].tolist() == [6875.0, 3477.0, 12.5, 2100.0]
    assert frame["_source_line"].tolist() == [2, 3, 4, 5]


@pytest.mark.parametrize("case", BROKEN)
def test_broken_file_names_file_line_column_expected_found(tmp_path: Path, case: str) -> None:
    content, options, line, column, fragments = BROKEN[case]
    path = tmp_path / f"13211-02-05-4_{case}_de_flat.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as raised:
        genesis_ffcsv.read(path, **options)
    message = str(raised.value)
    place = (
        path.name + (f", line {line}" if line else "") + (f", column '{column}'" if column else "")
    )
    assert message.startswith(f"{place}: expected "), message
    for fragment in fragments:
        assert fragment in message, message
    assert raised.value.problems[0].line == line


def test_every_bad_row_is_counted(tmp_path: Path) -> None:
    path = tmp_path / "two_bad_de_flat.csv"
    path.write_bytes(_ffcsv([ROWS[0], _row("16054", "Suhl", "*"), _row("16055", "Weimar", "*")]))
    with pytest.raises(InputError, match=r"line 3, column 'value'.*\(and 1 more rows like it\)"):
        genesis_ffcsv.read(path)


def test_blank_lines_do_not_shift_line_numbers(tmp_path: Path) -> None:
    """DuckDB skips empty lines; the reported lines are still those of the file."""
    sample = Path(__file__).resolve().parents[1] / "sample_data" / "SGB2-01-4_de_flat.csv"
    lines = sample.read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / "blank_flat.csv"
    text = "\n".join([*lines[:5], "", *lines[5:9], "", "", *lines[9:12]]) + "\n"
    path.write_text("\ufeff" + text, encoding="utf-8")
    frame = genesis_ffcsv.read(path).frame
    expected = [n for n, line in enumerate(text.split("\n")[1:], start=2) if line.strip()]
    assert frame["_source_line"].tolist() == expected == [2, 3, 4, 5, 7, 8, 9, 10, 13, 14, 15]
    assert frame.loc[frame["_source_line"] == 7, "region_key"].item() == lines[5].split(";")[7]


def test_a_file_read_in_parallel_keeps_every_row_on_its_line(tmp_path: Path) -> None:
    """A large file is read by several threads: every row still carries its own file line
    (here each row's value is its line number), blank lines included."""
    sample = Path(__file__).resolve().parents[1] / "sample_data" / "SGB2-01-4_de_flat.csv"
    header, template = sample.read_text(encoding="utf-8-sig").splitlines()[:2]
    fields = template.split(";")
    at = header.split(";").index("value")
    lines, blanks = [header], {100_000, 200_001, 200_002}
    while len(lines) < 330_000:
        if len(lines) + 1 in blanks:
            lines.append("")
            continue
        fields[at] = str(len(lines) + 1)  # this row's line in the file
        lines.append(";".join(fields))
    path = tmp_path / "large_de_flat.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 64 * 2**20  # more than two of DuckDB's CSV buffers
    result = genesis_ffcsv.read(path)
    rows, misplaced = result.con.execute(
        f"select count(*), count(*) filter (where _source_line <> value) from {result.table}"
    ).fetchone()
    assert (rows, misplaced) == (330_000 - 1 - len(blanks), 0)


def test_cut_row_is_one_problem(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[1] / "sample_data" / "SGB2-01-4_de_flat.csv"
    lines = sample.read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / "cut_flat.csv"
    path.write_text("\ufeff" + "\n".join([*lines[:5], lines[5][:60], *lines[6:9]]) + "\n")
    with pytest.raises(InputError) as raised:
        genesis_ffcsv.read(path)
    assert len(raised.value.problems) == 1
    assert str(raised.value).startswith("cut_flat.csv, line 6, column ")


# --- the API's ZIP ---------------------------------------------------------------------------


@needs_reference
@pytest.mark.parametrize("name", ["12411-01-01-4_de_flat.csv", "12211-Z-11_de_flat.csv"])
def test_api_zip_reads_like_its_member(tmp_path: Path, name: str) -> None:
    """The ZIP the API sends is read directly: the same frame, lines of the member."""
    member = name.replace("_de_flat", "_1731234567890_de_flat")
    path = tmp_path / "download.zip"
    path.write_bytes(_zip((FFCSV_DIR / name).read_bytes(), member))
    result = genesis_ffcsv.read(path)
    pd.testing.assert_frame_equal(result.frame, _read(name).frame)
    assert result.path == path
    assert result.metadata["zip_member"] == member
    assert result.frame["_source_line"].tolist() == list(range(2, len(_csv_rows(name)) + 2))


@needs_reference
def test_problems_in_a_zip_name_zip_and_member(tmp_path: Path) -> None:
    lines = (FFCSV_DIR / "12411-01-01-4_de_flat.csv").read_bytes().split(b"\n")
    lines[6] = lines[6].replace(b";Anzahl;", b";1OO;Anzahl;")  # one field too many
    member = "12411-01-01-4_1731234567890_de_flat.csv"
    path = tmp_path / "12411.zip"
    path.write_bytes(_zip(b"\n".join(lines), member))
    with pytest.raises(InputError) as raised:
        genesis_ffcsv.read(path)
    message = str(raised.value)
    assert message.startswith(f"12411.zip: {member}, line 7: expected 17 fields"), message
    assert raised.value.problems[0].file == f"12411.zip: {member}"


def test_synthetic_api_zip_reads(tmp_path: Path) -> None:
    path = tmp_path / "13211.zip"
    path.write_bytes(_zip(_ffcsv(ROWS)))
    frame = genesis_ffcsv.read(path).frame
    assert frame["value"].tolist() == [6875.0, 3477.0, 2100.0]
    assert frame["_source_line"].tolist() == [2, 3, 4]


# --- files of another format ------------------------------------------------------------------

CLASSIC_RECENT = REFERENCE_DIR / "genesis_classic_recent"


@needs_reference
@pytest.mark.parametrize(
    "name", sorted(p.name for p in CLASSIC_RECENT.glob("*.csv")) or ["<absent>"]
)
def test_classic_export_renamed_flat_is_named(tmp_path: Path, name: str) -> None:
    """A classic export saved as `*_flat.csv` gets a message naming the classic format, not an
    encoding complaint."""
    source = CLASSIC_RECENT / name
    first = source.read_bytes().decode("cp1252").split("\n", 1)[0].strip()
    path = tmp_path / name.replace(".csv", "_de_flat.csv")
    shutil.copyfile(source, path)
    with pytest.raises(InputError) as raised:
        genesis_ffcsv.read(path)
    message = str(raised.value)
    assert message.startswith(f"{path.name}, line 1: expected a GENESIS flat-file CSV"), message
    assert f"found a classic GENESIS table export (first line {first!r})" in message
    assert message.endswith("read it with the reader genesis_classic")
    assert "utf-8" not in message


def test_cube_renamed_flat_is_named(tmp_path: Path) -> None:
    path = tmp_path / "12411-01-01-4_de_flat.csv"
    path.write_bytes(CUBE)
    with pytest.raises(InputError) as raised:
        genesis_ffcsv.read(path)
    (problem,) = raised.value.problems
    assert problem.line == 1
    assert problem.found.startswith("a GENESIS cube file ('Datenquader'")
    assert "cube 12411KJ002 of statistic 12411" in problem.found
