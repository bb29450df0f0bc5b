"""Great-expectations suites as blocking Dagster asset checks.

GX validates DataFrames read from the candidate database (its SQL datasource is wrong on
DuckDB). A failed check names the expectation, the table and example rows.
"""

import contextlib
import ctypes
import json
from collections.abc import Callable

import dagster as dg
import duckdb

from pipelines.resources import WarehouseResource


def check_result(table: str, outcomes: list) -> dg.AssetCheckResult:
    """One asset check result for a whole suite, failures spelled out in the description."""
    failed = [o for o in outcomes if not o.passed]
    lines = []
    for o in failed:
        cause = o.error or f"{o.unexpected_count} rows"
        lines.append(f"{o.expectation} on {table}: {cause}")
        lines.extend(
            f"    e.g. {json.dumps(row, ensure_ascii=False, default=str)}" for row in o.examples[:3]
        )
    return dg.AssetCheckResult(
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR,
        description="\n".join(lines) if failed else f"{len(outcomes)} expectations met",
        metadata={
            "table": table,
            "expectations": len(outcomes),
            "failed": len(failed),
            "failures": dg.MetadataValue.json(
                [
                    {
                        "expectation": o.expectation,
                        "unexpected_count": o.unexpected_count,
                        "error": o.error,
                        "examples": o.examples,
                    }
                    for o in failed
                ]
            ),
        },
    )


IDENTIFYING = {
    "_source_line",
    "region_key",
    "period_year",
    "period",
    "measure_code",
    "indicator_id",
}


def _columns_used(con: duckdb.DuckDBPyConnection, table: str, suite: list[dict]) -> str:
    """The columns of `table` the suite names (in columns or row conditions), plus those that
    identify a failing row to the user (file line, region, period, measure): on large tables
    the labels and lineage columns nobody checks would double the frame."""
    schema, name = table.split(".")
    columns = [
        c
        for (c,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, name],
        ).fetchall()
    ]
    text = json.dumps(suite)
    used = [c for c in columns if c in text or c in IDENTIFYING]
    return ", ".join(f'"{c}"' for c in used)


def release_memory() -> None:
    """Give freed heap back to the system after a step that held a large DataFrame (glibc
    keeps it otherwise, and the refresh process would carry it into the dbt build)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def gx_suite_check(
    asset_key: dg.AssetKey,
    table: str,
    expectations: Callable[[], list[dict]],
    name: str,
    kept: Callable[[WarehouseResource], str | None] | None = None,
) -> dg.AssetChecksDefinition:
    """A blocking asset check that validates `table` of the candidate with a GX suite.

    `kept` names the release a table was kept from unchanged; it passed the suite there.
    """

    @dg.asset_check(
        asset=asset_key,
        name=name,
        blocking=True,
        description=f"great-expectations suite on {table}",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        release = kept(warehouse) if kept else None
        if release:
            return dg.AssetCheckResult(
                passed=True,
                description=f"{table} kept unchanged from release {release}, validated there",
                metadata={"kept_from_release": release},
            )
        from pipelines.audit.expectations import validate_dataframe

        suite = expectations()
        with duckdb.connect(str(warehouse.candidate), read_only=True) as con:
            columns = _columns_used(con, table, suite)
            frame = con.execute(f"select {columns} from {table}").df()
        result = check_result(table, validate_dataframe(frame, table, suite))
        del frame
        release_memory()
        return result

    return _check
