"""BBSR Umsteigeschlüssel: conversion keys from older Kreis territories to one later Gebietsstand.

The BBSR publishes `ref-kreise-umrech-<target>-<first>-<last>.xlsx`, one sheet per year named
`<year>-<target>` (e.g. `1990-2020` … `2019-2020`). Each sheet has one header row and one row
per piece of an old Kreis that lies in one Kreis of the target Gebietsstand:

    A  Kreise 31.12.<year>            old Kreis key, a number: Kreis key × 1000 (1001000 for
                                      01001 — the Land's leading zero is lost)
    B  Kreisname <year>
    C  flächenproportionaler Umsteigeschlüssel      share of the old Kreis' area in this piece
    D  bevölkerungsproportionaler Umsteigeschlüssel share of its population
    E  beschäftigtenproportionaler …                share of its employees (from 1997 on only)
    .  Fläche am 31.12.<year> in km²
    .  Bevölkerung am 31.12.<year> in 1000 (or "in 1.000")
    .  sozialvers.pflichtig Beschäftigte am Arbeitsort … in 1000 (from 1997 on; not returned)
    .  Kreise 31.12.<target>          new Kreis key, same number format
    .  Kreisname <target>

Columns are found by their header text, not by position. The file has no title block and no
footnotes; trailing empty rows are skipped. Some old names are blank (a single space: Sachsen-
Anhalt on `1990-2020`, Brandenburg on `1993-2020`); they come back as None.

Area and population: most sheets give the piece (the part of the old Kreis that goes to the
new one), but some give the old Kreis' total on every row of a split Kreis (in the 2020 file:
population on `2016-2020`, area and population on `2017-2020` and `2018-2020`). The reader
tells the two apart per sheet and column and always returns the piece; where it had to compute
the piece as total × weight, `derived_parts` is True.

`read_umsteigeschluessel` returns one row per (year, old_key, new_key); `key_history_from_bbsr`
turns that into rows of the project's key history (only real changes).
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from pipelines.readers.errors import InputError, Problem

SOURCE = "BBSR Umsteigeschlüssel 2020"
SHEET_NAME = re.compile(r"^(?P<year>\d{4})-(?P<target>\d{4})$")
WEIGHT_TOLERANCE = 1e-6  # the weights of one old Kreis sum to 1 within this
# Two years of an old Kreis map the same way when they reach the same new Kreise with area
# shares this close (re-surveys move area shares by ~1e-5; moving a Gemeinde by far more).
AREA_SHARE_TOLERANCE = 1e-3
PROBLEMS_PER_KIND = 3  # problems shown per sheet and kind; the rest are counted in `more`

COLUMNS = [
    "year",
    "old_key",
    "old_name",
    "new_key",
    "new_name",
    "weight_area",
    "weight_population",
    "weight_employment",
    "area_km2",
    "population",
    "derived_parts",
    "target_gebietsstand",
    "_sheet",
    "_source_row",
]
HISTORY_COLUMNS = [
    "old_key",
    "new_key",
    "valid_until",
    "kind",
    "weight_population",
    "weight_area",
    "source",
]
WEIGHTS = {
    "weight_area": "flächenproportional",
    "weight_population": "bevölkerungsproportional",
    "weight_employment": "beschäftigtenproportional",
}
REQUIRED = ["old_key", "old_name", "weight_area", "weight_population", "area_km2", "population"]
REQUIRED += ["new_key", "new_name"]
LAND_CODES = {f"{n:02d}" for n in range(1, 17)}


# --- reading -----------------------------------------------------------------------------


def read_umsteigeschluessel(
    path: Path, years: Iterable[int] | None = None, land: str | None = None
) -> pd.DataFrame:
    """The conversion keys of the requested years (default: every year sheet).

    `land` ("16") keeps every old Kreis with a piece in or from that Land, with all its rows,
    so the weights of each kept old Kreis still sum to 1. The whole of each requested sheet is
    checked either way; bad input raises `InputError` naming sheet and cell.
    """
    path = Path(path)
    workbook = _open(path)
    try:
        sheets = _year_sheets(path, workbook.sheetnames)
        if years is None:
            wanted = sorted(sheets)
        else:
            wanted = sorted({int(y) for y in years})
            missing = [y for y in wanted if y not in sheets]
            if missing:
                raise InputError.single(
                    path,
                    expected=f"a sheet for {'each of ' if len(missing) > 1 else ''}"
                    f"{', '.join(map(str, missing))} (named '<year>-<target year>')",
                    found=f"sheets {', '.join(repr(n) for n in workbook.sheetnames)}",
                )
        problems: list[Problem] = []
        records: list[dict[str, object]] = []
        for year in wanted:
            rows = list(workbook[sheets[year]].iter_rows(values_only=True))
            records += _read_sheet(path, sheets[year], year, rows, problems)
    finally:
        workbook.close()
    if problems:
        raise InputError(_condense(problems))
    frame = _frame(records)
    if land is not None:
        frame = _keep_land(frame, land)
    return frame


def _open(path: Path):
    if not path.is_file():
        raise InputError.single(path, expected="a file", found="nothing at that path")
    data = path.read_bytes()
    if not data.strip():
        raise InputError.single(path, expected="an xlsx workbook", found="an empty file")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        found = "no xlsx workbook"
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            found = "an old Excel .xls file (save it as .xlsx)"
        raise InputError.single(path, expected="an xlsx workbook", found=found)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError.single(
            path,
            expected="a readable xlsx workbook",
            found=f"{type(exc).__name__}: {exc}",
        ) from exc


def _year_sheets(path: Path, names: list[str]) -> dict[int, str]:
    sheets: dict[int, str] = {}
    for name in names:
        match = SHEET_NAME.match(name.strip())
        if match:
            sheets[int(match["year"])] = name
    if not sheets:
        raise InputError.single(
            path,
            expected="sheets named '<year>-<target year>' such as '1990-2020'",
            found=f"sheets {', '.join(repr(n) for n in names)}",
        )
    return sheets


def _header_text(value: object) -> str:
    text = re.sub(r"-\s*\n\s*", "", str(value or ""))  # "Umsteige-\nschlüssel" -> one word
    return " ".join(text.split()).lower()


def _find_columns(
    path: Path, sheet: str, year: int, target: int, header: tuple, problems: list[Problem]
) -> dict[str, int] | None:
    """Map output fields to 0-based column indexes by the header texts of row 1."""
    columns: dict[str, int] = {}
    key_columns: list[tuple[int, int]] = []  # (index, year in the header)
    name_columns: list[tuple[int, int]] = []
    for index, value in enumerate(header):
        text = _header_text(value)
        if not text:
            continue
        key = re.fullmatch(r"kreise\s*(?:am\s*)?\d{1,2}\.\d{1,2}\.(\d{4})", text)
        name = re.fullmatch(r"kreisname\s*(\d{4})", text)
        if key:
            key_columns.append((index, int(key[1])))
        elif name:
            name_columns.append((index, int(name[1])))
        elif any(text.startswith(w) for w in WEIGHTS.values()):
            field = next(f for f, w in WEIGHTS.items() if text.startswith(w))
            columns[field] = index
        elif text.startswith("fläche") and "km" in text:
            columns["area_km2"] = index
        elif text.startswith("bevölkerung"):
            if not re.search(r"in 1\.?000$", text):
                problems.append(
                    Problem(
                        path.name,
                        1,
                        f"{get_column_letter(index + 1)}1",
                        "the population header to end in 'in 1000' or 'in 1.000'",
                        repr(value),
                        sheet=sheet,
                    )
                )
            columns["population"] = index
    for found, field, wanted, label in (
        (key_columns, "key", (year, target), "Kreise 31.12.<year>"),
        (name_columns, "name", (year, target), "Kreisname <year>"),
    ):
        years = tuple(y for _, y in found)
        if years != wanted:
            problems.append(
                Problem(
                    path.name,
                    1,
                    None,
                    f"two '{label}' columns, for {wanted[0]} then {wanted[1]} (sheet name)",
                    f"{len(found)} such columns"
                    + (f" for {', '.join(map(str, years))}" if years else ""),
                    sheet=sheet,
                )
            )
            return None
        columns[f"old_{field}"] = found[0][0]
        columns[f"new_{field}"] = found[1][0]
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        texts = ", ".join(repr(_header_text(v)) for v in header if v is not None)
        problems.append(
            Problem(
                path.name,
                1,
                None,
                "header columns for " + ", ".join(missing),
                f"headers {texts}",
                sheet=sheet,
            )
        )
        return None
    return columns


def _kreis_key(value: object) -> str | None:
    """5-digit Kreis key from 1001000 / '01001000' / '01001' / 1001; None if it is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip() if isinstance(value, int | str) else ""
    if not text.isdigit():
        return None
    if len(text) in (7, 8):
        text = text.zfill(8)
        if not text.endswith("000"):
            return None
        text = text[:5]
    elif len(text) in (4, 5):
        text = text.zfill(5)
    else:
        return None
    return text if text[:2] in LAND_CODES else None


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+([.,]\d+)?\s*", value):
        return float(value.strip().replace(",", "."))
    return None


