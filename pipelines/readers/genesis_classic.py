"""Classic GENESIS / Regionalstatistik table export (CSV), as the web "Tabelle als CSV" saves it.

cp1252/ISO-8859-1, `;` separated, laid out like the printed table:

    GENESIS-Tabelle: 12411-01-01-4                      <- line 1: the table code
    Bevölkerungsstand: Bevölkerung nach Geschlecht;;;;  <- title block: one text per line,
    - Stichtag 31.12. -;;;;                                padded with `;` to the table width
    regionale Tiefe: Kreise und krfr. Städte;;;;
    Fortschreibung des Bevölkerungsstandes;;;;          <- the statistic
    Bevölkerungsstand (Anzahl);;;;                      <- the measure, when it is one for all
    ;;31.12.2015;31.12.2015;31.12.2015                  <- column header rows (start with `;`):
    ;;Insgesamt;männlich;weiblich                          periods, variable labels, attributes,
    DG;Deutschland;82175684;40514123;41661561              measure label + unit
    16051;      Erfurt, krsfr. Stadt;210118;101753;108365
    __________                                          <- footer: quoted notes, copyright,
    "zu ""gesamter Tabelle"": ..."                         `Stand: dd.mm.yyyy / hh:mm:ss`

Data rows are `[period;] region key; indented region name; values…`. The header rows are
interpreted from the bottom up: when the title block has no `<measure> (<unit>)` line, the last
two header rows are the measure label and its unit; a row of dates/years gives the period of each
column; the rest are variables, a row repeating one label (e.g. `Schulabschluss`) naming the
attribute row below it. Codes are made from labels (`männlich` → `maennlich`, `Insgesamt` → '').
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from pipelines.readers.errors import InputError, Problem
from pipelines.readers.genesis_ffcsv import SIGNS, UNIT_FACTORS
from pipelines.readers.sniff import check_is_text_table
from pipelines.readers.table import CANONICAL_COLUMNS, ReadResult

# Contract `reader_options` this reader accepts.
OPTIONS: dict[str, type] = {
    "encoding": str,
    "region_variable": str,
    "measure_code": str,
    "decimal": str,
}

TABLE_LINE = re.compile(r"^GENESIS-Tabelle:\s*(?P<code>\S.*?)\s*$")
FOOTER_MARK = re.compile(r"^_{5,}[;\s]*$")
STAND = re.compile(
    r"^Stand:\s*(?P<date>\d{2}\.\d{2}\.\d{4})\s*/\s*(?P<time>\d{2}:\d{2}(?::\d{2})?)"
)
COPYRIGHT = re.compile(r"^\s*(©|\([Cc]\))")
MEASURE_LINE = re.compile(r"^(?P<label>\S.*?)\s*\((?P<unit>[^()]+)\)$")
DEPTH_LINE = re.compile(r"^regionale Tiefe:\s*(?P<depth>.+)$")
REGION_KEY = re.compile(r"^(DG|\d{2,12})$")
PERIODS = {
    "STAG": re.compile(r"^\d{2}\.\d{2}\.(?P<year>\d{4})$"),
    "JAHR": re.compile(r"^(?P<year>\d{4})$"),
    "SJAHR": re.compile(r"^(?P<year>\d{4})/(\d{2}|\d{4})$"),
}
PERIOD_IN_TEXT = re.compile(r"\b(\d{2}\.\d{2}\.\d{4}|\d{4}/\d{2}(?:\d{2})?|(?:19|20)\d{2})\b")
NUMBER = {
    "de": r"-?\d+(?:,\d+)?",
    "en": r"-?\d+(?:\.\d+)?",
}
QUALIFIERS = "prse"  # provisional, revised (berichtigt), estimated (geschätzt), final (endgültig)
# Region variable of a table by the length of most of its region keys.
REGION_VARIABLE_BY_KEY_LENGTH = {2: "DLAND", 3: "REGBEZ", 5: "KREISE", 8: "GEMEIN", 9: "GEMVB"}
TOTAL = "insgesamt"
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_TRANSLIT.update(str.maketrans({"ß": "ss"}))


def slug(text: str) -> str:
    """`männlich` → `maennlich`, `dar. schulischer Teil` → `dar_schulischer_teil`."""
    text = unicodedata.normalize("NFC", text).translate(_TRANSLIT).lower()
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


@dataclass
class _Line:
    number: int  # 1-based line in the file
    text: str
    fields: list[str]

    @property
    def is_blank(self) -> bool:
        return not any(f.strip() for f in self.fields)


@dataclass
class _Column:
    """What the header says of one value column."""

    index: int  # position in the row (0-based)
    period: str | None = None
    measure_label: str | None = None
    unit: str | None = None
    variables: list[tuple[str, str, str | None]] = field(default_factory=list)  # code, attr, label

    def name(self) -> str:
        labels = [label for _c, _a, label in self.variables if label] or [self.measure_label or ""]
        return f"{self.index + 1} ({' / '.join(labels)})" if any(labels) else str(self.index + 1)


# --- file and encoding -------------------------------------------------------------------


def _first_line(data: bytes) -> str:
    raw = data.split(b"\n", 1)[0].rstrip(b"\r")
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raw = raw.removeprefix(bom)
    return raw.decode("utf-8", errors="replace")


def _check_genesis(path: Path, data: bytes) -> None:
    first = _first_line(data)
    if TABLE_LINE.match(first.replace("\x00", "")):
        return
    if "statistics_code" in first and "value" in first:
        found = (
            f"a GENESIS flat-file CSV (ffcsv) header {first[:60]!r}…: "
            "read it with the reader genesis_ffcsv"
        )
    else:
        found = f"first line {first[:120]!r}"
    raise InputError.single(
        path,
        expected="a GENESIS table export (first line 'GENESIS-Tabelle: <code>')",
        found=found,
        line=1,
    )


def _wrong_encoding(path: Path, data: bytes, encoding: str) -> Problem | None:
    """A file re-saved as UTF-8 (or UTF-16) decodes as cp1252 without error, but as 'Ã¼'."""
    if codecs.lookup(encoding).name.startswith("utf"):
        return None
    expected = f"{encoding} text"
    hint = " (re-save it as Windows-1252/ISO-8859-1, or set reader_options.encoding)"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Problem(path.name, 1, None, expected, "UTF-16 with a byte order mark" + hint)
    if data.startswith(codecs.BOM_UTF8):
        return Problem(path.name, 1, None, expected, "UTF-8 with a byte order mark" + hint)
    if data.isascii():
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    position = next(i for i, ch in enumerate(text) if ord(ch) > 127)
    char = text[position]
    as_read = char.encode("utf-8").decode(encoding, errors="replace")
    line = text.count("\n", 0, position) + 1
    return Problem(
        path.name,
        line,
        None,
        expected,
        f"UTF-8: {char!r} is stored as {len(char.encode('utf-8'))} bytes that {encoding} "
        f"reads as {as_read!r}" + hint,
    )


def _decode(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError.single(
            path,
            expected=f"text in {encoding}",
            found=f"byte 0x{data[exc.start]:02x} that is not {encoding}",
            line=data.count(b"\n", 0, exc.start) + 1,
        ) from exc


def _lines(text: str) -> list[_Line]:
    rows = text.split("\n")
    if rows and rows[-1] == "":
        rows.pop()
    out = []
    for number, row in enumerate(rows, start=1):
        row = row.rstrip("\r")
        fields = next(csv.reader([row], delimiter=";"), [])
        out.append(_Line(number, row, fields))
    return out


def _leading_empty(fields: list[str]) -> int:
    return next((k for k, f in enumerate(fields) if f.strip()), len(fields))


# --- footer ------------------------------------------------------------------------------


def _footer(lines: list[_Line]) -> dict[str, object]:
    text = "\n".join(line.text for line in lines)
    notes: list[str] = []
    copyright_text = stand = stand_text = None
    for record in csv.reader(io.StringIO(text, newline=""), delimiter=";"):
        while record and not record[-1].strip():
            record.pop()
        value = ";".join(record)
        if not value.strip():
            continue
        if m := STAND.match(value.strip()):
            stand_text = value.strip()
            time = m["time"] if m["time"].count(":") == 2 else m["time"] + ":00"
            stand = datetime.strptime(f"{m['date']} {time}", "%d.%m.%Y %H:%M:%S")
        elif COPYRIGHT.match(value) and copyright_text is None:
            copyright_text = value.strip()
        else:
            notes.append(value)
    return {
        "notes": "\n".join(notes) or None,
        "copyright": copyright_text,
        "stand": stand,
        "stand_text": stand_text,
    }


# --- header ------------------------------------------------------------------------------


def _period_code(period: str, school_year_table: bool) -> tuple[str, int] | None:
    for code, pattern in PERIODS.items():
        if m := pattern.match(period):
            if code == "JAHR" and school_year_table:
                code = "SJAHR"
            return code, int(m["year"])
    return None


def _is_period_row(cells: list[str]) -> bool:
    filled = [c.strip() for c in cells if c.strip()]
    return bool(filled) and all(_period_code(c, False) for c in filled)


def _is_uniform(cells: list[str]) -> bool:
    values = {c.strip() for c in cells}
    return len(values) == 1 and "" not in values and values.pop().lower() != TOTAL


def _title_parts(title: list[_Line]) -> dict[str, object]:
    texts = [" ".join(f.strip() for f in line.fields if f.strip()) for line in title]
    depth_at = next((i for i, t in enumerate(texts) if DEPTH_LINE.match(t)), None)
    measure = None
    m = MEASURE_LINE.match(texts[-1]) if len(texts) >= 2 else None
    if m and (depth_at is None or depth_at < len(texts) - 1):
        measure = (m["label"], m["unit"].strip())
    body = texts[:-1] if measure else texts
    if depth_at is not None:
        title_text = " ".join(texts[: depth_at + 1])
        statistic = " ".join(body[depth_at + 1 :]) or None
        depth = DEPTH_LINE.match(texts[depth_at])["depth"]  # type: ignore[index]
    else:
        title_text, statistic, depth = " ".join(body), None, None
    return {
        "texts": texts,
        "title": title_text,
        "statistic": statistic,
        "regional_depth": depth,
        "measure": measure,
    }


def _columns(
    path: Path,
    header: list[_Line],
    stub: int,
    width: int,
    measure: tuple[str, str] | None,
) -> tuple[list[_Column], list[dict[str, object]]]:
    """Interpret the column header rows; returns the value columns and a description."""
    rows = [(line, [c.strip() for c in line.fields[stub:width]]) for line in header]
    kinds: list[str | None] = ["period" if _is_period_row(cells) else None for _l, cells in rows]
    if measure is None:
        rest = [i for i, k in enumerate(kinds) if k is None]
        if len(rest) < 2:
            raise InputError.single(
                path,
                expected="a measure: a title line '<measure> (<unit>)' or a measure label row "
                "and a unit row at the end of the column header",
                found=f"{len(rest)} column header row(s) besides the periods",
                line=header[-1].number,
            )
        kinds[rest[-2]], kinds[rest[-1]] = "measure", "unit"
    for i, (_line, cells) in enumerate(rows):
        if kinds[i] is not None:
            continue
        following = kinds[i + 1] if i + 1 < len(rows) else "end"
        if _is_uniform(cells) and following in (None, "period"):
            kinds[i] = "period_label" if following == "period" else "label"
        else:
            kinds[i] = "attributes"

    columns = [_Column(index=stub + k) for k in range(width - stub)]
    if measure is not None:
        for col in columns:
            col.measure_label, col.unit = measure
    label: str | None = None
    unlabelled = 0
    used_codes: set[str] = set()
    for (_line, cells), kind in zip(rows, kinds, strict=True):
        if kind == "label":
            label = cells[0]
            continue
        if kind == "period":
            for col, cell in zip(columns, cells, strict=False):
                col.period = cell or None
        elif kind == "measure":
            for col, cell in zip(columns, cells, strict=False):
                col.measure_label = cell
        elif kind == "unit":
            for col, cell in zip(columns, cells, strict=False):
                col.unit = cell
        elif kind == "attributes":
            if label:
                code = slug(label).upper() or "MERKMAL"
            else:
                unlabelled += 1
                code = "MERKMAL" if unlabelled == 1 else f"MERKMAL{unlabelled}"
            while code in used_codes:
                code += "_"
            used_codes.add(code)
            for col, cell in zip(columns, cells, strict=False):
                attr = "" if cell.lower() in ("", TOTAL) else slug(cell) or f"col{col.index + 1}"
                col.variables.append((code, attr, cell or None))
            label = None
    variables = sum(k == "attributes" for k in kinds)
    if variables > 3:
        raise InputError.single(
            path,
            expected="at most 3 variables in the column header",
            found=f"{variables} attribute rows",
            line=header[0].number,
        )
    described = [
        {"line": line.number, "kind": kind, "cells": cells}
        for (line, cells), kind in zip(rows, kinds, strict=True)
    ]
    return columns, described


# --- values ------------------------------------------------------------------------------


class _Problems:
    """First problem of each kind, with a count of the rows like it."""

    def __init__(self, path: Path):
        self.path = path
        self.first: dict[str, Problem] = {}
        self.count: dict[str, int] = {}

    def add(self, kind: str, line: int, column: str | None, expected: str, found: str) -> None:
        if kind not in self.first:
            self.first[kind] = Problem(self.path.name, line, column, expected, found)
            self.count[kind] = 0
        else:
            self.count[kind] += 1

    def raise_if_any(self) -> None:
        if not self.first:
            return
        problems = [
            Problem(p.file, p.line, p.column, p.expected, p.found, self.count[k])
            for k, p in self.first.items()
        ]
        problems.sort(key=lambda p: p.line or 0)
        raise InputError(problems)


def _value_parser(decimal: str):
    number = NUMBER[decimal]
    plain = re.compile(rf"^(?P<num>{number})(?:\s?(?P<q>[{QUALIFIERS}]))?$")
    bracketed = re.compile(rf"^\((?P<num>{number})\)$")

    def parse(token: str) -> tuple[float | None, str | None, str | None] | None:
        """(value, status, quality), or None when the token is neither number nor sign."""
        if token in SIGNS:
            return None, token, None
        if m := plain.match(token):
            quality = m["q"]
        elif m := bracketed.match(token):
            quality = "()"
        else:
            return None
        text = m["num"].replace(",", ".") if decimal == "de" else m["num"]
        return float(text), None, quality

    return parse


def _bad_value(problems: _Problems, line: int, column: str, token: str, decimal: str) -> None:
    signs = " ".join(SIGNS)
    if token == "" or (len(token) <= 4 and not re.search(r"\d", token)):
        problems.add(
            "sign",
            line,
            column,
            f"a number or a special sign ({signs})",
            f"unknown special sign {token!r}" if token else "an empty value",
        )
    else:
        sep = "decimal comma" if decimal == "de" else "decimal point"
        problems.add(
            "number",
            line,
            column,
            f"a number with {sep} (decimal={decimal}), optionally with a qualifier letter "
            f"({', '.join(QUALIFIERS)}), or a special sign ({signs})",
            repr(token),
        )


def _infer_region_variable(keys: list[str]) -> str:
    """The level most rows are at: a Kreis table also holds DG, Länder, Regierungsbezirke
    and a few Gemeinden (Hannover, Aachen, Saarbrücken), but mostly 5-digit Kreis keys."""
    lengths = Counter(len(k) for k in set(keys) if k != "DG")
    if not lengths:
        return "DINSG"
    length = max(lengths, key=lambda n: (lengths[n], n))
    return REGION_VARIABLE_BY_KEY_LENGTH.get(length, f"KEY{length}")


# --- read --------------------------------------------------------------------------------


def read(
    path: Path,
    encoding: str = "cp1252",
    region_variable: str | None = None,
    measure_code: str | None = None,
    decimal: str = "de",
) -> ReadResult:
    """Read one classic GENESIS table export into the canonical long table."""
    path = Path(path)
    if decimal not in NUMBER:
        raise ValueError(f"decimal must be 'de' or 'en', not {decimal!r}")
    codecs.lookup(encoding)  # LookupError for an unknown encoding name

    check_is_text_table(path, encoding="latin-1")  # empty, ZIP, HTML; encoding is checked below
    data = path.read_bytes()
    _check_genesis(path, data)
    if problem := _wrong_encoding(path, data, encoding):
        raise InputError([problem])
    lines = _lines(_decode(path, data, encoding))

    table_code = TABLE_LINE.match(lines[0].text.lstrip("\ufeff"))["code"]  # type: ignore[index]
    footer_at = next((i for i, line in enumerate(lines) if FOOTER_MARK.match(line.text)), None)
    if footer_at is None:
        raise InputError.single(
            path,
            expected="the footer (__________, notes, copyright, Stand) after the data rows",
            found=f"the file ends without the footer (__________): truncated? "
            f"(last line {len(lines)}: {lines[-1].text[:80]!r})",
            line=len(lines),
        )
    body, footer = lines[:footer_at], lines[footer_at + 1 :]

    # Title block: lines with text in the first field only.
    i = 1
    while i < len(body) and (
        body[i].is_blank
        or (body[i].fields[0].strip() and not any(f.strip() for f in body[i].fields[1:]))
    ):
        i += 1
    title = [line for line in body[1:i] if not line.is_blank]
    header_start = i
    while i < len(body) and (body[i].is_blank or not body[i].fields[0].strip()):
        i += 1
    header = [line for line in body[header_start:i] if not line.is_blank]
    data_lines = [line for line in body[i:] if not line.is_blank]
    if not header:
        where = data_lines[0] if data_lines else lines[footer_at]
        raise InputError.single(
            path,
            expected="column header rows (lines starting with ';') after the title block",
            found=f"{where.text[:120]!r}",
            line=where.number,
        )
    if not data_lines:
        raise InputError.single(
            path,
            expected="at least one data row after the column header",
            found=f"the footer (__________) right after the header, at line {footer_at + 1}",
            line=footer_at + 1,
        )

    width = len(header[-1].fields)
    problems = _Problems(path)
    for line in header:
        if len(line.fields) != width:
            problems.add(
                "header_width",
                line.number,
                None,
                f"{width} fields in every column header row (as on line {header[-1].number})",
                f"{len(line.fields)} fields: {line.text[:160]!r}",
            )
    problems.raise_if_any()
    stub = min(_leading_empty(line.fields) for line in header)
    stub = min(stub, width - 1)
    if stub not in (2, 3):
        raise InputError.single(
            path,
            expected="2 or 3 leading columns ([period;] region key; region name) "
            "left empty in the column header",
            found=f"{stub} empty leading column(s): {header[-1].text[:120]!r}",
            line=header[-1].number,
        )

    parts = _title_parts(title)
    texts: list[str] = parts["texts"]  # type: ignore[assignment]
    school_year = any("Schuljahr" in t for t in texts)
    columns, header_rows = _columns(path, header, stub, width, parts["measure"])  # type: ignore[arg-type]

    title_period = None
    if stub == 2 and any(col.period is None for col in columns):
        found = sorted({m for t in texts for m in PERIOD_IN_TEXT.findall(t)})
        if len(found) != 1:
            raise InputError.single(
                path,
                expected="a period: a period column, a header row of dates/years, "
                "or one date/year in the title",
                found=f"periods {found} in the title" if found else "none",
                line=header[0].number,
            )
        title_period = found[0]

    measure_labels = sorted({col.measure_label or "" for col in columns})
    if measure_code is not None and len(measure_labels) > 1:
        raise InputError.single(
            path,
            expected=f"one measure (reader option measure_code={measure_code!r})",
            found=f"measures {', '.join(repr(m) for m in measure_labels)}",
            line=header[0].number,
        )
    codes = {label: measure_code or slug(label).upper() or "WERT" for label in measure_labels}

    parse = _value_parser(decimal)
    statistics_code = table_code.split("-")[0] if re.match(r"^\w+-", table_code) else None
    records: list[tuple] = []
    for line in data_lines:
        fields = line.fields
        if len(fields) != width:
            problems.add(
                "width",
                line.number,
                None,
                f"{width} fields separated by ';', as in the column header "
                f"(line {header[-1].number})",
                f"{len(fields)} fields: {line.text[:160]!r}",
            )
            continue
        row_period = fields[0].strip() if stub == 3 else None
        key = fields[stub - 2].strip()
        name = fields[stub - 1].strip()
        if row_period is not None and _period_code(row_period, school_year) is None:
            problems.add(
                "period",
                line.number,
                "1 (period)",
                "a period like 31.12.2015, 2015 or 2015/16",
                repr(row_period),
            )
            continue
        if not REGION_KEY.match(key):
            problems.add(
                "key",
                line.number,
                f"{stub - 1} (region key)",
                "a region key: DG or 2 to 12 digits (AGS)",
                repr(key),
            )
            continue
        for col in columns:
            token = fields[col.index].strip()
            parsed = parse(token)
            if parsed is None:
                _bad_value(problems, line.number, col.name(), token, decimal)
                continue
            value, status, quality = parsed
            if value is not None:
                value *= UNIT_FACTORS.get(col.unit or "", 1.0)
            period = row_period or col.period or title_period
            time_code, year = _period_code(period, school_year)  # type: ignore[misc]
            variables = [*col.variables, *[(None, None, None)] * (3 - len(col.variables))]
            records.append(
                (
                    None,
                    statistics_code,
                    time_code,
                    period,
                    year,
                    key,
                    name,
                    *[part for variable in variables for part in variable],
                    codes[col.measure_label or ""],
                    col.measure_label,
                    value,
                    col.unit,
                    status,
                    quality,
                    line.number,
                )
            )
    problems.raise_if_any()

    if region_variable is None:
        region_variable = _infer_region_variable([r[5] for r in records])
    names = [c for c in CANONICAL_COLUMNS if c != "region_variable"]
    frame = pd.DataFrame.from_records(records, columns=names)
    frame.insert(CANONICAL_COLUMNS.index("region_variable"), "region_variable", region_variable)
    frame["period_year"] = frame["period_year"].astype("Int64")
    frame["value"] = frame["value"].astype("float64")
    frame["_source_line"] = frame["_source_line"].astype("int64")

    metadata: dict[str, object] = {
        "table_code": table_code,
        "title": parts["title"],
        "title_lines": texts,
        "statistic": parts["statistic"],
        "regional_depth": parts["regional_depth"],
        "measures": [
            {"code": codes[c.measure_label or ""], "label": c.measure_label, "unit": c.unit}
            for c in {(c.measure_label, c.unit): c for c in columns}.values()
        ],
        "periods": sorted(set(frame["time"])),
        "region_variable": region_variable,
        "header_rows": header_rows,
        "data_lines": (data_lines[0].number, data_lines[-1].number),
        "encoding": encoding,
        "decimal": decimal,
        **_footer(footer),
    }
    return ReadResult(
        path=path, format="genesis_classic", frame=frame[CANONICAL_COLUMNS], metadata=metadata
    )
