"""Check a read file against its data contract before anything is written to `raw`.

Each check reports the first offending line with column, expected and found, and how
many more rows share the problem, so a planner can open the file and fix it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipelines.contracts import Contract
from pipelines.readers.errors import InputError, Problem
from pipelines.readers.table import ReadResult


def _first(
    result: ReadResult, mask: pd.Series, column: str, expected: str, show: str | None = None
) -> Problem | None:
    """The first row where `mask` holds, named by the file's own column name."""
    if not mask.any():
        return None
    rows = result.frame.loc[mask]
    row = rows.iloc[0]
    found = repr(row[show or column]) if (show or column) in row else "nothing"
    return Problem(
        result.path.name,
        int(row["_source_line"]),
        result.column_name(column),
        expected,
        found,
        len(rows) - 1,
    )


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


def check(result: ReadResult, contract: Contract) -> Conformed:
    """Every contract check, in order; `conform` and `sozplan inspect` both run exactly this.

    A classic export's labels become the contract's codes first. The file's Land rows are
    checked against the sum of their regions, then rows of other regions are dropped where
    the contract says so. Schema drift is a problem, or a warning where the contract says
    `schema_drift: warn`.
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
    problems += contract_problems(result, contract)
    drift = drift_problems(result, contract)
    warnings: list[Problem] = []
    if contract.schema_drift == "warn":
        warnings = drift
    else:
        problems += drift
    return Conformed(result, problems, warnings, dropped)


def conform(
    result: ReadResult, contract: Contract, warnings: list[Problem] | None = None
) -> pd.DataFrame:
    """The canonical frame tagged with the contract's table code, or an InputError."""
    checked = check(result, contract)
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
                Problem(
                    result.path.name,
                    int(first["_source_line"]),
                    result.column_name("value"),
                    f"the Land {land} value equal to the sum of its {int(first['regions'])} "
                    f"regions ({first['parts_sum']:,.0f}, ±{0.5 * first['regions']:g} units "
                    f"of rounding) for {first['measure_code']} {first['period_year']}",
                    f"{first['value']:,.0f}",
                    int(bad.sum()) - 1,
                )
            )
    return problems
