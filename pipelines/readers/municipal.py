"""Municipal small-area statistics: a city statistics office's table by Stadtteil/Sozialraum.

City offices (Erfurt, Jena, Gera, Weimar, …) publish tables by Stadtteil, Sozialraum or
Planungsraum in layouts of their own: CSV with `;` or `,`, UTF-8 or cp1252, decimal comma or
point, thousands separators ('1.234'), title lines above the header, a city total row and
notes below the data, or an xlsx sheet laid out the same way. Nothing about the layout is
guessed: the contract's `reader_options` say what every column is.

Layouts
- wide (the main case): one row per area, one column per measure; columns mapped to
  `measure:<CODE>`;
- long: one row per area and measure; a `measure` column (labels mapped to codes by
  `measure_codes`, or codes) and a `value` column.

Options (all from the contract):
    format        "csv" | "xlsx" (default: from the file suffix)
    encoding      CSV text encoding, e.g. "cp1252" (default "utf-8"; a BOM is allowed)
    delimiter     CSV field separator, one character (default ";")
    decimal       "," or "." (default ",")
    thousands     "" (none), ".", " " (also NBSP), "'" or "," (default "")
    sheet         xlsx sheet name (default: the first sheet)
    skip_rows     lines (CSV) or rows (xlsx) above the header row (default 0)
    skip_footer   non-blank lines/rows below the data to ignore, e.g. notes (default 0)
    columns       file column -> role: "area_code", "area_name", "period", "measure:<CODE>",
                  "measure", "value" or "ignore" (required)
    key_scheme    how region_key is built from the area code:
                  {"gemeinde_ags": "16051000", "pad": 2, "separator": "-",
                   "code_pattern": "[0-9]+"}  -> '16051000-05' for area code 5
    period        fixed period for a file without a period column: "2024", "2024-12-31"
                  or "31.12.2024"
    period_pattern  regex with one group finding the period in the title lines (or the
                  file name), e.g. "Stand (\\d{2}\\.\\d{2}\\.\\d{4})"
    time_code     e.g. "STAG" / "JAHR" (default: STAG for a date, JAHR for a year)
    region_variable  default "SOZRAUM"
    statistics_code  the source's statistics code (conform compares it with the table code)
    measure_labels   measure code -> label (default: the file's column header / label)
    measure_codes    long layout: the file's measure label -> measure code
    units         measure code -> unit (default "Anzahl")
    signs         office markers -> GENESIS sign, e.g. {"*": "."}: value_status gets the
                  sign, value_quality the marker; {"": "-"} accepts empty cells as '-'
    total_rows    area codes or names of total rows to skip, e.g. ["Stadt Erfurt insgesamt"]
    extra_columns "error" (default: an unmapped column is schema drift) or "ignore" (warn)

Every row keeps `_source_line`: the physical line in the CSV file or the row in the sheet.
Problems name file and line and column (CSV) or sheet and cell (xlsx).
"""

from __future__ import annotations

import codecs
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from pipelines.readers.errors import InputError, Problem
from pipelines.readers.sniff import check_is_text_table
from pipelines.readers.table import ReadResult, from_rows

# Contract `reader_options` this reader accepts.
OPTIONS: dict[str, type] = {
    "format": str,
    "encoding": str,
    "delimiter": str,
    "decimal": str,
    "thousands": str,
    "sheet": str,
    "skip_rows": int,
    "skip_footer": int,
    "columns": dict,
    "key_scheme": dict,
    "period": str,
    "period_pattern": str,
    "time_code": str,
    "region_variable": str,
    "statistics_code": str,
    "measure_labels": dict,
    "measure_codes": dict,
    "units": dict,
    "signs": dict,
    "total_rows": list,
    "extra_columns": str,
}
# GENESIS special signs that replace a value (the "Zeichenerklärung").
SIGNS = ("-", ".", "/", "x", "...")
ROLES = ("area_code", "area_name", "period", "measure", "value", "ignore")
# The canonical columns a column of each role fills.
CANONICAL_OF_ROLE = {
    "area_code": ("region_key",),
    "area_name": ("region_name",),
    "period": ("time", "period_year"),
    "measure": ("measure_code", "measure_label"),
    "value": ("value", "value_status"),
}
KEY_SCHEME_FIELDS = {"gemeinde_ags": str, "pad": int, "separator": str, "code_pattern": str}
THOUSANDS = {"": "", ".": ".", ",": ",", "'": "'", " ": " \u00a0\u202f"}
DEFAULT_UNIT = "Anzahl"
MAX_PROBLEMS = 10