def _is_note(row: tuple, columns: dict[str, int]) -> bool:
    """A footnote: text in the first column with a letter, nothing in the other columns."""
    first = row[0] if row else None
    others = [row[i] for i in columns.values() if i != 0 and i < len(row)]
    return (
        isinstance(first, str)
        and re.search(r"[^\W\d_]", first) is not None
        and not first.strip()[:1].isdigit()
        and all(v is None or str(v).strip() == "" for v in others)
    )


def _read_sheet(
    path: Path, sheet: str, year: int, rows: list[tuple], problems: list[Problem]
) -> list[dict[str, object]]:
    target = int(SHEET_NAME.match(sheet.strip())["target"])
    if not rows:
        problems.append(Problem(path.name, 1, None, "a header row", "an empty sheet", sheet=sheet))
        return []
    columns = _find_columns(path, sheet, year, target, rows[0], problems)
    if columns is None:
        return []

    def cell(field: str, row_number: int) -> str:
        return f"{get_column_letter(columns[field] + 1)}{row_number}"

    def problem(field: str, row_number: int, expected: str, found: object) -> None:
        problems.append(
            Problem(path.name, row_number, cell(field, row_number), expected, found, sheet=sheet)
        )

    records: list[dict[str, object]] = []
    seen: dict[tuple[str, str], int] = {}
    unchecked: set[str] = set()
    for row_number, row in enumerate(rows[1:], start=2):
        row = tuple(row) + (None,) * (len(rows[0]) - len(row))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        if _is_note(row, columns):
            continue
        record: dict[str, object] = {"year": year, "_sheet": sheet, "_source_row": row_number}
        ok = True
        for field in ("old_key", "new_key"):
            key = _kreis_key(row[columns[field]])
            if key is None:
                ok = False
                problem(
                    field,
                    row_number,
                    "a Kreis key (5 digits, or 8 digits ending in 000; Land 01-16)",
                    repr(row[columns[field]]),
                )
            record[field] = key
        for field in ("old_name", "new_name"):  # names are blank in some sheets: None
            value = row[columns[field]]
            record[field] = (str(value).strip() or None) if value is not None else None
        for field in (*WEIGHTS, "area_km2", "population"):
            if field not in columns:
                record[field] = None
                continue
            number = _number(row[columns[field]])
            if field in WEIGHTS:
                if number is None or not 0.0 <= number <= 1.0:
                    ok = False
                    problem(
                        field, row_number, "a weight between 0 and 1", repr(row[columns[field]])
                    )
            elif number is None or number < 0:
                ok = False
                problem(field, row_number, "a number >= 0", repr(row[columns[field]]))
            record[field] = number
        if not ok:
            # Its weights cannot be summed: skip its old Kreis, or the whole sheet when the
            # old key itself is unreadable (the row's group is unknown).
            unchecked.add(record["old_key"] if record["old_key"] is not None else "*")
            continue
        pair = (record["old_key"], record["new_key"])
        if pair in seen:
            problem(
                "new_key",
                row_number,
                f"one row per old and new Kreis ({pair[0]} -> {pair[1]})",
                f"a second row (first in row {seen[pair]})",
            )
            unchecked.add(pair[0])
            continue
        seen[pair] = row_number
        record["population"] = record["population"] * 1000.0
        record["target_gebietsstand"] = f"{target}-12-31"
        records.append(record)
    if not records and not any(p.sheet == sheet for p in problems):
        problems.append(Problem(path.name, 2, None, "data rows", "none", sheet=sheet))
    checkable = [] if "*" in unchecked else [r for r in records if r["old_key"] not in unchecked]
    _check_sums(path.name, sheet, checkable, columns, problems)
    _derive_parts(records)
    return records


