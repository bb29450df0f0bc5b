"""What a delivered file is, judged by its content, never by its name.

Users save downloads under any name (`download.csv`, `tabelle(3).csv`), and the same table
comes as the API's ZIP, its unzipped flat file, or a classic export from the web page. Readers
and the contract matching ask this module first, so that a file is routed to the reader its
content needs, and a file nobody reads (a GENESIS cube, a PDF, an HTML error page) is named in
one sentence instead of failing deep inside a parser.

Detection is cheap: the head of the file decides the format; only the codes (measures,
variables, years) are collected from the whole file — with DuckDB for flat files, line by line
for cubes; classic exports are small and their layout is read by `genesis_classic.describe`.

Recognised:
- `genesis_ffcsv`: a header row with `statistics_code … value_variable_label` (BOM optional,
  `de` and `en`);
- `genesis_classic`: first line `GENESIS-Tabelle: <code>` or `Tabelle: <code>` (cp1252 or UTF-8);
- `genesis_zip`: the API's ZIP holding one `*_flat.csv`;
- `ba_xlsx`: an Excel workbook of the Statistik der Bundesagentur für Arbeit;
- `municipal_csv`: a CSV table whose header names city areas (Stadtteil, Planungsraum, …);
- `unknown`, with what it is: a GENESIS cube ("Datenquader": blocks of `K;DQ;…`, `K;DQA;…`,
  `K;DQZ;…`, `K;DQI;…`, `K;QEI;…` header lines, each followed by `D;…` data lines), an Excel
  GENESIS table or other workbook, a PDF, an HTML page, an empty file, another ZIP or text.
"""

from __future__ import annotations

import codecs
import csv
import html
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HEAD_BYTES = 64 * 1024
XLSX_PART_BYTES = 2 * 1024 * 1024  # of each workbook part searched for a signature
FFCSV_COLUMNS = (
    "statistics_code",
    "statistics_label",
    "time_code",
    "time_label",
    "time",
    "value",
    "value_unit",
    "value_variable_code",
    "value_variable_label",
)
GENESIS_TABLE_CODE = r"[0-9A-Z][0-9A-Za-z]*(?:-[0-9A-Za-z]+)+"
# First line of a classic export; a bare `Tabelle:` must be followed by a GENESIS table code.
CLASSIC_FIRST_LINE = re.compile(
    r"^(?:GENESIS-Tabelle:\s*(?P<code>[^;\s](?:[^;]*[^;\s])?)"
    rf"|Tabelle:\s*(?P<code2>{GENESIS_TABLE_CODE}))[;\s]*$"
)
# Blocks of a GENESIS cube file ("Datenquader"): header lines `K;<block>;…`.
CUBE_BLOCKS = {"DQ", "DQ-ERH", "DQA", "DQZ", "DQI", "QEI", "ERH", "ME", "DQ-VAR", "DQ-ATTR"}
FLAT_MEMBER = re.compile(r"^(?P<code>[^_/\\]+)_.*flat\.csv$", re.IGNORECASE)
YEAR = re.compile(r"(?<!\d)((?:18|19|20|21)\d{2})(?!\d)")
DATE_YEAR = re.compile(r"\b\d{1,2}\.\d{1,2}\.(\d{4})\b")
AREA_WORDS = re.compile(
    r"Stadtteil|Stadtbezirk|Ortsteil|Ortschaft|Planungsraum|Sozialraum|Wohnbezirk|Bezirk|"
    r"Quartier|Gemeindeteil|Statistischer Bezirk|Wohngebiet",
    re.IGNORECASE,
)
PERIOD_COLUMN = re.compile(r"^(Jahr|Berichtsjahr|Stichtag|Zeit|Zeitraum|Periode|Datum)$", re.I)
BA_SIGNATURE = re.compile(r"Bundesagentur für Arbeit|statistik\.arbeitsagentur\.de", re.I)
BA_PERIOD = re.compile(
    r"(?:Jahresdurchschnitt|Berichtsmonat:?\s+\w+|Stichtag:?\s+\d{1,2}\.\s?\d{1,2}\.)\s*(\d{4})"
)
GENESIS_XLSX = re.compile(rf"(?:GENESIS-)?Tabelle:\s*(?P<code>{GENESIS_TABLE_CODE})")
DESTATIS_SIGNATURE = re.compile(
    r"Statistische Ämter des Bundes und der Länder|Statistisches Bundesamt|Destatis|"
    r"Regionaldatenbank"
)
LIST_MAX = 5  # codes named in a description