@dataclass(frozen=True)
class _Settings:
    format: str
    encoding: str
    delimiter: str
    decimal: str
    thousands: str
    sheet: str | None
    skip_rows: int
    skip_footer: int
    columns: dict[str, str]  # normalised file header -> role
    measures: dict[str, str]  # normalised file header -> measure code (wide layout)
    layout: str  # "wide" | "long"
    ags: str
    pad: int
    separator: str
    code_pattern: str
    period: str | None
    period_pattern: str | None
    time_code: str | None
    region_variable: str
    statistics_code: str | None
    measure_labels: dict[str, str]
    measure_codes: dict[str, str] | None
    units: dict[str, str]
    signs: dict[str, str]
    total_rows: frozenset[str]
    extra_columns: str


@dataclass
class _Grid:
    """The file as rows of cells: header, data rows with their line/row numbers, title."""

    header: list[str]
    header_line: int
    rows: list[tuple[int, list[Any]]]
    sheet: str | None = None
    title: list[str] = field(default_factory=list)
    title_cells: list[list[str]] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)


def _norm(text: object) -> str:
    """A header as compared: surrounding and repeated whitespace (line breaks) collapsed."""
    return " ".join(str(text).split())


def _option_error(name: str, message: str) -> ValueError:
    return ValueError(f"municipal reader option {name}: {message}")