def _cells(letter: str, row_numbers: list[int]) -> str:
    if row_numbers == list(range(row_numbers[0], row_numbers[-1] + 1)) and len(row_numbers) > 1:
        return f"{letter}{row_numbers[0]}:{letter}{row_numbers[-1]}"
    return ", ".join(f"{letter}{n}" for n in row_numbers)


def _check_sums(
    file: str,
    sheet: str,
    records: list[dict[str, object]],
    columns: dict[str, int],
    problems: list[Problem],
) -> None:
    """Per old Kreis, each kind of weight sums to 1 (± WEIGHT_TOLERANCE)."""
    groups: dict[str, list[dict[str, object]]] = defaultdict(list)
    for record in records:
        groups[record["old_key"]].append(record)
    for old_key, group in groups.items():
        rows = [r["_source_row"] for r in group]
        for field in WEIGHTS:
            if field not in columns:
                continue
            total = math.fsum(r[field] for r in group)
            if abs(total - 1.0) > WEIGHT_TOLERANCE:
                letter = get_column_letter(columns[field] + 1)
                problems.append(
                    Problem(
                        file,
                        rows[0],
                        _cells(letter, rows),
                        f"the {field.removeprefix('weight_')} weights of old Kreis {old_key} "
                        "to sum to 1",
                        f"sum {total:.10g}",
                        sheet=sheet,
                    )
                )


