"""The export's workbook for spreadsheet users: one sheet per mart, a data dictionary, notes.

Written with xlsxwriter in constant-memory mode: rows stream from DuckDB and each row goes to
disk as soon as the next one starts, at a few µs per cell (openpyxl took ~25 µs). A workbook is
for reading and filtering, not bulk data: a table over `WORKBOOK_MAX_ROWS` rows gets no sheet;
the notes name it with its rows and its `.csv` / `.parquet` beside the workbook, and the
dictionary still describes it. Column descriptions come from the dbt docs
(`dbt_project/target/manifest.json`), else from the column's comment in the warehouse.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from pipelines.exports import ExportError, _quote
from pipelines.paths import DBT_PROJECT_DIR

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

    from pipelines.exports import Column, ExportTable

WORKBOOK_MAX_ROWS = 100_000
NOTES_SHEET = "Hinweise"
DICTIONARY_SHEET = "Datenlexikon"
DICTIONARY_COLUMNS = ("Tabelle", "Blatt", "Spalte", "Typ", "Beschreibung")
# Strings stay strings (a value starting with `=` or `http` is text, not a formula or link);
# NaN/Inf become Excel errors instead of stopping the export; times are written as they are.
OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "nan_inf_to_errors": True,
    "remove_timezone": True,
}
DATE_FORMAT = "yyyy-mm-dd"
TIMESTAMP_FORMAT = "yyyy-mm-dd hh:mm:ss"
NUMBER_TYPES = ("DOUBLE", "FLOAT", "REAL", "DECIMAL", "BIGINT", "INTEGER", "SMALLINT")
NUMBER_TYPES += ("TINYINT", "HUGEINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT")
# value_status: the GENESIS signs for a missing value (README, Warehouse content)
SPECIAL_SIGNS = (
    ("-", "nichts vorhanden"),
    (".", "unbekannt oder geheim (auch Geheimhaltung kleiner Gebiete)"),
    ("/", "nicht sicher genug"),
    ("x", "nicht sinnvoll"),
    ("...", "noch nicht verfügbar"),
)
TYPE_NAMES = (
    ("VARCHAR", "Text"),
    ("DOUBLE", "Zahl"),
    ("FLOAT", "Zahl"),
    ("DECIMAL", "Zahl"),
    ("BIGINT", "ganze Zahl"),
    ("INTEGER", "ganze Zahl"),
    ("SMALLINT", "ganze Zahl"),
    ("HUGEINT", "ganze Zahl"),
    ("TIMESTAMP", "Zeitpunkt"),
    ("DATE", "Datum"),
    ("BOOLEAN", "ja/nein"),
)
# Column widths in characters: by type, text by its longest value (within limits).
WIDTHS = {"number": 12, "DATE": 11, "TIMESTAMP": 19, "BOOLEAN": 7}
TEXT_WIDTH = (8, 60)
NOTES_WIDTHS = (26, 12, 40, 80)
DICTIONARY_WIDTHS = (26, 26, 24, 22, 80)

Writer = Callable[..., int]


@dataclass(frozen=True)
class Styles:
    """The workbook's cell formats (xlsxwriter formats belong to one workbook)."""

    bold: Format
    date: Format
    timestamp: Format

    @classmethod
    def of(cls, workbook: xlsxwriter.Workbook) -> Styles:
        return cls(
            workbook.add_format({"bold": True}),
            workbook.add_format({"num_format": DATE_FORMAT}),
            workbook.add_format({"num_format": TIMESTAMP_FORMAT}),
        )


def write_workbook(
    con: duckdb.DuckDBPyConnection,
    tables: Sequence[ExportTable],
    target: Path,
    release: str,
    max_rows: int = WORKBOOK_MAX_ROWS,
) -> None:
    """Notes, dictionary and one sheet per table of at most `max_rows` rows, in that order."""
    rows = {t.name: con.execute(f"select count(*) from ({t.select})").fetchone()[0] for t in tables}
    sheets = {t.name: t.name[:31] for t in tables if rows[t.name] <= max_rows}
    docs = table_docs(con)
    # the sheets' temporary files beside the target: a failed export's folder goes with them
    workbook = xlsxwriter.Workbook(str(target), {**OPTIONS, "tmpdir": str(target.parent)})
    styles = Styles.of(workbook)
    try:
        notes = _sheet(workbook, NOTES_SHEET, NOTES_WIDTHS)
        _write_notes(notes, styles, con, tables, rows, sheets, docs, release, max_rows)
        dictionary = _sheet(workbook, DICTIONARY_SHEET, DICTIONARY_WIDTHS)
        _header(dictionary, DICTIONARY_COLUMNS, styles)
        line = 1
        for table in tables:
            described = docs.get(table.name, ("", {}))[1]
            where = sheets.get(table.name) or elsewhere(table.name)
            for column in table.columns:
                description = column.added or described.get(column.name, "")
                values = (table.name, where, column.name, type_name(column.data_type), description)
                _write_line(dictionary, line, values, styles)
                line += 1
        for table in tables:
            if table.name in sheets:
                sheet = _sheet(workbook, sheets[table.name], column_widths(con, table))
                _write_rows(sheet, styles, con, table)
        workbook.close()
    except XlsxWriterException as exc:
        raise ExportError(f"writing the workbook {target.name} failed: {exc}") from None


