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
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from pipelines.contracts import Contract
from pipelines.readers.errors import InputError, Problem
from pipelines.readers.table import ReadResult
from pipelines.territory import KnownRegion, Territory

# Canonical columns a wide file holds in the header of each value column: a problem with them
# is placed in the value's own column (reader metadata `value_columns`).
IN_VALUE_COLUMN = ("value", "value_status", "unit", "measure_code", "measure_label")


def _problem(
    result: ReadResult, row: pd.Series | None, column: str, expected: str, found: str, more: int
) -> Problem:
    """A problem at `row` (None: no row of the file), named as the user sees the file: the
    file's own column name, or sheet and cell in a workbook."""
    names = result.metadata.get("column_names") or {}
    name = result.column_name(column)
    per_value = result.metadata.get("value_columns")
    in_value_column = column in IN_VALUE_COLUMN and column not in names
    if row is not None and per_value is not None and in_value_column:
        name = str(per_value.get(row.name, name))
    line = int(row["_source_line"]) if row is not None else None
    sheet = result.metadata.get("sheet")
    if sheet:  # a workbook: the cell where a column letter is known, else the row
        letter = name if re.fullmatch(r"[A-Z]{1,3}", name) else None
        cell = f"{letter}{line}" if letter and line else None
        return Problem(result.path.name, line, cell, expected, found, more, sheet=str(sheet))
    return Problem(result.path.name, line, name, expected, found, more)


def _first(
    result: ReadResult, mask: pd.Series, column: str, expected: str, show: str | None = None
) -> Problem | None:
    """The first row where `mask` holds, named by the file's own column name."""
    if not mask.any():
        return None
    rows = result.frame.loc[mask]
    row = rows.iloc[0]
    found = repr(row[show or column]) if (show or column) in row else "nothing"
    return _problem(result, row, column, expected, found, len(rows) - 1)


def _duplicate_key(result: ReadResult, keys: list[str]) -> Problem | None:
    df = result.frame
    dup = df.duplicated(subset=keys, keep=False)
    if not dup.any():
        return None
    rows = df.loc[dup]
    # Python scalars, so the message reads period_year=2021, not np.int64(2021).
    first_key = tuple(v.item() if hasattr(v, "item") else v for v in rows.iloc[0][keys])
    same = rows[(rows[keys] == rows.iloc[0][keys]).all(axis=1)]
    lines = same["_source_line"].tolist()
    key_text = ", ".join(f"{k}={v!r}" for k, v in zip(keys, first_key, strict=True))
    return Problem(
        result.path.name,
        int(lines[1]),
        "+".join(result.column_name(k) for k in keys),
        "one row per key",
        f"the key {key_text} again (first at line {lines[0]})",
        int(df.duplicated(subset=keys).sum()) - 1,
    )


