"""Check a read file against its data contract before anything is written to `raw`.

Each check reports the first offending line (a workbook: sheet and cell) with column,
expected and found, and how many more rows share the problem, so a planner can open the file
and fix it. The checks, in the order `check` runs them:

- the statistic, region variable, key format, variables and attributes, measures, units,
  special signs, periods and one row per key (`contract_problems`);
- the file's Land row equals the sum of its regions (`land_total_problems`);
- values: a count is a whole number, every value lies in its measure's `plausible_range`
  (`value_problems`);
- regions: every key is one of the territory's regions of the contract's level (Kreise,
  Gemeinden, or the Sozialräume of `small_areas.csv`: `unknown_region_problems`), and, once
  every row is right, every region that exists at the end of a delivered period has its rows
  in that period, in this file or in the source's other deliveries
  (`missing_region_problems`, for all deliveries of a source `source_gap_problems`);
- schema drift: an extra variable group (`drift_problems`).

Every check is a query on the read table (`ReadResult.table` in `ReadResult.con`): a file of
millions of rows is checked in DuckDB, not row by row in Python. Transformations (labels to
codes, variables to the contract's positions, other regions left out) give a new table or
view on the same connection.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from pipelines.contracts import Contract
from pipelines.readers.errors import InputError, Problem
from pipelines.readers.table import ReadResult, new_name
from pipelines.territory import KnownRegion, Territory

# Canonical columns a wide file holds in the header of each value column: a problem with them
# is placed in the value's own column (the read table's `_value_column`).
IN_VALUE_COLUMN = ("value", "value_status", "unit", "measure_code", "measure_label")


# --- SQL text -------------------------------------------------------------------------------


def lit(value: object) -> str:
    """A SQL literal of a Python value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def is_in(column: str, values: Iterable[object]) -> str:
    """`column` is one of `values` (false for null, as pandas' isin)."""
    listed = ", ".join(lit(v) for v in values)
    return f"coalesce({column} in ({listed}), false)" if listed else "false"


def matches(column: str, pattern: str) -> str:
    """`column` matches the whole of `pattern` (false for null)."""
    return f"coalesce(regexp_full_match({column}, {lit(pattern)}), false)"


def _factor(unit: str = "unit") -> str:
    from pipelines.readers.genesis_ffcsv import _factor_sql

    return _factor_sql(f"coalesce({unit}, '')")