@dataclass(frozen=True)
class FileKind:
    """What a file is, and the codes a contract can be matched on."""

    format: str  # genesis_ffcsv | genesis_classic | genesis_zip | ba_xlsx | municipal_csv | unknown
    table_code: str | None  # classic: from the first line; zip: from the member name
    statistics_code: str | None  # ffcsv: statistics_code of the rows; classic: table code prefix
    measure_codes: frozenset[str]  # ffcsv: value_variable_code; classic: measure labels
    variable_codes: frozenset[str]  # ffcsv: every n_variable_code (region variables included)
    periods: tuple[str, ...]  # distinct years, sorted
    description: str  # one sentence a user understands: what this file is


def classic_table_code(first_line: str) -> str | None:
    """The table code a classic export names in its first line, or None."""
    m = CLASSIC_FIRST_LINE.match(first_line.lstrip("\ufeff").strip())
    return (m["code"] or m["code2"]) if m else None


def detect(path: Path) -> FileKind:
    """What `path` is, from its content."""
    return identify(path)[0]


def genesis_format(path: Path) -> str | None:
    """`detect`'s format of a GENESIS table from the first line alone (genesis_ffcsv,
    genesis_zip, genesis_classic; None: something else, `detect` says what): the ingest
    chooses its reader without scanning a large file twice."""
    path = Path(path)
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
                member = flat_member(names)
                if member is None or "[Content_Types].xml" in names:
                    return None
                with archive.open(member) as handle:
                    head = handle.read(HEAD_BYTES)
        except (zipfile.BadZipFile, OSError):
            return None
        first = (_head_text(head) or "").split("\n", 1)[0].rstrip("\r")
        return "genesis_zip" if _is_ffcsv_header(first) else None
    text = _head_text(head)
    if text is None or not head.strip():
        return None
    first = text.split("\n", 1)[0].rstrip("\r")
    if _is_ffcsv_header(first):
        return "genesis_ffcsv"
    if CLASSIC_FIRST_LINE.match(first.strip()):
        return "genesis_classic"
    return None


def identify(path: Path) -> tuple[FileKind, str]:
    """`detect`, plus a short signature readers use to word their messages: missing, empty,
    pdf, html, xls, binary, zip, xlsx, ffcsv, classic, cube, municipal or text."""
    path = Path(path)
    if not path.is_file():
        return _unknown("nothing at that path (no file)"), "missing"
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if not head.strip():
        return _unknown("an empty file (the download did not complete)"), "empty"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip(path), "zip" if not _is_xlsx(path) else "xlsx"
    if head.startswith(b"%PDF"):
        return _unknown("a PDF document (a printed table or report, not a data file)"), "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _unknown("an Excel 97-2003 workbook (.xls), not a CSV table"), "xls"
    start = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body", b"<table")):
        return _unknown(
            "an HTML/XML page (an error or login page saved instead of the table)"
        ), "html"
    text = _head_text(head)
    if text is None:
        return _unknown(f"binary data starting with {head[:8]!r}, not a table"), "binary"
    first = text.split("\n", 1)[0].rstrip("\r")
    if _is_ffcsv_header(first):
        return _ffcsv(path, first), "ffcsv"
    if CLASSIC_FIRST_LINE.match(first.strip()):
        return _classic(path, first), "classic"
    if _is_cube(text):
        return _cube(path), "cube"
    if kind := _municipal(path, text):
        return kind, "municipal"
    return _unknown(
        "a text file that is no GENESIS table, ffcsv, cube or BA workbook "
        f"(first line {first[:80]!r})"
    ), "text"


# --- helpers -------------------------------------------------------------------------------


def _unknown(description: str, **codes: object) -> FileKind:
    return FileKind(
        format="unknown",
        table_code=codes.get("table_code"),  # type: ignore[arg-type]
        statistics_code=codes.get("statistics_code"),  # type: ignore[arg-type]
        measure_codes=frozenset(codes.get("measure_codes", ())),  # type: ignore[arg-type]
        variable_codes=frozenset(codes.get("variable_codes", ())),  # type: ignore[arg-type]
        periods=tuple(codes.get("periods", ())),  # type: ignore[arg-type]
        description=description,
    )