def contract_problems(result: ReadResult, contract: Contract) -> list[Problem]:
    """Everything in the file that breaks the contract (empty list: it conforms)."""
    df = result.frame
    problems: list[Problem | None] = []

    expected_stat = contract.table_code.split("-")[0]
    problems.append(
        _first(
            result,
            df["statistics_code"] != expected_stat,
            "statistics_code",
            f"statistics {expected_stat} (table {contract.table_code})",
        )
    )
    region = contract.region
    land_rows = df["region_key"].isin(region.laender)  # the file's own Land row, kept
    problems.append(
        _first(
            result,
            (df["region_variable"] != region.variable) & ~land_rows,
            "region_variable",
            f"region variable {region.variable}",
        )
    )
    key_ok = df["region_key"].str.fullmatch(key_pattern(contract))
    problems.append(
        _first(
            result,
            ~key_ok.fillna(False),
            "region_key",
            f"a region key like {region.key_pattern}"
            if region.key_pattern
            else f"a {region.key_length}-digit region key in Land {' or '.join(region.laender)}",
            "region_key",
        )
    )

    for variable in contract.variables:
        i = variable.position
        code_col, attr_col = f"var{i}_code", f"var{i}_attr_code"
        allowed = ", ".join(a or "<Insgesamt>" for a in variable.attributes)
        rows = df["measure_code"].isin(variable.measures) if variable.measures else True
        problems.append(
            _first(
                result,
                rows & (df[code_col] != variable.code),
                code_col,
                f"variable {variable.code}",
            )
        )
        problems.append(
            _first(
                result,
                rows & ~df[attr_col].isin(variable.attributes),
                attr_col,
                f"an attribute of {variable.code} ({allowed})",
            )
        )
    units = {m.code: m.unit for m in contract.measures}
    problems.append(
        _first(
            result,
            ~df["measure_code"].isin(list(units)),
            "measure_code",
            f"a measure of the contract ({', '.join(units)})",
        )
    )
    expected_unit = df["measure_code"].map(units)
    problems.append(
        _first(
            result,
            expected_unit.notna() & (df["unit"] != expected_unit),
            "unit",
            f"the contract's units ({', '.join(f'{k}: {v}' for k, v in units.items())})",
            "unit",
        )
    )
    problems.append(
        _first(
            result,
            df["value_status"].notna() & ~df["value_status"].isin(contract.allowed_status),
            "value",
            f"a special sign the contract allows ({' '.join(contract.allowed_status)})",
            "value_status",
        )
    )
    first, last = contract.period_range
    problems.append(
        _first(
            result,
            ~df["period_year"].between(first, last),
            "period_year",
            f"a period from {first} to {last}",
            "time",
        )
    )
    problems.append(_duplicate_key(result, [c for c in contract.key_columns if c in df]))
    return [p for p in problems if p is not None]


