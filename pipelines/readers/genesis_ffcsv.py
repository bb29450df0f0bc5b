"""GENESIS flat-file CSV ("ffcsv"), as `data/tablefile?format=ffcsv` delivers it.

UTF-8 with BOM, `;` separated, a header row, one row per value, 1 to 4 variable groups
(`<n>_variable_code`, `_label`, `_attribute_code`, `_attribute_label`), an optional
`value_q` column, rows unsorted. "Insgesamt" rows carry an empty attribute code. Values
use a decimal comma (`de`) or point (`en`) and may be replaced by a special sign.

The API sends the file zipped (one `<table>_<epoch ms>_de_flat.csv`); the ZIP is read as it
comes, its member's lines numbered as in the member and named `file.zip: member.csv`. A file
of another format (a classic export, a cube, a workbook) is refused with what it is
(pipelines/readers/detect.py), not with a misleading encoding or header message.

DuckDB's CSV reader does the parsing; this module checks the shape, finds the region
variable and turns values into base units while keeping signs as `value_status`.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.readers.detect import FFCSV_COLUMNS, extracted, flat_member, identify
from pipelines.readers.errors import InputError, Problem
from pipelines.readers.sniff import check_is_text_table
from pipelines.readers.table import CANONICAL_COLUMNS, ReadResult

GROUP_FIELDS = [
    "variable_code",
    "variable_label",
    "variable_attribute_code",
    "variable_attribute_label",
]

# Variables whose attributes are region keys (AGS/ARS or `DG` for Germany).
REGION_VARIABLES = {"DINSG", "DLAND", "REGBEZ", "KREISE", "GEMEIN", "GEMVB"}
REGION_VARIABLE_PREFIXES = ("GEO",)  # Zensus 2022: GEODL1, GEOBL1, GEOGM4, ...
# GENESIS special signs that replace a value.
SIGNS = ("-", ".", "/", "x", "...")
# Units whose values are delivered in multiples of the base unit.
UNIT_FACTORS = {"1000": 1000.0, "Tsd.": 1000.0, "Tsd. EUR": 1000.0, "Mill. EUR": 1_000_000.0}
NUMBER_PATTERNS = {"de": r"^-?[0-9]+(,[0-9]+)?$", "en": r"^-?[0-9]+(\.[0-9]+)?$"}
FIRST_DATA_LINE = 2  # line 1 is the header
# Contract `reader_options` this reader accepts.
OPTIONS: dict[str, type] = {"decimal": str, "region_variable": str}


def _header(path: Path, text_head: str) -> list[str]:
    first = text_head.split("\n", 1)[0].lstrip("\ufeff").rstrip("\r")
    columns = first.split(";")
    missing = [c for c in FFCSV_COLUMNS if c not in columns]
    if missing:
        raise InputError.single(
            path,
            expected=f"the ffcsv header columns {', '.join(missing)}",
            found=f"header {first[:200]!r}",
            line=1,
        )
    return columns


def _group_count(path: Path, columns: list[str]) -> int:
    groups = sorted({int(m.group(1)) for c in columns if (m := re.match(r"^(\d)_variable_", c))})
    if not groups or groups != list(range(1, len(groups) + 1)) or len(groups) > 4:
        raise InputError.single(
            path,
            expected="1 to 4 variable groups numbered 1_, 2_, ...",
            found=f"groups {groups or 'none'}",
            line=1,
        )
    for g in groups:
        for name in GROUP_FIELDS:
            if f"{g}_{name}" not in columns:
                raise InputError.single(
                    path, expected=f"column {g}_{name}", found="it missing", line=1
                )
    return len(groups)


def _is_region_variable(code: str, attribute_codes: pd.Series) -> bool:
    if code in REGION_VARIABLES or code.startswith(REGION_VARIABLE_PREFIXES):
        return True
    codes = attribute_codes[attribute_codes != ""]
    return bool(len(codes)) and bool(codes.str.fullmatch(r"\d{2,12}|DG").all())


def _detect_decimal(values: pd.Series) -> str:
    if values.str.fullmatch(r"-?[0-9]+,[0-9]+").any():
        return "de"
    if values.str.fullmatch(r"-?[0-9]+\.[0-9]+").any():
        return "en"
    return "de"


def _load(path: Path, columns: list[str]) -> pd.DataFrame:
    """Parse with DuckDB; rows with the wrong number of fields are reported by line."""
    spec = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in columns) + "}"
    with duckdb.connect() as con:
        try:
            frame = con.execute(
                f"""
                select row_number() over () + {FIRST_DATA_LINE - 1} as _source_line, *
                from read_csv(?, delim=';', header=true, quote='', escape='',
                              columns={spec}, store_rejects=true, encoding='utf-8',
                              strict_mode=true, auto_detect=false)
                """,
                [str(path)],
            ).df()
            rejects = con.execute(
                "select line, column_name, error_type, csv_line, error_message "
                "from reject_errors order by line"
            ).fetchall()
        except duckdb.Error as exc:
            raise InputError.single(
                path, expected="a readable ffcsv table", found=str(exc).splitlines()[0]
            ) from exc
    if rejects:
        problems, seen = [], set()
        for line, column, error_type, csv_line, _message in rejects:
            if line in seen:
                continue  # one problem per line: a cut row misses several columns
            seen.add(line)
            problems.append(
                Problem(
                    path.name,
                    int(line),
                    column,
                    expected=f"{len(columns)} fields separated by ';'",
                    found=f"{error_type.lower().replace('_', ' ')}: {(csv_line or '')[:160]!r}",
                )
            )
        raise InputError(problems[:5])
    if frame.empty:
        raise InputError.single(path, expected="at least one data row", found="only the header")
    # DuckDB skips empty lines: number the rows by the non-empty lines of the file.
    lines = [
        number
        for number, text in enumerate(path.read_bytes().split(b"\n")[1:], start=FIRST_DATA_LINE)
        if text.strip(b"\r\t ")
    ]
    if len(lines) == len(frame):
        frame["_source_line"] = lines
    return frame.fillna("")


def _values(path: Path, frame: pd.DataFrame, decimal: str) -> tuple[pd.Series, pd.Series]:
    raw = frame["value"].str.strip()
    is_sign = raw.isin(SIGNS)
    is_number = raw.str.fullmatch(NUMBER_PATTERNS[decimal].strip("^$"))
    bad = ~(is_sign | is_number)
    if bad.any():
        rows = frame.loc[bad, ["_source_line", "value"]]
        first = rows.iloc[0]
        token = first["value"]
        if token == "" or re.fullmatch(r"[^0-9]{1,4}", token):
            expected = f"a number or a special sign ({' '.join(SIGNS)})"
            found = f"unknown special sign {token!r}" if token else "an empty value"
        else:
            sep = "decimal comma" if decimal == "de" else "decimal point"
            expected = f"a number with {sep} (decimal={decimal}) or a special sign"
            found = repr(token)
        raise InputError(
            [
                Problem(
                    path.name, int(first["_source_line"]), "value", expected, found, len(rows) - 1
                )
            ]
        )
    numbers = raw.where(~is_sign, None)
    if decimal == "de":
        numbers = numbers.str.replace(",", ".", regex=False)
    factor = frame["value_unit"].map(UNIT_FACTORS).fillna(1.0)
    value = pd.to_numeric(numbers, errors="raise") * factor
    status = raw.where(is_sign, None)
    return value, status


def _period_year(path: Path, frame: pd.DataFrame) -> pd.Series:
    year = frame["time"].str.extract(r"^(\d{4})", expand=False)
    if year.isna().any():
        first = frame.loc[year.isna()].iloc[0]
        raise InputError(
            [
                Problem(
                    path.name,
                    int(first["_source_line"]),
                    "time",
                    "a period like 2024, 2024-12-31 or 2023/24",
                    repr(first["time"]),
                    int(year.isna().sum()) - 1,
                )
            ]
        )
    return year.astype("Int64")


EXPECTED_FORMAT = (
    "a GENESIS flat-file CSV (ffcsv: a header row statistics_code;…;value_variable_label)"
)
# Formats named by `detect` that this reader refuses with their description.
OTHER_FORMATS = {
    "classic": "read it with the reader genesis_classic",
    "cube": "",
    "municipal": "read it with the reader municipal and a contract of its layout",
    "xlsx": "",
    "xls": "",
    "pdf": "",
    "binary": "",
}


def _refuse_other_formats(path: Path) -> None:
    """Name a classic export, a cube or a workbook for what it is."""
    if not path.is_file():
        return
    with path.open("rb") as handle:
        first = handle.readline(64 * 1024)
    if b"statistics_code" in first:
        return  # an ffcsv header, perhaps a broken one: _header says what is missing
    kind, signature = identify(path)
    if signature not in OTHER_FORMATS:
        return  # empty, HTML, other text: check_is_text_table and _header name them
    hint = OTHER_FORMATS[signature]
    text = signature in ("classic", "cube", "municipal")
    raise InputError.single(
        path,
        expected=EXPECTED_FORMAT,
        found=f"{kind.description}: {hint}" if hint else kind.description,
        line=1 if text else None,
    )


def _read_zip(path: Path, decimal: str, region_variable: str | None) -> ReadResult:
    """The API's ZIP: read its one `*_flat.csv` member; problems name `file.zip: member`."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError.single(
            path, expected=EXPECTED_FORMAT, found=f"a damaged ZIP archive ({exc})"
        ) from exc
    member = flat_member(names)
    if member is None or "[Content_Types].xml" in names:
        kind = identify(path)[0]
        hint = ": read it with the reader ba_xlsx" if kind.format == "ba_xlsx" else ""
        raise InputError.single(
            path,
            expected=f"{EXPECTED_FORMAT}, or the GENESIS API's ZIP holding one *_flat.csv",
            found=kind.description + hint,
        )
    display = f"{path.name}: {member}"
    with extracted(path, member) as file:
        try:
            result = read(file, decimal=decimal, region_variable=region_variable)
        except InputError as err:
            raise InputError([replace(p, file=display) for p in err.problems]) from None
    metadata = {**result.metadata, "zip_member": member}
    return ReadResult(path=path, format=result.format, frame=result.frame, metadata=metadata)