def _head_text(head: bytes) -> str | None:
    """The head as text: UTF-16 by its BOM, UTF-8 (a character cut at the end is fine), else
    cp1252; None for binary data."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="replace").lstrip("\ufeff")
    if b"\x00" in head:
        return None
    raw = head.removeprefix(codecs.BOM_UTF8)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 3:  # a character cut by the end of the head
            return raw[: exc.start].decode("utf-8", errors="replace")
        return raw.decode("cp1252", errors="replace")


def _years(values: Iterable[object]) -> tuple[str, ...]:
    """The distinct years (first 4-digit year of each value), sorted."""
    found = set()
    for value in values:
        if value and (m := YEAR.search(str(value))):
            found.add(m.group(1))
    return tuple(sorted(found))


def _listed(codes: frozenset[str] | set[str]) -> str:
    items = sorted(codes)
    more = f" … ({len(items)})" if len(items) > LIST_MAX else ""
    return ", ".join(items[:LIST_MAX]) + more


def _short(text: str, length: int = 90) -> str:
    """`text` cut at a word boundary to about `length` characters."""
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(" -,:;") + " …"


def _span(periods: tuple[str, ...]) -> str:
    if not periods:
        return "no year found"
    return periods[0] if len(periods) == 1 else f"{periods[0]}–{periods[-1]}"


# --- ffcsv ---------------------------------------------------------------------------------


def _is_ffcsv_header(first: str) -> bool:
    columns = first.lstrip("\ufeff").split(";")
    return all(c in columns for c in FFCSV_COLUMNS)


def _ffcsv_codes(path: Path, columns: list[str]) -> dict[str, object]:
    """Statistic codes, label, measure codes, variable codes and years of a flat file."""
    groups = [c for c in columns if re.fullmatch(r"\d+_variable_code", c)]
    try:
        import duckdb

        spec = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in columns) + "}"
        selects = [
            "list(distinct statistics_code)",
            "min(statistics_label)",
            "list(distinct value_variable_code)",
            "list(distinct time)",
            *[f'list(distinct "{g}")' for g in groups],
        ]
        with duckdb.connect() as con:
            row = con.execute(
                f"select {', '.join(selects)} from read_csv(?, delim=';', header=true, "
                f"quote='', escape='', columns={spec}, auto_detect=false, ignore_errors=true, "
                "null_padding=true)",
                [str(path)],
            ).fetchone()
        assert row is not None
        statistics, label, measures, times, *variables = row
        variable_codes = {c for codes in variables for c in (codes or ())}
    except Exception:  # noqa: BLE001 - a file DuckDB cannot parse is scanned by hand
        statistics, measures, times, variable_codes, label = set(), set(), set(), set(), None
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            for record in csv.DictReader(handle, delimiter=";", quoting=csv.QUOTE_NONE):
                statistics.add(record.get("statistics_code") or "")
                label = label or record.get("statistics_label")
                measures.add(record.get("value_variable_code") or "")
                times.add(record.get("time") or "")
                variable_codes.update(record.get(g) or "" for g in groups)
    return {
        "statistics": sorted(s for s in statistics or () if s),
        "label": label,
        "measures": frozenset(m for m in measures or () if m),
        "variables": frozenset(v for v in variable_codes if v),
        "periods": _years(times or ()),
    }


def _ffcsv(path: Path, first: str, member: str | None = None) -> FileKind:
    columns = first.lstrip("\ufeff").rstrip("\r").split(";")
    codes = _ffcsv_codes(path, columns)
    statistics: list[str] = codes["statistics"]  # type: ignore[assignment]
    statistic = ",".join(statistics) or None
    measures: frozenset[str] = codes["measures"]  # type: ignore[assignment]
    periods: tuple[str, ...] = codes["periods"]  # type: ignore[assignment]
    what = f"statistic {statistic or '?'}"
    if codes["label"]:
        what += f" ({codes['label']})"
    what += f", measures {_listed(measures) or 'none'}, {_span(periods)}"
    if member is None:
        description = f"a GENESIS flat-file CSV (ffcsv) of {what}"
        table_code = None
    else:
        description = f"a ZIP from the GENESIS API holding the flat-file CSV {member!r} ({what})"
        m = FLAT_MEMBER.match(Path(member).name)
        table_code = m["code"] if m else None
    return FileKind(
        format="genesis_ffcsv" if member is None else "genesis_zip",
        table_code=table_code,
        statistics_code=statistic,
        measure_codes=measures,
        variable_codes=codes["variables"],  # type: ignore[arg-type]
        periods=periods,
        description=description,
    )


# --- ZIP and xlsx -------------------------------------------------------------------------


def _is_xlsx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "[Content_Types].xml" in archive.namelist() and any(
                n.startswith("xl/") for n in archive.namelist()
            )
    except (zipfile.BadZipFile, OSError):
        return False


def flat_member(names: list[str]) -> str | None:
    """The one flat-file CSV of a GENESIS API ZIP, or None."""
    files = [n for n in names if not n.endswith("/")]
    flats = [n for n in files if n.lower().endswith("_flat.csv")]
    if len(flats) == 1:
        return flats[0]
    csvs = [n for n in files if n.lower().endswith(".csv")]
    return csvs[0] if len(csvs) == 1 and not flats else None


@contextmanager
def extracted(path: Path, member: str) -> Iterator[Path]:
    """The ZIP member as a temporary file (named as in the ZIP), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="sozplan-zip-") as tmp:
        target = Path(tmp) / Path(member.replace("\\", "/")).name
        with (
            zipfile.ZipFile(path) as archive,
            archive.open(member) as source,
            target.open("wb") as out,
        ):
            shutil.copyfileobj(source, out)
        yield target