def drift_problems(result: ReadResult, contract: Contract) -> list[Problem]:
    """Schema drift: breakdowns the contract does not know (an extra variable group)."""
    df = result.frame
    extra = contract.positions + 1
    if extra > 3:
        return []
    problem = _first(
        result,
        df[f"var{extra}_code"].notna(),
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
    keys = result.frame["region_key"].astype(str)
    other = ~keys.str.fullmatch(key_pattern(contract)) & (
        (keys == "DG") | (keys.str.fullmatch(r"\d+") & keys.str.len().isin(AGS_LENGTHS))
    )
    if not other.any():
        return result, 0
    kept = ReadResult(result.path, result.format, result.frame.loc[~other], result.metadata)
    return kept, int(other.sum())


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
    rows = len(result.frame)
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
    """The canonical frame tagged with the contract's table code, or an InputError."""
    checked = check(result, contract, territory)
    if warnings is not None:
        warnings.extend(checked.warnings)
    if checked.problems:
        raise InputError(checked.problems)
    frame = checked.result.frame.copy()
    frame["table_code"] = contract.table_code
    return frame


def in_contract_order(result: ReadResult, contract: Contract) -> ReadResult:
    """The file's variables at the contract's positions, found by their codes.

    A GENESIS table lists its variables in the order of its layout (rows before columns), and
    two downloads of one table may differ in it; the contract names the variables, not their
    order. Only a whole-file permutation is made: a slot whose codes belong to no position of
    the contract stays where it is and is reported by the checks.
    """
    df = result.frame
    mapping: dict[int, int] = {}
    for slot in (1, 2, 3):
        present = set(df[f"var{slot}_code"].dropna().unique()) - {""}
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
    out = df.copy()
    for part in ("code", "attr_code", "attr_label"):
        for position in (1, 2, 3):
            out[f"var{position}_{part}"] = None
        for slot, position in mapping.items():
            out[f"var{position}_{part}"] = df[f"var{slot}_{part}"]
    names = dict(result.metadata.get("column_names") or {})
    for slot, position in mapping.items():
        for part in ("code", "attr_code", "attr_label"):
            if f"var{slot}_{part}" in (result.metadata.get("column_names") or {}):
                names[f"var{position}_{part}"] = result.metadata["column_names"][
                    f"var{slot}_{part}"
                ]
    metadata = {**result.metadata, "column_names": names}
    return ReadResult(result.path, result.format, out, metadata)


# --- classic exports: labels to codes -------------------------------------------------------


def _norm(label: object) -> str:
    from pipelines.readers.genesis_classic import slug

    return slug(str(label)) if label is not None and label == label else ""


TOTAL_LABELS = {"", "insgesamt"}


def codes_from_labels(result: ReadResult, contract: Contract) -> ReadResult:
    """Give a classic export (labels only) the contract's measure and attribute codes.

    Measures are found by their labels (`label`, `labels` in the contract), each column
    variable by the labels of its attributes (`attribute_labels`), `Insgesamt` being ''.
    A label the contract does not know is reported with its line and column.
    """
    df = result.frame.copy()
    problems: list[Problem] = []
    code_by_label = {_norm(lab): m.code for m in contract.measures for lab in m.all_labels}
    codes = [m.code for m in contract.measures]
    labels = df["measure_label"].map(_norm)
    found = df["measure_code"].where(df["measure_code"].isin(codes), labels.map(code_by_label))
    unknown = found.isna()
    if unknown.any():
        known = "; ".join(f"{m.code}: {' | '.join(m.all_labels)}" for m in contract.measures)
        problems.append(
            _first(
                result,
                unknown,
                "measure_label",
                f"a measure of the contract by its label ({known})",
                "measure_label",
            )
        )
    else:
        df["measure_code"] = found

    if problems:
        raise InputError(problems)
    out = df.copy()
    for column in ("code", "attr_code", "attr_label"):
        for j in (1, 2, 3):
            out[f"var{j}_{column}"] = None
    for measure in contract.measures:
        rows = df["measure_code"] == measure.code
        if rows.any():
            problems += _variables_from_labels(result, contract, measure.code, rows, df, out)
    if problems:
        raise InputError(problems)
    return ReadResult(result.path, result.format, out, result.metadata)


def _attribute_labels(variable) -> list[str]:
    return [label for _code, labels in variable.attribute_labels for label in labels]


def _variables_from_labels(
    result: ReadResult,
    contract: Contract,
    measure: str,
    rows: pd.Series,
    df: pd.DataFrame,
    out: pd.DataFrame,
) -> list[Problem]:
    """Fill `out`'s var columns for the rows of one measure: each of the file's variables is
    the contract variable (of this measure) whose attribute labels cover its labels."""
    variables = [v for v in contract.variables if v.applies_to(measure)]
    slots = [i for i in (1, 2, 3) if df.loc[rows, f"var{i}_code"].notna().any()]
    assigned: dict[int, int] = {}  # file slot -> index in `variables`
    for slot in slots:
        labels = {_norm(v) for v in df.loc[rows, f"var{slot}_attr_label"].dropna()} - TOTAL_LABELS
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
            column = df[f"var{slot}_attr_label"].map(_norm)
            problem = _first(
                result,
                rows & ~column.isin(known | TOTAL_LABELS),
                f"var{slot}_attr_label",
                f"an attribute the contract knows for {measure} ({wanted})",
                f"var{slot}_attr_label",
            )
            return [problem] if problem else []
        assigned[slot] = fitting[0]
    for j, variable in enumerate(variables):
        code_by_label = {_norm(lab): c for c, labs in variable.attribute_labels for lab in labs}
        slot = next((s for s, k in assigned.items() if k == j), None)
        position = variable.position
        out.loc[rows, f"var{position}_code"] = variable.code
        if slot is None:  # the export shows only this variable's total
            out.loc[rows, f"var{position}_attr_code"] = ""
            continue
        label = df.loc[rows, f"var{slot}_attr_label"]
        out.loc[rows, f"var{position}_attr_code"] = label.map(_norm).map(code_by_label).fillna("")
        out.loc[rows, f"var{position}_attr_label"] = label
    return []


# --- the file's own Land total --------------------------------------------------------------


def land_total_problems(result: ReadResult, contract: Contract) -> list[Problem]:
    """The territory's regions must add up to the file's Land row (additive measures only),
    within the rounding of one half unit per region. A region whose value is secret or
    unknown makes the sum uncheckable, as do parts that are all signs (the Land published
    before its Kreise); otherwise `-` (nothing) counts as 0."""
    from pipelines.readers.genesis_ffcsv import UNIT_FACTORS

    region = contract.region
    additive = [m.code for m in contract.measures if m.additive]
    df = result.frame
    if region.key_pattern or not additive or region.key_length <= 2:
        return []
    keys = df["region_key"].astype(str)
    rows = df[df["measure_code"].isin(additive)]
    group = ["period_year", "measure_code", "var1_attr_code", "var2_attr_code", "var3_attr_code"]
    problems = []
    for land in region.laender:
        totals = rows[keys.loc[rows.index] == land]
        if totals.empty:
            continue
        parts = rows[
            keys.loc[rows.index].str.fullmatch(rf"{land}\d{{{region.key_length - 2}}}")
        ].copy()
        parts["_open"] = parts["value_status"].notna() & (parts["value_status"] != "-")
        parts["_number"] = parts["value"].notna()
        parts["_value"] = parts["value"].fillna(0.0)
        for column in group:
            parts[column] = parts[column].fillna("")
        totals = totals.copy()
        for column in group:
            totals[column] = totals[column].fillna("")
        summed = parts.groupby(group, dropna=False).agg(
            parts_sum=("_value", "sum"),
            regions=("_value", "size"),
            open=("_open", "any"),
            numbers=("_number", "any"),
        )
        joined = totals.join(summed, on=group, how="inner")
        # uncheckable: a secret part, or no part with a number (a Land-only release)
        joined = joined[~joined["open"] & joined["numbers"] & joined["value"].notna()]
        if joined.empty:
            continue
        factor = joined["unit"].map(lambda u: UNIT_FACTORS.get(u or "", 1.0))
        tolerance = 0.5 * joined["regions"] * factor
        bad = (joined["value"] - joined["parts_sum"]).abs() > tolerance + 1e-6
        if bad.any():
            first = joined[bad].iloc[0]
            problems.append(
                _problem(
                    result,
                    first,
                    "value",
                    f"the Land {land} value equal to the sum of its {int(first['regions'])} "
                    f"regions ({first['parts_sum']:,.0f}, ±{0.5 * first['regions']:g} units "
                    f"of rounding) for {first['measure_code']} {first['period_year']}",
                    f"{first['value']:,.0f}",
                    int(bad.sum()) - 1,
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
    from pipelines.readers.genesis_ffcsv import UNIT_FACTORS

    df = result.frame
    shown = df["value"] / df["unit"].map(UNIT_FACTORS).fillna(1.0)
    problems: list[Problem] = []
    for measure in contract.measures:
        rows = (df["measure_code"] == measure.code) & shown.notna()
        if not rows.any():
            continue
        what = f"{measure.code} {measure.label}"
        bad = {}
        if measure.whole_numbers:
            fraction = rows & ((shown - shown.round()).abs() > 1e-9)
            bad[f"a whole number ({what} is a count)"] = fraction
        low, high = measure.plausible_range
        outside = pd.Series(False, index=df.index)
        if low is not None:
            outside |= rows & (shown < low)
        if high is not None:
            outside |= rows & (shown > high)
        plausible = f"a value from {_bound(low)} to {_bound(high)} {measure.unit}"
        bad[f"{plausible} (plausible_range of {what})"] = outside
        for expected, mask in bad.items():
            if mask.any():
                hits = df.loc[mask]
                row = hits.iloc[0]
                found = _number(float(shown.loc[row.name]))
                problems.append(_problem(result, row, "value", expected, found, len(hits) - 1))
    return problems


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


def _level_rows(keys: pd.Series, contract: Contract, level: str) -> pd.Series:
    """Rows whose key is of the contract's level (a malformed key is reported elsewhere)."""
    region = contract.region
    if level == "sozialraum":
        pattern = region.key_pattern or ""
    elif level == "land":
        pattern = "|".join(region.laender)
    else:
        pattern = rf"(?:{'|'.join(region.laender)})\d{{{region.key_length - 2}}}"
    return keys.str.fullmatch(pattern).fillna(False).astype(bool)


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


def _regions_of(
    result: ReadResult, contract: Contract, territory: Territory | None
) -> tuple[str, list[KnownRegion], str, str, pd.Series, pd.Series] | None:
    """The contract's level, the territory's regions of it, the area they lie in, what a key
    must be, the rows at that level and which of them have a known key."""
    from pipelines.territory import current_territory

    level = contract_level(contract)
    if level is None:
        return None
    territory = territory or current_territory()
    keys = result.frame["region_key"].astype(str)
    at_level = _level_rows(keys, contract, level)
    regions, area, expected = _known(contract, territory, level)
    known = keys.isin({r.key for r in regions})
    return level, regions, area, expected, at_level, known


def unknown_region_problems(
    result: ReadResult, contract: Contract, territory: Territory | None = None
) -> list[Problem]:
    """Known keys only: every key of the contract's level is one of the territory's regions
    of that level (whenever it existed: a former region may still show its signs). A new or
    renumbered Sozialraum is not a new area: the territory's small_areas.csv lists it first."""
    regions = _regions_of(result, contract, territory)
    if regions is None:
        return []
    _level, _regions, _area, expected, at_level, known = regions
    problem = _first(result, at_level & ~known, "region_key", expected)
    return [problem] if problem else []


def _held(result: ReadResult, regions_of: tuple, group: list[str]) -> pd.DataFrame:
    """The (period, breakdown, region) combinations a delivery holds at the contract's level,
    with known keys; a missing breakdown attribute is one value ('')."""
    _level, _regions, _area, _expected, at_level, known = regions_of
    frame = result.frame.loc[at_level & known, ["period_year", *group, "region_key"]]
    return frame.astype(object).where(frame.notna(), "").drop_duplicates()


def periods_of(result: ReadResult) -> set[int]:
    return {int(p) for p in result.frame["period_year"].dropna().unique()}


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
    regions_of = _regions_of(result, contract, territory)
    if regions_of is None:
        return []
    level, regions, area, _expected, _at_level, _known = regions_of
    group = [
        c
        for c in contract.key_columns
        if c not in ("region_key", "period_year") and c in result.frame
    ]
    periods = periods_of(result) - set(skip_periods)
    frames = [_held(result, regions_of, group)]
    for other in others:
        other_regions = _regions_of(other, contract, territory)
        held = _held(other, other_regions, group)
        frames.append(held[held["period_year"].isin(periods)])
    frame = pd.concat(frames, ignore_index=True).drop_duplicates()
    gaps, first = 0, None
    for period in sorted(periods):
        wanted = {r.key for r in regions if r.exists_on(date(period, 12, 31))}
        in_period = frame[frame["period_year"] == period]
        present = in_period[in_period["region_key"].isin(wanted)]
        combinations = len(in_period[group].drop_duplicates()) if group else 1
        gap = combinations * len(wanted) - len(present)
        if gap <= 0:
            continue
        gaps += gap
        parts = in_period.groupby(group, sort=True) if group else [((), in_period)]
        for values, part in parts if first is None else []:
            absent = wanted - set(part["region_key"])
            if absent:
                first = (period, len(wanted), values, min(absent))
                break
    if first is None:
        return []
    period, size, values, absent = first
    word, words, where = LEVEL_WORDS[level]
    name = next((r.name for r in regions if r.key == absent), "")
    of = " ".join(str(v) for v in values if v != "")
    held_by = " or in the source's other deliveries" if others else ""
    return [
        _problem(
            result,
            None,
            "region_key",
            f"every {word} of {period}: the {size} {words} of {area} on 31.12.{period} "
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
    for i, result in enumerate(results):
        newer = set().union(*(periods_of(r) for r in results[i + 1 :]))
        others = [*results[:i], *results[i + 1 :]]
        problems += missing_region_problems(result, contract, territory, others, newer)
    return problems