def _settings(path: Path, options: dict[str, Any]) -> _Settings:
    """Validate the contract's options (a wrong option is the contract's fault: ValueError)."""
    for name, value in options.items():
        if name not in OPTIONS:
            raise _option_error(name, f"unknown (options: {', '.join(OPTIONS)})")
        if value is not None and not isinstance(value, OPTIONS[name]):
            raise _option_error(name, f"expected {OPTIONS[name].__name__}, found {value!r}")
    fmt = options.get("format") or ("xlsx" if path.suffix.lower() in (".xlsx", ".xlsm") else "csv")
    if fmt not in ("csv", "xlsx"):
        raise _option_error("format", f"expected 'csv' or 'xlsx', found {fmt!r}")
    encoding = options.get("encoding", "utf-8")
    try:
        encoding = codecs.lookup(encoding).name
    except LookupError as exc:
        raise _option_error("encoding", f"unknown encoding {encoding!r}") from exc
    delimiter = options.get("delimiter", ";")
    if len(delimiter) != 1 or delimiter in '\r\n"':
        raise _option_error("delimiter", f"expected one character, found {delimiter!r}")
    decimal = options.get("decimal", ",")
    if decimal not in (",", "."):
        raise _option_error("decimal", f"expected ',' or '.', found {decimal!r}")
    thousands = options.get("thousands", "")
    if thousands not in THOUSANDS or thousands == decimal:
        raise _option_error(
            "thousands",
            f"expected one of {sorted(set(THOUSANDS) - {decimal})}, found {thousands!r}",
        )
    for name in ("skip_rows", "skip_footer"):
        if options.get(name, 0) < 0:
            raise _option_error(name, f"expected a number >= 0, found {options[name]}")

    raw_columns = options.get("columns")
    if not raw_columns:
        raise _option_error("columns", "required: a mapping of file column -> role")
    columns: dict[str, str] = {}
    measures: dict[str, str] = {}
    for column, role in raw_columns.items():
        key = _norm(column)
        if key in columns:
            raise _option_error("columns", f"column {column!r} is mapped twice")
        if not isinstance(role, str):
            raise _option_error("columns", f"role of {column!r}: expected a string, found {role!r}")
        if role.startswith("measure:"):
            code = role.split(":", 1)[1].strip()
            if not code:
                raise _option_error("columns", f"role of {column!r}: measure code missing")
            if code in measures.values():
                raise _option_error("columns", f"measure {code} is mapped from two columns")
            measures[key] = code
        elif role not in ROLES:
            raise _option_error(
                "columns",
                f"role of {column!r}: expected one of {', '.join(ROLES)} or 'measure:<CODE>', "
                f"found {role!r}",
            )
        columns[key] = role
    roles = list(columns.values())
    for role in ("area_code", "area_name", "period", "measure", "value"):
        if roles.count(role) > 1:
            raise _option_error("columns", f"role {role!r} is given to more than one column")
    if "area_code" not in roles:
        raise _option_error("columns", "no column has the role 'area_code'")
    long = "measure" in roles or "value" in roles
    if long and measures:
        raise _option_error("columns", "mix of wide ('measure:<CODE>') and long ('measure') roles")
    if long and not ("measure" in roles and "value" in roles):
        raise _option_error(
            "columns", "the long layout needs both a 'measure' and a 'value' column"
        )
    if not long and not measures:
        raise _option_error("columns", "no measure column ('measure:<CODE>', or 'measure'+'value')")

    scheme = options.get("key_scheme") or {}
    for name, value in scheme.items():
        if name not in KEY_SCHEME_FIELDS:
            raise _option_error(
                "key_scheme", f"unknown field {name!r} ({', '.join(KEY_SCHEME_FIELDS)})"
            )
        if not isinstance(value, KEY_SCHEME_FIELDS[name]):
            raise _option_error(
                "key_scheme",
                f"{name}: expected {KEY_SCHEME_FIELDS[name].__name__}, found {value!r}",
            )
    ags = scheme.get("gemeinde_ags", "")
    if ags and not re.fullmatch(r"\d{8}|\d{12}", ags):
        raise _option_error("key_scheme", f"gemeinde_ags: expected 8 or 12 digits, found {ags!r}")
    code_pattern = scheme.get("code_pattern", "[0-9]+")
    try:
        re.compile(code_pattern)
    except re.error as exc:
        raise _option_error("key_scheme", f"code_pattern {code_pattern!r}: {exc}") from exc

    period = options.get("period")
    period_pattern = options.get("period_pattern")
    if sum(x is not None for x in (period, period_pattern)) + ("period" in roles) > 1:
        raise _option_error(
            "period", "give exactly one of: a 'period' column, period, period_pattern"
        )
    if period is None and period_pattern is None and "period" not in roles:
        raise _option_error("period", "the file has no period column: set period or period_pattern")
    if period is not None and _parse_period(period) is None:
        raise _option_error("period", f"expected 2024, 2024-12-31 or 31.12.2024, found {period!r}")
    if period_pattern is not None:
        try:
            if re.compile(period_pattern).groups != 1:
                raise _option_error("period_pattern", "expected a regex with exactly one group")
        except re.error as exc:
            raise _option_error("period_pattern", f"{period_pattern!r}: {exc}") from exc

    signs = {str(k).strip(): v for k, v in (options.get("signs") or {}).items()}
    for marker, sign in signs.items():
        if sign not in SIGNS:
            raise _option_error("signs", f"{marker!r} maps to {sign!r}, not a sign of {SIGNS}")
    extra = options.get("extra_columns", "error")
    if extra not in ("error", "ignore"):
        raise _option_error("extra_columns", f"expected 'error' or 'ignore', found {extra!r}")
    return _Settings(
        format=fmt,
        encoding=encoding,
        delimiter=delimiter,
        decimal=decimal,
        thousands=thousands,
        sheet=options.get("sheet"),
        skip_rows=options.get("skip_rows", 0),
        skip_footer=options.get("skip_footer", 0),
        columns=columns,
        measures=measures,
        layout="long" if long else "wide",
        ags=ags,
        pad=scheme.get("pad", 0),
        separator=scheme.get("separator", "-" if ags else ""),
        code_pattern=code_pattern,
        period=period,
        period_pattern=period_pattern,
        time_code=options.get("time_code"),
        region_variable=options.get("region_variable", "SOZRAUM"),
        statistics_code=options.get("statistics_code"),
        measure_labels={str(k): str(v) for k, v in (options.get("measure_labels") or {}).items()},
        measure_codes=(
            {_norm(k): str(v) for k, v in options["measure_codes"].items()}
            if options.get("measure_codes")
            else None
        ),
        units={str(k): str(v) for k, v in (options.get("units") or {}).items()},
        signs=signs,
        total_rows=frozenset(_norm(v) for v in options.get("total_rows") or []),
        extra_columns=extra,
    )


# --- loading the grid ----------------------------------------------------------------------