def _derive_parts(records: list[dict[str, object]]) -> None:
    """Turn area/population into the piece of the old Kreis where the sheet gives totals.

    A sheet gives totals in a column when every split old Kreis repeats one value on all its
    rows although its weights differ; then piece = total × weight (area by the area weight,
    population by the population weight).
    """
    groups: dict[str, list[dict[str, object]]] = defaultdict(list)
    for record in records:
        record["derived_parts"] = False
        groups[record["old_key"]].append(record)
    splits = [g for g in groups.values() if len(g) > 1]
    for field, weight in (("area_km2", "weight_area"), ("population", "weight_population")):
        repeated = [len({r[field] for r in g}) == 1 for g in splits]
        telling = [len({round(r[weight], 9) for r in g}) > 1 for g in splits]
        if not splits or not all(repeated) or not any(telling):
            continue
        for group in splits:
            for record in group:
                record[field] = record[field] * record[weight]
                record["derived_parts"] = True


def _condense(problems: list[Problem]) -> list[Problem]:
    """At most PROBLEMS_PER_KIND problems per sheet and kind; the last one counts the rest."""
    kept: list[Problem] = []
    counts: dict[tuple, int] = defaultdict(int)
    for p in problems:
        kind = (p.sheet, re.sub(r"\d+", "", p.column or ""), re.sub(r"\d{5}", "", p.expected))
        counts[kind] += 1
        if counts[kind] <= PROBLEMS_PER_KIND:
            kept.append(p)
    result = []
    shown: dict[tuple, int] = defaultdict(int)
    for p in kept:
        kind = (p.sheet, re.sub(r"\d+", "", p.column or ""), re.sub(r"\d{5}", "", p.expected))
        shown[kind] += 1
        if shown[kind] == PROBLEMS_PER_KIND and counts[kind] > PROBLEMS_PER_KIND:
            p = Problem(
                p.file, p.line, p.column, p.expected, p.found, counts[kind] - shown[kind], p.sheet
            )
        result.append(p)
    return result