def elsewhere(table: str) -> str:
    """Where a table without a sheet is: its files beside the workbook."""
    return f"kein Blatt: {table}.csv / {table}.parquet"


def type_name(data_type: str) -> str:
    """`Zahl (DOUBLE)`: the kind in words, DuckDB's type for BI tools."""
    for prefix, words in TYPE_NAMES:
        if data_type.startswith(prefix):
            return f"{words} ({data_type})"
    return data_type


def column_widths(con: duckdb.DuckDBPyConnection, table: ExportTable) -> list[float]:
    """Wide enough for the header and, for text, the longest value (at most 60)."""
    texts = [c for c in table.columns if _kind(c) == "text"]
    longest = dict.fromkeys((c.name for c in texts), 0)
    if texts:
        maxima = ", ".join(f"max(length({_quote(c.name)}))" for c in texts)
        found = con.execute(f"select {maxima} from ({table.select})").fetchone()
        longest = {c.name: n or 0 for c, n in zip(texts, found, strict=True)}
    widths = []
    for column in table.columns:
        kind = _kind(column)
        content = longest[column.name] if kind == "text" else WIDTHS.get(kind, TEXT_WIDTH[0])
        low, high = TEXT_WIDTH
        widths.append(min(high, max(low, content, round(len(column.name) * 1.2))) + 2)
    return widths


def table_docs(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, dict[str, str]]]:
    """Per mart its description and column descriptions: the dbt docs, else the comments."""
    docs: dict[str, tuple[str, dict[str, str]]] = {}
    for table, comment in con.execute(
        "select table_name, comment from duckdb_tables() where schema_name = 'marts' "
        "union all select view_name, comment from duckdb_views() where schema_name = 'marts'"
    ).fetchall():
        docs[table] = (comment or "", {})
    for table, column, comment in con.execute(
        "select table_name, column_name, comment from duckdb_columns() "
        "where schema_name = 'marts' and comment is not null"
    ).fetchall():
        docs.setdefault(table, ("", {}))[1][column] = comment
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    if manifest.is_file():
        nodes = json.loads(manifest.read_text(encoding="utf-8")).get("nodes", {})
        for node in nodes.values():
            if node.get("resource_type") != "model" or node.get("name") not in docs:
                continue
            described, columns = docs[node["name"]]
            for name, column in node.get("columns", {}).items():
                if column.get("description"):
                    columns[name] = column["description"]
            docs[node["name"]] = (node.get("description") or described, columns)
    return docs


def _write_notes(
    sheet: Worksheet,
    styles: Styles,
    con: duckdb.DuckDBPyConnection,
    tables: Sequence[ExportTable],
    rows: dict[str, int],
    sheets: dict[str, str],
    docs: dict[str, tuple[str, dict[str, str]]],
    release: str,
    max_rows: int,
) -> None:
    """Release, Gebietsstand, files, tables, special signs and the sources' attribution."""
    published_at, gebietsstand = con.execute(
        "select published_at, gebietsstand from meta.release"
    ).fetchone()
    lines = count()

    def line(*values: object, style: Format | None = None) -> None:
        _write_line(sheet, next(lines), values, styles, style)

    line("Sozialplanung Thüringen: Export der kuratierten Tabellen", style=styles.bold)
    line("Release", release)
    line("Veröffentlicht (UTC)", published_at)
    line("Gebietsstand", gebietsstand)
    line("Exportiert (UTC)", datetime.now(UTC).replace(tzinfo=None, microsecond=0))
    line(
        "Dateien",
        "Jede Tabelle steht im selben Ordner auch als <Tabelle>.parquet und <Tabelle>.csv "
        "(Semikolon, Dezimalkomma, UTF-8 mit BOM). Datei- und Spaltennamen bleiben von "
        f"Release zu Release gleich. Tabellen mit mehr als {_number(max_rows)} Zeilen stehen "
        "nur dort: die Arbeitsmappe ist zum Lesen und Filtern da.",
    )
    line(
        "Verknüpfen",
        "Über region_key und indicator_id, nie über Namen. region_name und "
        "indicator_title_de sind zum Lesen ergänzt, wo eine Tabelle nur den Schlüssel hat.",
    )
    line()
    line("Tabelle", "Zeilen", "Blatt", "Beschreibung", style=styles.bold)
    for table in tables:
        where = sheets.get(table.name) or (
            f"kein Blatt ({_number(rows[table.name])} Zeilen, mehr als {_number(max_rows)}): "
            f"die Tabelle steht als {table.name}.csv und {table.name}.parquet neben dieser "
            "Arbeitsmappe"
        )
        line(table.name, rows[table.name], where, docs.get(table.name, ("",))[0])
    line()
    line("Zeichen in value_status", "Bedeutung", style=styles.bold)
    for sign, meaning in SPECIAL_SIGNS:
        line(sign, meaning)
    line("", "Ein fehlender Wert bleibt leer; das Zeichen steht in value_status, nie 0.")
    line()
    line("Quellen und Lizenz", "Namensnennung", style=styles.bold)
    for licence, attribution in _attributions(con):
        line(licence, attribution)