def _rows(result: ReadResult, sql: str, params: Sequence[object] = ()) -> list[dict]:
    cursor = result.con.execute(sql.replace("{table}", result.table), list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# --- problems named as the user sees the file -----------------------------------------------


def _problem(
    result: ReadResult, row: dict | None, column: str, expected: str, found: str, more: int
) -> Problem:
    """A problem at `row` (None: no row of the file), named as the user sees the file: the
    file's own column name, or sheet and cell in a workbook."""
    names = result.metadata.get("column_names") or {}
    name = result.column_name(column)
    in_value_column = column in IN_VALUE_COLUMN and column not in names
    if row is not None and in_value_column and row.get("_value_column"):
        name = str(row["_value_column"])
    line = int(row["_source_line"]) if row is not None else None
    sheet = result.metadata.get("sheet")
    if sheet:  # a workbook: the cell where a column letter is known, else the row
        letter = name if re.fullmatch(r"[A-Z]{1,3}", name) else None
        cell = f"{letter}{line}" if letter and line else None
        return Problem(result.path.name, line, cell, expected, found, more, sheet=str(sheet))
    return Problem(result.path.name, line, name, expected, found, more)


def _first(
    result: ReadResult, where: str, column: str, expected: str, show: str | None = None
) -> Problem | None:
    """The first row where the SQL condition `where` holds, named by the file's own column
    name; `found` shows the row's `show` (default: `column`)."""
    rows = _rows(
        result,
        f"""select _source_line, _value_column, {show or column} as _shown,
                   count(*) over () as _count
            from {{table}} where {where} order by _row limit 1""",
    )
    if not rows:
        return None
    row = rows[0]
    return _problem(result, row, column, expected, repr(row["_shown"]), row["_count"] - 1)


@dataclass(frozen=True)
class RowCheck:
    """A condition no row may meet: SQL `where`, the column it names, what was expected and
    the column whose value is shown as found (default: `column`)."""

    where: str
    column: str
    expected: str
    show: str | None = None


def _firsts(
    result: ReadResult,
    checks: Sequence[RowCheck],
    found: Callable[[object], str] = repr,
    derived: str = "",
) -> list[Problem]:
    """`_first` of many conditions in one pass over the table, in the order given; `found`
    writes the value shown. `derived` adds columns the conditions name (`expr as name`),
    computed once per row: DuckDB plans a long expression repeated in every condition for
    longer than it takes to scan a small file."""
    if not checks:
        return []
    rows = f"(select *, {derived} from {result.table})" if derived else result.table
    counts = ", ".join(
        f"count(*) filter (where {c.where}), min(_row) filter (where {c.where})" for c in checks
    )
    figures = result.con.execute(f"select {counts} from {rows}").fetchone()
    problems = []
    for i, c in enumerate(checks):
        count, row = figures[2 * i], figures[2 * i + 1]
        if count:
            at = _rows(
                result,
                f"select _source_line, _value_column, {c.show or c.column} as _shown "
                f"from {rows} where _row = ? limit 1",
                [row],
            )[0]
            problems.append(
                _problem(result, at, c.column, c.expected, found(at["_shown"]), count - 1)
            )
    return problems


def _duplicate_key(result: ReadResult, keys: list[str]) -> Problem | None:
    listed = ", ".join(keys)
    rows = _rows(
        result,
        f"""select {listed}, sum(count(*) - 1) over () as _extra
            from {{table}} group by all having count(*) > 1
            order by min(_row) limit 1""",
    )
    if not rows:
        return None
    row = rows[0]
    same = " and ".join(f"{k} is not distinct from ?" for k in keys)
    lines = [
        r["_source_line"]
        for r in _rows(
            result,
            f"select _source_line from {{table}} where {same} order by _row limit 2",
            [row[k] for k in keys],
        )
    ]
    key_text = ", ".join(f"{k}={row[k]!r}" for k in keys)
    return Problem(
        result.path.name,
        int(lines[1]),
        "+".join(result.column_name(k) for k in keys),
        "one row per key",
        f"the key {key_text} again (first at line {lines[0]})",
        int(row["_extra"]) - 1,
    )


def columns_of(result: ReadResult) -> list[str]:
    return [d[0] for d in result.con.execute(f"select * from {result.table} limit 0").description]


def contract_problems(result: ReadResult, contract: Contract) -> list[Problem]:
    """Everything in the file that breaks the contract (empty list: it conforms)."""
    expected_stat = contract.table_code.split("-")[0]
    region = contract.region
    land_rows = is_in("region_key", region.laender)  # the file's own Land row, kept
    checks = [
        RowCheck(
            f"statistics_code is distinct from {lit(expected_stat)}",
            "statistics_code",
            f"statistics {expected_stat} (table {contract.table_code})",
        ),
        RowCheck(
            f"region_variable is distinct from {lit(region.variable)} and not {land_rows}",
            "region_variable",
            f"region variable {region.variable}",
        ),
        RowCheck(
            f"not {matches('region_key', key_pattern(contract))}",
            "region_key",
            f"a region key like {region.key_pattern}"
            if region.key_pattern
            else f"a {region.key_length}-digit region key in Land {' or '.join(region.laender)}",
        ),
    ]
    for variable in contract.variables:
        i = variable.position
        code_col, attr_col = f"var{i}_code", f"var{i}_attr_code"
        allowed = ", ".join(a or "<Insgesamt>" for a in variable.attributes)
        rows = is_in("measure_code", variable.measures) if variable.measures else "true"
        checks.append(
            RowCheck(
                f"{rows} and {code_col} is distinct from {lit(variable.code)}",
                code_col,
                f"variable {variable.code}",
            )
        )
        checks.append(
            RowCheck(
                f"{rows} and not {is_in(attr_col, variable.attributes)}",
                attr_col,
                f"an attribute of {variable.code} ({allowed})",
            )
        )
    units = {m.code: m.unit for m in contract.measures}
    expected_unit = (
        "case measure_code "
        + " ".join(f"when {lit(m)} then {lit(u)}" for m, u in units.items())
        + " end"
    )
    first, last = contract.period_range
    checks += [
        RowCheck(
            f"not {is_in('measure_code', units)}",
            "measure_code",
            f"a measure of the contract ({', '.join(units)})",
        ),
        RowCheck(
            f"{is_in('measure_code', units)} and unit is distinct from ({expected_unit})",
            "unit",
            f"the contract's units ({', '.join(f'{k}: {v}' for k, v in units.items())})",
        ),
        RowCheck(
            f"value_status is not null and not {is_in('value_status', contract.allowed_status)}",
            "value",
            f"a special sign the contract allows ({' '.join(contract.allowed_status)})",
            "value_status",
        ),
        RowCheck(
            f"not coalesce(period_year between {int(first)} and {int(last)}, false)",
            "period_year",
            f"a period from {first} to {last}",
            "time",
        ),
    ]
    problems = _firsts(result, checks)
    present = columns_of(result)
    duplicate = _duplicate_key(result, [c for c in contract.key_columns if c in present])
    return problems + ([duplicate] if duplicate else [])


def drift_problems(result: ReadResult, contract: Contract) -> list[Problem]:
    """Schema drift: breakdowns the contract does not know (an extra variable group)."""
    extra = contract.positions + 1
    if extra > 3:
        return []
    problem = _first(
        result,
        f"var{extra}_code is not null",
        f"var{extra}_code",
        f"{contract.positions + 1} variable groups (schema drift: an extra variable)",
    )
    return [problem] if problem else []


# Lengths of real AGS/ARS keys: Land, Regierungsbezirk, Kreis, Gemeinde, Gemeindeverband, ARS.
AGS_LENGTHS = (2, 3, 5, 8, 9, 12)


def key_pattern(contract: Contract) -> str:
    """Keys a raw table keeps: the contract's level in the territory's Länder, and the Land
    rows themselves (a published Land value, e.g. a rate, is taken as published)."""
    region = contract.region
    if region.key_pattern:
        return region.key_pattern
    return rf"(?:{'|'.join(region.laender)})(?:\d{{{region.key_length - 2}}})?"


def in_scope(result: ReadResult, contract: Contract) -> tuple[ReadResult, int]:
    """With `region.other_regions: drop`, keep only the contract's regions.

    Only real keys of other regions are dropped (Germany `DG`, other Länder, other levels);
    a malformed key stays and is reported.
    """
    if contract.region.other_regions != "drop":
        return result, 0
    other = (
        f"not {matches('region_key', key_pattern(contract))} and (region_key = 'DG' or "
        f"({matches('region_key', r'[0-9]+')} and length(region_key) in "
        f"({', '.join(map(str, AGS_LENGTHS))})))"
    )
    dropped = result.con.execute(f"select count(*) from {result.table} where {other}").fetchone()[0]
    if not dropped:
        return result, 0
    return result.derived(f"select * from {{table}} where not ({other})"), int(dropped)


@dataclass
class Conformed:
    """A read file checked against its contract: the rows kept and what was found."""

    result: ReadResult
    problems: list[Problem]
    warnings: list[Problem]
    dropped: int  # rows of other regions left out


def check(
    result: ReadResult,
    contract: Contract,
    territory: Territory | None = None,
    others: Sequence[ReadResult] | None = (),
) -> Conformed:
    """Every contract check, in order; the refresh's ingest and `sozplan inspect` both run
    exactly this.

    A classic export's labels become the contract's codes first. The file's Land rows are
    checked against the sum of their regions, then rows of other regions are dropped where
    the contract says so. Values and regions are checked against the contract and the
    territory (default: the current one). Once every row is right, every region of each of
    the file's periods must be there, in the file or in the source's other deliveries
    (`others`, each checked before; None: not yet known, the ingest checks the source's
    deliveries together with `source_gap_problems`). Schema drift is a problem, or a warning
    where the contract says `schema_drift: warn`.
    """
    if result.metadata.get("codes_from_labels"):
        try:
            result = codes_from_labels(result, contract)
        except InputError as err:
            return Conformed(result, list(err.problems), [], 0)
    else:
        result = in_contract_order(result, contract)
    problems = land_total_problems(result, contract)
    rows = result.rows()
    result, dropped = in_scope(result, contract)
    if rows and dropped == rows:
        problems.append(
            Problem(
                result.path.name,
                None,
                result.column_name("region_key"),
                f"regions of {' or '.join(contract.region.laender)} (the territory)",
                f"none among {rows:,} rows: a download for other regions",
            )
        )
    rows_wrong = contract_problems(result, contract)
    rows_wrong += value_problems(result, contract)
    rows_wrong += unknown_region_problems(result, contract, territory)
    problems += rows_wrong
    if others is not None and not rows_wrong:  # a wrong row is named, not a gap as well
        problems += missing_region_problems(result, contract, territory, others)
    drift = drift_problems(result, contract)
    warnings: list[Problem] = []
    if contract.schema_drift == "warn":
        warnings = drift
    else:
        problems += drift
    return Conformed(result, problems, warnings, dropped)


def conform(
    result: ReadResult,
    contract: Contract,
    warnings: list[Problem] | None = None,
    territory: Territory | None = None,
) -> pd.DataFrame:
    """The canonical table tagged with the contract's table code as a DataFrame (a small
    file's rows at a glance), or an InputError. The ingest never builds it."""
    checked = check(result, contract, territory)
    if warnings is not None:
        warnings.extend(checked.warnings)
    if checked.problems:
        raise InputError(checked.problems)
    frame = checked.result.frame
    frame["table_code"] = contract.table_code
    return frame


VAR_PARTS = ("code", "attr_code", "attr_label")


def in_contract_order(result: ReadResult, contract: Contract) -> ReadResult:
    """The file's variables at the contract's positions, found by their codes.

    A GENESIS table lists its variables in the order of its layout (rows before columns), and
    two downloads of one table may differ in it; the contract names the variables, not their
    order. Only a whole-file permutation is made: a slot whose codes belong to no position of
    the contract stays where it is and is reported by the checks.
    """
    codes_in = _rows(
        result,
        "select "
        + ", ".join(
            f"list(distinct var{slot}_code) filter (where coalesce(var{slot}_code, '') <> '') "
            f"as slot{slot}"
            for slot in (1, 2, 3)
        )
        + " from {table}",
    )[0]
    mapping: dict[int, int] = {}
    for slot in (1, 2, 3):
        present = set(codes_in[f"slot{slot}"] or [])
        if not present:
            continue
        for position in range(1, contract.positions + 1):
            codes = {v.code for v in contract.variables if v.position == position}
            if present <= codes and position not in mapping.values():
                mapping[slot] = position
                break
        else:
            return result
    if all(slot == position for slot, position in mapping.items()):
        return result
    moved = {}
    for part in VAR_PARTS:
        for position in (1, 2, 3):
            moved[f"var{position}_{part}"] = "cast(null as varchar)"
        for slot, position in mapping.items():
            moved[f"var{position}_{part}"] = f"var{slot}_{part}"
    names = dict(result.metadata.get("column_names") or {})
    for slot, position in mapping.items():
        for part in VAR_PARTS:
            if f"var{slot}_{part}" in (result.metadata.get("column_names") or {}):
                names[f"var{position}_{part}"] = result.metadata["column_names"][
                    f"var{slot}_{part}"
                ]
    metadata = {**result.metadata, "column_names": names}
    replaced = ", ".join(f"{expr} as {column}" for column, expr in moved.items())
    return result.derived(f"select * replace ({replaced}) from {{table}}", metadata)


# --- classic exports: labels to codes -------------------------------------------------------


def _norm(label: object) -> str:
    from pipelines.readers.genesis_classic import slug

    return slug(str(label)) if label is not None and label == label else ""


TOTAL_LABELS = {"", "insgesamt"}


def _distinct(result: ReadResult, column: str, where: str = "true") -> list[object]:
    return [
        r[0]
        for r in result.con.execute(
            f"select distinct {column} from {result.table} where {where}"
        ).fetchall()
    ]


def _case(column: str, mapping: dict[object, str], default: str = "null") -> str:
    """SQL: the value `mapping` gives `column`'s value, else `default`."""
    if not mapping:
        return default
    whens = " ".join(f"when {lit(k)} then {lit(v)}" for k, v in mapping.items())
    return f"(case {column} {whens} else {default} end)"


def codes_from_labels(result: ReadResult, contract: Contract) -> ReadResult:
    """Give a classic export (labels only) the contract's measure and attribute codes.

    Measures are found by their labels (`label`, `labels` in the contract), each column
    variable by the labels of its attributes (`attribute_labels`), `Insgesamt` being ''.
    A label the contract does not know is reported with its line and column. The file's
    distinct labels are looked up in Python; the rows are rewritten in SQL.
    """
    code_by_label = {_norm(lab): m.code for m in contract.measures for lab in m.all_labels}
    codes = [m.code for m in contract.measures]
    coded = is_in("measure_code", codes)
    mapped = {
        label: code_by_label[_norm(label)]
        for label in _distinct(result, "measure_label", f"not {coded}")
        if label is not None and _norm(label) in code_by_label
    }
    known = "; ".join(f"{m.code}: {' | '.join(m.all_labels)}" for m in contract.measures)
    unknown = _first(
        result,
        f"not {coded} and not {is_in('measure_label', mapped)}",
        "measure_label",
        f"a measure of the contract by its label ({known})",
        "measure_label",
    )
    if unknown:
        raise InputError([unknown])
    measure = f"(case when {coded} then measure_code else {_case('measure_label', mapped)} end)"
    coded_result = result.derived(f"select * replace ({measure} as measure_code) from {{table}}")
    problems: list[Problem] = []
    exprs: dict[str, dict[str, str]] = {}  # column -> measure -> SQL expression
    profiles = _label_profiles(coded_result)
    for m in contract.measures:
        if m.code not in profiles:
            continue
        found, placed = _variables_from_labels(coded_result, contract, m.code, profiles[m.code])
        problems += found
        for column, expr in placed.items():
            exprs.setdefault(column, {})[m.code] = expr
    if problems:
        raise InputError(problems)
    replaced = []
    for part in VAR_PARTS:
        for j in (1, 2, 3):
            column = f"var{j}_{part}"
            by_measure = exprs.get(column, {})
            whens = " ".join(f"when {lit(k)} then {v}" for k, v in by_measure.items())
            value = f"(case measure_code {whens} end)" if whens else "cast(null as varchar)"
            replaced.append(f"cast({value} as varchar) as {column}")
    name = new_name()
    result.con.execute(
        f"create temp table {name} as select * replace ({', '.join(replaced)}) "
        f"from {coded_result.table}"
    )
    return ReadResult(result.path, result.format, result.con, name, result.metadata)


def _attribute_labels(variable) -> list[str]:
    return [label for _code, labels in variable.attribute_labels for label in labels]


@dataclass(frozen=True)
class LabelProfile:
    """One measure's rows of a classic export: the variable slots that hold a variable, and
    the distinct attribute labels of each slot."""

    slots: tuple[int, ...]
    labels: dict[int, list[object]]


def _label_profiles(result: ReadResult) -> dict[str, LabelProfile]:
    """The `LabelProfile` of every measure code in the file, in one pass over it."""
    columns = ", ".join(
        f"bool_or(var{i}_code is not null) as has{i}, list(distinct var{i}_attr_label) as labels{i}"
        for i in (1, 2, 3)
    )
    rows = _rows(result, f"select measure_code, {columns} from {{table}} group by measure_code")
    return {
        row["measure_code"]: LabelProfile(
            slots=tuple(i for i in (1, 2, 3) if row[f"has{i}"]),
            labels={i: [v for v in row[f"labels{i}"] or [] if v is not None] for i in (1, 2, 3)},
        )
        for row in rows
    }


def _variables_from_labels(
    result: ReadResult, contract: Contract, measure: str, profile: LabelProfile
) -> tuple[list[Problem], dict[str, str]]:
    """The var columns of one measure's rows, as SQL expressions: each of the file's
    variables is the contract variable (of this measure) whose attribute labels cover its
    labels. Or the problem of a label no variable knows."""
    variables = [v for v in contract.variables if v.applies_to(measure)]
    rows = f"measure_code = {lit(measure)}"
    assigned: dict[int, int] = {}  # file slot -> index in `variables`
    for slot in profile.slots:
        raw = profile.labels[slot]
        labels = {_norm(v) for v in raw} - TOTAL_LABELS
        fitting = [
            j
            for j, v in enumerate(variables)
            if j not in assigned.values()
            and labels <= {_norm(lab) for _c, labs in v.attribute_labels for lab in labs}
        ]
        if not fitting:
            known = {
                _norm(lab) for v in variables for _c, labs in v.attribute_labels for lab in labs
            }
            wanted = (
                "; ".join(f"{v.code}: {' | '.join(_attribute_labels(v))}" for v in variables)
                or f"no breakdown of {measure}"
            )
            column = f"var{slot}_attr_label"
            fine = [v for v in raw if _norm(v) in known | TOTAL_LABELS]
            problem = _first(
                result,
                f"{rows} and {column} is not null and not {is_in(column, fine)}",
                column,
                f"an attribute the contract knows for {measure} ({wanted})",
                column,
            )
            return ([problem] if problem else []), {}
        assigned[slot] = fitting[0]
    placed: dict[str, str] = {}
    for j, variable in enumerate(variables):
        code_by_label = {_norm(lab): c for c, labs in variable.attribute_labels for lab in labs}
        slot = next((s for s, k in assigned.items() if k == j), None)
        position = variable.position
        placed[f"var{position}_code"] = lit(variable.code)
        if slot is None:  # the export shows only this variable's total
            placed[f"var{position}_attr_code"] = "''"
            continue
        column = f"var{slot}_attr_label"
        raw = profile.labels[slot]
        by_label = {v: code_by_label[_norm(v)] for v in raw if _norm(v) in code_by_label}
        placed[f"var{position}_attr_code"] = _case(column, by_label, "''")
        placed[f"var{position}_attr_label"] = column
    return [], placed


# --- the file's own Land total --------------------------------------------------------------


def land_total_problems(result: ReadResult, contract: Contract) -> list[Problem]:
    """The territory's regions must add up to the file's Land row (additive measures only),
    within the rounding of one half unit per region. A region whose value is secret or
    unknown makes the sum uncheckable, as do parts that are all signs (the Land published
    before its Kreise); otherwise `-` (nothing) counts as 0."""
    region = contract.region
    additive = [m.code for m in contract.measures if m.additive]
    if region.key_pattern or not additive or region.key_length <= 2:
        return []
    group = ["period_year", "measure_code", "var1_attr_code", "var2_attr_code", "var3_attr_code"]
    keys = ", ".join(f"coalesce(cast({c} as varchar), '') as _{c}" for c in group)
    on = " and ".join(f"t._{c} = p._{c}" for c in group)
    laender = "|".join(region.laender)
    parts_pattern = rf"(?:{laender})\d{{{region.key_length - 2}}}"
    rows = _rows(
        result,
        f"""with parts as (
                select left(region_key, 2) as _land, {keys},
                       sum(coalesce(value, 0.0)) as parts_sum, count(*) as regions,
                       bool_or(value_status is not null and value_status <> '-') as open,
                       bool_or(value is not null) as numbers
                from {{table}}
                where {is_in("measure_code", additive)}
                  and {matches("region_key", parts_pattern)}
                group by all
            ),
            wrong as (
                select t.*, p.parts_sum, p.regions
                from (
                    select *, region_key as _land, {keys} from {{table}}
                    where {is_in("region_key", region.laender)}
                      and {is_in("measure_code", additive)} and value is not null
                ) as t
                join parts as p on t._land = p._land and {on}
                where not p.open and p.numbers
                  and abs(t.value - p.parts_sum) > 0.5 * p.regions * {_factor("t.unit")} + 1e-6
            )
            select _land, _source_line, _value_column, value, measure_code, period_year,
                   parts_sum, regions, count(*) over (partition by _land) as _count
            from wrong
            qualify row_number() over (partition by _land order by _row) = 1""",
    )
    by_land = {row["_land"]: row for row in rows}
    problems = []
    for land in region.laender:
        if land in by_land:
            first = by_land[land]
            problems.append(
                _problem(
                    result,
                    first,
                    "value",
                    f"the Land {land} value equal to the sum of its {int(first['regions'])} "
                    f"regions ({first['parts_sum']:,.0f}, ±{0.5 * first['regions']:g} units "
                    f"of rounding) for {first['measure_code']} {first['period_year']}",
                    f"{first['value']:,.0f}",
                    int(first["_count"]) - 1,
                )
            )
    return problems


# --- values: whole counts, plausible ranges -------------------------------------------------


def _number(value: float) -> str:
    """A value as the file prints it, without thousands separators (3477.5, 150, 1e+15)."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e12 else f"{value:.12g}"


def _bound(value: float | None) -> str:
    return "open" if value is None else f"{value:,g}" if abs(value) < 1e6 else f"{value:,.0f}"


def value_problems(result: ReadResult, contract: Contract) -> list[Problem]:
    """A count (`whole_numbers`) is a whole number, and every value lies in its measure's
    `plausible_range` (in the unit the file prints: a value in `Tsd. EUR` is compared in
    thousands). Signs carry no value and are not checked."""
    shown = "_in_unit"  # the value in the unit the file prints
    checks: list[RowCheck] = []
    for measure in contract.measures:
        rows = f"measure_code = {lit(measure.code)} and value is not null"
        what = f"{measure.code} {measure.label}"
        if measure.whole_numbers:
            checks.append(
                RowCheck(
                    f"{rows} and abs({shown} - round({shown})) > 1e-9",
                    "value",
                    f"a whole number ({what} is a count)",
                    shown,
                )
            )
        low, high = measure.plausible_range
        outside = [f"{shown} < {float(low)!r}"] if low is not None else []
        outside += [f"{shown} > {float(high)!r}"] if high is not None else []
        plausible = f"a value from {_bound(low)} to {_bound(high)} {measure.unit}"
        if outside:
            checks.append(
                RowCheck(
                    f"{rows} and ({' or '.join(outside)})",
                    "value",
                    f"{plausible} (plausible_range of {what})",
                    shown,
                )
            )
    return _firsts(
        result, checks, found=lambda v: _number(float(v)), derived=f"value / {_factor()} as {shown}"
    )


# --- regions: the territory's keys, every region of a period --------------------------------

# The level a contract's keys stand for, by key length (a `key_pattern`: Sozialräume).
LEVEL_BY_LENGTH = {2: "land", 5: "kreis", 8: "gemeinde"}
LEVEL_WORDS = {
    "land": ("Land", "Länder", "ref_region.csv"),
    "kreis": ("Kreis", "Kreise", "ref_region.csv"),
    "gemeinde": ("Gemeinde", "Gemeinden", "ref_region_gv.csv and key_history.csv"),
    "sozialraum": ("Sozialraum", "Sozialräume", "small_areas.csv"),
}


def contract_level(contract: Contract) -> str | None:
    """The territory's level of a contract's regions (None: a level the territory does not
    list, such as 12-digit ARS)."""
    if contract.region.key_pattern:
        return "sozialraum"
    return LEVEL_BY_LENGTH.get(contract.region.key_length)


def _level_pattern(contract: Contract, level: str) -> str:
    """Keys of the contract's level (a malformed key is reported elsewhere)."""
    region = contract.region
    if level == "sozialraum":
        return region.key_pattern or ""
    if level == "land":
        return "|".join(region.laender)
    return rf"(?:{'|'.join(region.laender)})\d{{{region.key_length - 2}}}"


def _known(
    contract: Contract, territory: Territory, level: str
) -> tuple[list[KnownRegion], str, str]:
    """The territory's regions a delivery of `contract` may hold, the area they lie in and
    what a key must be."""
    regions = list(territory.regions(level))
    word, _words, where = LEVEL_WORDS[level]
    if level != "sozialraum":
        if level != "land":
            regions = [r for r in regions if r.key[:2] in contract.region.laender]
        span = f": {regions[0].key} … {regions[-1].key}" if regions else ""
        expected = f"a {word} of {territory.name} ({where} of the territory, {len(regions)}{span})"
        return regions, territory.name, expected
    regions = [r for r in regions if re.fullmatch(contract.region.key_pattern or "", r.key)]
    city = _city(contract, territory)
    listed = (
        f"{len(regions)} listed: {regions[0].key} … {regions[-1].key}"
        if regions
        else f"none listed like {contract.region.key_pattern}"
    )
    expected = (
        f"a {word} of {city} in the territory's {where} ({listed}); a new or renumbered area "
        "is added there first"
    )
    return regions, city, expected


def _city(contract: Contract, territory: Territory) -> str:
    """The Gemeinde a contract's Sozialräume lie in, by the key scheme of its reader."""
    scheme = contract.reader_options.get("key_scheme") or {}
    key = str(scheme.get("gemeinde_ags") or "")
    names = {r.key: r.name for r in territory.regions("gemeinde")}
    return f"{key} {names[key]}" if key in names else key or "the city"


@dataclass
class _Regions:
    """The contract's level in a territory: its regions (also as a table of the read's
    connection: key, valid_from, valid_to), the area they lie in, what a key must be."""

    level: str
    regions: list[KnownRegion]
    area: str
    expected: str
    pattern: str
    table: str


def _regions_of(
    result: ReadResult, contract: Contract, territory: Territory | None
) -> _Regions | None:
    from pipelines.territory import current_territory

    level = contract_level(contract)
    if level is None:
        return None
    territory = territory or current_territory()
    regions, area, expected = _known(contract, territory, level)
    table = new_name("known")
    result.con.execute(
        f"""create temp table {table} as
        select unnest(?::varchar[]) as region_key, unnest(?::date[]) as valid_from,
               unnest(?::date[]) as valid_to""",
        [
            [r.key for r in regions],
            [r.valid_from for r in regions],
            [r.valid_to for r in regions],
        ],
    )
    return _Regions(level, regions, area, expected, _level_pattern(contract, level), table)


def _at_level_unknown(known: _Regions) -> str:
    return (
        f"{matches('region_key', known.pattern)} and region_key not in "
        f"(select region_key from {known.table})"
    )


def unknown_region_problems(
    result: ReadResult, contract: Contract, territory: Territory | None = None
) -> list[Problem]:
    """Known keys only: every key of the contract's level is one of the territory's regions
    of that level (whenever it existed: a former region may still show its signs). A new or
    renumbered Sozialraum is not a new area: the territory's small_areas.csv lists it first."""
    known = _regions_of(result, contract, territory)
    if known is None:
        return []
    try:
        problem = _first(result, _at_level_unknown(known), "region_key", known.expected)
    finally:
        result.con.execute(f"drop table if exists {known.table}")
    return [problem] if problem else []


def periods_of(result: ReadResult) -> set[int]:
    return {
        int(p)
        for (p,) in result.con.execute(
            f"select distinct period_year from {result.table} where period_year is not null"
        ).fetchall()
    }


def _held_sql(table: str, known: _Regions, group: list[str], periods: Collection[int]) -> str:
    """The (period, breakdown, region) combinations a delivery holds at the contract's level,
    with known keys; a missing breakdown attribute is one value ('')."""
    listed = ", ".join(str(int(p)) for p in periods) or "null"
    columns = ", ".join(f"coalesce(cast({c} as varchar), '') as {c}" for c in group)
    return f"""select distinct period_year, {columns + ", " if columns else ""}region_key
        from {table}
        where period_year in ({listed}) and {matches("region_key", known.pattern)}
          and region_key in (select region_key from {known.table})"""


def missing_region_problems(
    result: ReadResult,
    contract: Contract,
    territory: Territory | None = None,
    others: Sequence[ReadResult] = (),
    skip_periods: Collection[int] = (),
) -> list[Problem]:
    """Every region of each delivered period: for every period the file holds (but
    `skip_periods`), and every combination of the other key columns (measure, breakdowns)
    held in it, each region that exists at the end of the period (31.12., the map as
    published) has its row — in this file or in the source's other deliveries (`others`,
    already checked: a revision or a download of a few regions completes an earlier
    delivery). A missing one would be a silent gap."""
    periods = sorted(periods_of(result) - set(skip_periods))
    known = _regions_of(result, contract, territory)
    if known is None or not periods:
        if known is not None:
            result.con.execute(f"drop table if exists {known.table}")
        return []
    con = result.con
    present = columns_of(result)
    group = [c for c in contract.key_columns if c not in ("region_key", "period_year")]
    group = [c for c in group if c in present]
    scratch = [known.table]
    try:
        parts = [_held_sql(result.table, known, group, periods)]
        for other in others:
            if other.con is con:
                parts.append(_held_sql(other.table, known, group, periods))
                continue
            other_known = _regions_of(other, contract, territory)
            held = other.con.execute(_held_sql(other.table, other_known, group, periods))
            rows = held.fetchall()
            other.con.execute(f"drop table if exists {other_known.table}")
            name = new_name("held")
            scratch.append(name)
            columns = ["period_year", *group, "region_key"]
            selects = ", ".join(
                f"unnest(?::{'bigint' if c == 'period_year' else 'varchar'}[]) as {c}"
                for c in columns
            )
            con.execute(
                f"create temp table {name} as select {selects}",
                [[row[i] for row in rows] for i in range(len(columns))],
            )
            parts.append(f"select * from {name}")
        end_of = "make_date(p.period_year, 12, 31)"
        wanted = f"""select p.period_year, k.region_key
            from (select unnest(?::bigint[]) as period_year) as p
            join {known.table} as k
              on coalesce(k.valid_from <= {end_of}, true)
             and coalesce({end_of} <= k.valid_to, true)"""
        grouped = ", ".join(group)
        combos = f"select distinct period_year{', ' + grouped if group else ''} from held"
        rows = con.execute(
            f"""with held as ({" union ".join(parts)}),
                wanted as ({wanted}),
                expected as (
                    select c.*, w.region_key from ({combos}) as c
                    join wanted as w using (period_year)
                ),
                missing as (
                    select * from expected
                    except select period_year{", " + grouped if group else ""}, region_key
                    from held
                )
                select *, count(*) over () as _count from missing
                order by period_year{", " + grouped if group else ""}, region_key limit 1""",
            [periods],
        ).fetchall()
    finally:
        for name in scratch:
            con.execute(f"drop table if exists {name}")
    if not rows:
        return []
    row = rows[0]
    period, values, absent, gaps = row[0], row[1 : 1 + len(group)], row[-2], row[-1]
    size = sum(1 for r in known.regions if r.exists_on(date(period, 12, 31)))
    word, words, where = LEVEL_WORDS[known.level]
    name = next((r.name for r in known.regions if r.key == absent), "")
    of = " ".join(str(v) for v in values if v != "")
    held_by = " or in the source's other deliveries" if others else ""
    return [
        _problem(
            result,
            None,
            "region_key",
            f"every {word} of {period}: the {size} {words} of {known.area} on 31.12.{period} "
            f"({where} of the territory)",
            f"no row of {absent} {name}".rstrip()
            + (f" for {of}" if of else "")
            + (f" here{held_by}" if held_by else ""),
            gaps - 1,
        )
    ]


def source_gap_problems(
    results: Sequence[ReadResult], contract: Contract, territory: Territory | None = None
) -> list[Problem]:
    """Every region of each period over all deliveries of a source (oldest first, each one
    checked): a gap is named at the newest delivery that holds its period."""
    problems: list[Problem] = []
    periods = [periods_of(r) for r in results]
    for i, result in enumerate(results):
        newer = set().union(*periods[i + 1 :])
        checked = periods[i] - newer
        # only deliveries holding one of those periods can complete them
        others = [r for j, r in enumerate(results) if j != i and periods[j] & checked]
        problems += missing_region_problems(result, contract, territory, others, newer)
    return problems