def _is_workbook(data: bytes) -> bool:
    if data[:4] != b"PK\x03\x04":
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _check_encoding(path: Path, data: bytes, encoding: str) -> None:
    """A UTF-8 file read as cp1252/latin-1 decodes without error into mojibake: catch it."""
    if encoding.startswith("utf"):
        return
    hint = f"set reader option encoding: utf-8 (not {encoding})"
    if data.startswith(codecs.BOM_UTF8):
        raise InputError.single(
            path,
            expected=f"text in {encoding}",
            found=f"a UTF-8 byte order mark: the file is UTF-8 — {hint}",
            line=1,
        )
    first = next((i for i, b in enumerate(data) if b >= 0x80), None)
    if first is None:
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return  # not UTF-8: a genuine single-byte file
    line = data.count(b"\n", 0, first) + 1
    start = data.rfind(b"\n", 0, first) + 1
    end = data.find(b"\n", first)
    text = data[start : end if end >= 0 else len(data)].rstrip(b"\r")
    words = [w for w in re.split(r"[\s;,]+", text.decode("utf-8")) if not w.isascii()]
    example = next((w for w in words if any(c.isalpha() and not c.isascii() for c in w)), "")
    example = (example or (words[0] if words else ""))[:40]
    mojibake = example.encode().decode(encoding, "replace")
    raise InputError.single(
        path,
        expected=f"text in {encoding}",
        found=f"UTF-8 text ({example!r} would read as {mojibake!r}) — {hint}",
        line=line,
    )


