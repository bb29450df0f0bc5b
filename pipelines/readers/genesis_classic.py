"""Classic GENESIS / Regionalstatistik table export (CSV), as the web "Tabelle als CSV" saves it.

cp1252/ISO-8859-1, `;` separated, laid out like the printed table:

    GENESIS-Tabelle: 12411-01-01-4                      <- line 1: the table code (newer
    Bevölkerungsstand: Bevölkerung nach Geschlecht;;;;     exports: `Tabelle: <code>`)
    - Stichtag 31.12. -;;;;                             <- title block: one text per line,
    regionale Tiefe: Kreise und krfr. Städte;;;;           padded with `;` to the table width
    Fortschreibung des Bevölkerungsstandes;;;;          <- the statistic
    Bevölkerungsstand (Anzahl);;;;                      <- the measure, when it is one for all
    Stichtag: 30.06.2020;;;;                            <- (some) the reference date
    ;;31.12.2015;31.12.2015;31.12.2015                  <- column header rows (start with `;`):
    ;;Insgesamt;männlich;weiblich                          periods, variable labels, attributes,
    DG;Deutschland;82175684;40514123;41661561              measure label + unit
    16051;      Erfurt, krsfr. Stadt;210118;101753;108365
    __________                                          <- footer: quoted notes, copyright,
    "zu ""gesamter Tabelle"": ..."                         `Stand: dd.mm.yyyy / hh:mm:ss`

Data rows are `[period;] region key; indented region name; [row labels;] values…`. The leading
label columns are found from the data rows (a period, a key, a name, then texts) and checked
against the empty leading cells of the column header; every further row-label column (school
type, branch, …) becomes a variable. Header rows are interpreted as follows: without a title
line `<measure> (<unit>)`, the last header row holds the units and one row the measure labels
(the top one in newer exports, the one above the units in older ones); a row of dates/years
gives the period of each column; the rest are variables, a row of labels (`Geschlecht`, or per
column `Geschlecht;Nationalität;…`) naming the attribute row below it, a row without labels
being a variable `MERKMAL`. Codes are made from labels (`männlich` → `maennlich`, `Insgesamt` →
''); the measure codes are slugs of the labels (`metadata["codes_from_labels"]`): the contract
maps labels to its GENESIS codes.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import duckdb

from pipelines.readers.detect import CLASSIC_FIRST_LINE, classic_table_code, identify
from pipelines.readers.errors import InputError, Problem
from pipelines.readers.genesis_ffcsv import SIGNS, UNIT_FACTORS
from pipelines.readers.sniff import check_is_text_table
from pipelines.readers.table import CANONICAL_COLUMNS, ReadResult, from_rows

# Contract `reader_options` this reader accepts.
OPTIONS: dict[str, type] = {
    "encoding": str,
    "region_variable": str,
    "measure_code": str,
    "decimal": str,
}

TABLE_LINE = CLASSIC_FIRST_LINE
EXPECTED_FORMAT = (
    "a GENESIS table export (first line 'GENESIS-Tabelle: <code>' or 'Tabelle: <code>')"
)
FOOTER_MARK = re.compile(r"^_{5,}[;\s]*$")
STAND = re.compile(
    r"^Stand:\s*(?P<date>\d{2}\.\d{2}\.\d{4})\s*/\s*(?P<time>\d{2}:\d{2}(?::\d{2})?)"
)
COPYRIGHT = re.compile(r"^\s*(©|\([Cc]\))")
MEASURE_LINE = re.compile(r"^(?P<label>\S.*?)\s*\((?P<unit>[^()]+)\)$")
DEPTH = re.compile(r"regionale Tiefe:\s*(?P<depth>.*)$")
# A title line that only states the reference period, e.g. `Stichtag: 30.06.2020`.
REFERENCE_LINE = re.compile(
    r"^(?:Stichtag|Jahr|Berichtsjahr|Schuljahr|Zeit|Zeitraum|Berichtszeitraum)\s*:\s*"
    r"(?P<period>\d{2}\.\d{2}\.\d{4}|\d{4}(?:/\d{2}(?:\d{2})?)?)$"
)
REGION_KEY = re.compile(r"^(DG|\d{2,12})$")
PERIODS = {
    "STAG": re.compile(r"^\d{2}\.\d{2}\.(?P<year>\d{4})$"),
    "JAHR": re.compile(r"^(?P<year>\d{4})$"),
    "SJAHR": re.compile(r"^(?P<year>\d{4})/(\d{2}|\d{4})$"),
}
YEARS = range(1800, 2200)  # a 4-digit number outside is no period (e.g. the unit `1000`)
PERIOD_IN_TEXT = re.compile(r"\b(\d{2}\.\d{2}\.\d{4}|\d{4}/\d{2}(?:\d{2})?|(?:19|20)\d{2})\b")
NUMBER = {
    "de": r"-?\d+(?:,\d+)?",
    "en": r"-?\d+(?:\.\d+)?",
}
QUALIFIERS = "prse"  # provisional, revised (berichtigt), estimated (geschätzt), final (endgültig)
# Units as GENESIS writes them in a unit row (a row of only these is no attribute row).
UNIT_CELL = re.compile(
    r"^(?:(?:Tsd|Mill|Mrd)\.\s*|1\s?000\s*)?"
    r"(?:EUR|Euro|DM|t|kg|m³|m²|qm|qkm|km²|ha|km|m|kWh|MWh|GWh|TJ|Std\.?|Stunden|Tage|Jahre|"
    r"Anzahl|Personen|Stück|Prozent|%|Promille|‰|Punkte|Messzahl|Meßzahl|Index|jew\. ME)?$"
)
MAX_VARIABLES = 3
# Region variable of a table by the length of most of its region keys.
REGION_VARIABLE_BY_KEY_LENGTH = {2: "DLAND", 3: "REGBEZ", 5: "KREISE", 8: "GEMEIN", 9: "GEMVB"}
TOTAL = "insgesamt"
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_TRANSLIT.update(str.maketrans({"ß": "ss"}))

Parser = Callable[[str], "tuple[float | None, str | None, str | None] | None"]
Variable = tuple[str | None, str | None, str | None]  # code, attribute code, attribute label


def slug(text: str) -> str:
    """`männlich` → `maennlich`, `dar. schulischer Teil` → `dar_schulischer_teil`."""
    text = unicodedata.normalize("NFC", text).translate(_TRANSLIT).lower()
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _attribute(cell: str) -> str:
    """Attribute code of a header or row-label cell: '' for the total."""
    return "" if cell.lower() in ("", TOTAL) else slug(cell)


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
    variables: list[Variable] = field(default_factory=list)

    def name(self) -> str:
        labels = [label for _c, _a, label in self.variables if label] or [self.measure_label or ""]
        return f"{self.index + 1} ({' / '.join(labels)})" if any(labels) else str(self.index + 1)


@dataclass
class _Layout:
    """Where everything is in one export: title, header, data, footer, label columns."""

    table_code: str
    first_line: str
    parts: dict[str, object]
    header: list[_Line]
    data_lines: list[_Line]
    footer: list[_Line]
    width: int
    has_period: bool
    stub: int  # columns before the first value column
    row_codes: list[str]  # variable code of each row-label column
    columns: list[_Column]
    header_rows: list[dict[str, object]]
    title_period: str | None
    school_year: bool

    @property
    def key_at(self) -> int:
        return 1 if self.has_period else 0


# --- file and encoding -------------------------------------------------------------------


def _first_line(data: bytes) -> str:
    raw = data.split(b"\n", 1)[0].rstrip(b"\r")
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raw = raw.removeprefix(bom)
    return raw.decode("utf-8", errors="replace")


def _check_genesis(path: Path, data: bytes) -> None:
    """A file that is no classic export is named for what it is (pipelines/readers/detect.py)."""
    first = _first_line(data)
    if TABLE_LINE.match(first.replace("\x00", "")):
        return
    kind, signature = identify(path)
    if kind.format == "genesis_classic" or signature in ("empty", "html"):
        return  # UTF-16 classic, empty, HTML: the checks that follow name them
    if signature == "text":
        found = f"first line {first[:120]!r}"
    elif kind.format in ("genesis_ffcsv", "genesis_zip", "ba_xlsx"):
        reader = "ba_xlsx" if kind.format == "ba_xlsx" else "genesis_ffcsv"
        found = f"{kind.description}: read it with the reader {reader}"
    else:
        found = kind.description
    text_like = signature in ("ffcsv", "cube", "text", "municipal")
    raise InputError.single(
        path, expected=EXPECTED_FORMAT, found=found, line=1 if text_like else None
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


# --- title -------------------------------------------------------------------------------


@lru_cache(maxsize=4096)  # once per distinct period: a file repeats a few in every cell
def _period_code(period: str, school_year_table: bool) -> tuple[str, int] | None:
    for code, pattern in PERIODS.items():
        if (m := pattern.match(period)) and int(m["year"]) in YEARS:
            if code == "JAHR" and school_year_table:
                code = "SJAHR"
            return code, int(m["year"])
    return None


def _title_parts(title: list[_Line]) -> dict[str, object]:
    """Title, regional depth, statistic, the measure line and the reference-date line.

    Newer exports wrap the title at ~60 characters, so `regionale Tiefe:` may stand at the
    end of a line with the depth on the next one; the last line is the statistic.
    """
    texts = [" ".join(f.strip() for f in line.fields if f.strip()) for line in title]
    body = list(texts)
    references = [m["period"] for t in body if (m := REFERENCE_LINE.match(t))]
    body = [t for t in body if not REFERENCE_LINE.match(t)]
    depth_at = next((i for i, t in enumerate(body) if DEPTH.search(t)), None)
    measure = None
    m = MEASURE_LINE.match(body[-1]) if len(body) >= 2 else None
    if m and (depth_at is None or depth_at < len(body) - 1):
        measure = (m["label"], m["unit"].strip())
        body = body[:-1]
    if depth_at is not None:
        last = len(body) - 1
        depth_end = max(depth_at, last - 1) if last > depth_at else depth_at
        depth_text = DEPTH.search(body[depth_at])["depth"]  # type: ignore[index]
        depth = " ".join([depth_text, *body[depth_at + 1 : depth_end + 1]]).strip() or None
        title_text = " ".join(body[: depth_end + 1])
        statistic = " ".join(body[depth_end + 1 :]) or None
    else:
        title_text, statistic, depth = " ".join(body), None, None
    return {
        "texts": texts,
        "title": title_text,
        "statistic": statistic,
        "regional_depth": depth,
        "measure": measure,
        "reference": references[0] if len(set(references)) == 1 else None,
    }


# --- header ------------------------------------------------------------------------------


def _is_period_row(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return bool(filled) and all(_period_code(c, False) for c in filled)


def _is_uniform(cells: list[str]) -> bool:
    values = set(cells)
    return len(values) == 1 and "" not in values and values.pop().lower() != TOTAL


def _is_unit_row(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return bool(filled) and all(UNIT_CELL.match(c) for c in filled)


def _runs(cells: list[str]) -> list[tuple[str, range]]:
    """Contiguous runs of equal cells: [(cell, columns), …]."""
    runs: list[tuple[str, range]] = []
    start = 0
    for k in range(1, len(cells) + 1):
        if k == len(cells) or cells[k] != cells[start]:
            runs.append((cells[start], range(start, k)))
            start = k
    return runs


def _is_label_row(cells: list[str], below: list[str]) -> bool:
    """A row naming, column by column, the variable of the attribute row below it
    (`Geschlecht;Geschlecht;Nationalität` over `Insgesamt;weiblich;ausländisch`) — not the
    outer attribute row of a cross table (`Insgesamt;Insgesamt;ohne;ohne` over
    `Insgesamt;weiblich;Insgesamt;weiblich`)."""
    filled = {c for c in cells if c}
    if len(filled) < 2 or any(c.lower() == TOTAL for c in filled):
        return False
    if any(not c and b for c, b in zip(cells, below, strict=True)):
        return False
    groups = [tuple(below[k] for k in columns) for cell, columns in _runs(cells) if cell]
    return len(set(groups)) > 1


def _measure_row(rows: list[list[str]], candidates: list[int], units: list[str]) -> int | None:
    """The header row of measure labels: filled in every column, no `Insgesamt`, one unit per
    label; the fewest labels, then the top one. A row repeating one text over a row of
    attributes is rather a variable's name (`Nationalität`), so it is taken only when no
    other row fits (`Bevölkerungsstand` over `Insgesamt;männlich;weiblich`)."""
    fitting, names = [], []
    for i in candidates:
        cells = rows[i]
        if not all(cells) or any(c.lower() == TOTAL for c in cells):
            continue
        unit_of: dict[str, str] = {}
        if any(unit_of.setdefault(c, u) != u for c, u in zip(cells, units, strict=True)):
            continue
        (names if _is_uniform(cells) and i + 1 in candidates else fitting).append(i)
    fitting = fitting or names
    return min(fitting, key=lambda i: (len(set(rows[i])), i)) if fitting else None


def _columns(
    path: Path,
    header: list[_Line],
    stub: int,
    width: int,
    measure: tuple[str, str] | None,
    used_codes: set[str],
    unlabelled: int,
) -> tuple[list[_Column], list[dict[str, object]]]:
    """Interpret the column header rows; returns the value columns and a description."""
    lines = [line for line in header if any(f.strip() for f in line.fields[stub:width])]
    rows = [[c.strip() for c in line.fields[stub:width]] for line in lines]
    kinds: list[str | None] = ["period" if _is_period_row(cells) else None for cells in rows]
    rest = [i for i, k in enumerate(kinds) if k is None]
    if measure is None or (len(rest) >= 2 and _is_unit_row(rows[rest[-1]])):
        if len(rest) < 2:
            raise InputError.single(
                path,
                expected="a measure: a title line '<measure> (<unit>)' or a measure label row "
                "and a unit row at the end of the column header",
                found=f"{len(rest)} column header row(s) besides the periods",
                line=header[-1].number,
            )
        kinds[rest[-1]] = "unit"
        at = _measure_row(rows, rest[:-1], rows[rest[-1]])
        if at is None:
            raise InputError.single(
                path,
                expected="a row of measure labels in the column header (a label in every "
                "column, one unit per label)",
                found=f"none among lines {', '.join(str(lines[i].number) for i in rest[:-1])}",
                line=lines[rest[0]].number,
            )
        kinds[at] = "measure"
        measure = None
    for i, cells in enumerate(rows):
        if kinds[i] is not None:
            continue
        following = kinds[i + 1] if i + 1 < len(rows) else "end"
        if _is_uniform(cells) and following in (None, "period"):
            kinds[i] = "period_label" if following == "period" else "label"
        elif following is None and _is_label_row(cells, rows[i + 1]):
            kinds[i] = "label"
        else:
            kinds[i] = "attributes"

    columns = [_Column(index=stub + k) for k in range(width - stub)]
    if measure is not None:
        for col in columns:
            col.measure_label, col.unit = measure
    labels: list[str] | None = None
    for cells, kind in zip(rows, kinds, strict=True):
        if kind == "label":
            labels = cells
        elif kind == "period":
            for col, cell in zip(columns, cells, strict=False):
                col.period = cell or None
        elif kind == "measure":
            for col, cell in zip(columns, cells, strict=False):
                col.measure_label = cell
        elif kind == "unit":
            for col, cell in zip(columns, cells, strict=False):
                col.unit = cell
        elif kind == "attributes":
            unlabelled = _attribute_row(columns, cells, labels, used_codes, unlabelled)
            labels = None
    described = [
        {"line": line.number, "kind": kind, "cells": cells}
        for line, cells, kind in zip(lines, rows, kinds, strict=True)
    ]
    return columns, described


def _unlabelled_code(number: int) -> str:
    return "MERKMAL" if number == 1 else f"MERKMAL{number}"


def _attribute_row(
    columns: list[_Column],
    cells: list[str],
    labels: list[str] | None,
    used_codes: set[str],
    unlabelled: int,
) -> int:
    """Add one variable per column from an attribute row (named by `labels` above it, one per
    column, or unlabelled); returns the count of unlabelled variables so far."""
    codes: dict[str, str] = {}  # label -> code in this row
    row_unlabelled: str | None = None
    for k, (col, cell) in enumerate(zip(columns, cells, strict=False)):
        label = labels[k] if labels is not None else ""
        if not label and not cell and labels is not None:
            col.variables.append((None, None, None))  # this column has no such variable
            continue
        if label:
            if label not in codes:
                code = slug(label).upper() or "MERKMAL"
                while code in used_codes:
                    code += "_"
                codes[label] = code
            code = codes[label]
        else:
            if row_unlabelled is None:
                unlabelled += 1
                row_unlabelled = _unlabelled_code(unlabelled)
                while row_unlabelled in used_codes:
                    row_unlabelled += "_"
            code = row_unlabelled
        attr = _attribute(cell)
        if cell and cell.lower() != TOTAL and not attr:
            attr = f"col{col.index + 1}"  # a label without letters or digits
        col.variables.append((code, attr, cell or None))
    used_codes.update(codes.values())
    if row_unlabelled:
        used_codes.add(row_unlabelled)
    return unlabelled


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


# --- layout ------------------------------------------------------------------------------


def _is_label_cell(token: str, parse: Parser) -> bool:
    """A row-label cell (school type, branch): text, neither a value nor a special sign."""
    return bool(token) and parse(token) is None and re.search(r"[^\W\d_]", token) is not None


def _row_shape(fields: list[str], parse: Parser) -> tuple[bool, int]:
    """(has a period column, columns before the first value) of one data row."""
    cells = [f.strip() for f in fields]
    has_period = (
        len(cells) > 2
        and _period_code(cells[0], False) is not None
        and REGION_KEY.match(cells[1]) is not None
    )
    k = (1 if has_period else 0) + 2
    while k < len(cells) and _is_label_cell(cells[k], parse):
        k += 1
    return has_period, k


def _split(
    path: Path, lines: list[_Line]
) -> tuple[list[_Line], list[_Line], list[_Line], list[_Line]]:
    """Title, column header, data and footer lines."""
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
    return title, header, data_lines, footer


def _layout(path: Path, lines: list[_Line], decimal: str) -> _Layout:
    """Find title, header, label columns and value columns of an export."""
    first_line = lines[0].text.lstrip("\ufeff")
    table_code = classic_table_code(first_line)
    assert table_code is not None  # _check_genesis saw the first line
    title, header, data_lines, footer = _split(path, lines)

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

    # Leading label columns: what most data rows show, checked against the header, whose
    # leading cells are empty over them (or name them).
    parse = _value_parser(decimal)
    shapes = [_row_shape(line.fields, parse) for line in data_lines]
    period_column = 2 * sum(period for period, _stub in shapes) > len(shapes)
    stubs = Counter(stub for period, stub in shapes if period == period_column)
    data_stub = stubs.most_common(1)[0][0]
    header_stub = min(min(_leading_empty(line.fields) for line in header), width - 1)
    stub = max(data_stub, header_stub)
    key_at = 1 if period_column else 0
    if stub < key_at + 2 or stub >= width:
        raise InputError.single(
            path,
            expected="leading columns [period;] region key; region name; [row labels;] "
            "left empty in the column header, then value columns",
            found=f"{header_stub} empty leading column(s) in the header, "
            f"data rows like {data_lines[0].text[:120]!r}",
            line=header[-1].number,
        )

    parts = _title_parts(title)
    texts: list[str] = parts["texts"]  # type: ignore[assignment]
    used_codes: set[str] = set()
    row_codes: list[str] = []
    unlabelled = 0
    for k in range(key_at + 2, stub):
        named = [c for line in header if (c := line.fields[k].strip())] if k < width else []
        if named:
            code = slug(named[-1]).upper() or "MERKMAL"
        else:
            unlabelled += 1
            code = _unlabelled_code(unlabelled)
        while code in used_codes:
            code += "_"
        used_codes.add(code)
        row_codes.append(code)
    columns, header_rows = _columns(
        path,
        header,
        stub,
        width,
        parts["measure"],  # type: ignore[arg-type]
        used_codes,
        unlabelled,
    )
    column_variables = max(len(col.variables) for col in columns)
    if len(row_codes) + column_variables > MAX_VARIABLES:
        raise InputError.single(
            path,
            expected=f"at most {MAX_VARIABLES} variables (row-label columns and column header "
            "variables together)",
            found=f"{len(row_codes) + column_variables}: {len(row_codes)} row-label column(s)"
            + (f" ({', '.join(row_codes)})" if row_codes else "")
            + f" and {column_variables} attribute row(s) in the column header",
            line=header[0].number,
        )

    school_year = any("Schuljahr" in t for t in texts)
    title_period = None
    if not period_column and any(col.period is None for col in columns):
        found = (
            [parts["reference"]]
            if parts["reference"]
            else sorted({m for t in texts for m in PERIOD_IN_TEXT.findall(t)})
        )
        if len(found) != 1:
            raise InputError.single(
                path,
                expected="a period: a period column, a header row of dates/years, "
                "or one date/year in the title",
                found=f"periods {found} in the title" if found else "none",
                line=header[0].number,
            )
        title_period = str(found[0])
    return _Layout(
        table_code=table_code,
        first_line=first_line.rstrip(";").strip(),
        parts=parts,
        header=header,
        data_lines=data_lines,
        footer=footer,
        width=width,
        has_period=period_column,
        stub=stub,
        row_codes=row_codes,
        columns=columns,
        header_rows=header_rows,
        title_period=title_period,
        school_year=school_year,
    )


def _decoded_lines(path: Path, data: bytes, encoding: str) -> list[_Line]:
    if problem := _wrong_encoding(path, data, encoding):
        raise InputError([problem])
    return _lines(_decode(path, data, encoding))


def describe(path: Path) -> dict[str, object]:
    """Table code, title, measure labels and years of an export, for format detection.

    Reads the layout only (no values); cp1252 unless the file is valid UTF-8. Raises
    InputError when the layout cannot be made out.
    """
    path = Path(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    layout = _layout(path, _lines(text), "de")
    years: set[int] = set()
    for period in [col.period for col in layout.columns] + [layout.title_period]:
        if period and (code := _period_code(period, False)):
            years.add(code[1])
    if layout.has_period:
        for line in layout.data_lines:
            if code := _period_code(line.fields[0].strip(), False):
                years.add(code[1])
    return {
        "table_code": layout.table_code,
        "first_line": layout.first_line,
        "title": layout.parts["title"],
        "measure_labels": sorted({col.measure_label or "" for col in layout.columns}),
        "periods": tuple(str(y) for y in sorted(years)),
    }


# --- read --------------------------------------------------------------------------------


def read(
    path: Path,
    encoding: str = "cp1252",
    region_variable: str | None = None,
    measure_code: str | None = None,
    decimal: str = "de",
    con: duckdb.DuckDBPyConnection | None = None,
) -> ReadResult:
    """Read one classic GENESIS table export into the canonical long table."""
    path = Path(path)
    if decimal not in NUMBER:
        raise ValueError(f"decimal must be 'de' or 'en', not {decimal!r}")
    codecs.lookup(encoding)  # LookupError for an unknown encoding name

    if not path.is_file():
        raise InputError.single(path, expected="a file", found="nothing at that path")
    data = path.read_bytes()
    if data.strip():
        _check_genesis(path, data)  # ZIP, ffcsv, cube, PDF … named for what they are
    check_is_text_table(path, encoding="latin-1")  # empty, HTML; encoding is checked below
    lines = _decoded_lines(path, data, encoding)
    layout = _layout(path, lines, decimal)
    columns, stub, width = layout.columns, layout.stub, layout.width
    column_names = [col.name() for col in columns]  # as problems and lineage name them
    key_at = layout.key_at
    school_year = layout.school_year

    measure_labels = sorted({col.measure_label or "" for col in columns})
    if measure_code is not None and len(measure_labels) > 1:
        raise InputError.single(
            path,
            expected=f"one measure (reader option measure_code={measure_code!r})",
            found=f"measures {', '.join(repr(m) for m in measure_labels)}",
            line=layout.header[0].number,
        )
    codes = {label: measure_code or slug(label).upper() or "WERT" for label in measure_labels}

    parse = _value_parser(decimal)
    table_code = layout.table_code
    statistics_code = table_code.split("-")[0] if re.match(r"^\w+-", table_code) else None
    problems = _Problems(path)
    records: list[tuple] = []
    value_columns: list[str] = []  # the file's column of each record's value
    for line in layout.data_lines:
        fields = line.fields
        if len(fields) != width:
            problems.add(
                "width",
                line.number,
                None,
                f"{width} fields separated by ';', as in the column header "
                f"(line {layout.header[-1].number})",
                f"{len(fields)} fields: {line.text[:160]!r}",
            )
            continue
        row_period = fields[0].strip() if layout.has_period else None
        key = fields[key_at].strip()
        name = fields[key_at + 1].strip()
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
                f"{key_at + 1} (region key)",
                "a region key: DG or 2 to 12 digits (AGS)",
                repr(key),
            )
            continue
        row_variables: list[Variable] = []
        for code, cell in zip(layout.row_codes, fields[key_at + 2 : stub], strict=True):
            cell = cell.strip()
            row_variables.append((code, _attribute(cell) if cell else "", cell or None))
        for col, col_name in zip(columns, column_names, strict=True):
            token = fields[col.index].strip()
            parsed = parse(token)
            if parsed is None:
                _bad_value(problems, line.number, col_name, token, decimal)
                continue
            value, status, quality = parsed
            if value is not None:
                value *= UNIT_FACTORS.get(col.unit or "", 1.0)
            period = row_period or col.period or layout.title_period
            time_code, year = _period_code(period, school_year)  # type: ignore[arg-type,misc]
            variables = [*row_variables, *col.variables]
            variables += [(None, None, None)] * (MAX_VARIABLES - len(variables))
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
            value_columns.append(col_name)
    problems.raise_if_any()

    if region_variable is None:
        region_variable = _infer_region_variable([r[5] for r in records])
    names = [c for c in CANONICAL_COLUMNS if c != "region_variable"]

    parts = layout.parts
    metadata: dict[str, object] = {
        "table_code": table_code,
        "first_line": layout.first_line,
        "title": parts["title"],
        "title_lines": parts["texts"],
        "statistic": parts["statistic"],
        "regional_depth": parts["regional_depth"],
        "measures": [
            {"code": codes[c.measure_label or ""], "label": c.measure_label, "unit": c.unit}
            for c in {(c.measure_label, c.unit): c for c in columns}.values()
        ],
        # Measure and attribute codes are slugs of the file's labels: the contract maps
        # labels to its GENESIS codes (pipelines/conform.py).
        "codes_from_labels": True,
        "row_variables": [
            {"column": key_at + 3 + k, "code": code} for k, code in enumerate(layout.row_codes)
        ],
        "periods": sorted({r[names.index("time")] for r in records}),
        "region_variable": region_variable,
        "header_rows": layout.header_rows,
        "data_lines": (layout.data_lines[0].number, layout.data_lines[-1].number),
        "encoding": encoding,
        "decimal": decimal,
        **_footer(layout.footer),
        # Where a row stands in the file, so that a check can name the column.
        "column_names": {
            "region_key": f"{key_at + 1} (region key)",
            "region_name": f"{key_at + 2} (region name)",
            **({"time": "1 (period)", "period_year": "1 (period)"} if layout.has_period else {}),
        },
    }
    return from_rows(
        path,
        "genesis_classic",
        records,
        names,
        metadata,
        con,
        value_columns,
        {"region_variable": region_variable},
    )