def _zip(path: Path) -> FileKind:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        return _unknown(f"a damaged ZIP archive ({exc})")
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        return _xlsx(path, names)
    member = flat_member(names)
    listed = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
    if member is None:
        return _unknown(f"a ZIP archive that is no GENESIS API download (members: {listed})")
    with extracted(path, member) as file:
        with file.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
        text = _head_text(head) or ""
        first = text.split("\n", 1)[0].rstrip("\r")
        if _is_ffcsv_header(first):
            return _ffcsv(file, first, member=member)
        inner = identify(file)[0]
    return _unknown(
        f"a ZIP archive holding {member!r}, which is {inner.description}: unpack it first",
        table_code=inner.table_code,
        statistics_code=inner.statistics_code,
    )


def _xlsx_text(path: Path, names: list[str]) -> tuple[str, list[str]]:
    """Text of the shared strings and the first sheets (tags removed), and the sheet names."""
    parts = [n for n in names if n == "xl/sharedStrings.xml"]
    parts += sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))[:5]
    texts: list[str] = []
    sheets: list[str] = []
    with zipfile.ZipFile(path) as archive:
        for name in parts:
            with archive.open(name) as handle:
                raw = handle.read(XLSX_PART_BYTES).decode("utf-8", errors="replace")
            texts.append(html.unescape(re.sub(r"<[^>]+>", " ", raw)))
        if "xl/workbook.xml" in names:
            book = archive.read("xl/workbook.xml").decode("utf-8", errors="replace")
            sheets = [html.unescape(s) for s in re.findall(r'<sheet\b[^>]*\bname="([^"]*)"', book)]
    return " ".join(" ".join(texts).split()), sheets


def _xlsx(path: Path, names: list[str]) -> FileKind:
    text, sheets = _xlsx_text(path, names)
    sheet_list = ", ".join(repr(s) for s in sheets[:5])
    if m := GENESIS_XLSX.search(text):
        code = m["code"]
        return _unknown(
            f"a GENESIS table {code} saved as an Excel workbook (this project reads GENESIS "
            "tables as CSV: the classic export or ffcsv)",
            table_code=code,
            statistics_code=code.split("-")[0],
            periods=_years(YEAR.findall(text[:5000])),
        )
    if BA_SIGNATURE.search(text):
        periods = _years(BA_PERIOD.findall(text))
        title = next((s for s in re.split(r"\s{2,}", text[:300]) if s.strip()), "")
        return FileKind(
            format="ba_xlsx",
            table_code=None,
            statistics_code=None,
            measure_codes=frozenset(),
            variable_codes=frozenset(),
            periods=periods,
            description=f"an Excel workbook of the Statistik der Bundesagentur für Arbeit "
            f"(sheets {sheet_list}; {_span(periods)})"
            + (f": {_short(title, 80)!r}" if title else ""),
        )
    if DESTATIS_SIGNATURE.search(text):
        return _unknown(
            f"an Excel workbook of the statistical offices (sheets {sheet_list}), no table "
            "export this project reads"
        )
    return _unknown(
        f"an Excel workbook (sheets {sheet_list}) that is neither a table of the Statistik der "
        f"BA nor a GENESIS table: starts with {text[:60]!r}"
    )


# --- classic -------------------------------------------------------------------------------


def _classic(path: Path, first: str) -> FileKind:
    from pipelines.readers import genesis_classic
    from pipelines.readers.errors import InputError

    code = classic_table_code(first)
    assert code is not None
    shown = first.strip().rstrip(";").strip()
    try:
        described = genesis_classic.describe(path)
    except (InputError, ValueError, IndexError):
        described = {"measure_labels": [], "periods": (), "title": None}
    labels = frozenset(label for label in described["measure_labels"] if label)  # type: ignore[union-attr]
    periods: tuple[str, ...] = described["periods"]  # type: ignore[assignment]
    title = described["title"]
    what = f" ({_short(str(title))})" if title else ""
    return FileKind(
        format="genesis_classic",
        table_code=code,
        statistics_code=code.split("-")[0] if "-" in code else None,
        measure_codes=labels,
        variable_codes=frozenset(),
        periods=periods,
        description=f"a classic GENESIS table export (first line {shown!r}) of table "
        f"{code}{what}, {_span(periods)}",
    )