def _load_csv(path: Path, s: _Settings) -> _Grid:
    data = path.read_bytes() if path.is_file() else b""
    if data.strip() and _is_workbook(data):
        raise InputError.single(
            path,
            expected="a CSV table",
            found="an Excel workbook (xlsx): set reader option format: xlsx",
        )
    check_is_text_table(path, s.encoding)
    _check_encoding(path, data, s.encoding)
    text = data.decode(s.encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    pos = 0
    title = []
    for _ in range(s.skip_rows):
        end = text.find("\n", pos)
        if end < 0:
            raise InputError.single(
                path,
                expected=f"a header row in line {s.skip_rows + 1} (skip_rows={s.skip_rows})",
                found=f"the file ends after {text.count(chr(10)) + 1} lines",
            )
        title.append(text[pos:end].rstrip("\r"))
        pos = end + 1
    body = text[pos:]
    header_line = s.skip_rows + 1
    if not body.strip():
        raise InputError.single(
            path, expected=f"a header row in line {header_line}", found="nothing", line=header_line
        )
    import pandas as pd  # here only: every start loads the readers to check contracts

    try:
        frame = pd.read_csv(
            io.StringIO(body),
            sep=s.delimiter,
            header=None,
            dtype=str,
            na_filter=False,
            keep_default_na=False,
            skip_blank_lines=False,
            quotechar='"',
        )
    except pd.errors.ParserError as exc:
        message = str(exc)
        first = body.split("\n", 1)[0].rstrip("\r")
        one = _one_column(path, [_norm(c) for c in first.split(s.delimiter)], header_line, s)
        if one is not None:
            raise one from exc
        fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
        if fields:
            n, line, saw = (int(g) for g in fields.groups())
            raise InputError.single(
                path,
                expected=f"{n} fields separated by {s.delimiter!r}, as in the header",
                found=f"{saw} fields",
                line=s.skip_rows + line,
            ) from exc
        if "EOF inside string" in message:
            raise InputError.single(
                path, expected='a closing quote (")', found="a quoted field that never ends"
            ) from exc
        raise InputError.single(path, expected="a readable CSV table", found=message) from exc
    rows = frame.to_numpy().tolist()
    header = [_norm(c) for c in rows[0]]
    line = header_line + 1 + sum(str(c).count("\n") for c in rows[0])
    data_rows = []
    for cells in rows[1:]:
        data_rows.append((line, [c.strip() for c in cells]))
        line += 1 + sum(c.count("\n") for c in cells)
    return _Grid(
        header,
        header_line,
        data_rows,
        title=[_title(t, s.delimiter) for t in title],
        title_cells=[t.split(s.delimiter) for t in title],
    )


def _title(line: str, delimiter: str) -> str:
    return " ".join(p.strip().strip('"') for p in line.split(delimiter) if p.strip())


def _load_xlsx(path: Path, s: _Settings) -> _Grid:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    if not path.is_file():
        raise InputError.single(path, expected="a file", found="nothing at that path")
    data = path.read_bytes()
    if not data.strip():
        raise InputError.single(path, expected="an xlsx workbook", found="an empty file")
    if not _is_workbook(data):
        kind = (
            "a ZIP archive without a workbook" if data[:4] == b"PK\x03\x04" else "no xlsx workbook"
        )
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            kind = "an old Excel .xls file (save it as .xlsx)"
        elif not data[:512].count(b"\x00"):
            kind = "a text file (set reader option format: csv)"
        raise InputError.single(path, expected="an xlsx workbook", found=kind)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError.single(path, expected="a readable xlsx workbook", found=str(exc)) from exc
    try:
        names = workbook.sheetnames
        sheet = s.sheet if s.sheet is not None else names[0]
        if sheet not in names:
            raise InputError.single(
                path, expected=f"a sheet {sheet!r}", found=f"sheets {', '.join(map(repr, names))}"
            )
        rows = [list(r) for r in workbook[sheet].iter_rows(min_row=1, values_only=True)]
    finally:
        workbook.close()
    header_row = s.skip_rows + 1
    if len(rows) < header_row or all(_cell_text(c) == "" for c in rows[header_row - 1]):
        raise InputError(
            [
                Problem(
                    path.name,
                    header_row,
                    None,
                    f"a header row in row {header_row} (skip_rows={s.skip_rows})",
                    "an empty row" if len(rows) >= header_row else f"{len(rows)} rows",
                    sheet=sheet,
                )
            ]
        )
    header = [_norm(_cell_text(c)) for c in rows[header_row - 1]]
    width = len(header)
    data_rows = [
        (number, (cells + [None] * width)[: max(width, len(cells))])
        for number, cells in enumerate(rows[header_row:], start=header_row + 1)
    ]
    title_cells = [[_cell_text(c) for c in r] for r in rows[: s.skip_rows]]
    title = [" ".join(c for c in r if c) for r in title_cells]
    return _Grid(header, header_row, data_rows, sheet, title, title_cells)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- problems ------------------------------------------------------------------------------


class _Problems:
    """Problems by kind: the first place of each, and how many more rows share it."""

    def __init__(self, path: Path, grid: _Grid):
        self.file = path.name
        self.sheet = grid.sheet
        self.first: dict[tuple[str, str], Problem] = {}
        self.more: dict[tuple[str, str], int] = {}

    def add(
        self, kind: str, line: int, index: int | None, name: str | None, expected: str, found: str
    ):
        key = (kind, name or "")
        if key in self.first:
            self.more[key] += 1
            return
        self.more[key] = 0
        if self.sheet is not None:
            cell = f"{_column_letter(index)}{line}" if index is not None else None
            where = f" (column '{name}')" if name else ""
            self.first[key] = Problem(
                self.file, line, cell, expected + where, found, sheet=self.sheet
            )
        else:
            self.first[key] = Problem(self.file, line, name, expected, found)

    def raise_if_any(self) -> None:
        if self.first:
            problems = [
                Problem(p.file, p.line, p.column, p.expected, p.found, self.more[k], p.sheet)
                for k, p in self.first.items()
            ]
            raise InputError(problems[:MAX_PROBLEMS])


def _header_problem(path: Path, grid: _Grid, expected: str, found: str) -> InputError:
    return InputError(
        [Problem(path.name, grid.header_line, None, expected, found, sheet=grid.sheet)]
    )


def _check_header(path: Path, grid: _Grid, s: _Settings) -> tuple[dict[str, int], list[str]]:
    """Column index per mapped column; unmapped columns are schema drift (or ignored)."""
    mapped = list(s.columns)
    present = [h for h in grid.header if h]
    if grid.sheet is None and (one := _one_column(path, grid.header, grid.header_line, s)):
        raise one
    duplicates = sorted({h for h in present if present.count(h) > 1})
    if duplicates:
        raise _header_problem(
            path, grid, "each column name once", f"{', '.join(map(repr, duplicates))} twice"
        )
    index = {h: i for i, h in enumerate(grid.header) if h}
    problems = []
    missing = [c for c in mapped if c not in index]
    if missing:
        hint = _header_hint(grid, mapped)
        problems.append(
            Problem(
                path.name,
                grid.header_line,
                None,
                f"the column(s) {', '.join(map(repr, missing))} (reader option columns)",
                f"columns {', '.join(map(repr, present))}{hint}",
                sheet=grid.sheet,
            )
        )
    extra = [h for h in present if h not in s.columns]
    for i, h in enumerate(grid.header):
        if not h and any(i < len(cells) and _cell_text(cells[i]) for _, cells in grid.rows):
            extra.append(f"<column {i + 1} without a header>")
    ignored: list[str] = []
    if extra and s.extra_columns == "error":
        problems.append(
            Problem(
                path.name,
                grid.header_line,
                None,
                "only the mapped columns (schema drift: map new columns in reader option "
                "columns, or set extra_columns: ignore)",
                f"unmapped column(s) {', '.join(map(repr, extra))}",
                sheet=grid.sheet,
            )
        )
    elif extra:
        ignored = extra
        warnings.warn(
            f"{path.name}: ignoring unmapped column(s) {', '.join(map(repr, extra))} "
            "(extra_columns: ignore)",
            UserWarning,
            stacklevel=3,
        )
    if problems:
        raise InputError(problems)
    return {c: index[c] for c in mapped}, ignored


def _one_column(path: Path, header: list[str], line: int, s: _Settings) -> InputError | None:
    """A CSV header that is one column while several are mapped: the wrong delimiter."""
    present = [h for h in header if h]
    if len(header) > 1 or len(s.columns) <= 1:
        return None
    names = ", ".join(repr(c) for c in s.columns)
    found = repr(present[0][:120]) if present else "nothing"
    hint = _delimiter_hint(present[0] if present else "", s.delimiter)
    return InputError(
        [
            Problem(
                path.name,
                line,
                None,
                f"columns {names} separated by {s.delimiter!r}",
                f"one column {found} — wrong delimiter?{hint}",
            )
        ]
    )


def _delimiter_hint(header: str, delimiter: str) -> str:
    counts = {d: header.count(d) for d in (";", ",", "\t", "|") if d != delimiter}
    best = max(counts, key=lambda d: counts[d])
    return f" (the header contains {counts[best]} × {best!r})" if counts[best] else ""


def _header_hint(grid: _Grid, mapped: list[str]) -> str:
    """Point at the real header line if it sits above or below the configured one."""
    place = "row" if grid.sheet is not None else "line"
    candidates = [(n, [_norm(c) for c in cells]) for n, cells in enumerate(grid.title_cells, 1)]
    candidates += [(n, [_norm(_cell_text(c)) for c in cells]) for n, cells in grid.rows[:20]]
    for line, texts in candidates:
        if all(m in texts for m in mapped):
            return f"; the mapped columns are in {place} {line}: skip_rows {line - 1}?"
    return ""


# --- values --------------------------------------------------------------------------------


def _number_pattern(decimal: str, thousands: str) -> re.Pattern[str]:
    digits = "[0-9]+"
    if thousands:
        sep = "[" + re.escape(THOUSANDS[thousands]) + "]"
        digits = rf"(?:[0-9]{{1,3}}(?:{sep}[0-9]{{3}})+|[0-9]+)"
    return re.compile(rf"[-+]?{digits}(?:{re.escape(decimal)}[0-9]+)?")


def _parse_period(text: str) -> tuple[str, int, str] | None:
    """(time as ISO, year, time code) of '2024', '2024-12-31' or '31.12.2024'."""
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        return text, int(text), "JAHR"
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text) or re.fullmatch(
        r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text
    )
    if not m:
        return None
    if "-" in text:
        year, month, day = (int(g) for g in m.groups())
    else:
        day, month, year = (int(g) for g in m.groups())
    try:
        return date(year, month, day).isoformat(), year, "STAG"
    except ValueError:
        return None


