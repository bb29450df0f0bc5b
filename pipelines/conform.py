"""Check a read file against its data contract before anything is written to `raw`.

Each check reports the first offending line with column, expected and found, and how
many more rows share the problem, so a planner can open the file and fix it.
"""

from __future__ import annotations

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
    problems.append(
        _first(
            result,
            df["region_variable"] != region.variable,
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

    for i, variable in enumerate(contract.variables, start=1):
        code_col, attr_col = f"var{i}_code", f"var{i}_attr_code"
        allowed = ", ".join(a or "<Insgesamt>" for a in variable.attributes)
        problems.append(
            _first(result, df[code_col] != variable.code, code_col, f"variable {variable.code}")
        )
        problems.append(
            _first(
                result,
                ~df[attr_col].isin(variable.attributes),
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
    extra = len(contract.variables) + 1
    if extra > 3:
        return []
    problem = _first(
        result,
        df[f"var{extra}_code"].notna(),
        f"var{extra}_code",
        f"{len(contract.variables) + 1} variable groups (schema drift: an extra variable)",
    )
    return [problem] if problem else []


# Lengths of real AGS/ARS keys: Land, Regierungsbezirk, Kreis, Gemeinde, Gemeindeverband, ARS.
AGS_LENGTHS = (2, 3, 5, 8, 9, 12)


def key_pattern(contract: Contract) -> str:
    region = contract.region
    if region.key_pattern:
        return region.key_pattern
    return rf"(?:{'|'.join(region.laender)})\d{{{region.key_length - 2}}}"


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


def conform(
    result: ReadResult, contract: Contract, warnings: list[Problem] | None = None
) -> pd.DataFrame:
    """The canonical frame tagged with the contract's table code, or an InputError.

    Schema drift is an error, or, where the contract says `schema_drift: warn`, appended to
    `warnings` and let through. Rows of other regions are dropped where the contract says so.
    """
    result, _dropped = in_scope(result, contract)
    problems = contract_problems(result, contract)
    drift = drift_problems(result, contract)
    if contract.schema_drift == "warn":
        if warnings is not None:
            warnings.extend(drift)
    else:
        problems += drift
    if problems:
        raise InputError(problems)
    frame = result.frame.copy()
    frame["table_code"] = contract.table_code
    return frame
