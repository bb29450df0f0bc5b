"""Excel tables of the Statistik der Bundesagentur für Arbeit (BA): regions down, measures across.

A BA table sheet has a title block (title, region, reporting period such as "Jahresdurchschnitt
2024" or "Berichtsmonat Dezember 2024", "Datenstand"), column headers over several rows with
merged cells, often a row of column numbers, one row per region with its key (5-digit Kreis,
2-digit Land, 8-digit Gemeinde, `D` for Deutschland) and name, and a footnote block. Values
are numbers in cells; some cells hold a BA marker instead:

    *  anonymised (1 or 2 persons, or to protect another cell) -> value_status '.', quality '*'
    -  nothing                                                  -> value_status '-'
    x  not meaningful                                           -> value_status 'x'

`*` is no GENESIS sign: it is stored as '.' (secret), so downstream treats it as suppressed,
with the BA marker kept in `value_quality`.

The contract says which header path is which measure (`measures`), so a renamed, added or
missing column is schema drift and fails with the sheet and cell. Everything else is found in
the sheet unless the contract fixes it:

- data start: the first row whose key column holds a 5-digit key, extended upwards over
  directly preceding total rows (Land, Deutschland) — or `first_data_row`;
- header block: the rows above the data start (a row of column numbers skipped) up to the
  first row without text in a value column — or `header_rows`;
- data end: the last row with a region key or a value; text-only rows after it are footnotes;
- period: "Jahresdurchschnitt 2024", "Berichtsmonat Dezember 2024" or "Stichtag 31.12.2024"
  in the title block — or `period_cell` / `period_pattern` / `period`.

Options (contract `reader_options`):
    measures        {header path: measure code}, required; a path is the header texts of a
                    column from top to bottom joined by " / " (merged cells resolved, line
                    breaks and footnote marks like "1)" removed),
                    e.g. "Leistungsberechtigte (LB) / Insgesamt": LB
    units           {measure code: unit}; default "Anzahl"
    ignore_columns  header paths of columns to leave out deliberately
    sheet           sheet name; required when the workbook has several sheets
    key_column      column letter of the region key (default "A")
    name_column     column letter of the region name (default "B"; equal to key_column when
                    one cell holds "16051 Erfurt, Stadt")
    header_rows     sheet rows of the column headers, e.g. [8, 9, 10]
    first_data_row  sheet row of the first region
    period          the period itself ("2024", "2024-12"), when the sheet does not say it
    period_cell     the cell holding the period, e.g. "A4"
    period_pattern  regex with a group `year` (optionally `month` as name or number, `day`)
    time_code       default: JAHR (annual average), MONAT (month) or STAG (reference day)
    statistics_code default "BA" (the contract's table code starts with it)
    region_levels   region variables to keep, e.g. ["KREISE"]; default all (the Land row
                    is DLAND, Deutschland DINSG, Gemeinden GEMEIN)
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path

import duckdb
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.utils.exceptions import InvalidFileException

from pipelines.readers.errors import InputError, Problem
from pipelines.readers.table import CANONICAL_COLUMNS, ReadResult, from_rows

# Contract `reader_options` this reader accepts.
OPTIONS: dict[str, type] = {
    "measures": dict,
    "units": dict,
    "ignore_columns": list,
    "sheet": str,
    "key_column": str,
    "name_column": str,
    "header_rows": list,
    "first_data_row": int,
    "period": str,
    "period_cell": str,
    "period_pattern": str,
    "time_code": str,
    "statistics_code": str,
    "region_levels": list,
}

# BA marker -> (value_status, value_quality)
MARKERS: dict[str, tuple[str, str | None]] = {"*": (".", "*"), "-": ("-", None), "x": ("x", None)}
MARKER_TEXT = "* anonymised, - nothing, x not meaningful"
# Region keys: pattern -> region variable.
KEY_LEVELS: tuple[tuple[str, str], ...] = (
    (r"\d{5}", "KREISE"),
    (r"\d{2}", "DLAND"),
    (r"\d{8}", "GEMEIN"),
    (r"DG?", "DINSG"),
)
KEY_TEXT = "a region key: 5 digits (Kreis), 2 (Land), 8 (Gemeinde) or 'D' (Deutschland)"
MONTH_NAMES = (
    "Januar", "Februar", "März", "April", "Mai", "Juni",
    "Juli", "August", "September", "Oktober", "November", "Dezember",
)  # fmt: skip
MONTHS = {m: i for i, m in enumerate(MONTH_NAMES, start=1)}
_MONTH = "|".join(MONTHS)
PERIOD_PATTERNS = (
    rf"Berichtsmonat:?\s+(?P<month>{_MONTH})\s+(?P<year>\d{{4}})",
    r"Jahresdurchschnitt\s+(?P<year>\d{4})",
    r"Stichtag:?\s+(?P<day>\d{1,2})\.\s?(?P<month>\d{1,2})\.\s?(?P<year>\d{4})",
)
PERIOD_TEXT = "'Jahresdurchschnitt 2024', 'Berichtsmonat Dezember 2024' or 'Stichtag 31.12.2024'"
NUMBER_TEXT = re.compile(r"[+-]?[\d.,\s]*\d[\d.,\s]*")
FOOTNOTE_MARK = re.compile(r"(\s*(\d{1,2}\)|\*+\)|[¹²³⁴⁵⁶⁷⁸⁹⁰]+))+$")
PATH_SEP = " / "
DEFAULT_UNIT = "Anzahl"
FORMAT = "ba_xlsx"


@dataclass
class _Sheet:
    """Cell values of one sheet, merged ranges resolved, plus what a Problem needs."""

    file: str
    name: str
    values: list[list[object]]  # [row-1][col-1]; cells inside a merged range are None
    formats: list[list[str]]
    merged: dict[tuple[int, int], tuple[int, int]]  # (row, col) -> top-left (row, col)

    @property
    def max_row(self) -> int:
        return len(self.values)

    @property
    def max_col(self) -> int:
        return max((len(r) for r in self.values), default=0)

    def value(self, row: int, col: int) -> object:
        if row < 1 or row > len(self.values) or col > len(self.values[row - 1]):
            return None
        return self.values[row - 1][col - 1]

    def shown(self, row: int, col: int) -> tuple[object, tuple[int, int]]:
        """What the cell shows (a merged range shows its top-left value) and where that is."""
        origin = self.merged.get((row, col), (row, col))
        return self.value(*origin), origin

    def problem(self, row: int | None, col: int | None, expected: str, found: str) -> Problem:
        cell = f"{get_column_letter(col)}{row}" if row and col else None
        return Problem(self.file, row, cell, expected, found, sheet=self.name)


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: object) -> str:
    """A header or title cell as one line: soft hyphens, hyphenated line breaks and runs of
    white space removed, footnote marks at the end dropped."""
    s = str(value).replace("\xad", "").replace("\xa0", " ")
    s = re.sub(r"(?<=\w)-[ \t]*\r?\n\s*(?=[a-zäöüß])", "", s)
    s = " ".join(s.split())
    return FOOTNOTE_MARK.sub("", s).strip()


def _normal_path(path: str) -> str:
    """A header path as the contract writes it, in the form `_column_paths` builds. Only " / "
    with spaces separates parts, so "Ausländer/innen" stays one part."""
    return PATH_SEP.join(p for p in (_text(part) for part in re.split(r"\s+/\s+", path)) if p)


def _shown_str(value: object) -> str:
    return repr(value) if isinstance(value, str) else f"{value!r} ({type(value).__name__})"


# --- opening -----------------------------------------------------------------------------


def _not_xlsx(path: Path, data: bytes) -> str:
    """What a file that is no xlsx workbook looks like."""
    if not data.strip():
        return "an empty file"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "an Excel 97-2003 workbook (.xls): open it in Excel and save it as .xlsx"
    start = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body", b"<table")):
        return "an HTML/XML page (an error page or an 'Excel' export in HTML) saved as .xlsx"
    try:
        first = data[:4096].decode("utf-8").splitlines()[0]
    except UnicodeDecodeError:
        try:
            first = data[:4096].decode("cp1252").splitlines()[0]
        except UnicodeDecodeError:
            return f"binary data starting with {data[:8]!r}"
    return f"a text file (CSV?) renamed to {path.suffix or 'no extension'}: {first[:120]!r}"


def _open(path: Path):
    if not path.is_file():
        raise InputError.single(path, expected="a file", found="nothing at that path")
    data = path.read_bytes()
    expected = "an Excel workbook (.xlsx)"
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise InputError.single(path, expected=expected, found=_not_xlsx(path, data))
    try:
        # A file object, so openpyxl does not judge the file by its extension.
        return load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
        found = f"a ZIP archive that is no xlsx workbook (members: {', '.join(names[:5])})"
        if "[Content_Types].xml" in names:
            found = f"a damaged xlsx workbook ({type(exc).__name__}: {exc})"
        raise InputError.single(path, expected=expected, found=found) from exc
    except Exception as exc:  # openpyxl raises many kinds on broken XML inside the ZIP
        raise InputError.single(
            path, expected=expected, found=f"an unreadable workbook ({type(exc).__name__}: {exc})"
        ) from exc


def _sheet(path: Path, workbook, sheet: str | None) -> _Sheet:
    names = workbook.sheetnames
    if sheet is None:
        if len(names) != 1:
            raise InputError.single(
                path,
                expected="reader_options.sheet naming the table sheet",
                found=f"{len(names)} sheets: {', '.join(repr(n) for n in names)}",
            )
        sheet = names[0]
    if sheet not in names:
        raise InputError.single(
            path,
            expected=f"a sheet {sheet!r}",
            found=f"the sheets {', '.join(repr(n) for n in names)}",
        )
    ws = workbook[sheet]
    values: list[list[object]] = []
    formats: list[list[str]] = []
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column):
        values.append([None if isinstance(c, MergedCell) else c.value for c in row])
        formats.append([getattr(c, "number_format", "General") for c in row])
    merged: dict[tuple[int, int], tuple[int, int]] = {}
    for rng in ws.merged_cells.ranges:
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                merged[r, c] = (rng.min_row, rng.min_col)
    return _Sheet(path.name, sheet, values, formats, merged)


# --- region keys -------------------------------------------------------------------------


def _key_and_name(
    sheet: _Sheet, row: int, key_col: int, name_col: int
) -> tuple[str | None, str | None]:
    """The key cell as text (None if empty) and the region name."""
    raw = sheet.value(row, key_col)
    if _empty(raw):
        # BA tables often print the Deutschland row without a key.
        name = sheet.value(row, name_col)
        if isinstance(name, str) and " ".join(name.split()) == "Deutschland":
            return "D", "Deutschland"
        return None, None
    if isinstance(raw, bool):
        key = str(raw)
    elif isinstance(raw, int) or (isinstance(raw, float) and raw.is_integer()):
        key = str(int(raw))
        fmt = sheet.formats[row - 1][key_col - 1]
        if re.fullmatch(r"0+", fmt or ""):  # a number shown with leading zeros, e.g. 01001
            key = key.zfill(len(fmt))
    else:
        key = " ".join(str(raw).split())
    if key_col == name_col:
        parts = key.split(" ", 1)
        return parts[0], (parts[1] if len(parts) == 2 else None)
    name = sheet.value(row, name_col)
    return key, None if _empty(name) else " ".join(str(name).split())


def _level(key: str | None) -> str | None:
    if key is None:
        return None
    return next((level for pattern, level in KEY_LEVELS if re.fullmatch(pattern, key)), None)


# --- layout --------------------------------------------------------------------------------


def _is_number_row(sheet: _Sheet, row: int) -> bool:
    """The row of column numbers (1 2 3 …, or (1) (2) …) BA tables put under the header."""
    numbers = []
    for c in range(1, sheet.max_col + 1):
        v = sheet.value(row, c)
        if _empty(v):
            continue
        if isinstance(v, int) and not isinstance(v, bool):
            numbers.append(v)
        elif isinstance(v, str) and (m := re.fullmatch(r"\s*\(?(\d{1,3})\)?\s*", v)):
            numbers.append(int(m.group(1)))
        else:
            return False
    return len(numbers) >= 2 and numbers == sorted(set(numbers))


def _find_first_data_row(sheet: _Sheet, key_col: int, name_col: int, after: int) -> int:
    anchor = next(
        (
            r
            for r in range(after + 1, sheet.max_row + 1)
            if _level(_key_and_name(sheet, r, key_col, name_col)[0]) == "KREISE"
        ),
        None,
    )
    if anchor is None:
        raise InputError(
            [
                sheet.problem(
                    None,
                    None,
                    f"data rows with a 5-digit Kreis key in column {get_column_letter(key_col)} "
                    "(or reader_options.first_data_row)",
                    "none (an empty table?)",
                )
            ]
        )
    # Total rows (Land, Deutschland) directly above the first Kreis belong to the table.
    while anchor - 1 > after and _level(_key_and_name(sheet, anchor - 1, key_col, name_col)[0]):
        anchor -= 1
    return anchor


def _is_header_row(sheet: _Sheet, row: int, skip: set[int]) -> bool:
    """Own text in a value column, or a merged cell that starts in one. A title merged across
    the width starts in column A or the key column and makes no header row."""
    for c in range(1, sheet.max_col + 1):
        if c in skip:
            continue
        if not _empty(sheet.value(row, c)):
            return True
        origin = sheet.merged.get((row, c))
        if origin and origin[1] not in skip | {1}:
            return True
    return False


def _find_header_rows(sheet: _Sheet, first_data_row: int, skip: set[int]) -> list[int]:
    """Rows above the data with text (or a merged cell) in a value column; stops at the title."""
    row = first_data_row - 1
    while row >= 1 and _is_number_row(sheet, row):
        row -= 1
    rows: list[int] = []
    while row >= 1:
        has_header = _is_header_row(sheet, row, skip)
        if not has_header:
            break
        rows.insert(0, row)
        row -= 1
    if not rows:
        raise InputError(
            [
                sheet.problem(
                    first_data_row - 1 or None,
                    None,
                    "column headers above the first data row (or reader_options.header_rows)",
                    f"none above row {first_data_row}",
                )
            ]
        )
    return rows


def _column_paths(
    sheet: _Sheet, header_rows: list[int], skip: set[int]
) -> dict[int, tuple[str, str]]:
    """Column index -> (header path, cell holding its last part) for columns with a header."""
    paths: dict[int, tuple[str, str]] = {}
    for c in range(1, sheet.max_col + 1):
        if c in skip:
            continue
        parts: list[str] = []
        last_origin: tuple[int, int] | None = None
        cell = None
        for r in header_rows:
            value, origin = sheet.shown(r, c)
            if origin == last_origin or _empty(value):
                continue
            last_origin = origin
            text = _text(value)
            if text:
                parts.append(text)
                cell = f"{get_column_letter(origin[1])}{origin[0]}"
        if parts:
            paths[c] = (PATH_SEP.join(parts), cell or "")
    return paths


def _match_measures(
    sheet: _Sheet,
    paths: dict[int, tuple[str, str]],
    measures: dict[str, str],
    ignore: set[str],
    header_rows: list[int],
) -> dict[int, tuple[str, str]]:
    """Column index -> (measure code, header path); unknown or missing headers are drift."""
    wanted = {_normal_path(p): code for p, code in measures.items()}
    problems: list[Problem] = []
    columns: dict[int, tuple[str, str]] = {}
    seen: dict[str, str] = {}
    for c, (path, cell) in paths.items():
        if path in ignore:
            continue
        if path not in wanted:
            problems.append(
                Problem(
                    sheet.file,
                    int(re.sub(r"\D", "", cell)),
                    cell,
                    "a column of the contract (schema drift: a new or renamed column; map it in "
                    "reader_options.measures or list it in ignore_columns)",
                    f"column {get_column_letter(c)} headed {path!r}",
                    sheet=sheet.name,
                )
            )
            continue
        if path in seen:
            problems.append(
                Problem(
                    sheet.file,
                    int(re.sub(r"\D", "", cell)),
                    cell,
                    "each header path once",
                    f"{path!r} again (first in column {seen[path]})",
                    sheet=sheet.name,
                )
            )
            continue
        seen[path] = get_column_letter(c)
        columns[c] = (wanted[path], path)
    found = [p for p, _ in paths.values()]
    for path in wanted:
        if path not in seen:
            problems.append(
                Problem(
                    sheet.file,
                    header_rows[0],
                    None,
                    f"column {path!r}",
                    f"headers {', '.join(repr(p) for p in found) or 'none'} "
                    f"(rows {header_rows[0]}-{header_rows[-1]})",
                    sheet=sheet.name,
                )
            )
    if problems:
        raise InputError(problems)
    return columns


# --- period --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Period:
    time: str
    year: int
    time_code: str
    text: str


def _period_from(match: re.Match[str]) -> tuple[str, int, str]:
    groups = match.groupdict()
    year = int(groups["year"])
    month = groups.get("month")
    if month is None:
        return str(year), year, "JAHR"
    m = int(month) if month.isdigit() else MONTHS.get(month.capitalize(), 0)
    if not 1 <= m <= 12:
        raise ValueError(f"period_pattern gave month {month!r}: expected 1-12 or Januar-Dezember")
    if groups.get("day"):
        return f"{year}-{m:02d}-{int(groups['day']):02d}", year, "STAG"
    return f"{year}-{m:02d}", year, "MONAT"


def _period(
    sheet: _Sheet,
    title_rows: range,
    period: str | None,
    period_cell: str | None,
    pattern: str | None,
) -> _Period:
    if period is not None:
        year = re.match(r"\d{4}", period)
        if not year:
            raise ValueError(f"reader_options.period must start with a year, not {period!r}")
        code = {4: "JAHR", 7: "MONAT", 10: "STAG"}.get(len(period), "JAHR")
        return _Period(period, int(year.group()), code, period)
    patterns = [pattern] if pattern else list(PERIOD_PATTERNS)
    if period_cell is not None:
        col_letter, row = coordinate_from_string(period_cell)
        col = column_index_from_string(col_letter)
        raw, _ = sheet.shown(row, col)
        text = "" if _empty(raw) else " ".join(str(raw).split())
        for p in patterns:
            if m := re.search(p, text):
                return _Period(*_period_from(m), text)
        raise InputError(
            [
                sheet.problem(
                    row,
                    col,
                    f"a reporting period like {PERIOD_TEXT}"
                    + (f" matching {pattern!r}" if pattern else ""),
                    repr(text) if text else "an empty cell",
                )
            ]
        )
    found: dict[str, tuple[_Period, int]] = {}
    lines: list[str] = []
    for r in title_rows:
        for c in range(1, sheet.max_col + 1):
            raw = sheet.value(r, c)
            if not isinstance(raw, str) or not raw.strip():
                continue
            text = " ".join(raw.split())
            lines.append(text)
            for p in patterns:
                if m := re.search(p, text):
                    hit = _Period(*_period_from(m), m.group(0))
                    found.setdefault(hit.time, (hit, r))
    if len(found) == 1:
        return next(iter(found.values()))[0]
    if not found:
        expected = f"a reporting period like {PERIOD_TEXT} in the title rows"
        shown = "; ".join(repr(t) for t in lines[:6]) or "no title text"
    else:
        expected = "one reporting period in the title rows (or reader_options.period_cell)"
        shown = ", ".join(f"{p.text!r} in row {r}" for p, r in found.values())
    raise InputError([sheet.problem(None, None, expected, shown)])


# --- values ------------------------------------------------------------------------------


def _cell_value(value: object) -> tuple[float | None, str | None, str | None, str | None]:
    """(value, status, quality, problem kind) of one value cell."""
    if isinstance(value, bool):
        return None, None, None, "text"
    if isinstance(value, int | float):
        return float(value), None, None, None
    if _empty(value):
        return None, None, None, "empty"
    if isinstance(value, datetime | date | time):
        return None, None, None, "text"
    token = str(value).strip()
    if token in MARKERS:
        status, quality = MARKERS[token]
        return None, status, quality, None
    if NUMBER_TEXT.fullmatch(token):
        return None, None, None, "number_text"
    if len(token) <= 4 and not re.search(r"\d", token):
        return None, None, None, "marker"
    return None, None, None, "text"


VALUE_PROBLEMS = {
    "empty": (f"a number or a BA marker ({MARKER_TEXT})", "an empty cell"),
    "marker": (f"a number or a BA marker ({MARKER_TEXT})", "unknown marker {token!r}"),
    "number_text": ("a number stored as a number", "the text {token!r}"),
    "text": ("a number", "{shown}"),
}


def _options(
    measures: dict | None,
    units: dict | None,
    key_column: str,
    name_column: str,
    header_rows: list | None,
    first_data_row: int | None,
    period_cell: str | None,
    period_pattern: str | None,
    region_levels: list | None,
) -> tuple[int, int]:
    if not measures:
        raise ValueError("reader_options.measures is required: {header path: measure code}")
    for path, code in measures.items():
        if not isinstance(path, str) or not isinstance(code, str):
            raise ValueError(
                f"reader_options.measures: expected text: code, found {path!r}: {code!r}"
            )
    for code, unit in (units or {}).items():
        if code not in measures.values() or not isinstance(unit, str):
            raise ValueError(f"reader_options.units: {code!r}: {unit!r} is no measure with a unit")
    cols = []
    for name, letter in (("key_column", key_column), ("name_column", name_column)):
        if not re.fullmatch(r"[A-Z]{1,3}", letter or ""):
            raise ValueError(f"reader_options.{name} must be a column letter, not {letter!r}")
        cols.append(column_index_from_string(letter))
    if header_rows is not None and (
        not header_rows
        or not all(isinstance(r, int) and r >= 1 for r in header_rows)
        or sorted(header_rows) != header_rows
    ):
        raise ValueError(f"reader_options.header_rows: ascending row numbers, not {header_rows!r}")
    if first_data_row is not None and header_rows and first_data_row <= header_rows[-1]:
        raise ValueError("reader_options.first_data_row must come after the header_rows")
    if period_cell is not None and not re.fullmatch(r"[A-Z]{1,3}[1-9]\d*", period_cell):
        raise ValueError(
            f"reader_options.period_cell must be a cell like 'A4', not {period_cell!r}"
        )
    if period_pattern is not None:
        try:
            groups = re.compile(period_pattern).groupindex
        except re.error as exc:
            raise ValueError(f"reader_options.period_pattern is no regex: {exc}") from exc
        if "year" not in groups:
            raise ValueError("reader_options.period_pattern needs a group (?P<year>...)")
    known = {level for _, level in KEY_LEVELS}
    if region_levels is not None and not set(region_levels) <= known:
        raise ValueError(f"reader_options.region_levels: expected some of {sorted(known)}")
    return cols[0], cols[1]


def read(
    path: Path,
    measures: dict | None = None,
    units: dict | None = None,
    ignore_columns: list | None = None,
    sheet: str | None = None,
    key_column: str = "A",
    name_column: str = "B",
    header_rows: list | None = None,
    first_data_row: int | None = None,
    period: str | None = None,
    period_cell: str | None = None,
    period_pattern: str | None = None,
    time_code: str | None = None,
    statistics_code: str = "BA",
    region_levels: list | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> ReadResult:
    """Read one BA table sheet into the canonical long table."""
    path = Path(path)
    key_col, name_col = _options(
        measures,
        units,
        key_column,
        name_column,
        header_rows,
        first_data_row,
        period_cell,
        period_pattern,
        region_levels,
    )
    assert measures is not None
    workbook = _open(path)
    try:
        table = _sheet(path, workbook, sheet)
    finally:
        workbook.close()
    skip = {key_col, name_col}

    if first_data_row is None:
        first_data_row = _find_first_data_row(
            table, key_col, name_col, after=header_rows[-1] if header_rows else 0
        )
    if header_rows is None:
        header_rows = _find_header_rows(table, first_data_row, skip)
    paths = _column_paths(table, header_rows, skip)
    ignore = {_normal_path(p) for p in ignore_columns or []}
    columns = _match_measures(table, paths, measures, ignore, header_rows)
    found_period = _period(table, range(1, header_rows[0]), period, period_cell, period_pattern)

    # Data rows: a region key or any value in a used column; text-only rows are notes.
    data_rows: list[int] = []
    for r in range(first_data_row, table.max_row + 1):
        key, _ = _key_and_name(table, r, key_col, name_col)
        if _level(key) or any(not _empty(table.value(r, c)) for c in columns):
            data_rows.append(r)
    if not data_rows:
        raise InputError(
            [table.problem(first_data_row, None, "at least one data row", "an empty table")]
        )
    last_row = data_rows[-1]
    unheaded = [
        (r, c)
        for c in range(1, table.max_col + 1)
        if c not in skip and c not in paths
        for r in data_rows
        if not _empty(table.value(r, c))
    ]
    if unheaded:
        r, c = unheaded[0]
        raise InputError(
            [
                replace(
                    table.problem(
                        r,
                        c,
                        f"a column header in rows {header_rows[0]}-{header_rows[-1]} above values",
                        f"values without a header in column {get_column_letter(c)}",
                    ),
                    more=len(unheaded) - 1,
                )
            ]
        )

    records: list[dict[str, object]] = []
    value_cells: list[str] = []  # the column letter of each record's value
    bad: dict[str, list[tuple[int, int, str]]] = {}
    key_problems: list[Problem] = []
    dropped = 0
    unit_of = {code: (units or {}).get(code, DEFAULT_UNIT) for code in measures.values()}
    for r in data_rows:
        key, name = _key_and_name(table, r, key_col, name_col)
        level = _level(key)
        if level is None:
            key_problems.append(
                table.problem(
                    r,
                    key_col,
                    KEY_TEXT,
                    repr(key) if key is not None else "an empty key cell beside values",
                )
            )
            continue
        if level == "DINSG":
            key = "DG"
        keep = region_levels is None or level in region_levels
        dropped += not keep
        for c, (code, label) in columns.items():
            raw = table.value(r, c)
            value, status, quality, kind = _cell_value(raw)
            if kind:
                bad.setdefault(kind, []).append((r, c, str(raw).strip() if raw else ""))
                continue
            if keep:
                records.append(
                    {
                        "table_code": None,
                        "statistics_code": statistics_code,
                        "time_code": time_code or found_period.time_code,
                        "time": found_period.time,
                        "period_year": found_period.year,
                        "region_variable": level,
                        "region_key": key,
                        "region_name": name,
                        "measure_code": code,
                        "measure_label": label,
                        "value": value,
                        "unit": unit_of[code],
                        "value_status": status,
                        "value_quality": quality,
                        "_source_line": r,
                    }
                )
                value_cells.append(get_column_letter(c))
    problems = [replace(key_problems[0], more=len(key_problems) - 1)] if key_problems else []
    for kind, cells in bad.items():
        r, c, token = cells[0]
        expected, found = VALUE_PROBLEMS[kind]
        raw = table.value(r, c)
        found = found.format(token=token, shown=_shown_str(raw))
        problems.append(replace(table.problem(r, c, expected, found), more=len(cells) - 1))
    if problems:
        raise InputError(problems)
    if not records:
        raise InputError(
            [
                table.problem(
                    first_data_row,
                    None,
                    f"rows of the region levels {', '.join(region_levels or [])}",
                    f"only {dropped} rows of other levels",
                )
            ]
        )

    title_lines = [
        " ".join(str(v).split())
        for r in range(1, header_rows[0])
        for v in table.values[r - 1]
        if isinstance(v, str) and v.strip()
    ]
    notes = [
        " ".join(str(v).split())
        for r in range(last_row + 1, table.max_row + 1)
        for v in table.values[r - 1]
        if isinstance(v, str) and v.strip()
    ]
    datenstand = next(
        (m.group(1) for t in title_lines + notes if (m := re.search(r"Datenstand:?\s*(.+)", t))),
        None,
    )
    metadata: dict[str, object] = {
        "sheet": table.name,
        "title": title_lines,
        "period": found_period.text,
        "time": found_period.time,
        "datenstand": datenstand,
        "header_rows": header_rows,
        "first_data_row": first_data_row,
        "last_data_row": last_row,
        "columns": {get_column_letter(c): path for c, (_, path) in columns.items()},
        "region_levels": sorted({r["region_variable"] for r in records}),
        "dropped_rows": dropped,
        "notes": notes,
        # Where a row stands in the sheet, so that a check can name the cell.
        "column_names": {
            "region_key": get_column_letter(key_col),
            "region_name": get_column_letter(name_col),
        },
    }
    names = [c for c in CANONICAL_COLUMNS if c in (records[0] if records else {})]
    return from_rows(path, FORMAT, records, names, metadata, con, value_cells)