def read(path: Path, decimal: str = "auto", region_variable: str | None = None) -> ReadResult:
    """Read one ffcsv file, or the API's ZIP holding one, into the canonical long table."""
    path = Path(path)
    if path.is_file():
        with path.open("rb") as handle:
            is_zip = handle.read(4) == b"PK\x03\x04"
        if is_zip:
            return _read_zip(path, decimal, region_variable)
    _refuse_other_formats(path)
    head = check_is_text_table(path, encoding="utf-8")
    columns = _header(path, head)
    groups = _group_count(path, columns)
    frame = _load(path, columns)

    if decimal == "auto":
        decimal = _detect_decimal(frame["value"].str.strip())
    elif decimal not in NUMBER_PATTERNS:
        raise ValueError(f"decimal must be 'de', 'en' or 'auto', not {decimal!r}")

    group_codes = [frame[f"{g}_variable_code"].iloc[0] for g in range(1, groups + 1)]
    if region_variable is None:
        region_group = next(
            (
                g
                for g, code in enumerate(group_codes, start=1)
                if _is_region_variable(code, frame[f"{g}_variable_attribute_code"])
            ),
            None,
        )
    else:
        region_group = next(
            (g for g, code in enumerate(group_codes, start=1) if code == region_variable), None
        )
    if region_group is None:
        raise InputError.single(
            path,
            expected=f"a region variable ({region_variable or 'KREISE, GEMEIN, DINSG, GEO…'})",
            found=f"variables {', '.join(group_codes)}",
            line=1,
        )

    value, status = _values(path, frame, decimal)
    out = pd.DataFrame(
        {
            "table_code": None,
            "statistics_code": frame["statistics_code"],
            "time_code": frame["time_code"],
            "time": frame["time"],
            "period_year": _period_year(path, frame),
            "region_variable": frame[f"{region_group}_variable_code"],
            "region_key": frame[f"{region_group}_variable_attribute_code"],
            "region_name": frame[f"{region_group}_variable_attribute_label"],
        }
    )
    others = [g for g in range(1, groups + 1) if g != region_group]
    for i in range(1, 4):
        g = others[i - 1] if i <= len(others) else None
        for suffix, source in (
            ("code", "variable_code"),
            ("attr_code", "variable_attribute_code"),
            ("attr_label", "variable_attribute_label"),
        ):
            out[f"var{i}_{suffix}"] = frame[f"{g}_{source}"] if g else None
    out["measure_code"] = frame["value_variable_code"]
    out["measure_label"] = frame["value_variable_label"]
    out["value"] = value
    out["unit"] = frame["value_unit"]
    out["value_status"] = status
    quality = frame["value_q"].replace("", None) if "value_q" in frame else None
    out["value_quality"] = quality
    out["_source_line"] = frame["_source_line"].astype("int64")

    column_names = {
        "region_variable": f"{region_group}_variable_code",
        "region_key": f"{region_group}_variable_attribute_code",
        "period_year": "time",
        "measure_code": "value_variable_code",
        "unit": "value_unit",
    }
    for i, g in enumerate(others, start=1):
        column_names[f"var{i}_code"] = f"{g}_variable_code"
        column_names[f"var{i}_attr_code"] = f"{g}_variable_attribute_code"
    metadata = {
        "column_names": column_names,
        "statistics_code": sorted(frame["statistics_code"].unique().tolist()),
        "statistics_label": frame["statistics_label"].iloc[0],
        "decimal": decimal,
        "variable_groups": groups,
        "region_variable": group_codes[region_group - 1],
        "has_value_q": "value_q" in columns,
    }
    return ReadResult(
        path=path, format="genesis_ffcsv", frame=out[CANONICAL_COLUMNS], metadata=metadata
    )
