"""Format detection on every real file and on files of the formats nobody here reads.

Detection must go by content, never by name, and say in one sentence what a file is. Expected
codes come from a plain csv scan of the same files in this module, never from the readers.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from pipelines.readers.detect import FileKind, detect

REAL = Path(__file__).resolve().parent / "fixtures" / "real"
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
needs_reference = pytest.mark.skipif(
    not REAL.is_dir(), reason=f"tests/fixtures/real is absent: {REAL} not found"
)
FFCSV_FILES = sorted(p.name for p in (REAL / "genesis_ffcsv").glob("*_flat.csv")) or ["<absent>"]
# Classic exports: (directory, where the measure labels stand: ("title", line) or
# ("header", line, leading columns), where the periods stand: ("column",) or ("line", n)),
# read by eye from each file.
CLASSIC = {
    "12411-01-01-4.csv": ("genesis_classic", ("title", 6), ("line", 7)),
    "11111-01-01-4.csv": ("genesis_classic", ("header", 5, 3), ("column",)),
    "21111-02-06-4.csv": ("genesis_classic", ("title", 6), ("column",)),
    "13211-02-05-4.csv": ("genesis_classic_recent", ("header", 7, 3), ("column",)),
    "82411-01-03-4.csv": ("genesis_classic_recent", ("header", 6, 3), ("column",)),
    "21111-01-03-4.csv": ("genesis_classic_recent", ("header", 6, 4), ("column",)),
    "13111-07-05-4.csv": ("genesis_classic_recent", ("title", 6), ("line", 7)),
}
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def _ffcsv_scan(path: Path) -> dict[str, set[str]]:
    """Statistic, measure and variable codes and years of a flat file, by the csv module."""
    out: dict[str, set[str]] = {"statistics": set(), "measures": set(), "variables": set()}
    out["years"] = set()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";", quoting=csv.QUOTE_NONE):
            out["statistics"].add(row["statistics_code"])
            out["measures"].add(row["value_variable_code"])
            out["years"].add(row["time"][:4])
            out["variables"].update(
                v for k, v in row.items() if re.fullmatch(r"\d+_variable_code", k)
            )
    return out


def _classic_lines(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("cp1252")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def _classic_scan(name: str) -> tuple[str, set[str], set[str]]:
    """First line, measure labels and years of a classic export, by the csv module."""
    directory, measures, periods = CLASSIC[name]
    rows = _classic_lines(REAL / directory / name)
    if measures[0] == "title":
        text = rows[measures[1] - 1][0].strip()
        labels = {text.rsplit(" (", 1)[0]}
    else:
        labels = {c.strip() for c in rows[measures[1] - 1][measures[2] :]}
    if periods[0] == "column":
        data = [r for r in rows if len(r) > 2 and re.fullmatch(r"DG|\d{2,8}", r[1])]
        years = {YEAR.search(r[0]).group(1) for r in data}  # type: ignore[union-attr]
    else:
        years = set(YEAR.findall(";".join(rows[periods[1] - 1])))
    return rows[0][0], labels, years


# --- real files ------------------------------------------------------------------------------


@needs_reference
@pytest.mark.parametrize("name", FFCSV_FILES)
def test_every_real_ffcsv(name: str) -> None:
    path = REAL / "genesis_ffcsv" / name
    kind = detect(path)
    scan = _ffcsv_scan(path)
    assert kind.format == "genesis_ffcsv"
    assert kind.table_code is None  # a flat file does not name its table
    (statistic,) = scan["statistics"]
    assert kind.statistics_code == statistic
    assert kind.measure_codes == frozenset(scan["measures"])
    assert kind.variable_codes == frozenset(scan["variables"])
    assert kind.periods == tuple(sorted(scan["years"]))
    assert kind.description.startswith("a GENESIS flat-file CSV (ffcsv) of statistic")
    assert statistic in kind.description


@needs_reference
@pytest.mark.parametrize("name", list(CLASSIC))
def test_every_real_classic_export(name: str) -> None:
    path = REAL / CLASSIC[name][0] / name
    first, labels, years = _classic_scan(name)
    kind = detect(path)
    assert kind.format == "genesis_classic"
    assert first in (f"GENESIS-Tabelle: {kind.table_code}", f"Tabelle: {kind.table_code}")
    assert kind.table_code == name.removesuffix(".csv")
    assert kind.statistics_code == name.split("-")[0]
    assert kind.measure_codes == frozenset(labels)  # labels, not codes
    assert kind.periods == tuple(sorted(years))
    assert kind.description.startswith(f"a classic GENESIS table export (first line {first!r})")


@needs_reference
def test_content_decides_not_the_name(tmp_path: Path) -> None:
    classic = tmp_path / "12411-01-01-4_de_flat.csv"
    shutil.copyfile(REAL / "genesis_classic_recent" / "13211-02-05-4.csv", classic)
    flat = tmp_path / "download.csv"
    shutil.copyfile(REAL / "genesis_ffcsv" / "12411-01-01-4_en_flat.csv", flat)
    assert detect(classic).format == "genesis_classic"
    assert detect(classic).table_code == "13211-02-05-4"
    assert detect(flat).format == "genesis_ffcsv"
    assert detect(flat).statistics_code == "12411"


@needs_reference
def test_classic_export_in_utf8(tmp_path: Path) -> None:
    path = tmp_path / "13211.csv"
    text = (REAL / "genesis_classic_recent" / "13211-02-05-4.csv").read_bytes().decode("cp1252")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    kind = detect(path)
    assert (kind.format, kind.table_code) == ("genesis_classic", "13211-02-05-4")
    assert "Arbeitslose" in kind.measure_codes


@needs_reference
@pytest.mark.parametrize(
    "name", ["12411-01-01-4_de_flat.csv", "AI-N-01-2-5_de_flat.csv", "12211-Z-11_de_flat.csv"]
)
def test_api_zip(tmp_path: Path, name: str) -> None:
    """The API's ZIP: its member is detected; the table code comes from the member's name."""
    table = name.removesuffix("_de_flat.csv")
    member = f"{table}_1731234567890_de_flat.csv"
    path = tmp_path / "response.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(REAL / "genesis_ffcsv" / name, member)
    kind = detect(path)
    scan = _ffcsv_scan(REAL / "genesis_ffcsv" / name)
    assert kind.format == "genesis_zip"
    assert kind.table_code == table
    assert {kind.statistics_code} == scan["statistics"]
    assert kind.measure_codes == frozenset(scan["measures"])
    assert kind.variable_codes == frozenset(scan["variables"])
    assert kind.periods == tuple(sorted(scan["years"]))
    assert kind.description.startswith("a ZIP from the GENESIS API holding the flat-file CSV")
    assert member in kind.description


@needs_reference
@pytest.mark.parametrize(
    "name",
    ["bbsr/ref-kreise-umrech-2020-1990-2019.xlsx", "gemeindeverzeichnis/AuszugGV2QAktuell.xlsx"],
)
def test_other_workbooks_are_no_ba_tables(name: str) -> None:
    kind = detect(REAL / name)
    assert kind.format == "unknown"
    assert kind.description.startswith("an Excel workbook")


# --- sample files -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ba_arbeitslose_kreise_2024.xlsx", "ba_sgb2_kreise_2024.xlsx"])
def test_ba_workbook(name: str) -> None:
    kind = detect(SAMPLE / name)
    assert kind.format == "ba_xlsx"
    assert kind.periods == ("2024",)
    assert "Statistik der Bundesagentur für Arbeit" in kind.description


@pytest.mark.parametrize(
    ("name", "periods"),
    [("erfurt_stadtteile_2024.csv", ("2024",)), ("jena_planungsraeume_2024.csv", None)],
)
def test_city_office_tables(name: str, periods: tuple[str, ...] | None) -> None:
    kind = detect(SAMPLE / name)
    assert kind.format == "municipal_csv"
    if periods is None:  # Jena: a `Jahr` column
        with (SAMPLE / name).open(encoding="utf-8") as handle:
            periods = tuple(sorted({row["Jahr"] for row in csv.DictReader(handle)}))
    assert kind.periods == periods
    assert kind.description.startswith("a city statistics office table")


# --- formats nobody here reads ----------------------------------------------------------------

# A GENESIS cube ("Datenquader"), as the API's data/cubefile gives it: header lines K;<block>;…
# each followed by its D;… lines (structure of real cube files; numbers made up).
CUBE = """K;DQ;FACH-SCHL;GHH-ART;GHM-WERTE-JN;GENESIS-VBD;REGIOSTAT;EU-VBD;"mit Werten"
D;13211KJ001;;N;N;N;N
K;DQ-ERH;FACH-SCHL
D;13211
K;DQA;NAME;RHF-BSR;RHF-ACHSE
D;KREISE;1;1
D;ALTX20;2;2
K;DQZ;NAME;ZI-RHF-BSR;ZI-RHF-ACHSE
D;JAHR;3;3
K;DQI;NAME;ME-NAME;DST;TYP;NKM-STELLEN;GHH-ART;GHM-WERTE-JN
D;ERW003;Anzahl;FEST;GANZ;0;;N
D;ERWQ01;Prozent;FEST;DEZ;1;;N
K;QEI;FACH-SCHL;FACH-SCHL;ZI-WERT;ERW003;QUALITAET;GESPERRT;WERT-VERFAELSCHT;ERWQ01;QUALITAET;GESPERRT;WERT-VERFAELSCHT
D;16051;;2022;6875;e;;0;6,4;e;;0
D;16051;;2023;6964;e;;0;6,1;e;;0
D;16052;;2023;4127;e;;0;9,1;e;;0
"""


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_cube_is_named(tmp_path: Path) -> None:
    kind = detect(_write(tmp_path, "13211-02-05-4_de_flat.csv", CUBE.encode("utf-8")))
    assert kind.format == "unknown"
    assert kind.description.startswith("a GENESIS cube file ('Datenquader'")
    assert "cube 13211KJ001 of statistic 13211" in kind.description
    assert "does not read" in kind.description
    assert kind.statistics_code == "13211"
    assert kind.measure_codes == {"ERW003", "ERWQ01"}
    assert kind.variable_codes == {"KREISE", "ALTX20"}
    assert kind.periods == ("2022", "2023")


def test_cube_in_cp1252_with_crlf(tmp_path: Path) -> None:
    content = CUBE.replace("\n", "\r\n").encode("cp1252")
    assert detect(_write(tmp_path, "cube.txt", content)).description.startswith(
        "a GENESIS cube file"
    )


def test_semicolon_text_starting_with_k_is_no_cube(tmp_path: Path) -> None:
    content = b"K;Kreis;Einwohner\nD;Erfurt;213000\nx;y;z\n"
    assert not detect(_write(tmp_path, "k.csv", content)).description.startswith("a GENESIS cube")


def _genesis_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet["A1"] = "GENESIS-Tabelle: 12411-01-01-4"
    sheet["A2"] = "Bevölkerung nach Geschlecht - Stichtag 31.12. -"
    sheet["A4"] = "© Statistische Ämter des Bundes und der Länder, Deutschland, 2025"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _other_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "x")
        archive.writestr("b.txt", "y")
    return buffer.getvalue()


OTHERS = {
    # name: (content, start of the description)
    "empty.csv": (b"", "an empty file"),
    "blank.csv": (b"\n \r\n", "an empty file"),
    "error.csv": (
        b"<!DOCTYPE html>\n<html><body>Sitzung abgelaufen</body></html>",
        "an HTML/XML page",
    ),
    "table.pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "a PDF document"),
    "genesis.xlsx": (_genesis_xlsx(), "a GENESIS table 12411-01-01-4 saved as an Excel workbook"),
    "two.zip": (_other_zip(), "a ZIP archive that is no GENESIS API download"),
    "old.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "an Excel 97-2003 workbook"),
    "other.csv": (b"Kreis;Einwohner\nErfurt;213000\n", "a text file that is no GENESIS table"),
}


@pytest.mark.parametrize("name", OTHERS)
def test_formats_nobody_reads_are_named(tmp_path: Path, name: str) -> None:
    content, start = OTHERS[name]
    kind = detect(_write(tmp_path, name, content))
    assert kind.format == "unknown"
    assert kind.description.startswith(start), kind.description
    assert not kind.description.endswith(".")  # embedded in messages as "…: <reason>"


def test_genesis_workbook_keeps_its_table_code(tmp_path: Path) -> None:
    kind = detect(_write(tmp_path, "t.xlsx", _genesis_xlsx()))
    assert (kind.table_code, kind.statistics_code) == ("12411-01-01-4", "12411")


def test_missing_file(tmp_path: Path) -> None:
    kind = detect(tmp_path / "nothing.csv")
    assert kind == FileKind("unknown", None, None, frozenset(), frozenset(), (), kind.description)
    assert "no file" in kind.description