@dataclass
class _Reader:
    path: Path
    s: _Settings
    grid: _Grid
    problems: _Problems
    number: re.Pattern[str]

    def value(self, line: int, index: int, name: str, cell: Any):
        """(value, status, quality) of one cell, or None after recording a problem."""
        s = self.s
        if isinstance(cell, bool):
            cell = str(cell)
        if isinstance(cell, int | float) and not isinstance(cell, bool):
            return float(cell), None, None
        raw = _cell_text(cell)
        if raw in s.signs:
            sign = s.signs[raw]
            return None, sign, (raw if raw and raw != sign else None)
        if raw in SIGNS:
            return None, raw, None
        if self.number.fullmatch(raw):
            text = raw
            for ch in THOUSANDS[s.thousands]:
                text = text.replace(ch, "")
            return float(text.replace(s.decimal, ".")), None, None
        known = " ".join([*SIGNS, *[m for m in s.signs if m]])
        if raw == "":
            self.problems.add(
                "empty", line, index, name, f"a number or a special sign ({known})", "an empty cell"
            )
        elif not re.search(r"\d", raw) and len(raw) <= 4:
            self.problems.add(
                "sign",
                line,
                index,
                name,
                f"a number or a special sign ({known}); map office markers with reader option "
                "signs, e.g. {'*': '.'}",
                f"unknown special sign {raw!r}",
            )
        else:
            point = "decimal comma" if s.decimal == "," else "decimal point"
            sep = f", thousands separator {s.thousands!r}" if s.thousands else ""
            self.problems.add(
                "number",
                line,
                index,
                name,
                f"a number with {point}{sep} or a special sign",
                repr(raw),
            )
        return None

    def area(self, line: int, index: int, name: str, cell: Any) -> str | None:
        s = self.s
        raw = _cell_text(cell)
        if not re.fullmatch(s.code_pattern, raw):
            self.problems.add(
                "area_code",
                line,
                index,
                name,
                f"an area code matching {s.code_pattern!r}",
                repr(raw) if raw else "an empty cell",
            )
            return None
        code = str(int(raw)).zfill(s.pad) if re.fullmatch("[0-9]+", raw) else raw
        if s.pad and len(code) > s.pad:
            self.problems.add(
                "area_code_length",
                line,
                index,
                name,
                f"an area code of at most {s.pad} digits (key_scheme pad)",
                repr(raw),
            )
            return None
        return f"{s.ags}{s.separator}{code}" if s.ags else code


