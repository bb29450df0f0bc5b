"""The export's workbook for spreadsheet users: one sheet per mart, a data dictionary, notes.

Written with openpyxl's write-only mode (rows stream from DuckDB, memory stays flat). A sheet
holds at most 1,048,575 data rows below its header: a bigger table continues on sheets
`<table> (2)`, `<table> (3)`, …, which the notes and the dictionary name. Column descriptions
come from the dbt docs (`dbt_project/target/manifest.json`), else from the column's comment in
the warehouse.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from pipelines.paths import DBT_PROJECT_DIR

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from pipelines.exports import ExportTable

SHEET_ROWS = 1_048_575  # Excel's 1,048,576 rows less the header
NOTES_SHEET = "Hinweise"
DICTIONARY_SHEET = "Datenlexikon"
DICTIONARY_COLUMNS = ("Tabelle", "Blätter", "Spalte", "Typ", "Beschreibung")
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
BOLD = Font(bold=True)


def write_workbook(
    con: duckdb.DuckDBPyConnection,
    tables: Sequence[ExportTable],
    target: Path,
    release: str,
    sheet_rows: int = SHEET_ROWS,
) -> None:
    """Notes, dictionary and one sheet (or more) per table, in that order."""
    rows = {t.name: con.execute(f"select count(*) from ({t.select})").fetchone()[0] for t in tables}
    sheets = {t.name: sheet_names(t.name, rows[t.name], sheet_rows) for t in tables}
    docs = table_docs(con)
    workbook = Workbook(write_only=True)
    _write_notes(workbook.create_sheet(NOTES_SHEET), con, tables, rows, sheets, docs, release)
    dictionary = workbook.create_sheet(DICTIONARY_SHEET)
    _header(dictionary, DICTIONARY_COLUMNS)
    for table in tables:
        described = docs.get(table.name, ("", {}))[1]
        for column in table.columns:
            dictionary.append(
                [
                    table.name,
                    ", ".join(sheets[table.name]),
                    column.name,
                    type_name(column.data_type),
                    column.added or described.get(column.name, ""),
                ]
            )
    for table in tables:
        _write_rows(workbook, con, table, sheets[table.name], sheet_rows)
    workbook.save(target)


def sheet_names(table: str, rows: int, sheet_rows: int = SHEET_ROWS) -> list[str]:
    """`table`, then `table (2)`, … as many as the rows need (sheet names: 31 characters)."""
    count = max(1, math.ceil(rows / sheet_rows))
    names = [table[:31]]
    for i in range(2, count + 1):
        suffix = f" ({i})"
        names.append(table[: 31 - len(suffix)] + suffix)
    return names


def type_name(data_type: str) -> str:
    """`Zahl (DOUBLE)`: the kind in words, DuckDB's type for BI tools."""
    for prefix, words in TYPE_NAMES:
        if data_type.startswith(prefix):
            return f"{words} ({data_type})"
    return data_type


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
    sheet: WriteOnlyWorksheet,
    con: duckdb.DuckDBPyConnection,
    tables: Sequence[ExportTable],
    rows: dict[str, int],
    sheets: dict[str, list[str]],
    docs: dict[str, tuple[str, dict[str, str]]],
    release: str,
) -> None:
    """Release, Gebietsstand, files, tables, special signs and the sources' attribution."""
    published_at, gebietsstand = con.execute(
        "select published_at, gebietsstand from meta.release"
    ).fetchone()
    sheet.append([_bold(sheet, "Sozialplanung Thüringen: Export der kuratierten Tabellen")])
    sheet.append(["Release", release])
    sheet.append(["Veröffentlicht (UTC)", published_at])
    sheet.append(["Gebietsstand", gebietsstand])
    sheet.append(["Exportiert (UTC)", datetime.now(UTC).replace(tzinfo=None, microsecond=0)])
    sheet.append(
        [
            "Dateien",
            "Jede Tabelle steht im selben Ordner auch als <Tabelle>.parquet und <Tabelle>.csv "
            "(Semikolon, Dezimalkomma, UTF-8 mit BOM). Datei- und Spaltennamen bleiben von "
            "Release zu Release gleich.",
        ]
    )
    sheet.append(
        [
            "Verknüpfen",
            "Über region_key und indicator_id, nie über Namen. region_name und "
            "indicator_title_de sind zum Lesen ergänzt, wo eine Tabelle nur den Schlüssel hat.",
        ]
    )
    sheet.append([])
    _header(sheet, ("Tabelle", "Zeilen", "Blätter", "Beschreibung"))
    for table in tables:
        where = ", ".join(sheets[table.name])
        if len(sheets[table.name]) > 1:
            where += f" (mehr als {SHEET_ROWS:,} Zeilen je Blatt: fortgesetzt)".replace(",", ".")
        sheet.append([table.name, rows[table.name], where, docs.get(table.name, ("",))[0]])
    sheet.append([])
    _header(sheet, ("Zeichen in value_status", "Bedeutung"))
    for sign, meaning in SPECIAL_SIGNS:
        sheet.append([sign, meaning])
    sheet.append(["", "Ein fehlender Wert bleibt leer; das Zeichen steht in value_status, nie 0."])
    sheet.append([])
    _header(sheet, ("Quellen und Lizenz", "Namensnennung"))
    for licence, attribution in _attributions(con):
        sheet.append([licence, attribution])


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
    workbook: Workbook,
    con: duckdb.DuckDBPyConnection,
    table: ExportTable,
    names: list[str],
    sheet_rows: int,
) -> None:
    """The table's rows over its sheets, each with the header row."""
    header = [c.name for c in table.columns]
    cursor = con.execute(table.select)
    remaining = iter(names)  # an empty table still gets its sheet with the header
    sheet, written = workbook.create_sheet(next(remaining)), 0
    _header(sheet, header)
    texts = [i for i, c in enumerate(table.columns) if c.data_type == "VARCHAR"]
    while batch := cursor.fetchmany(10_000):
        for row in batch:
            if written == sheet_rows:
                sheet, written = workbook.create_sheet(next(remaining)), 0
                _header(sheet, header)
            if texts:
                row = list(row)
                for i in texts:
                    row[i] = _text_value(sheet, row[i])
            sheet.append(row)
            written += 1


def _text_value(sheet: WriteOnlyWorksheet, value: str | None) -> object:
    """Text as text: control characters dropped, a leading `=` not taken as a formula."""
    if value is None:
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return _text(sheet, value) if value.startswith("=") else value


def _text(sheet: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


def _bold(sheet: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value)
    cell.font = BOLD
    return cell


def _header(sheet: WriteOnlyWorksheet, names: Sequence[str]) -> None:
    """The first row in bold, kept in view while scrolling (the notes have no header row)."""
    if sheet.title != NOTES_SHEET:
        sheet.freeze_panes = "A2"
    sheet.append([_bold(sheet, name) for name in names])
