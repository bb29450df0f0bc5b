"""GENESIS flat-file CSV ("ffcsv"), as `data/tablefile?format=ffcsv` delivers it.

UTF-8 with BOM, `;` separated, a header row, one row per value, 1 to 4 variable groups
(`<n>_variable_code`, `_label`, `_attribute_code`, `_attribute_label`), an optional
`value_q` column, rows unsorted. "Insgesamt" rows carry an empty attribute code. Values
use a decimal comma (`de`) or point (`en`) and may be replaced by a special sign.

The API sends the file zipped (one `<table>_<epoch ms>_de_flat.csv`); the ZIP is read as it
comes, its member's lines numbered as in the member and named `file.zip: member.csv`. A file
of another format (a classic export, a cube, a workbook) is refused with what it is
(pipelines/readers/detect.py), not with a misleading encoding or header message.

DuckDB reads the file (every field as text) into a table of the caller's connection; values,
signs and periods are parsed in SQL: a number becomes its base unit, a sign `value_status`,
`value_q` `value_quality`. Nothing of the file becomes a Python object per value.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import duckdb

from pipelines.readers.detect import FFCSV_COLUMNS, extracted, flat_member, identify
from pipelines.readers.errors import InputError, Problem
from pipelines.readers.sniff import scan_text_table
from pipelines.readers.table import ReadResult, connection, new_name, sql_type

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


def _q(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _factor_sql(unit: str) -> str:
    """The factor to base units of the unit in column `unit` (UNIT_FACTORS), as SQL."""
    cases = " ".join(f"when {_q(u)} then {f!r}" for u, f in UNIT_FACTORS.items())
    return f"(case {unit} {cases} else 1.0 end)"


def _csv_sql(
    path: Path, columns: list[str], rejects: str | None = None, numbered: bool = True
) -> str:
    """DuckDB's reader of the file: every field as text, `_row` the data row's number (not
    `numbered`: without it, read in parallel)."""
    spec = "{" + ", ".join(f"{_q(c)}: 'VARCHAR'" for c in columns) + "}"
    store = (
        f"store_rejects=true, rejects_table={_q(rejects)}, rejects_scan={_q(rejects + '_scan')},"
        if rejects
        else ""
    )
    row = "row_number() over () as _row, " if numbered else ""
    return f"""select {row}*
        from read_csv({_q(str(path))}, delim=';', header=true, quote='', escape='',
                      columns={spec}, {store} encoding='utf-8', strict_mode=true,
                      auto_detect=false)"""


def _blank_line_thresholds(path: Path, rows: int, lines: int) -> list[int] | None:
    """DuckDB skips empty lines: for each blank line after the header, the first data row
    (counted from 1) that stands after it, so that rows are numbered by their file line
    (`lines`: the file's, a last line without a newline counted). None: the file's lines and
    rows do not correspond one to one (keep `row + 1`)."""
    if lines - 1 == rows:
        return []  # no blank line: row i is on line i + 1
    data = path.read_bytes()
    blanks = [
        data.count(b"\n", 0, m.start()) + 2
        for m in re.finditer(rb"\n[\r\t ]*(?=\n|$)", data)
        if m.end() < len(data) or data[m.start() + 1 :].strip(b"\r\t ") == b""
    ]
    blanks = sorted({b for b in blanks if b <= lines})
    if lines - 1 - len(blanks) != rows:
        return None
    # data row i is behind blank number j (1-based, at line b_j) when i >= b_j - j
    return [b - j for j, b in enumerate(blanks, start=1)]


def _line_sql(thresholds: list[int] | None) -> str:
    """The file line of data row `_row`."""
    if not thresholds:
        return f"_row + {FIRST_DATA_LINE - 1}"
    listed = ", ".join(str(t) for t in thresholds)
    return f"_row + {FIRST_DATA_LINE - 1} + len(list_filter([{listed}], lambda t: t <= _row))"


def _rejected(path: Path, con, rejects: str, width: int) -> list[Problem]:
    exists = con.execute(
        "select count(*) from duckdb_tables() where table_name = ?", [rejects]
    ).fetchone()[0]
    if not exists:
        return []
    rows = con.execute(
        f"select line, column_name, error_type, csv_line from {rejects} order by line"
    ).fetchall()
    problems, seen = [], set()
    for line, column, error_type, csv_line in rows:
        if line in seen:
            continue  # one problem per line: a cut row misses several columns
        seen.add(line)
        problems.append(
            Problem(
                path.name,
                int(line),
                column,
                expected=f"{width} fields separated by ';'",
                found=f"{error_type.lower().replace('_', ' ')}: {(csv_line or '')[:160]!r}",
            )
        )
    return problems[:5]


@contextmanager
def _scanned(path: Path, con, columns: list[str]) -> Iterator[tuple[str, str]]:
    """The file's reader (SQL, unnumbered) with its rejected lines stored in a table; a file
    DuckDB cannot read at all is an InputError. Yields the reader and the rejects table."""
    rejects = new_name("rejects")
    try:
        yield _csv_sql(path, columns, rejects, numbered=False), rejects
    except duckdb.Error as exc:
        raise InputError.single(
            path, expected="a readable ffcsv table", found=str(exc).splitlines()[0]
        ) from exc
    finally:
        con.execute(f"drop table if exists {rejects}")
        con.execute(f"drop table if exists {rejects}_scan")


def _first_row(path: Path, con, columns: list[str], groups: int) -> list[str]:
    """The variable codes of the first data row (a file has one code per group); a broken
    row is reported by the survey."""
    selected = ", ".join(f'"{g}_variable_code"' for g in range(1, groups + 1))
    with _scanned(path, con, columns) as (table, _rejects):
        row = con.execute(f"select {selected} from ({table}) limit 1").fetchall()
    return [code or "" for code in row[0]] if row else [""] * groups


VALUE = "trim(coalesce(value, ''))"
NUMBER_LIKE = r"-?[0-9]+([,.][0-9]+)?"
# Per row: is the value a sign, number-like, with a comma, with a point.
FLAGS = ", ".join(
    [
        f"{VALUE} in ({', '.join(_q(s) for s in SIGNS)}) as is_sign",
        f"regexp_full_match({VALUE}, {_q(NUMBER_LIKE)}) as number_like",
        f"contains({VALUE}, ',') as has_comma",
        f"contains({VALUE}, '.') as has_point",
    ]
)
# A value that is no number (in the file's decimal) and no sign, by the FLAGS.
BAD_VALUE = {
    "de": "not is_sign and (not number_like or has_point)",
    "en": "not is_sign and (not number_like or has_comma)",
}


def _survey(path: Path, con, columns: list[str], regional: list[int]) -> dict[str, object]:
    """One pass over the file: rows, rejected lines, how values parse, which periods and
    statistics it holds, whether the groups in `regional` hold only region keys. Nothing is
    kept but these figures; the places of problems are looked up afterwards."""
    parts = [
        "count(*) as rows",
        f'count("{columns[-1]}") as last_fields',  # read to its end: a cut row is rejected
        "any_value(statistics_label) as statistics_label",
        "list(distinct statistics_code order by statistics_code) as statistics_codes",
        "list(distinct coalesce(\"time\", '')) as times",
        "bool_or(number_like and has_comma) as comma_numbers",
        "bool_or(number_like and has_point) as point_numbers",
        *(f"count(*) filter (where {bad}) as bad_{d}" for d, bad in BAD_VALUE.items()),
    ]
    for g in regional:
        attr = f'"{g}_variable_attribute_code"'
        parts.append(
            f"count(*) filter (where coalesce({attr}, '') <> '') > 0 and "
            f"bool_and(regexp_full_match({attr}, '\\d{{2,12}}|DG')) "
            f"filter (where coalesce({attr}, '') <> '') as regional_{g}"
        )
    with _scanned(path, con, columns) as (table, rejects):
        cursor = con.execute(f"select {', '.join(parts)} from (select *, {FLAGS} from ({table}))")
        names = [d[0] for d in cursor.description]
        survey = dict(zip(names, cursor.fetchall()[0], strict=True))
        problems = _rejected(path, con, rejects, len(columns))
    if problems:
        raise InputError(problems)
    return survey


def _first_where(path: Path, con, columns: list[str], where: str, *names: str) -> tuple:
    """The data row number and fields of the first row where `where` holds."""
    selected = ", ".join(["_row", *(f'"{n}"' for n in names)])
    return con.execute(
        f"select {selected} from (select *, {FLAGS} from ({_csv_sql(path, columns)})) "
        f"where {where} order by _row limit 1"
    ).fetchone()


def _value_problem(
    path: Path, con, columns: list[str], survey: dict, decimal: str, line_of
) -> Problem | None:
    bad = survey[f"bad_{decimal}"]
    if not bad:
        return None
    row, token = _first_where(path, con, columns, BAD_VALUE[decimal], "value")
    token = (token or "").strip()
    if token == "" or re.fullmatch(r"[^0-9]{1,4}", token):
        expected = f"a number or a special sign ({' '.join(SIGNS)})"
        found = f"unknown special sign {token!r}" if token else "an empty value"
    else:
        sep = "decimal comma" if decimal == "de" else "decimal point"
        expected = f"a number with {sep} (decimal={decimal}) or a special sign"
        found = repr(token)
    return Problem(path.name, line_of(row), "value", expected, found, bad - 1)


def _period_problem(path: Path, con, columns: list[str], survey: dict, line_of) -> Problem | None:
    wrong = [t for t in survey["times"] if not re.match(r"\d{4}", t)]
    if not wrong:
        return None
    listed = ", ".join(_q(t) for t in wrong)
    count = con.execute(
        f"select count(*) from ({_csv_sql(path, columns, numbered=False)}) "
        f"where coalesce(\"time\", '') in ({listed})"
    ).fetchone()[0]
    row, time = _first_where(path, con, columns, f"coalesce(\"time\", '') in ({listed})", "time")
    return Problem(
        path.name,
        line_of(row),
        "time",
        "a period like 2024, 2024-12-31 or 2023/24",
        repr(time or ""),
        count - 1,
    )


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
        return  # empty, HTML, other text: scan_text_table and _header name them
    hint = OTHER_FORMATS[signature]
    text = signature in ("classic", "cube", "municipal")
    raise InputError.single(
        path,
        expected=EXPECTED_FORMAT,
        found=f"{kind.description}: {hint}" if hint else kind.description,
        line=1 if text else None,
    )


def _read_zip(
    path: Path, decimal: str, region_variable: str | None, con: duckdb.DuckDBPyConnection | None
) -> ReadResult:
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
            result = read(file, decimal=decimal, region_variable=region_variable, con=con)
        except InputError as err:
            raise InputError([replace(p, file=display) for p in err.problems]) from None
    metadata = {**result.metadata, "zip_member": member}
    return ReadResult(path, result.format, result.con, result.table, metadata)


def read(
    path: Path,
    decimal: str = "auto",
    region_variable: str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> ReadResult:
    """Read one ffcsv file, or the API's ZIP holding one, into the canonical long table."""
    path = Path(path)
    if path.is_file():
        with path.open("rb") as handle:
            is_zip = handle.read(4) == b"PK\x03\x04"
        if is_zip:
            return _read_zip(path, decimal, region_variable, con)
    _refuse_other_formats(path)
    head, lines = scan_text_table(path, encoding="utf-8")
    columns = _header(path, head)
    groups = _group_count(path, columns)
    if decimal not in (*NUMBER_PATTERNS, "auto"):
        raise ValueError(f"decimal must be 'de', 'en' or 'auto', not {decimal!r}")
    con = connection(con)
    group_codes = _first_row(path, con, columns, groups)
    regional = [
        g
        for g, code in enumerate(group_codes, start=1)
        if region_variable is None
        and code not in REGION_VARIABLES
        and not code.startswith(REGION_VARIABLE_PREFIXES)
    ]
    survey = _survey(path, con, columns, regional)
    if not survey["rows"]:
        raise InputError.single(path, expected="at least one data row", found="only the header")
    thresholds = _blank_line_thresholds(path, survey["rows"], lines)

    def line_of(row: int) -> int:
        shift = sum(1 for t in thresholds or [] if t <= row)
        return row + FIRST_DATA_LINE - 1 + shift

    if decimal == "auto":
        comma, point = survey["comma_numbers"], survey["point_numbers"]
        decimal = "de" if comma or not point else "en"
    problem = _value_problem(path, con, columns, survey, decimal, line_of)
    problem = problem or _period_problem(path, con, columns, survey, line_of)
    if problem:
        raise InputError([problem])

    if region_variable is None:
        region_group = next(
            (
                g
                for g, code in enumerate(group_codes, start=1)
                if g not in regional or survey[f"regional_{g}"]
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

    def field(name: str) -> str:
        return f"coalesce(\"{name}\", '')"

    value = VALUE
    signs = ", ".join(_q(s) for s in SIGNS)
    number = f"replace({value}, ',', '.')" if decimal == "de" else value
    select = {
        "table_code": "cast(null as varchar)",
        "statistics_code": field("statistics_code"),
        "time_code": field("time_code"),
        "time": field("time"),
        "period_year": "cast(regexp_extract(\"time\", '^(\\d{4})') as bigint)",
        "region_variable": field(f"{region_group}_variable_code"),
        "region_key": field(f"{region_group}_variable_attribute_code"),
        "region_name": field(f"{region_group}_variable_attribute_label"),
    }
    others = [g for g in range(1, groups + 1) if g != region_group]
    for i in range(1, 4):
        g = others[i - 1] if i <= len(others) else None
        for suffix, source in (
            ("code", "variable_code"),
            ("attr_code", "variable_attribute_code"),
            ("attr_label", "variable_attribute_label"),
        ):
            select[f"var{i}_{suffix}"] = field(f"{g}_{source}") if g else "cast(null as varchar)"
    select |= {
        "measure_code": field("value_variable_code"),
        "measure_label": field("value_variable_label"),
        "value": f"case when {value} in ({signs}) then null "
        f"else cast({number} as double) * {_factor_sql(field('value_unit'))} end",
        "unit": field("value_unit"),
        "value_status": f"case when {value} in ({signs}) then {value} end",
        "value_quality": "nullif(value_q, '')" if "value_q" in columns else "null",
        "_source_line": _line_sql(thresholds),
        "_row": "_row",
        "_value_column": "cast(null as varchar)",
    }
    table = new_name()
    con.execute(
        f"create temp table {table} as select "
        + ", ".join(f"cast({expr} as {sql_type(c)}) as {c}" for c, expr in select.items())
        + f" from ({_csv_sql(path, columns)})"
    )

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
        "statistics_code": [c or "" for c in survey["statistics_codes"]],
        "statistics_label": survey["statistics_label"] or "",
        "decimal": decimal,
        "variable_groups": groups,
        "region_variable": group_codes[region_group - 1],
        "has_value_q": "value_q" in columns,
    }
    return ReadResult(path, "genesis_ffcsv", con, table, metadata)