def _attributions(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Each licence with each attribution the indicators require (` | ` joins several)."""
    found = con.execute(
        "select column_name from information_schema.columns where table_schema = 'marts' "
        "and table_name = 'dim_indicator' and column_name in ('licence', 'attribution')"
    ).fetchall()
    if len(found) < 2:
        return []
    pairs = con.execute(
        "select distinct licence, attribution from marts.dim_indicator "
        "where attribution is not null"
    ).fetchall()
    parts = {
        (licence or "", part.strip())
        for licence, attribution in pairs
        for part in attribution.split(" | ")
        if part.strip()
    }
    return sorted(parts)


def _write_rows(
    sheet: Worksheet, styles: Styles, con: duckdb.DuckDBPyConnection, table: ExportTable
) -> None:
    """The table's rows below its header, each cell by its column's writer (numbers and
    dates as numbers and dates, NULL an empty cell)."""
    _header(sheet, [c.name for c in table.columns], styles)
    writers = [_writer(sheet, styles, column) for column in table.columns]
    cursor = con.execute(table.select)
    row = 1
    while batch := cursor.fetchmany(10_000):
        for values in batch:
            for col, value in enumerate(values):
                if value is not None:
                    write, style = writers[col]
                    write(row, col, value, style)
            row += 1


def _writer(sheet: Worksheet, styles: Styles, column: Column) -> tuple[Writer, Format | None]:
    """The worksheet method for the column's values and its cell format."""
    kind = _kind(column)
    if kind == "number":
        return sheet.write_number, None
    if kind == "DATE":
        return sheet.write_datetime, styles.date
    if kind == "TIMESTAMP":
        return sheet.write_datetime, styles.timestamp
    if kind == "BOOLEAN":
        return sheet.write_boolean, None
    if kind == "text":
        return sheet.write_string, None
    return lambda row, col, value, style: sheet.write_string(row, col, str(value), style), None


def _kind(column: Column) -> str:
    """number, DATE, TIMESTAMP, BOOLEAN, text, or other (written as its text)."""
    data_type = column.data_type
    if data_type.startswith(NUMBER_TYPES):
        return "number"
    if data_type == "DATE" or data_type == "BOOLEAN":
        return data_type
    if data_type.startswith("TIMESTAMP"):
        return "TIMESTAMP"
    return "text" if data_type == "VARCHAR" else "other"


def _write_line(
    sheet: Worksheet,
    row: int,
    values: Sequence[object],
    styles: Styles,
    style: Format | None = None,
) -> None:
    """One row of the notes or the dictionary: dates as dates, text as text."""
    for col, value in enumerate(values):
        if isinstance(value, datetime):
            sheet.write_datetime(row, col, value, styles.timestamp)
        elif isinstance(value, date):
            sheet.write_datetime(row, col, value, styles.date)
        elif value is not None:
            sheet.write(row, col, value, style)


def _sheet(workbook: xlsxwriter.Workbook, name: str, widths: Sequence[float]) -> Worksheet:
    sheet = workbook.add_worksheet(name)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    return sheet


def _header(sheet: Worksheet, names: Sequence[str], styles: Styles) -> None:
    """The first row in bold, kept in view while scrolling (the notes have no header row)."""
    sheet.freeze_panes(1, 0)
    for col, name in enumerate(names):
        sheet.write_string(0, col, name, styles.bold)


def _number(count: int) -> str:
    """1.234.567: thousands as German readers write them."""
    return f"{count:,}".replace(",", ".")