def _frame(records: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    frame = frame.astype(
        {
            "year": "int64",
            "weight_area": "float64",
            "weight_population": "float64",
            "weight_employment": "Float64",  # <NA> before 1997
            "area_km2": "float64",
            "population": "float64",
            "derived_parts": "bool",
            "_source_row": "int64",
        }
    )
    return frame.sort_values(["year", "_source_row"], kind="stable").reset_index(drop=True)


def _keep_land(frame: pd.DataFrame, land: str) -> pd.DataFrame:
    touching = frame["old_key"].str.startswith(land) | frame["new_key"].str.startswith(land)
    groups = frame.loc[touching, ["year", "old_key"]].drop_duplicates()
    kept = frame.merge(groups, on=["year", "old_key"], how="inner")
    return kept.sort_values(["year", "_source_row"], kind="stable").reset_index(drop=True)


# --- key history -------------------------------------------------------------------------


def key_history_from_bbsr(frame: pd.DataFrame, land: str | None = "16") -> pd.DataFrame:
    """Rows of the key history: the changes the conversion keys reveal for old Kreise of `land`.

    Each sheet maps the Kreise of 31.12.<year> onto the target Gebietsstand, so a change shows
    in every sheet from the Kreis' last unchanged year back. An old Kreis changes after year Y
    when it maps to anything but itself with weight 1 in Y, and in the next sheet it is gone or
    maps differently (other new Kreise, or area shares moved by more than AREA_SHARE_TOLERANCE).
    Its rows of year Y become history rows with valid_until = Y-12-31: the last day the file
    shows the old key valid (the change took effect between then and the next 31.12; the
    file cannot say when). Weights and new keys are those of Y, relative to the target
    Gebietsstand, not to Y + 1.

    kind: 'split' when the old Kreis maps onto several new Kreise; otherwise 'merger' when the
    new Kreis also takes in another old Kreis that changes after the same year (or is itself
    the new key), and 'rekey' when it is the same territory under a new key.
    """
    years = sorted(frame["year"].unique().tolist())
    following = dict(zip(years, years[1:], strict=False))
    mappings: dict[tuple[int, str], dict[str, dict]] = defaultdict(dict)
    for row in frame.itertuples(index=False):
        mappings[(row.year, row.old_key)][row.new_key] = {
            "weight_area": row.weight_area,
            "weight_population": row.weight_population,
        }

    def same(a: dict[str, dict], b: dict[str, dict]) -> bool:
        return set(a) == set(b) and all(
            abs(a[k]["weight_area"] - b[k]["weight_area"]) <= AREA_SHARE_TOLERANCE for k in a
        )

    changes: dict[tuple[int, str], dict[str, dict]] = {}
    for (year, old_key), mapping in mappings.items():
        if list(mapping) == [old_key]:  # one row onto itself: weights are 1, no change
            continue
        later = following.get(year)
        if later is not None and same(mapping, mappings.get((later, old_key), {})):
            continue
        changes[(year, old_key)] = mapping

    receivers: dict[tuple[int, str], set[str]] = defaultdict(set)
    for (year, old_key), mapping in mappings.items():
        for new_key in mapping:
            if (year, old_key) in changes or old_key == new_key:
                receivers[(year, new_key)].add(old_key)

    rows = []
    for (year, old_key), mapping in sorted(changes.items()):
        if land is not None and not old_key.startswith(land):
            continue
        if len(mapping) > 1:
            kind = "split"
        else:
            (new_key,) = mapping
            kind = "merger" if receivers[(year, new_key)] - {old_key} else "rekey"
        for new_key, weights in sorted(mapping.items()):
            rows.append(
                {
                    "old_key": old_key,
                    "new_key": new_key,
                    "valid_until": f"{year}-12-31",
                    "kind": kind,
                    "weight_population": weights["weight_population"],
                    "weight_area": weights["weight_area"],
                    "source": SOURCE,
                }
            )
    history = pd.DataFrame.from_records(rows, columns=HISTORY_COLUMNS)
    history = history.astype({"weight_population": "float64", "weight_area": "float64"})
    return history.sort_values(["valid_until", "old_key", "new_key"]).reset_index(drop=True)