# --- cube ----------------------------------------------------------------------------------


def _is_cube(text: str) -> bool:
    """`K;DQ;…` blocks and `D;…` lines: at least two known block headers, nothing else."""
    lines = [line for line in text.splitlines()[:400] if line.strip()]
    if len(lines) > 1 and len(text) >= HEAD_BYTES - 8:
        lines = lines[:-1]  # the last line may be cut
    if not any(line.startswith("K;") for line in lines[:3]):
        return False
    blocks = {line.split(";")[1] for line in lines if line.startswith("K;") and ";" in line}
    records = sum(line[:2] in ("K;", "D;", "E;") for line in lines)
    return len(blocks & CUBE_BLOCKS) >= 2 and records >= 0.9 * len(lines)


def _cube(path: Path) -> FileKind:
    """Cube code, statistic, variables, measures and years, streamed line by line."""
    block = ""
    cube = statistic = None
    variables: set[str] = set()
    measures: set[str] = set()
    years: set[str] = set()
    time_at: int | None = None
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        for line in handle:
            fields = line.rstrip("\r\n").split(";")
            if fields[0] == "K" and len(fields) > 1:
                block = fields[1]
                if block == "QEI":
                    header = fields[2:]
                    time_at = header.index("ZI-WERT") + 1 if "ZI-WERT" in header else None
                continue
            if fields[0] != "D" or len(fields) < 2:
                continue
            if block == "DQ" and cube is None:
                cube = fields[1]
            elif block == "DQ-ERH" and statistic is None:
                statistic = fields[1]
            elif block == "DQA":
                variables.add(fields[1])
            elif block == "DQI":
                measures.add(fields[1])
            elif (
                block == "QEI"
                and time_at is not None
                and time_at < len(fields)
                and (m := YEAR.search(fields[time_at]))
            ):
                years.add(m.group(1))
    periods = tuple(sorted(years))
    which = f"cube {cube}" if cube else "a cube"
    if statistic:
        which += f" of statistic {statistic}"
    return _unknown(
        f"a GENESIS cube file ('Datenquader': K;DQ;… header blocks and D;… data lines, "
        f"{which}), a format this project does not read: download the table as ffcsv or "
        "as a classic CSV export",
        statistics_code=statistic,
        measure_codes=measures,
        variable_codes=variables,
        periods=periods,
    )


# --- municipal -----------------------------------------------------------------------------


def _municipal(path: Path, text: str) -> FileKind | None:
    """A delimited table whose header (in the first lines) names city areas."""
    lines = [line for line in text.splitlines()[:30] if line.strip()]
    for delimiter in (";", ",", "\t"):
        rows = list(csv.reader(lines, delimiter=delimiter))
        widths = [len(r) for r in rows]
        if not widths or max(widths) < 2:
            continue
        width = max(set(widths), key=widths.count)
        header_at = next(
            (
                i
                for i, r in enumerate(rows)
                if len(r) == width
                and sum(bool(c.strip()) for c in r) >= 2
                and any(AREA_WORDS.search(c) for c in r)
            ),
            None,
        )
        if header_at is None or widths.count(width) < 2:
            continue
        header = [c.strip() for c in rows[header_at]]
        area = next(c for c in header if AREA_WORDS.search(c))
        title = " ".join(lines[:header_at])
        periods = _years(DATE_YEAR.findall(title) or YEAR.findall(title))
        period_at = next((k for k, c in enumerate(header) if PERIOD_COLUMN.match(c)), None)
        if period_at is not None:
            rows_ = _all_rows(path, delimiter, header_at)
            periods = _years(r[period_at] for r in rows_ if len(r) > period_at)
        return FileKind(
            format="municipal_csv",
            table_code=None,
            statistics_code=None,
            measure_codes=frozenset(),
            variable_codes=frozenset(),
            periods=periods,
            description=f"a city statistics office table (CSV separated by {delimiter!r}, "
            f"{width} columns, areas in column {area!r}, {_span(periods)})",
        )
    return None


def _all_rows(path: Path, delimiter: str, header_at: int) -> Iterator[list[str]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    yield from csv.reader(lines[header_at + 1 :], delimiter=delimiter)