def _file_period(path: Path, grid: _Grid, s: _Settings) -> tuple[str, int, str] | None:
    if s.period is not None:
        return _parse_period(s.period)
    if s.period_pattern is None:
        return None
    pattern = re.compile(s.period_pattern)
    for text in [*grid.title, path.name]:
        m = pattern.search(text)
        if m and (parsed := _parse_period(m.group(1))):
            return parsed
    shown = " | ".join(grid.title)[:200] or "no title lines"
    raise InputError(
        [
            Problem(
                path.name,
                1 if grid.title else None,
                None,
                f"the period in the title or file name (period_pattern {s.period_pattern!r})",
                repr(shown),
                sheet=grid.sheet,
            )
        ]
    )


def _drop_footer(
    path: Path, grid: _Grid, s: _Settings, code_index: int
) -> list[tuple[int, list[Any]]]:
    """Leave out the last `skip_footer` non-blank rows (notes, sources) below the data.

    A left-out row with an area code is data, not a note: a delivery without the notes
    would otherwise lose its last areas without a word.
    """
    rows = [(n, cells) for n, cells in grid.rows if any(_cell_text(c) for c in cells)]
    if not s.skip_footer:
        return rows
    footer = rows[-s.skip_footer :]
    for line, cells in footer:
        code = _cell_text(cells[code_index]) if code_index < len(cells) else ""
        if code and re.fullmatch(s.code_pattern, code):
            cell = f"{_column_letter(code_index)}{line}" if grid.sheet is not None else None
            raise InputError(
                [
                    Problem(
                        path.name,
                        line,
                        cell,
                        f"a note line below the data (skip_footer: {s.skip_footer})",
                        f"a data row of area {code!r} — are the notes missing?",
                        sheet=grid.sheet,
                    )
                ]
            )
    grid.footer = [" ".join(t for c in cells if (t := _cell_text(c))) for _, cells in footer]
    return rows[: -s.skip_footer]


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def read(path: Path, con: duckdb.DuckDBPyConnection | None = None, **options: Any) -> ReadResult:
    """Read one municipal table into the canonical long table, as `options` describe it."""
    path = Path(path)
    s = _settings(path, options)
    grid = _load_xlsx(path, s) if s.format == "xlsx" else _load_csv(path, s)
    index, ignored = _check_header(path, grid, s)
    fixed_period = _file_period(path, grid, s)
    by_role = {role: name for name, role in s.columns.items() if not role.startswith("measure:")}
    rows = _drop_footer(path, grid, s, index[by_role["area_code"]])
    problems = _Problems(path, grid)
    reader = _Reader(path, s, grid, problems, _number_pattern(s.decimal, s.thousands))

    def cell(cells: list[Any], name: str) -> Any:
        i = index[name]
        return cells[i] if i < len(cells) else None

    records: list[dict[str, Any]] = []
    value_columns: list[str] = []  # the file's column of each record's value

    def shown(name: str) -> str:
        """A column as the user finds it: its header (CSV) or its letter (sheet)."""
        return name if grid.sheet is None else _column_letter(index[name])

    seen: dict[tuple[str, ...], int] = {}
    total_lines: list[int] = []
    skipped_measures: set[str] = set()
    for line, cells in rows:
        code_name = by_role["area_code"]
        name_col = by_role.get("area_name")
        code_text = _norm(_cell_text(cell(cells, code_name)))
        area_name = _norm(_cell_text(cell(cells, name_col))) if name_col else None
        if s.total_rows and (code_text in s.total_rows or area_name in s.total_rows):
            total_lines.append(line)
            continue
        key = reader.area(line, index[code_name], code_name, cell(cells, code_name))
        period = fixed_period
        if "period" in by_role:
            pcol = by_role["period"]
            ptext = _cell_text(cell(cells, pcol))
            period = _parse_period(ptext)
            if period is None:
                problems.add(
                    "period",
                    line,
                    index[pcol],
                    pcol,
                    "a period like 2024, 2024-12-31 or 31.12.2024",
                    repr(ptext) if ptext else "an empty cell",
                )
        if s.layout == "wide":
            items = [(code, name, name) for name, code in s.measures.items()]
            row_key: tuple[str, ...] = ()
        else:
            mcol = by_role["measure"]
            label = _norm(_cell_text(cell(cells, mcol)))
            code = label if s.measure_codes is None else s.measure_codes.get(label, "")
            if label and not code and s.extra_columns == "ignore":
                skipped_measures.add(label)
                continue
            if not code:
                choices = ", ".join(map(repr, s.measure_codes or {})) or "any"
                problems.add(
                    "measure",
                    line,
                    index[mcol],
                    mcol,
                    f"a measure of reader option measure_codes ({choices}); "
                    "schema drift: a new measure?",
                    repr(label) if label else "an empty cell",
                )
                continue
            items = [(code, by_role["value"], label)]
            row_key = (code,)
        if key is not None and period is not None:
            dup_key = (period[0], key, *row_key)
            if dup_key in seen:
                problems.add(
                    "duplicate",
                    line,
                    index[code_name],
                    code_name,
                    "one row per area and period" + (" and measure" if row_key else ""),
                    f"area code {code_text!r} again (first at {'row' if grid.sheet else 'line'} "
                    f"{seen[dup_key]})",
                )
                continue
            seen[dup_key] = line
        for code, column, label in items:
            parsed = reader.value(line, index[column], column, cell(cells, column))
            if key is None or period is None or parsed is None:
                continue
            value, status, quality = parsed
            records.append(
                {
                    "time_code": s.time_code or period[2],
                    "time": period[0],
                    "period_year": period[1],
                    "region_key": key,
                    "region_name": area_name or None,
                    "measure_code": code,
                    "measure_label": s.measure_labels.get(code) or label,
                    "value": value,
                    "unit": s.units.get(code, DEFAULT_UNIT),
                    "value_status": status,
                    "value_quality": quality,
                    "_source_line": line,
                }
            )
            value_columns.append(shown(column))
    problems.raise_if_any()
    if not records:
        raise InputError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    "at least one data row",
                    "only the header" + (" and total rows" if total_lines else ""),
                    sheet=grid.sheet,
                )
            ]
        )
    if skipped_measures:
        labels = ", ".join(map(repr, sorted(skipped_measures)))
        warnings.warn(
            f"{path.name}: ignoring unmapped measure(s) {labels} (extra_columns: ignore)",
            UserWarning,
            stacklevel=2,
        )

    metadata: dict[str, object] = {
        "format": s.format,
        "layout": s.layout,
        "title": grid.title,
        "footer": grid.footer,
        "header_line": grid.header_line,
        "columns": {name: s.columns[name] for name in index},
        "ignored_columns": ignored,
        "ignored_measures": sorted(skipped_measures),
        "total_rows": total_lines,
        "periods": sorted({r["time"] for r in records}),
        "areas": len({r["region_key"] for r in records}),
        # Where a row stands in the file, so that a check can name the column or cell.
        "column_names": {
            canonical: shown(by_role[role])
            for role, columns in CANONICAL_OF_ROLE.items()
            if role in by_role
            for canonical in columns
        },
    }
    if s.format == "csv":
        metadata |= {"encoding": s.encoding, "delimiter": s.delimiter}
    else:
        metadata["sheet"] = grid.sheet
    names = [
        "time_code", "time", "period_year", "region_key", "region_name", "measure_code",
        "measure_label", "value", "unit", "value_status", "value_quality", "_source_line",
    ]  # fmt: skip
    constants = {"statistics_code": s.statistics_code, "region_variable": s.region_variable}
    return from_rows(path, "municipal", records, names, metadata, con, value_columns, constants)
