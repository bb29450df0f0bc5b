"""Great-expectations suites as blocking Dagster asset checks.

GX validates DataFrames read from the candidate database (its SQL datasource is wrong on
DuckDB). A failed check names the expectation, the table and example rows.
"""

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


def gx_suite_check(
    asset_key: dg.AssetKey, table: str, expectations: Callable[[], list[dict]], name: str
) -> dg.AssetChecksDefinition:
    """A blocking asset check that validates `table` of the candidate with a GX suite."""

    @dg.asset_check(
        asset=asset_key,
        name=name,
        blocking=True,
        description=f"great-expectations suite on {table}",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        from pipelines.audit.expectations import validate_dataframe

        with duckdb.connect(str(warehouse.candidate), read_only=True) as con:
            frame = con.execute(f"select * from {table}").df()
        return check_result(table, validate_dataframe(frame, table, expectations()))

    return _check
